import type { Database } from '../../db/database';
import type { JobDef, JobSpec } from '../../jobs/job';
import type { ControlledCopyService } from './controlled-copy.service';

/**
 * R-NO-PAPER (usage period), R-NO-LEND: every morning, a reminder for each controlled copy still
 * out with its recipient past its expiry, to the holder, the project manager(s) of the project
 * and the head(s) of its department; and once, to the same people, for each copy whose usage
 * period ends within the next two days. As of the run's due time (period.dueAt), one overdue
 * reminder per copy, recipient and day and one expiring reminder per copy and recipient (the
 * outbox dedupe keys), so a rerun of the day writes nothing more; returned, destroyed and lost
 * copies are never reminded.
 */
export const copiesOverdueJob: JobSpec = {
  name: 'copies-overdue',
  description: 'R-NO-PAPER: remind holders and supervisors of controlled copies past their usage period (not returned, destroyed or lost), and once of those expiring within two days.',
  cadence: 'daily',
  at: { hour: 8, minute: 30 },
  covers: 'current',
};

export interface CopyJobDeps {
  db: Database;
  copies: ControlledCopyService;
}

export function copyJobs(deps: CopyJobDeps): JobDef[] {
  const { db, copies } = deps;
  return [
    {
      ...copiesOverdueJob,
      async run(period) {
        const overdue = await copies.overdueAt(period.dueAt);
        const expiring = await copies.expiringAt(period.dueAt);
        let reminders = 0;
        for (const copy of overdue) {
          reminders += await db.tx((m) => copies.remindOverdue(m, copy, period.key));
        }
        for (const copy of expiring) {
          reminders += await db.tx((m) => copies.remindExpiring(m, copy));
        }
        return { overdueCopies: overdue.length, expiringCopies: expiring.length, remindersWritten: reminders };
      },
    },
  ];
}
