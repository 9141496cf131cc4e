import { withContext } from './cli-context';
import { verifyWithDigests } from '../src/audit/digest/verify-digests';
import { verifyAuditChain, type AuditAnchor } from '../src/audit/verify';

/**
 * npm run audit:verify [-- --digests DIR [--keys DIR]... ] [<seq>:<hash> ...]
 * Recomputes the chain (R-AUDIT): exit 0 and "ok", or exit 2 and the first broken sequence.
 * --digests: also against the signed digests in DIR (AUDIT_DIGEST_DIR or a copy kept elsewhere),
 * verified with the public keys in DIR/keys and each --keys DIR. Anchors "<seq>:<hash>" are heads
 * recorded earlier (a log line, a printed report).
 */
const USAGE = 'usage: npm run audit:verify -- [--digests DIR [--keys DIR]...] [<seq>:<sha256-hex> ...]\n';
const anchors: AuditAnchor[] = [];
let digestDir: string | null = null;
const keyDirs: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--digests' || arg === '--keys') {
    const value = args[++i];
    if (!value) {
      process.stderr.write(USAGE);
      process.exit(1);
    }
    if (arg === '--digests') digestDir = value;
    else keyDirs.push(value);
    continue;
  }
  const m = /^(\d+):([0-9a-f]{64})$/.exec(arg);
  if (!m) {
    process.stderr.write(USAGE);
    process.exit(1);
  }
  anchors.push({ seq: Number(m[1]), hash: m[2] });
}

withContext(async (ctx) => {
  const result = digestDir ? await verifyWithDigests(ctx.db.ds, { dir: digestDir, keyDirs, anchors }) : await verifyAuditChain(ctx.db.ds, { anchors });
  if (result.ok) {
    process.stdout.write(`ok: ${result.count} events, head seq ${result.headSeq}, head hash ${result.headHash}\n`);
    const c = result.coverage;
    if (c) {
      process.stdout.write(
        c.latestNumber === null
          ? 'digests: none yet; no entry is covered by a signed digest\n'
          : `digests: ${c.digests} checked, the latest (${c.latestNumber}, ${c.latestAt}) covers up to seq ${c.coveredToSeq}; ${c.uncovered} entries written since are not yet covered\n`,
      );
    }
    return 0;
  }
  process.stdout.write(`BROKEN at seq ${result.brokenAtSeq}: ${result.reason} (${result.count} events verified before it)\n`);
  return 2;
}).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`audit:verify failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
