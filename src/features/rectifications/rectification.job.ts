import type { JobDef, JobSpec } from '../../jobs/job';
import type { RectificationService } from './rectification.service';

/**
 * Daily (R-RISK-MONTHLY, R-INSPECT): every rectification still open after its due date gets a
 * reminder in the outbox, to its owner and to the head of its department (one per
 * rectification, recipient and day); one due within 3 days reminds its owner once. "Today" is the period's local date (period.key), never the
 * wall clock; a rerun of the same day adds nothing. Overdue rectifications also count in the
 * next monthly assessment (the rectifications_overdue indicator).
 */
export const rectificationsOverdueJob: JobSpec = {
  name: 'rectifications-overdue',
  description: 'Rectifications past their due date and not done: reminders to the owner and the department head; due within 3 days: a reminder to the owner',
  cadence: 'daily',
  at: { hour: 7, minute: 30 },
  covers: 'current',
};

export interface RectificationJobDeps {
  rectifications: RectificationService;
}

export function rectificationJobs(deps: RectificationJobDeps): JobDef[] {
  return [
    {
      ...rectificationsOverdueJob,
      run: async (period) => ({
        ...(await deps.rectifications.remindOverdue(period.key)),
        ...(await deps.rectifications.remindDueSoon(period.key)),
      }),
    },
  ];
}
