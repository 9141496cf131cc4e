import crypto from 'node:crypto';
import os from 'node:os';
import { Brackets, EntityManager } from 'typeorm';
import { isUniqueViolation } from '../api/middleware/error-handler';
import { Database } from '../db/database';
import { ServiceUnavailableError } from '../errors';
import { JobRun, JobTrigger } from '../entities/JobRun';

/** Names this process in job_run rows (which instance ran what). */
export const INSTANCE_ID = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;

export interface ClaimRequest {
  job: string;
  period: string;
  trigger: JobTrigger;
  requestedById: number | null;
  leaseMs: number;
  /** A manual run may repeat a period that already succeeded (the job is idempotent). */
  allowRerun: boolean;
  now: Date;
}

export type ClaimOutcome = { claimed: true; run: JobRun } | { claimed: false; existing: JobRun };

/**
 * The job_run table: the claim that makes a job run once per period across instances, and the
 * record of each run. The unique (job, period) index settles a race to create the row; a
 * conditional UPDATE settles a race to take over a failed or expired one: in both cases the
 * database picks exactly one winner.
 */
export class JobRunStore {
  constructor(private readonly db: Database) {}

  async claim(req: ClaimRequest): Promise<ClaimOutcome> {
    const repo = this.db.manager.getRepository(JobRun);
    const leaseUntil = new Date(req.now.getTime() + req.leaseMs);
    try {
      const fields = {
        job: req.job,
        period: req.period,
        status: 'running',
        trigger: req.trigger,
        attempts: 1,
        instanceId: INSTANCE_ID,
        requestedById: req.requestedById,
        startedAt: req.now,
        finishedAt: null,
        leaseUntil,
        result: null,
        error: null,
      };
      // A fresh entity per attempt: a retried attempt must not carry the id the rolled-back one was given.
      await this.db.tx((m) => m.getRepository(JobRun).save(Object.assign(new JobRun(), fields)));
      return { claimed: true, run: await repo.findOneByOrFail({ job: req.job, period: req.period }) };
    } catch (err) {
      // Lost the race to create the row: the unique index said so, or (issue 16: instances on
      // different nodes of a multi-primary cluster) certification did, until db.tx gave up. Either
      // way the row is someone else's now: decided below, never reported as a failure.
      const lost = isUniqueViolation(err) || (err instanceof ServiceUnavailableError && (await repo.existsBy({ job: req.job, period: req.period })));
      if (!lost) throw err;
    }
    // The row exists: take it over only if it failed, if its lease expired (a crashed run), or
    // (manual runs) if it succeeded.
    const taken = await this.db.tx((m) => {
      const q = (name: string) => m.connection.driver.escape(name);
      return m
        .createQueryBuilder()
        .update(JobRun)
        .set({
          status: 'running',
          trigger: req.trigger,
          attempts: () => 'attempts + 1',
          instanceId: INSTANCE_ID,
          requestedById: req.requestedById,
          startedAt: req.now,
          finishedAt: null,
          leaseUntil,
          error: null,
        })
        .where(`${q('job')} = :job AND ${q('period')} = :period`, { job: req.job, period: req.period })
        .andWhere(
          new Brackets((w) => {
            w.where(`${q('status')} = 'failed'`).orWhere(`${q('status')} = 'running' AND ${q('leaseUntil')} < :now`, { now: req.now });
            if (req.allowRerun) w.orWhere(`${q('status')} = 'succeeded'`);
          }),
        )
        .execute();
    });
    const row = await repo.findOneByOrFail({ job: req.job, period: req.period });
    return taken.affected === 1 ? { claimed: true, run: row } : { claimed: false, existing: row };
  }

  /** Records the outcome in the transaction `m` (the caller appends the audit event in it too). */
  async finish(m: EntityManager, run: JobRun, outcome: { ok: true; result: Record<string, unknown> } | { ok: false; error: string }): Promise<JobRun> {
    run.status = outcome.ok ? 'succeeded' : 'failed';
    run.finishedAt = new Date();
    run.result = outcome.ok ? outcome.result : null;
    run.error = outcome.ok ? null : outcome.error.slice(0, 2000);
    return m.getRepository(JobRun).save(run);
  }

  last(job: string): Promise<JobRun | null> {
    return this.db.manager.getRepository(JobRun).findOne({ where: { job }, order: { startedAt: 'DESC', id: 'DESC' } });
  }

  history(job: string, limit: number): Promise<JobRun[]> {
    return this.db.manager.getRepository(JobRun).find({ where: { job }, order: { startedAt: 'DESC', id: 'DESC' }, take: limit });
  }
}
