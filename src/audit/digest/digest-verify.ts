import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DIGEST_FILE_RE, digestHash, digestSignatureValid, DigestFormatError, GENESIS_DIGEST_HASH, parseDigest, type DigestFile } from './digest-format';
import { keyIdOf, publicKeyFromPem, SigningKeyError } from './signing-key';

/** Public keys by key id, read from PEM files (the digest directory's keys/, and any other given). */
function readTrustedKeys(dirs: string[]): Map<string, crypto.KeyObject> {
  const keys = new Map<string, crypto.KeyObject>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.pem')).sort()) {
      try {
        const key = publicKeyFromPem(fs.readFileSync(path.join(dir, name), 'utf8'), name);
        keys.set(keyIdOf(key), key);
      } catch (err) {
        if (!(err instanceof SigningKeyError)) throw err;
      }
    }
  }
  return keys;
}

export type DigestDirResult =
  | { ok: true; digests: DigestFile[] }
  | { ok: false; digests: DigestFile[]; digestNumber: number; reason: string };

/**
 * Reads every digest in `dir` and checks them as a chain of their own (R-AUDIT, issue 14 §1):
 * each signature with a trusted key (the PEM files in `<dir>/keys` and in `keyDirs`), numbers 1..N without a gap (a deleted digest leaves one),
 * each naming the previous one's hash and starting where it ended. The digests before the first
 * problem are returned either way, so the audit chain can still be checked against them.
 */
export function readDigestDir(dir: string, keyDirs: string[] = []): DigestDirResult {
  const keys = readTrustedKeys([path.join(dir, 'keys'), ...keyDirs]);
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => DIGEST_FILE_RE.test(f)).sort() : [];
  const digests: DigestFile[] = [];
  const fail = (digestNumber: number, reason: string): DigestDirResult => ({ ok: false, digests, digestNumber, reason });
  let prev: DigestFile | null = null;
  for (const name of names) {
    const expected = (prev?.payload.number ?? 0) + 1;
    const n = Number(DIGEST_FILE_RE.exec(name)![1]);
    if (n !== expected) return fail(expected, `digest ${expected} is missing from ${dir} (the next one there is ${n})`);
    let file: DigestFile;
    try {
      file = parseDigest(fs.readFileSync(path.join(dir, name), 'utf8'), name);
    } catch (err) {
      if (err instanceof DigestFormatError) return fail(n, err.message);
      throw err;
    }
    const p = file.payload;
    if (p.number !== n) return fail(n, `${name} holds digest ${p.number}`);
    const key = keys.get(p.keyId);
    if (!key) return fail(n, `digest ${n} is signed by key ${p.keyId}, which is not among the trusted public keys`);
    if (!digestSignatureValid(file, key)) return fail(n, `digest ${n}: the signature does not verify (the file was changed)`);
    const prevHash = prev ? digestHash(prev.payload) : GENESIS_DIGEST_HASH;
    if (p.prevDigestHash !== prevHash) return fail(n, `digest ${n} does not follow digest ${n - 1} (previous-digest hash differs)`);
    const from = (prev?.payload.toSeq ?? 0) + 1;
    if (p.fromSeq !== from || p.toSeq < p.fromSeq - 1) return fail(n, `digest ${n} covers ${p.fromSeq}..${p.toSeq}, expected to start at ${from}`);
    digests.push(file);
    prev = file;
  }
  return { ok: true, digests };
}
