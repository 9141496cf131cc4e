import { auditJobs, AuditJobDeps } from '../audit/audit.job';
import { assessmentJobs, AssessmentJobDeps } from '../features/assessments/assessment.job';
import { caseJobs, CaseJobDeps } from '../features/cases/case.job';
import { handoverJobs, HandoverJobDeps } from '../features/handover/handover.job';
import { inspectionJobs, InspectionJobDeps } from '../features/inspections/inspection.job';
import { copyJobs, CopyJobDeps } from '../features/paper/copy.job';
import { rectificationJobs, RectificationJobDeps } from '../features/rectifications/rectification.job';
import { accessLogJobs, AccessLogJobDeps } from '../features/access-log/access-log.job';
import type { JobDef } from './job';

export type { JobDef };

/**
 * The services the jobs use: the union of what each feature's `<area>.job.ts` asks for. The
 * context passes its services here (it satisfies this by shape); the jobs never see the context.
 */
export interface JobServices
  extends AuditJobDeps,
    CopyJobDeps,
    HandoverJobDeps,
    AssessmentJobDeps,
    RectificationJobDeps,
    InspectionJobDeps,
    CaseJobDeps,
    AccessLogJobDeps {}

/**
 * The one registry of scheduled jobs; later features add theirs here. It sits above the
 * features: each declares its jobs in its `<area>.job.ts`, built from the services they use. A
 * job with `runBy` gets its own run route for the role whose work it is (src/jobs/jobs.routes.ts);
 * the others are the IT admin's (job:run).
 */
export function buildJobs(services: JobServices): JobDef[] {
  return [
    // R-AUDIT: the audit hash chain is verified nightly.
    ...auditJobs(services),
    // R-NO-PAPER: copies past their usage period are chased daily.
    ...copyJobs(services),
    // R-HANDOVER-DESTROY: files past their destruction deadline and expired delegations are flagged daily.
    ...handoverJobs(services),
    // R-RISK-MONTHLY: each department's assessment of the previous month, on the 1st; past-due rectifications chased daily.
    ...assessmentJobs(services),
    ...rectificationJobs(services),
    // R-INSPECT: every project's inspection of the two-month block, created on its first day.
    ...inspectionJobs(services),
    // R-CASE-CHASE: overdue open cases get a reminder (催辦單) daily; R-CASE-STATS: last month's table on the 1st (before the 10th).
    ...caseJobs(services),
    // R-AUDIT (issue 14 §2): the access log verified nightly against the digests; reads past their retention purged daily, with a signed summary.
    ...accessLogJobs(services),
  ];
}
