import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The Ed25519 key that signs audit digests (R-AUDIT, issue 14 §1). The private key lives in a PEM
 * file outside the database (AUDIT_SIGNING_KEY); whoever can write the database cannot sign, so a
 * rewritten chain cannot be given matching digests.
 */
export interface SigningKey {
  /** First 16 hex digits of SHA-256 over the public key (SPKI DER): names the key in every digest. */
  keyId: string;
  publicKeyPem: string;
  sign(data: Buffer): string;
}

export class SigningKeyError extends Error {}

/** The key id of a public key: the same for the PEM file, the API and every digest it signed. */
export function keyIdOf(publicKey: crypto.KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** A PEM public (or private) Ed25519 key as a verifying key object; throws SigningKeyError otherwise. */
export function publicKeyFromPem(pem: string, source: string): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch {
    throw new SigningKeyError(`${source} is not a PEM public key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${source} is a ${key.asymmetricKeyType} key; audit digests are signed with Ed25519`);
  return key;
}

export interface LoadedKey {
  key: SigningKey;
  /** True when this start made the key (the embedded default says so in its log). */
  generated: boolean;
}

/**
 * Reads the private key; with `generate` (AUDIT_SIGNING_KEY not set: the embedded default) makes
 * one at `file` first if there is none. Made under a private name and linked into place, so two
 * processes starting at once end up with the same key.
 */
export function loadSigningKey(file: string, generate: boolean): LoadedKey {
  const full = path.resolve(file);
  let generated = false;
  if (!fs.existsSync(full)) {
    if (!generate) throw new SigningKeyError(`AUDIT_SIGNING_KEY: no such file ${full}`);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const tmp = `${full}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      fs.linkSync(tmp, full);
      generated = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey(fs.readFileSync(full, 'utf8'));
  } catch {
    throw new SigningKeyError(`AUDIT_SIGNING_KEY: ${full} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`AUDIT_SIGNING_KEY: ${full} is a ${privateKey.asymmetricKeyType} key; audit digests are signed with Ed25519`);
  }
  const publicKey = crypto.createPublicKey(privateKey);
  return {
    generated,
    key: {
      keyId: keyIdOf(publicKey),
      publicKeyPem: String(publicKey.export({ type: 'spki', format: 'pem' })),
      sign: (data) => crypto.sign(null, data, privateKey).toString('base64'),
    },
  };
}
