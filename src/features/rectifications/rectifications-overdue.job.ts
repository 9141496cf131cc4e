import type { JobDef } from '../../jobs/job';

/**
 * Daily (R-RISK-MONTHLY, R-INSPECT): every rectification still open after its due date gets a
 * reminder in the outbox, to its owner and to the head of its department (one per
 * rectification, recipient and day). "Today" is the period's local date (period.key), never the
 * wall clock; a rerun of the same day adds nothing. Overdue rectifications also count in the
 * next monthly assessment (the rectifications_overdue indicator).
 */
export const rectificationsOverdueJob: JobDef = {
  name: 'rectifications-overdue',
  description: 'Rectifications past their due date and not done: reminders to the owner and the department head',
  cadence: 'daily',
  at: { hour: 7, minute: 30 },
  covers: 'current',
  run: (ctx, period) => ctx.rectifications.remindOverdue(ctx.outbox, period.key),
};
