import type { Database } from '../db/database';
import type { NotificationOutbox } from '../features/notifications/notification.service';
import type { JobDef } from '../jobs/job';
import type { Logger } from '../logger';
import { COMPANY } from '../policy/scope';
import { AuditWriter, SYSTEM_ACTOR } from './audit-writer';
import type { AuditDigestService } from './digest/digest.service';
import { verifyWithDigests } from './digest/verify-digests';

export interface AuditJobDeps {
  db: Database;
  audit: AuditWriter;
  logger: Logger;
  outbox: NotificationOutbox;
  auditDigests: AuditDigestService;
}

/** R-AUDIT: the nightly verify of the audit hash chain; a break is told to the IT admins (audit.chain_broken) every night it is found. */
export function auditJobs(deps: AuditJobDeps): JobDef[] {
  const { db, audit, logger, outbox, auditDigests } = deps;
  return [
    {
      name: 'audit-verify',
      cadence: 'daily',
      at: { hour: 2, minute: 15 },
      covers: 'current',
      description:
        'R-AUDIT: recompute the audit hash chain nightly and check it against the signed digests in AUDIT_DIGEST_DIR; a break is logged, recorded as an audit event and told to the IT admins.',
      async run(period) {
        // Against the digests too (issue 14 §1): a rewrite with every hash recomputed shows only there.
        const result = await verifyWithDigests(db.ds, { dir: auditDigests.files.dir });
        const summary = result.ok ? { ok: true, headSeq: result.headSeq, headHash: result.headHash } : { ok: false, brokenAtSeq: result.brokenAtSeq, reason: result.reason };
        if (result.ok) {
          // The head goes to the log (shipped off the host in production): an anchor for later verifies.
          logger.info('audit chain anchor', { seq: result.headSeq, hash: result.headHash });
        } else {
          logger.error('audit chain broken', { brokenAtSeq: result.brokenAtSeq, reason: result.reason });
          await db.tx(async (m) => {
            await audit.append(m, SYSTEM_ACTOR, { action: 'audit.chain_broken', objectType: 'audit', reason: `seq ${result.brokenAtSeq}: ${result.reason}` });
            await outbox.enqueueToRole(m, 'it_admin', COMPANY, {
              kind: 'audit.chain_broken',
              params: { seq: result.brokenAtSeq, day: period.key },
              objectType: 'audit',
              objectId: result.brokenAtSeq,
              dedupeKey: `audit.chain_broken:${result.brokenAtSeq}:${period.key}`,
            });
          });
        }
        return summary;
      },
    },
  ];
}
