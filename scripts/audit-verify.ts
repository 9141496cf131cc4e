import { withContext } from './cli-context';
import { verifyWithDigests } from '../src/audit/digest/verify-digests';
import { verifyAuditChain, type AuditAnchor } from '../src/audit/verify';

/**
 * npm run audit:verify [-- --digests DIR [--keys DIR]... [--resume]] [<seq>:<hash> ...]
 * Recomputes the chain (R-AUDIT): exit 0 and "ok", or exit 2 and the first broken sequence.
 * --digests: also against the signed digests in DIR (AUDIT_DIGEST_DIR or a copy kept elsewhere),
 * verified with the public keys in DIR/keys and each --keys DIR. Anchors "<seq>:<hash>" are heads
 * recorded earlier (a log line, a printed report). --resume (with --digests): walk only the entries
 * after the latest signed digest, whose head must still be stored as signed (the digests themselves
 * are still checked in full).
 */
const USAGE = 'usage: npm run audit:verify -- [--digests DIR [--keys DIR]... [--resume]] [<seq>:<sha256-hex> ...]\n';
const anchors: AuditAnchor[] = [];
let digestDir: string | null = null;
let resume = false;
const keyDirs: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--resume') {
    resume = true;
    continue;
  }
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
if (resume && !digestDir) {
  process.stderr.write(`--resume starts at a signed digest: it needs --digests DIR\n${USAGE}`);
  process.exit(1);
}

withContext(async (ctx) => {
  const result = digestDir ? await verifyWithDigests(ctx.db.ds, { dir: digestDir, keyDirs, anchors, resume }) : await verifyAuditChain(ctx.db.ds, { anchors });
  if (result.ok) {
    const from = result.resumedAfterSeq ? ` after seq ${result.resumedAfterSeq} (the latest signed digest's head)` : '';
    process.stdout.write(`ok: ${result.count} events${from}, head seq ${result.headSeq}, head hash ${result.headHash}\n`);
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
