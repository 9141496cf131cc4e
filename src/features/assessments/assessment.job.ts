import type { JobDef, JobSpec } from '../../jobs/job';
import type { JobPeriod } from '../../jobs/period';

/**
 * Monthly (R-RISK-MONTHLY, §5.3.1): on the 1st at 06:00 (config.timezone), one draft risk
 * assessment per department for the month before, pre-filled with the department's indicators
 * as of the due time (never the wall clock), and a note to the department head. Idempotent: the
 * unique (department, period) index lets a rerun or a catch-up after downtime add only what is
 * missing. Every department that exists when the job runs is covered (a department created
 * during the month, or a rerun after a new installation).
 *
 * The quality department runs it by hand (risk_assessment:run; the IT admin too) for a past
 * month, or for the month under way (a run to date: drafts open now for a new installation,
 * without consuming the 1st's run, which still does the whole month).
 */
export const riskAssessmentJob: JobSpec = {
  name: 'risk-assessment',
  description: "Monthly confidentiality risk assessment: one draft per department for the previous month, with the department's indicators",
  cadence: 'monthly',
  at: { day: 1, hour: 6, minute: 0 },
  covers: 'previous',
  toDateRuns: true,
  runBy: { object: 'risk_assessment', action: 'run' },
};

/**
 * What the assessment jobs use of AssessmentService. Declared by shape, not by importing the
 * service: the service reads its periods from riskAssessmentJob above, and an import back would
 * tie the two files in a cycle.
 */
export interface AssessmentJobDeps {
  assessments: { createForPeriod(period: JobPeriod): Promise<Record<string, unknown>> };
}

export function assessmentJobs(deps: AssessmentJobDeps): JobDef[] {
  return [{ ...riskAssessmentJob, run: (period) => deps.assessments.createForPeriod(period) }];
}
