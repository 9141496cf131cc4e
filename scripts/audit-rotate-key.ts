import { ConfigError, loadConfig } from '../src/config/env';
import { rotateSigningKey } from '../src/audit/digest/digest-setup';

/**
 * npm run audit:rotate-key: a new Ed25519 signing key at AUDIT_SIGNING_KEY (R-AUDIT, issue 14 §1).
 * The retired public key stays in AUDIT_DIGEST_DIR/keys, so the digests it signed still verify.
 * Restart every instance afterwards (with the new file in place on each).
 */
try {
  const { retired, current } = rotateSigningKey(loadConfig());
  process.stdout.write(`audit signing key rotated: ${retired} retired (its public key stays beside the digests), ${current} signs from the next start\n`);
} catch (err) {
  process.stderr.write(`audit:rotate-key failed: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
