import type { JobDef, JobSpec } from '../../jobs/job';
import type { JobPeriod } from '../../jobs/period';

/**
 * R-CASE-CHASE (第十四條): every morning, a reminder (催辦單) for each open case past its due date,
 * to the heads of the responsible department (or the project's manager before one is assigned),
 * once per case per day.
 */
export const casesChaseJob: JobSpec = {
  name: 'case-chase',
  description: 'R-CASE-CHASE: remind (催辦單) the responsible department of every overdue open complaint case, once per case per day.',
  cadence: 'daily',
  at: { hour: 8, minute: 30 },
  covers: 'current',
};

/**
 * R-CASE-STATS (第九條(九)): on the 1st at 07:00 (well before the 10th), the statistics table of
 * the cases closed in the previous month; stored once per month. The general manager's office,
 * the quality department and the auditors run it by hand (case_stats:run; the IT admin too); a
 * run for the month under way computes it to date and stores nothing.
 */
export const caseStatsJob: JobSpec = {
  name: 'case-statistics',
  description: 'R-CASE-STATS: the statistics table of the complaint cases closed in the previous month (by type, cause, responsible department; on time vs late; average days).',
  cadence: 'monthly',
  at: { day: 1, hour: 7, minute: 0 },
  covers: 'previous',
  toDateRuns: true,
  runBy: { object: 'case_stats', action: 'run' },
};

/**
 * What the case jobs use of CaseService and CaseStatisticsService. Declared by shape, not by
 * importing the services: the statistics service reads its months from caseStatsJob above, and
 * an import back would tie the files in a cycle.
 */
export interface CaseJobDeps {
  cases: { chaseOverdue(period: JobPeriod): Promise<Record<string, unknown>> };
  caseStatistics: { computeForPeriod(period: JobPeriod): Promise<Record<string, unknown>> };
}

export function caseJobs(deps: CaseJobDeps): JobDef[] {
  return [
    { ...casesChaseJob, run: (period) => deps.cases.chaseOverdue(period) },
    { ...caseStatsJob, run: (period) => deps.caseStatistics.computeForPeriod(period) },
  ];
}
