import type { JobDef, JobSpec } from '../../jobs/job';
import type { RectificationService } from './rectification.service';

/**
 * Daily (R-RISK-MONTHLY, R-INSPECT): every rectification still open after its due date gets a
 * reminder in the outbox, to its owner and to the head of its department (one per
 * rectification, recipient and day). "Today" is the period's local date (period.key), never the
 * wall clock; a rerun of the same day adds nothing. Overdue rectifications also count in the
 * next monthly assessment (the rectifications_overdue indicator).
 */
export const rectificationsOverdueJob: JobSpec = {
  name: 'rectifications-overdue',
  description: 'Rectifications past their due date and not done: reminders to the owner and the department head',
  cadence: 'daily',
  at: { hour: 7, minute: 30 },
  covers: 'current',
};

export interface RectificationJobDeps {
  rectifications: RectificationService;
  /** The notification outbox, typed by what remindOverdue takes (no import of another feature). */
  outbox: Parameters<RectificationService['remindOverdue']>[0];
}

export function rectificationJobs(deps: RectificationJobDeps): JobDef[] {
  return [{ ...rectificationsOverdueJob, run: (period) => deps.rectifications.remindOverdue(deps.outbox, period.key) }];
}
