import type { Permission } from '../policy/authorizer';
import type { JobPeriod, Timing } from './period';

/**
 * What a job is, apart from what it does: its name, its schedule (Timing) and who runs it by
 * hand. A feature's services read their periods from it (periodFromKey(riskAssessmentJob, ...)),
 * so it is declared in the feature's `<area>.job.ts` apart from the factory that adds `run`.
 */
export interface JobSpec extends Timing {
  name: string;
  description: string;
  /**
   * Who runs the job by hand besides the IT admin: the permission of the work it does (e.g.
   * risk_assessment:run for the monthly assessment: the quality department). It gets its own
   * route, POST /api/v1/jobs/<name>/run, declared with this permission. Without one, the job is
   * the IT admin's alone (job:run; R-IT-PERMS).
   */
  runBy?: Permission;
}

/**
 * A scheduled job. Every job is listed in src/jobs/registry.ts; the scheduler runs it once per
 * period across all instances (the job_run claim), catches up at start, and never lets a failure
 * reach the server. `run` must be idempotent for a period: running it again for the same period
 * creates nothing twice (unique keys, outbox dedupe keys). It computes "now" as `period.dueAt`,
 * never from the wall clock, so a late or repeated run gives the same answer. A run to date
 * (`period.toDate`, Timing.toDateRuns) must not store anything as the period's final result.
 * `run` closes over the services the job uses: each feature's `<area>.job.ts` builds its jobs
 * from exactly those (the registry passes them), so this module knows nothing of the context.
 */
export interface JobDef extends JobSpec {
  run(period: JobPeriod): Promise<Record<string, unknown>>;
}

/** R-IT-PERMS: the IT admin's permission to run any job by hand (the IT admin also holds every job's runBy). */
export const JOB_RUN: Permission = { object: 'job', action: 'run' };

/** The permission that runs a job by hand. */
export const runPermission = (def: JobDef): Permission => def.runBy ?? JOB_RUN;

export const permissionName = (p: Permission): string => `${p.object}:${p.action}`;
