import { SYSTEM_ACTOR, AuditActor, AuditWriter } from '../audit/audit-writer';
import type { Database } from '../db/database';
import { JobRun, JobTrigger } from '../entities/JobRun';
import { AppError, ConflictError, NotFoundError, ServiceUnavailableError, ValidationError } from '../errors';
import type { NotificationOutbox } from '../features/notifications/notification.service';
import type { Logger } from '../logger';
import { COMPANY } from '../policy/scope';
import type { JobDef } from './job';
import { JobRunStore } from './job-runs.store';
import { claimKey, cronExpression, duePeriod, JobPeriod, nextDueAt, PERIOD_EXAMPLES, periodFromKey, toDatePeriod } from './period';

/** A run is considered crashed (and may be taken over) this long after it started. */
const LEASE_MS = 15 * 60_000;
/** Rounds of db.tx for a run's outcome before it is left to the lease (each round retries conflicts itself). */
const OUTCOME_ATTEMPTS = 4;

export interface JobRunView {
  id: number;
  job: string;
  period: string;
  status: JobRun['status'];
  trigger: JobTrigger;
  attempts: number;
  instanceId: string;
  requestedById: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  result: Record<string, unknown> | null;
  error: string | null;
}

export interface JobView {
  name: string;
  description: string;
  cadence: JobDef['cadence'];
  covers: JobDef['covers'];
  schedule: string;
  timezone: string;
  /** The period a run now would cover (the latest one due). */
  duePeriod: string;
  nextRunAt: Date;
  lastRun: JobRunView | null;
}

export type RunOutcome = { ran: true; run: JobRunView } | { ran: false; reason: 'already_done' | 'running_elsewhere'; run: JobRunView };

const view = (r: JobRun): JobRunView => ({
  id: r.id,
  job: r.job,
  period: r.period,
  status: r.status,
  trigger: r.trigger,
  attempts: r.attempts,
  instanceId: r.instanceId,
  requestedById: r.requestedById,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  result: r.result,
  error: r.error,
});

/**
 * Runs the jobs of src/jobs/registry.ts: once per period across every instance (the job_run
 * claim), on schedule, at start-up for a period missed while the service was down, or on
 * request of the IT admin for a given past period. A failing job is logged with its name,
 * recorded (job_run + audit event), told to the IT admins (job.failed) and never reaches the
 * caller as a crash.
 */
export class JobService {
  private readonly store: JobRunStore;

  /** `jobs` come built with the services they use (src/jobs/registry.ts buildJobs); `timezone` is config.timezone. */
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly logger: Logger,
    readonly timezone: string,
    readonly jobs: JobDef[],
    private readonly outbox: NotificationOutbox,
  ) {
    this.store = new JobRunStore(db);
  }

  find(name: string): JobDef {
    const def = this.jobs.find((j) => j.name === name);
    if (!def) throw new NotFoundError('Job', name);
    return def;
  }

  async list(now = new Date()): Promise<JobView[]> {
    const out: JobView[] = [];
    for (const def of this.jobs) {
      const last = await this.store.last(def.name);
      out.push({
        name: def.name,
        description: def.description,
        cadence: def.cadence,
        covers: def.covers,
        schedule: cronExpression(def),
        timezone: this.timezone,
        duePeriod: duePeriod(def, now, this.timezone).key,
        nextRunAt: nextDueAt(def, now, this.timezone),
        lastRun: last ? view(last) : null,
      });
    }
    return out;
  }

  async runs(name: string, limit: number): Promise<JobRunView[]> {
    this.find(name);
    return (await this.store.history(name, limit)).map(view);
  }

  /** Scheduled and catch-up runs: the latest due period, unless some instance has run it already. */
  async runDue(def: JobDef, trigger: 'schedule' | 'catch_up', now = new Date()): Promise<RunOutcome> {
    const period = duePeriod(def, now, this.timezone);
    const claim = await this.store.claim({ job: def.name, period: period.key, trigger, requestedById: null, leaseMs: LEASE_MS, allowRerun: false, now });
    if (!claim.claimed) {
      return { ran: false, reason: claim.existing.status === 'running' ? 'running_elsewhere' : 'already_done', run: view(claim.existing) };
    }
    return { ran: true, run: await this.execute(def, claim.run, period, SYSTEM_ACTOR) };
  }

  /** At start-up: every job whose latest due period has no successful run yet runs now (one instance wins each). */
  async catchUp(now = new Date()): Promise<Record<string, RunOutcome>> {
    const outcomes: Record<string, RunOutcome> = {};
    for (const def of this.jobs) {
      try {
        outcomes[def.name] = await this.runDue(def, 'catch_up', now);
      } catch (err) {
        // A claim that cannot even be written (database down) must not stop the others or the server.
        this.logger.error('job catch-up failed', { job: def.name, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return outcomes;
  }

  /**
   * The IT admin runs a job for a period (default: the latest due one). A period that is not yet
   * due is refused (400); a run in progress on some instance is 409; a period that already
   * succeeded runs again, and the job's idempotency guarantees nothing is created twice.
   */
  async runManual(actor: AuditActor, name: string, periodKey: string | undefined, now = new Date()): Promise<JobRunView> {
    const def = this.find(name);
    let period: JobPeriod;
    if (periodKey === undefined) {
      period = duePeriod(def, now, this.timezone);
    } else {
      const parsed = periodFromKey(def, periodKey, this.timezone);
      if (!parsed) {
        throw new ValidationError('Invalid period', [{ path: 'body.period', message: `a ${def.cadence} period such as ${PERIOD_EXAMPLES[def.cadence]}` }]);
      }
      // A period under way runs to date if the job allows it (period.ts toDatePeriod, under its own claim key).
      const runnable = parsed.dueAt.getTime() > now.getTime() ? toDatePeriod(def, parsed, now) : parsed;
      if (!runnable) {
        throw new ValidationError('The period is not due yet', [
          { path: 'body.period', message: `${def.name} for ${parsed.key} is not due until ${parsed.dueAt.toISOString()}` },
        ]);
      }
      period = runnable;
    }
    const claim = await this.store.claim({ job: def.name, period: claimKey(period), trigger: 'manual', requestedById: actor.id ?? null, leaseMs: LEASE_MS, allowRerun: true, now });
    if (!claim.claimed) {
      throw new ConflictError('job_running', `${def.name} for ${period.key} is running on ${claim.existing.instanceId} (started ${claim.existing.startedAt.toISOString()})`);
    }
    return this.execute(def, claim.run, period, actor);
  }

  /** `write`, tried again after a 503 (conflicts that outlasted db.tx's own retries), up to OUTCOME_ATTEMPTS in all. */
  private async persistently<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (!(err instanceof ServiceUnavailableError) || attempt >= OUTCOME_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  private async execute(def: JobDef, run: JobRun, period: JobPeriod, actor: AuditActor): Promise<JobRunView> {
    const started = Date.now();
    let outcome: { ok: true; result: Record<string, unknown> } | { ok: false; error: string };
    try {
      outcome = { ok: true, result: (await def.run(period)) ?? {} };
      this.logger.info('job finished', { job: def.name, period: period.key, durationMs: Date.now() - started, result: outcome.result });
    } catch (err) {
      const message = err instanceof AppError || err instanceof Error ? err.message : String(err);
      outcome = { ok: false, error: message };
      this.logger.error('job failed', { job: def.name, period: period.key, durationMs: Date.now() - started, error: message });
    }
    try {
      // The job's work is done: its outcome must not be lost to a passing conflict (issue 16: on a
      // multi-primary cluster a conflict is found at commit), or the run would stay 'running' until
      // its lease expires and then run again. db.tx retries a conflict; this retries db.tx's 503.
      const finished = await this.persistently(() => this.db.tx(async (m) => {
        const done = await this.store.finish(m, run, outcome);
        await this.audit.append(m, actor, {
          action: outcome.ok ? 'job.succeeded' : 'job.failed',
          objectType: 'job',
          objectId: def.name,
          reason: outcome.ok ? undefined : outcome.error.slice(0, 500),
          after: { period: period.key, trigger: run.trigger, attempts: run.attempts, result: outcome.ok ? outcome.result : null },
        });
        // To the IT admins, once per job and period however often its retries fail; the error
        // text stays on the run and in the trail (it may quote anything the job touched).
        if (!outcome.ok) {
          await this.outbox.enqueueToRole(m, 'it_admin', COMPANY, {
            kind: 'job.failed',
            params: { job: def.name, period: run.period, attempts: run.attempts },
            objectType: 'job',
            objectId: def.name,
            dedupeKey: `job.failed:${def.name}:${run.period}`,
          });
        }
        return done;
      }));
      return view(finished);
    } catch (err) {
      // The run stays 'running' until its lease expires; then another trigger takes it over.
      this.logger.error('job outcome not recorded', { job: def.name, period: period.key, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }
}
