import { SYSTEM_ACTOR } from '../audit/audit-writer';
import { verifyAuditChain } from '../audit/verify';
import { riskAssessmentJob } from '../features/assessments/risk-assessment.job';
import { copiesOverdueJob } from '../features/paper/copies-overdue.job';
import { inspectionsJob } from '../features/inspections/inspections.job';
import { handoverOverdueJob } from '../features/handover/handover-overdue.job';
import { caseStatsJob, casesChaseJob } from '../features/cases/case.jobs';
import { rectificationsOverdueJob } from '../features/rectifications/rectifications-overdue.job';
import type { JobDef } from './job';

export type { JobDef };

/**
 * The one registry of scheduled jobs; later features add theirs here. A job with `runBy` gets its
 * own run route for the role whose work it is (src/jobs/jobs.routes.ts); the others are the IT
 * admin's (job:run).
 */
export const JOBS: JobDef[] = [
  {
    name: 'audit-verify',
    cadence: 'daily',
    at: { hour: 2, minute: 15 },
    covers: 'current',
    description: 'R-AUDIT: recompute the audit hash chain nightly; a break is logged and recorded as an audit event.',
    async run(ctx) {
      const result = await verifyAuditChain(ctx.db.ds);
      const summary = result.ok ? { ok: true, headSeq: result.headSeq, headHash: result.headHash } : { ok: false, brokenAtSeq: result.brokenAtSeq, reason: result.reason };
      if (result.ok) {
        // The head goes to the log (shipped off the host in production): an anchor for later verifies.
        ctx.logger.info('audit chain anchor', { seq: result.headSeq, hash: result.headHash });
      } else {
        ctx.logger.error('audit chain broken', { brokenAtSeq: result.brokenAtSeq, reason: result.reason });
        await ctx.db.tx((m) =>
          ctx.audit.append(m, SYSTEM_ACTOR, { action: 'audit.chain_broken', objectType: 'audit', reason: `seq ${result.brokenAtSeq}: ${result.reason}` }),
        );
      }
      return summary;
    },
  },
  // R-NO-PAPER: copies past their usage period are chased daily.
  copiesOverdueJob,
  // R-HANDOVER-DESTROY: files past their destruction deadline and expired delegations are flagged daily.
  handoverOverdueJob,
  // R-RISK-MONTHLY: each department's assessment of the previous month, on the 1st; past-due rectifications chased daily.
  riskAssessmentJob,
  rectificationsOverdueJob,
  // R-INSPECT: every project's inspection of the two-month block, created on its first day.
  inspectionsJob,
  // R-CASE-CHASE: overdue open cases get a reminder (催辦單) daily; R-CASE-STATS: last month's table on the 1st (before the 10th).
  casesChaseJob,
  caseStatsJob,
];
