import type { AppContext } from '../../src/context';
import type { JobDef } from '../../src/jobs/job';
import { JobService } from '../../src/jobs/job.service';

/** A JobService on the test app's database, audit log and timezone that knows only `defs` (a second instance, a test job). */
export const jobServiceOf = (ctx: AppContext, defs: JobDef[]): JobService => new JobService(ctx.db, ctx.audit, ctx.logger, ctx.config.timezone, defs, ctx.outbox);

/** A JobService that knows only the named jobs of the registry, as the context built them. */
export const onlyJobs = (ctx: AppContext, ...names: string[]): JobService => jobServiceOf(ctx, names.map((n) => ctx.jobs.find(n)));
