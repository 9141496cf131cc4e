import type { JobDef, JobSpec } from '../../jobs/job';
import type { JobPeriod } from '../../jobs/period';

/**
 * R-INSPECT (§5.3.2): the quality department inspects every project every two months. On the 1st
 * of January, March, May, July, September and November at 07:00 this creates the period's
 * inspection of every project (2026-B6 = November–December), with its checklist and the figures
 * of the two months before as of the due time. Idempotent: the unique (project, period) key
 * means a rerun creates nothing twice, and a rerun covers every project that exists when it runs.
 *
 * The quality department runs it by hand (inspection:run; the IT admin too) for a past or the
 * current block, including before the block's run is due (a run to date).
 */
export const inspectionsJob: JobSpec = {
  name: 'inspections',
  description: 'R-INSPECT (§5.3.2): every two months, one inspection per project for the quality department, with its checklist and the figures of the two months before.',
  cadence: 'bimonthly',
  at: { day: 1, hour: 7, minute: 0 },
  covers: 'current',
  toDateRuns: true,
  runBy: { object: 'inspection', action: 'run' },
};

/**
 * What the inspection jobs use of InspectionService. Declared by shape, not by importing the
 * service: the service reads its periods from inspectionsJob above, and an import back would tie
 * the two files in a cycle.
 */
export interface InspectionJobDeps {
  inspections: { createForPeriod(period: JobPeriod): Promise<Record<string, unknown>> };
}

export function inspectionJobs(deps: InspectionJobDeps): JobDef[] {
  return [{ ...inspectionsJob, run: (period) => deps.inspections.createForPeriod(period) }];
}
