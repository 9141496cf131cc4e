import type { AppContext } from '../context';
import type { JobPeriod, Timing } from './period';

/**
 * A scheduled job. Every job is listed in src/jobs/registry.ts; the scheduler runs it once per
 * period across all instances (the job_run claim), catches up at start, and never lets a failure
 * reach the server. `run` must be idempotent for a period: running it again for the same period
 * creates nothing twice (unique keys, outbox dedupe keys). It computes "now" as `period.dueAt`,
 * never from the wall clock, so a late or repeated run gives the same answer.
 */
export interface JobDef extends Timing {
  name: string;
  description: string;
  run(ctx: AppContext, period: JobPeriod): Promise<Record<string, unknown>>;
}
