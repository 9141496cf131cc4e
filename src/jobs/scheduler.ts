import cron, { ScheduledTask } from 'node-cron';
import type { AppContext } from '../context';
import { JOBS, JobDef } from './registry';

/**
 * Registers every job of src/jobs/registry.ts with node-cron, in the configured timezone.
 * A failing job is logged with its name and never takes the server down.
 */
export class JobScheduler {
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly jobs: JobDef[] = JOBS,
  ) {}

  start(): void {
    for (const job of this.jobs) {
      const task = cron.schedule(job.schedule, () => void this.runNow(job), { timezone: this.ctx.config.timezone, name: job.name });
      this.tasks.push(task);
    }
  }

  async runNow(job: JobDef): Promise<void> {
    const started = Date.now();
    try {
      const result = await job.run(this.ctx);
      this.ctx.logger.info('job finished', { job: job.name, durationMs: Date.now() - started, result });
    } catch (err) {
      this.ctx.logger.error('job failed', { job: job.name, error: err instanceof Error ? err.message : String(err) });
    }
  }

  stop(): void {
    for (const t of this.tasks) void t.stop();
    this.tasks = [];
  }
}
