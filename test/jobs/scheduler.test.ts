import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { JobRun } from '../../src/entities/JobRun';
import { Notification } from '../../src/entities/Notification';
import type { JobDef } from '../../src/jobs/job';
import cron from 'node-cron';
import { JobScheduler, RETRY_TICK } from '../../src/jobs/scheduler';
import { cronExpression } from '../../src/jobs/period';
import { makeUser } from '../helpers/factories';
import { jobServiceOf } from '../helpers/jobs';
import { childAuditEnv, startTestApp, TestApp } from '../helpers/test-app';
import { createTestDatabase, testDbKind } from '../helpers/test-db';

/*
 * The scheduler of src/jobs: once per period across instances (job_run claim), idempotent
 * reruns, catch-up after downtime with an injected clock, failures recorded and never fatal,
 * the IT admin's manual runs, and two real processes racing on one database.
 */
const sh = (iso: string) => new Date(`${iso}+08:00`);
let seq = 0;

/** A monthly job covering the previous month; it writes one reminder per period (idempotent by dedupe key) and counts its runs. */
function monthlyJob(t: TestApp, recipientId: number, opts: { fail?: () => boolean; slowMs?: number } = {}) {
  const calls: string[] = [];
  const name = `test-monthly-${++seq}-${process.pid}`;
  const def: JobDef = {
    name,
    description: 'test job',
    cadence: 'monthly',
    at: { day: 1, hour: 6, minute: 0 },
    covers: 'previous',
    async run(period) {
      calls.push(period.key);
      if (opts.slowMs) await new Promise((r) => setTimeout(r, opts.slowMs));
      if (opts.fail?.()) throw new Error('the report store is unreachable');
      const written = await t.ctx.db.tx((m) =>
        t.ctx.outbox.enqueue(m, { recipientId, kind: 'job.failed', params: { job: name, period: period.key, attempts: 1 }, dedupeKey: `${name}:${period.key}` }),
      );
      return { written };
    },
  };
  return { def, calls };
}

const runsOf = (t: TestApp, job: string) => t.ctx.db.manager.getRepository(JobRun).find({ where: { job }, order: { id: 'ASC' } });
const remindersOf = (t: TestApp, kind: string, recipientId: number) => t.ctx.db.manager.getRepository(Notification).countBy({ kind, recipientId });

describe('scheduled jobs', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ keepDatabase: testDbKind() === 'mysql' });
    // Several instances share one database on MySQL/MariaDB. SQLite is the one-instance embedded
    // mode (better-sqlite3 is synchronous: two apps in one process cannot wait for each other's
    // lock), so there the "second instance" is a second JobService on the same database handle;
    // separate processes on one SQLite file are covered by the CLI test below.
    b = testDbKind() === 'mysql' ? await startTestApp({ dbUrl: a.dbUrl }) : a;
  });
  afterAll(async () => {
    if (b !== a) await b?.close();
    await a?.close();
  });

  test('R-RISK-MONTHLY scheduler: two instances firing the same job at the same moment run it once for the period', async () => {
    const user = await makeUser(a);
    const { def, calls } = monthlyJob(a, user.id, { slowMs: 50 });
    const now = sh('2026-12-01T06:00:00');
    const [ra, rb] = await Promise.all([jobServiceOf(a.ctx, [def]).runDue(def, 'schedule', now), jobServiceOf(b.ctx, [def]).runDue(def, 'schedule', now)]);
    expect([ra.ran, rb.ran].sort()).toEqual([false, true]);
    expect(calls).toEqual(['2026-11']);
    const runs = await runsOf(a, def.name);
    expect(runs.map((r) => [r.period, r.status, r.attempts])).toEqual([['2026-11', 'succeeded', 1]]);
    expect(await remindersOf(a, 'job.failed', user.id)).toBe(1);
    // Firing again in the same period (another instance's cron, a restart) does nothing.
    const again = await jobServiceOf(b.ctx, [def]).runDue(def, 'schedule', sh('2026-12-15T00:00:00'));
    expect(again).toMatchObject({ ran: false, reason: 'already_done' });
    expect(calls).toEqual(['2026-11']);
  });

  test('R-RISK-MONTHLY scheduler: the service down across the 1st catches up at start (injected clock), once', async () => {
    const user = await makeUser(a);
    const { def, calls } = monthlyJob(a, user.id);
    const jobs = jobServiceOf(a.ctx, [def]);
    // Last up on 30 November: October's run was done then.
    await jobs.catchUp(sh('2026-11-30T18:00:00'));
    expect(calls).toEqual(['2026-10']);
    // Down from 30 November evening to 3 December: November's run was missed; the start catches it up.
    const outcomes = await jobs.catchUp(sh('2026-12-03T09:00:00'));
    expect(outcomes[def.name]).toMatchObject({ ran: true, run: { period: '2026-11', status: 'succeeded', trigger: 'catch_up' } });
    // A second instance starting a minute later finds it done.
    expect((await jobServiceOf(b.ctx, [def]).catchUp(sh('2026-12-03T09:01:00')))[def.name]).toMatchObject({ ran: false, reason: 'already_done' });
    expect(calls).toEqual(['2026-10', '2026-11']);
    expect(await remindersOf(a, 'job.failed', user.id)).toBe(2);
  });

  test('R-RISK-MONTHLY scheduler: every job of the registry is scheduled at its due time in the configured timezone, plus the hourly retry tick', () => {
    const before = new Set(cron.getTasks().keys());
    const scheduler = new JobScheduler(a.ctx);
    scheduler.start();
    try {
      const mine = [...cron.getTasks().entries()].filter(([id]) => !before.has(id)).map(([, task]) => [task.name, (task as unknown as { cronExpression: string }).cronExpression]);
      expect(mine).toEqual([...a.ctx.jobs.jobs.map((j) => [j.name, cronExpression(j)]), ['jobs-retry-tick', RETRY_TICK]]);
    } finally {
      scheduler.stop();
    }
  });

  test('R-RISK-MONTHLY scheduler: a failing job is recorded and logged, never fatal, and retried by the hourly catch-up tick', async () => {
    const user = await makeUser(a);
    let failing = true;
    const { def, calls } = monthlyJob(a, user.id, { fail: () => failing });
    const jobs = jobServiceOf(a.ctx, [def]);
    const now = sh('2026-12-01T07:00:00');
    const first = await jobs.runDue(def, 'schedule', now);
    expect(first).toMatchObject({ ran: true, run: { status: 'failed', error: 'the report store is unreachable' } });
    const failed = await a.ctx.db.manager.getRepository(AuditEvent).findOneBy({ action: 'job.failed', objectId: def.name });
    expect(failed?.reason).toBe('the report store is unreachable');
    // The server still answers.
    expect((await a.http().get('/healthz')).status).toBe(200);
    failing = false;
    // What the scheduler's hourly tick (RETRY_TICK) does on every instance.
    const retry = (await jobs.catchUp(sh('2026-12-01T08:07:00')))[def.name];
    expect(retry).toMatchObject({ ran: true, run: { status: 'succeeded', attempts: 2 } });
    // Further ticks in the same period do nothing.
    expect((await jobs.catchUp(sh('2026-12-01T09:07:00')))[def.name]).toMatchObject({ ran: false, reason: 'already_done' });
    expect(calls).toEqual(['2026-11', '2026-11']);
    expect(await remindersOf(a, 'job.failed', user.id)).toBe(1);
  });

  test('R-RISK-MONTHLY scheduler: a run left "running" by a crashed instance is taken over only after its lease expires', async () => {
    const user = await makeUser(a);
    const { def, calls } = monthlyJob(a, user.id);
    const repo = a.ctx.db.manager.getRepository(JobRun);
    const crashedAt = sh('2026-12-01T06:00:00');
    await repo.save(
      repo.create({ job: def.name, period: '2026-11', status: 'running', trigger: 'schedule', attempts: 1, instanceId: 'crashed:1', requestedById: null, startedAt: crashedAt, finishedAt: null, leaseUntil: new Date(crashedAt.getTime() + 15 * 60_000), result: null, error: null }),
    );
    const jobs = jobServiceOf(a.ctx, [def]);
    expect(await jobs.runDue(def, 'schedule', sh('2026-12-01T06:05:00'))).toMatchObject({ ran: false, reason: 'running_elsewhere' });
    expect(await jobs.runDue(def, 'schedule', sh('2026-12-01T06:30:00'))).toMatchObject({ ran: true, run: { status: 'succeeded', attempts: 2 } });
    expect(calls).toEqual(['2026-11']);
  });

  test('R-IT-PERMS jobs API: the IT admin lists jobs with last and next run, and runs one for a past period', async () => {
    const list = await a.http().get('/api/v1/jobs').set('Authorization', `Bearer ${a.admin.token}`);
    expect(list.status).toBe(200);
    const names = list.body.map((j: { name: string }) => j.name);
    expect(names).toEqual(a.ctx.jobs.jobs.map((j) => j.name));
    const verify = list.body.find((j: { name: string }) => j.name === 'audit-verify');
    expect(verify).toMatchObject({ cadence: 'daily', schedule: '15 2 * * *', timezone: 'Asia/Shanghai' });
    expect(new Date(verify.nextRunAt).getTime()).toBeGreaterThan(Date.now());

    const run = await a.http().post('/api/v1/jobs/audit-verify/run').set('Authorization', `Bearer ${a.admin.token}`).send({ period: '2026-01-05' });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ job: 'audit-verify', period: '2026-01-05', status: 'succeeded', trigger: 'manual', requestedById: a.admin.id, result: { ok: true } });
    // A rerun of the same period is allowed and counted (the job itself creates nothing twice).
    const rerun = await a.http().post('/api/v1/jobs/audit-verify/run').set('Authorization', `Bearer ${a.admin.token}`).send({ period: '2026-01-05' });
    expect(rerun.body).toMatchObject({ status: 'succeeded', attempts: 2 });
    const runs = await a.http().get('/api/v1/jobs/audit-verify/runs').set('Authorization', `Bearer ${a.admin.token}`);
    expect(runs.body.filter((r: { period: string }) => r.period === '2026-01-05')).toHaveLength(1);
    const last = (await a.http().get('/api/v1/jobs').set('Authorization', `Bearer ${a.admin.token}`)).body.find((j: { name: string }) => j.name === 'audit-verify');
    expect(last.lastRun).toMatchObject({ period: '2026-01-05', status: 'succeeded' });
  });

  test('R-IT-PERMS jobs API: a future period, a malformed period and an unknown job are refused with clear errors, nothing runs', async () => {
    const auth = `Bearer ${a.admin.token}`;
    const before = await a.ctx.db.manager.getRepository(JobRun).count();
    const future = await a.http().post('/api/v1/jobs/audit-verify/run').set('Authorization', auth).send({ period: '2099-01-01' });
    expect(future.status).toBe(400);
    expect(future.body.error.details[0]).toMatchObject({ path: 'body.period' });
    expect(future.body.error.details[0].message).toMatch(/not due until 2098-12-31T18:15:00.000Z/);
    const malformed = await a.http().post('/api/v1/jobs/audit-verify/run').set('Authorization', auth).send({ period: '2026-11' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].message).toMatch(/daily period such as 2026-11-28/);
    const unknown = await a.http().post('/api/v1/jobs/no-such-job/run').set('Authorization', auth).send({});
    expect(unknown.status).toBe(404);
    const extra = await a.http().post('/api/v1/jobs/audit-verify/run').set('Authorization', auth).send({ period: '2026-01-05', force: true });
    expect(extra.status).toBe(400);
    expect(await a.ctx.db.manager.getRepository(JobRun).count()).toBe(before);
  });

  test('R-IT-PERMS jobs API: a manual run while the period is running elsewhere is 409', async () => {
    const user = await makeUser(a);
    const { def } = monthlyJob(a, user.id);
    const repo = a.ctx.db.manager.getRepository(JobRun);
    await repo.save(
      repo.create({ job: def.name, period: '2026-10', status: 'running', trigger: 'schedule', attempts: 1, instanceId: 'other:2', requestedById: null, startedAt: new Date(), finishedAt: null, leaseUntil: new Date(Date.now() + 60_000), result: null, error: null }),
    );
    await expect(jobServiceOf(a.ctx, [def]).runManual({ id: a.admin.id, username: 'admin' }, def.name, '2026-10')).rejects.toMatchObject({ status: 409, code: 'job_running' });
  });
});

const JOB_CLI = path.resolve(__dirname, '../../dist/scripts/job.js');

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    const child: ChildProcess = spawn(process.execPath, [JOB_CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, cwd: path.resolve(__dirname, '../..') });
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('scheduled jobs across processes', () => {
  test('R-RISK-MONTHLY scheduler: two processes starting the same jobs at the same second run each job once', async () => {
    if (!fs.existsSync(JOB_CLI)) throw new Error('dist/scripts/job.js is missing: run `npm run build` (npm test does it in pretest)');
    const db = await createTestDatabase();
    // Migrate first (as a deployment does), then start two "instances" at once.
    const seedApp = await startTestApp({ dbUrl: db.url, keepDatabase: true });
    const env = { NODE_ENV: 'test', DATABASE_URL: db.url, JWT_SECRET: 'x'.repeat(40), DATA_KEY: `t1:${Buffer.alloc(32, 7).toString('base64')}`, BLIND_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'), LOG_LEVEL: 'error', ...childAuditEnv() };
    try {
      const [p1, p2] = await Promise.all([runCli(['--due'], env), runCli(['--due'], env)]);
      expect([p1.code, p2.code]).toEqual([0, 0]);
      const runs = await seedApp.ctx.db.manager.getRepository(JobRun).find();
      expect(runs.map((r) => r.job).sort()).toEqual(seedApp.ctx.jobs.jobs.map((j) => j.name).sort());
      expect(runs.every((r) => r.attempts === 1 && r.status === 'succeeded')).toBe(true);
      const done = await seedApp.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'job.succeeded' });
      expect(done).toBe(seedApp.ctx.jobs.jobs.length);
      const outs = [JSON.parse(p1.out.trim().split('\n').pop()!), JSON.parse(p2.out.trim().split('\n').pop()!)];
      for (const job of seedApp.ctx.jobs.jobs) expect(outs.filter((o) => o[job.name]?.ran).length).toBe(1);
    } finally {
      await seedApp.close();
      await db.drop();
    }
  }, 60_000);
});
