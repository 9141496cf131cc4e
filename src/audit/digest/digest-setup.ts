import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/env';
import type { Database } from '../../db/database';
import type { Logger } from '../../logger';
import type { AuditWriter } from '../audit-writer';
import { AuditDigestService } from './digest.service';
import { FileDigestSink, SyslogDigestSink, type DigestSink } from './digest-sinks';
import { loadSigningKey } from './signing-key';

/**
 * The digest signer of this process (R-AUDIT, issue 14 §1): the key of AUDIT_SIGNING_KEY (the
 * embedded default makes one under var/ and says so), the file sink and, when configured, syslog.
 */
export function buildAuditDigests(config: Config, db: Database, audit: AuditWriter, logger: Logger): AuditDigestService {
  const c = config.auditDigest;
  const { key, generated } = loadSigningKey(c.signingKeyPath, c.generateKey);
  if (generated) {
    logger.warn('audit signing key generated', {
      file: c.signingKeyPath,
      keyId: key.keyId,
      hint: 'Keep a copy of this file away from the database host; production sets AUDIT_SIGNING_KEY (docs/audit-digests.md).',
    });
  }
  const sinks: DigestSink[] = c.syslog ? [new SyslogDigestSink(c.syslog.host, c.syslog.port)] : [];
  return new AuditDigestService(db, audit, key, new FileDigestSink(c.dir), sinks, logger, c.intervalMinutes);
}

/**
 * Key rotation (npm run audit:rotate-key): the current public key stays beside the digests it
 * signed (keys/<keyId>.pem), a new private key takes the place of the old one at
 * AUDIT_SIGNING_KEY (written aside and renamed over it), and its public key joins the others.
 * The old private key is gone: it can sign nothing more, and what it signed still verifies.
 */
export function rotateSigningKey(config: Config): { retired: string; current: string } {
  const c = config.auditDigest;
  const files = new FileDigestSink(c.dir);
  const old = loadSigningKey(c.signingKeyPath, c.generateKey).key;
  files.publishKey(old.keyId, old.publicKeyPem);
  const full = path.resolve(c.signingKeyPath);
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  const tmp = `${full}.${process.pid}.new`;
  fs.writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  fs.renameSync(tmp, full);
  const fresh = loadSigningKey(full, false).key;
  files.publishKey(fresh.keyId, fresh.publicKeyPem);
  return { retired: old.keyId, current: fresh.keyId };
}
