import type { AppContext } from '../context';
import { SYSTEM_ACTOR } from '../audit/audit-writer';
import { verifyAuditChain } from '../audit/verify';

export interface JobDef {
  name: string;
  /** node-cron expression, evaluated in config.timezone (default Asia/Shanghai). */
  schedule: string;
  description: string;
  run(ctx: AppContext): Promise<unknown>;
}

/** The one registry of scheduled jobs; later features add theirs here. */
export const JOBS: JobDef[] = [
  {
    name: 'audit-verify',
    schedule: '15 2 * * *',
    description: 'R-AUDIT: recompute the audit hash chain nightly; a break is logged and recorded as an audit event.',
    async run(ctx) {
      const result = await verifyAuditChain(ctx.db.ds);
      if (result.ok) {
        // The head goes to the log (shipped off the host in production): an anchor for later verifies.
        ctx.logger.info('audit chain anchor', { seq: result.headSeq, hash: result.headHash });
      } else {
        ctx.logger.error('audit chain broken', { brokenAtSeq: result.brokenAtSeq, reason: result.reason });
        await ctx.db.tx((m) =>
          ctx.audit.append(m, SYSTEM_ACTOR, { action: 'audit.chain_broken', objectType: 'audit', reason: `seq ${result.brokenAtSeq}: ${result.reason}` }),
        );
      }
      return result;
    },
  },
];
