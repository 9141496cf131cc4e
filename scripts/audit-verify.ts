import { withContext } from './cli-context';
import { verifyAuditChain } from '../src/audit/verify';

/** npm run audit:verify: recomputes the chain; exit 0 and "ok" or exit 2 and the first broken sequence. */
// Optional anchors recorded earlier, as arguments "<seq>:<hash>" (e.g. from the nightly job's log line).
const anchors = process.argv.slice(2).map((arg) => {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(arg);
  if (!m) {
    process.stderr.write(`usage: npm run audit:verify -- [<seq>:<sha256-hex> ...]\n`);
    process.exit(1);
  }
  return { seq: Number(m[1]), hash: m[2] };
});

withContext(async (ctx) => {
  const result = await verifyAuditChain(ctx.db.ds, { anchors });
  if (result.ok) {
    process.stdout.write(`ok: ${result.count} events, head seq ${result.headSeq}, head hash ${result.headHash}\n`);
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
