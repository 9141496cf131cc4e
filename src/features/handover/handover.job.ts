import type { JobDef, JobSpec } from '../../jobs/job';
import type { HandoverService } from './handover.service';

/**
 * Daily (R-HANDOVER-DESTROY, R-HANDOVER-HOLD): reminds the holding lead once of every handover
 * file due for destruction within two days, daily of every file past its destruction deadline and
 * of every delegation past expiry that was not revoked (one outbox message per file, kind and
 * day), and finishes shredding any destroyed file whose bytes a crash left behind. "Now" is the
 * period's due time; a rerun of the same day adds nothing.
 */
export const handoverOverdueJob: JobSpec = {
  name: 'handover-overdue',
  description: 'Handover files due for destruction within two days or past their deadline, and delegations past expiry not revoked: reminders to the holding lead',
  cadence: 'daily',
  at: { hour: 7, minute: 15 },
  covers: 'current',
};

export interface HandoverJobDeps {
  handover: HandoverService;
}

export function handoverJobs(deps: HandoverJobDeps): JobDef[] {
  return [{ ...handoverOverdueJob, run: (period) => deps.handover.flagOverdue(period.dueAt, period.key) }];
}
