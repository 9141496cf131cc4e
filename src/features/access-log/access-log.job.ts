import type { JobDef, JobSpec } from '../../jobs/job';
import { SYSTEM_ACTOR, type AuditWriter } from '../../audit/audit-writer';
import type { AuditDigestService } from '../../audit/digest/digest.service';
import type { Database } from '../../db/database';
import type { Logger } from '../../logger';
import { COMPANY } from '../../policy/scope';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { AccessLogService } from './access-log.service';

/**
 * Issue 14 §2, R-AUDIT: the access log's retention. Daily, the batches older than
 * ACCESS_LOG_RETENTION_DAYS (default 3 years) are deleted with their reads, whole batches only,
 * and one `access_log.purged` audit event says what went (batch range, row count, the last removed
 * hash that anchors the first kept batch, the head): the audit chain it joins is signed by the
 * digests, so the summary is signed too. As of period.dueAt: a rerun of the day removes nothing more.
 */
export const accessLogPurgeJob: JobSpec = {
  name: 'access-log-purge',
  description: 'R-AUDIT: delete customer reads older than the retention period (whole batches) and record a signed summary with the anchor of the first kept batch.',
  cadence: 'daily',
  at: { hour: 3, minute: 10 },
  covers: 'current',
};

export const accessLogVerifyJob: JobSpec = {
  name: 'access-log-verify',
  description: 'R-AUDIT: recompute the access log batch chain nightly and check it against the signed digests; a break is logged, recorded as an audit event and told to the IT admins.',
  cadence: 'daily',
  at: { hour: 2, minute: 30 },
  covers: 'current',
};

export interface AccessLogJobDeps {
  accessLog: AccessLogService;
  auditDigests: AuditDigestService;
  audit: AuditWriter;
  db: Database;
  logger: Logger;
  outbox: NotificationOutbox;
}

export function accessLogJobs(deps: AccessLogJobDeps): JobDef[] {
  const { accessLog, auditDigests, audit, db, logger, outbox } = deps;
  return [
    {
      ...accessLogVerifyJob,
      async run(period) {
        const result = await accessLog.verifyAgainstDigests(auditDigests.files.dir);
        if (result.ok) return { ok: true, headSeq: result.headSeq, digests: result.digests };
        logger.error('access log chain broken', { brokenAtBatch: result.brokenAtBatch, reason: result.reason });
        await db.tx(async (m) => {
          await audit.append(m, SYSTEM_ACTOR, { action: 'access_log.chain_broken', objectType: 'access_log', reason: `batch ${result.brokenAtBatch}: ${result.reason}` });
          await outbox.enqueueToRole(m, 'it_admin', COMPANY, {
            kind: 'access_log.chain_broken',
            params: { batch: result.brokenAtBatch, day: period.key },
            objectType: 'access_log',
            objectId: result.brokenAtBatch,
            dedupeKey: `access_log.chain_broken:${result.brokenAtBatch}:${period.key}`,
          });
        });
        return { ok: false, brokenAtBatch: result.brokenAtBatch, reason: result.reason };
      },
    },
    {
      ...accessLogPurgeJob,
      async run(period) {
        const s = await accessLog.purge(period.dueAt);
        return { removedBatches: s.removedBatches, removedRows: s.removedRows, toSeq: s.toSeq, cutoff: s.cutoff };
      },
    },
  ];
}
