import type { JobDef } from '../../jobs/job';

/**
 * Monthly (R-RISK-MONTHLY, §5.3.1): on the 1st at 06:00 (config.timezone), one draft risk
 * assessment per department for the month before, pre-filled with the department's indicators
 * as of the due time (never the wall clock), and a note to the department head. Idempotent: the
 * unique (department, period) index lets a rerun or a catch-up after downtime add only what is
 * missing.
 */
export const riskAssessmentJob: JobDef = {
  name: 'risk-assessment',
  description: "Monthly confidentiality risk assessment: one draft per department for the previous month, with the department's indicators",
  cadence: 'monthly',
  at: { day: 1, hour: 6, minute: 0 },
  covers: 'previous',
  run: (ctx, period) => ctx.assessments.createForPeriod(period),
};
