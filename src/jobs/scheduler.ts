import cron, { ScheduledTask } from 'node-cron';
import type { Logger } from '../logger';
import type { JobService } from './job.service';
import { cronExpression } from './period';

/** Minute 7 of every hour: after the jobs due on the hour, before those due at :15 and :30. */
export const RETRY_TICK = '7 * * * *';

/**
 * Fires every job of the registry at its due time (node-cron, in the configured timezone), and
 * once at start-up to catch up a period that fell due while no instance was running. Every
 * instance schedules every job; the job_run claim lets exactly one of them run each period.
 * Nothing a job does can take the server down: failures are logged and recorded by JobService.
 */
export class JobScheduler {
  private tasks: ScheduledTask[] = [];

  /** The context passes itself (it has both); the scheduler needs nothing else of it. */
  constructor(private readonly ctx: { jobs: JobService; logger: Logger }) {}

  start(): void {
    for (const def of this.ctx.jobs.jobs) {
      const task = cron.schedule(
        cronExpression(def),
        () => {
          this.ctx.jobs.runDue(def, 'schedule').catch((err: unknown) => {
            this.ctx.logger.error('job trigger failed', { job: def.name, error: err instanceof Error ? err.message : String(err) });
          });
        },
        { timezone: this.ctx.jobs.timezone, name: def.name },
      );
      this.tasks.push(task);
    }
    // Hourly, every instance re-runs what is due and not yet done: a run that failed (database
    // restarting at 06:00 on the 1st) or whose instance crashed (lease expired) is retried within
    // the hour instead of waiting for the next cycle. The job_run claim keeps this a no-op otherwise.
    this.tasks.push(
      cron.schedule(
        RETRY_TICK,
        () => {
          void this.catchUp();
        },
        { timezone: this.ctx.jobs.timezone, name: 'jobs-retry-tick' },
      ),
    );
  }

  /** Runs what fell due while the service was down; resolves when every job has been tried. */
  catchUp(now = new Date()) {
    return this.ctx.jobs.catchUp(now);
  }

  stop(): void {
    for (const t of this.tasks) void t.stop();
    this.tasks = [];
  }
}
