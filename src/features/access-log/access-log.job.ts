import type { JobDef, JobSpec } from '../../jobs/job';
import { reportBrokenChain, type ChainAlarmDeps } from '../../audit/chain-broken';
import type { AuditDigestService } from '../../audit/digest/digest.service';
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

export interface AccessLogJobDeps extends ChainAlarmDeps {
  accessLog: AccessLogService;
  auditDigests: AuditDigestService;
}

export function accessLogJobs(deps: AccessLogJobDeps): JobDef[] {
  const { accessLog, auditDigests } = deps;
  return [
    {
      ...accessLogVerifyJob,
      async run(period) {
        const result = await accessLog.verifyAgainstDigests(auditDigests.files.dir);
        if (result.ok) return { ok: true, headSeq: result.headSeq, digests: result.digests };
        await reportBrokenChain(deps, { chain: 'access_log', unit: 'batch', at: result.brokenAtBatch, reason: result.reason }, period.key);
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
