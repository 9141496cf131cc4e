import type { Database } from '../db/database';
import type { JobDef } from '../jobs/job';
import type { Logger } from '../logger';
import { AuditWriter, SYSTEM_ACTOR } from './audit-writer';
import { verifyAuditChain } from './verify';

export interface AuditJobDeps {
  db: Database;
  audit: AuditWriter;
  logger: Logger;
}

/** R-AUDIT: the nightly verify of the audit hash chain. */
export function auditJobs(deps: AuditJobDeps): JobDef[] {
  const { db, audit, logger } = deps;
  return [
    {
      name: 'audit-verify',
      cadence: 'daily',
      at: { hour: 2, minute: 15 },
      covers: 'current',
      description: 'R-AUDIT: recompute the audit hash chain nightly; a break is logged and recorded as an audit event.',
      async run() {
        const result = await verifyAuditChain(db.ds);
        const summary = result.ok ? { ok: true, headSeq: result.headSeq, headHash: result.headHash } : { ok: false, brokenAtSeq: result.brokenAtSeq, reason: result.reason };
        if (result.ok) {
          // The head goes to the log (shipped off the host in production): an anchor for later verifies.
          logger.info('audit chain anchor', { seq: result.headSeq, hash: result.headHash });
        } else {
          logger.error('audit chain broken', { brokenAtSeq: result.brokenAtSeq, reason: result.reason });
          await db.tx((m) => audit.append(m, SYSTEM_ACTOR, { action: 'audit.chain_broken', objectType: 'audit', reason: `seq ${result.brokenAtSeq}: ${result.reason}` }));
        }
        return summary;
      },
    },
  ];
}
