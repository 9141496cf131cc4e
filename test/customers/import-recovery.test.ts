/**
 * Crash recovery of customer imports (issue 11, item 2). A process killed during a large import
 * leaves the import queued or running; its transaction never commits (nothing of it is written),
 * but on MariaDB the server may still be rolling it back minutes later. Every instance sweeps at
 * start and every minute; the import is marked `interrupted`, with its one audit event (R-AUDIT),
 * only once its rollback is over, by whichever instance gets there first, exactly once.
 * The imports themselves are the IT admin's (R-CTRL-IT).
 */
import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { Customer } from '../../src/entities/Customer';
import { CustomerImport } from '../../src/entities/CustomerImport';
import { makePhone, makeProject } from '../helpers/factories';
import { childAuditEnv, startTestApp, TEST_BLIND_INDEX_KEY, TEST_DATA_KEY, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';

const HOUR = 3_600_000;

/** An import row as a stopped process leaves it (queued or running, owned by `runnerId`). */
async function leftOpen(t: TestApp, projectId: number, runnerId: string, o: Partial<CustomerImport> = {}): Promise<string> {
  const id = crypto.randomUUID();
  await t.ctx.db.manager.getRepository(CustomerImport).insert({
    id,
    projectId,
    status: 'running',
    dryRun: false,
    onError: 'abort',
    format: 'csv',
    fileName: null,
    byteSize: 10,
    totalRows: 200_000,
    processedRows: 150_000,
    errors: [],
    createdById: t.admin.id,
    runnerId,
    createdAt: new Date(Date.now() - HOUR),
    startedAt: new Date(Date.now() - HOUR),
    ...o,
  });
  return id;
}

const statusOf = async (t: TestApp, id: string) => (await t.ctx.db.manager.getRepository(CustomerImport).findOneByOrFail({ id })).status;
const interruptedEvents = (t: TestApp, id: string) => t.ctx.db.manager.getRepository(AuditEvent).findBy({ action: 'customer.import_interrupted', objectId: id });

/** A runner id of this process naming a service instance that does not exist (any more). */
const stoppedInstanceOfThisProcess = () => `${os.hostname().slice(0, 40)}/${process.pid}/0000deadbeef`;

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('interrupted imports are recovered by a sweep, once', () => {
  let t: TestApp;
  let t2: TestApp;
  let projectId: number;

  beforeAll(async () => {
    t = await startTestApp({ keepDatabase: false });
    // A second instance on the same database.
    t2 = await startTestApp({ dbUrl: t.dbUrl, keepDatabase: true });
    // The tests sweep by hand: no minute timer may take an import in between.
    t.ctx.imports.stopSweeping();
    t2.ctx.imports.stopSweeping();
    projectId = (await makeProject(t)).id;
  });
  afterAll(async () => {
    await t2?.close();
    await t?.close();
  });

  it('R-CTRL-IT R-AUDIT: an import left by a stopped process is marked interrupted by one of two instances sweeping at once, with one audit event, and its temp file removed', async () => {
    const runner = t.ctx.db.mysql ? 'other-host/4242/0123456789ab' : stoppedInstanceOfThisProcess();
    const id = await leftOpen(t, projectId, runner);
    fs.mkdirSync(path.dirname(t.ctx.imports.tempFile(id)), { recursive: true });
    fs.writeFileSync(t.ctx.imports.tempFile(id), 'name,unit\n');
    const marked = await Promise.all([t.ctx.imports.recoverInterrupted(), t2.ctx.imports.recoverInterrupted(), t.ctx.imports.recoverInterrupted()]);
    expect(marked.reduce((a, b) => a + b, 0)).toBe(1);
    const rec = await t.ctx.db.manager.getRepository(CustomerImport).findOneByOrFail({ id });
    expect(rec).toMatchObject({ status: 'interrupted', message: expect.stringMatching(/stopped before it finished; nothing of it was written/) });
    expect(rec.finishedAt).toBeTruthy();
    const events = await interruptedEvents(t, id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorName: 'system', objectType: 'customer_import', after: { importId: id, previousStatus: 'running', runnerId: runner } });
    expect(fs.existsSync(t.ctx.imports.tempFile(id))).toBe(false);
    // Later sweeps find nothing more to do.
    expect(await t2.ctx.imports.recoverInterrupted()).toBe(0);
    expect(await interruptedEvents(t, id)).toHaveLength(1);
  });

  it('R-CTRL-IT: a queued import of a stopped process is recovered the same way', async () => {
    const id = await leftOpen(t, projectId, t.ctx.db.mysql ? 'other-host/4242/0123456789ab' : stoppedInstanceOfThisProcess(), { status: 'queued', startedAt: null });
    expect(await t2.ctx.imports.recoverInterrupted()).toBe(1);
    expect(await statusOf(t, id)).toBe('interrupted');
    expect((await interruptedEvents(t, id))[0].after).toMatchObject({ previousStatus: 'queued' });
  });

  it('R-CTRL-IT: the sweep runs by itself every interval (as every minute in service), and stops when asked', async () => {
    const id = await leftOpen(t, projectId, t.ctx.db.mysql ? 'other-host/4242/0123456789ab' : stoppedInstanceOfThisProcess());
    t2.ctx.imports.startSweeping(50);
    try {
      const deadline = Date.now() + 10_000;
      while ((await statusOf(t, id)) !== 'interrupted' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      t2.ctx.imports.stopSweeping();
    }
    expect(await statusOf(t, id)).toBe('interrupted');
    expect(await interruptedEvents(t, id)).toHaveLength(1);
  });

  (process.env.TEST_DB === 'mysql' || (globalThis as { TEST_DB?: string }).TEST_DB === 'mysql' ? it : it.skip)(
    'R-CTRL-IT R-AUDIT: MySQL: while the import\'s transaction still holds its row (a killed import being rolled back), every sweep leaves it running; after release the next sweep marks it, once, with two instances sweeping',
    async () => {
      const id = await leftOpen(t, projectId, 'other-host/4242/0123456789ab');
      // Another connection stands in for the dead import's transaction, still rolling back: it holds the row.
      const url = new URL(t.dbUrl);
      const mysql = await import('mysql2/promise');
      const holder = await mysql.createConnection({ host: url.hostname, port: Number(url.port || 3306), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: url.pathname.slice(1) });
      try {
        await holder.query('START TRANSACTION');
        await holder.query('SELECT id FROM customer_import WHERE id = ? FOR UPDATE', [id]);
        for (let i = 0; i < 3; i++) {
          const started = Date.now();
          expect(await Promise.all([t.ctx.imports.recoverInterrupted(), t2.ctx.imports.recoverInterrupted()])).toEqual([0, 0]);
          // No lock wait: the sweep skips a locked row at once.
          expect(Date.now() - started).toBeLessThan(5000);
          expect(await statusOf(t, id)).toBe('running');
        }
        expect(await interruptedEvents(t, id)).toHaveLength(0);
        await holder.query('ROLLBACK');
      } finally {
        await holder.end();
      }
      const marked = await Promise.all([t.ctx.imports.recoverInterrupted(), t2.ctx.imports.recoverInterrupted()]);
      expect(marked.reduce((a, b) => a + b, 0)).toBe(1);
      expect(await statusOf(t, id)).toBe('interrupted');
      expect(await interruptedEvents(t, id)).toHaveLength(1);
    },
  );

  it('R-CTRL-IT: an import an instance has just recorded is its own: left alone while it runs (MySQL: a minute\'s grace before it holds its lock; SQLite: its instance is alive)', async () => {
    const runner = t.ctx.db.mysql ? 'other-host/4242/0123456789ab' : t2.ctx.imports.runnerId;
    const id = await leftOpen(t, projectId, runner, { createdAt: new Date(), startedAt: new Date() });
    expect(await t.ctx.imports.recoverInterrupted()).toBe(0);
    expect(await statusOf(t, id)).toBe('running');
    if (t.ctx.db.mysql) {
      // A minute later nobody holds it: its owner is gone.
      expect(await t.ctx.imports.recoverInterrupted(new Date(Date.now() + 2 * 60_000))).toBe(1);
    } else {
      // SQLite: another live process owns nothing of ours to take either; a dead process owns nothing.
      const other = await leftOpen(t, projectId, `some-host/${process.ppid}/0123456789ab`);
      const gone = await leftOpen(t, projectId, `some-host/${await deadPid()}/0123456789ab`);
      expect(await t.ctx.imports.recoverInterrupted()).toBe(1);
      expect([await statusOf(t, other), await statusOf(t, gone)]).toEqual(['running', 'interrupted']);
      await t.ctx.db.manager.getRepository(CustomerImport).update({ id: other }, { status: 'failed' });
      expect(await statusOf(t, id)).toBe('running');
    }
  });
});

describe('R-CTRL-IT R-AUDIT: a real crash: an instance killed (SIGKILL) in the middle of a large import', () => {
  let t: TestApp;
  let child: ChildProcess | null = null;
  const importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-crash-imports-'));

  beforeAll(async () => {
    t = await startTestApp({ env: { IMPORT_DIR: importDir } });
    t.ctx.imports.stopSweeping();
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await t?.close();
    fs.rmSync(importDir, { recursive: true, force: true });
  });

  it('R-CTRL-IT R-AUDIT: nothing of the import is written; the import is left alone until its transaction is gone, then marked interrupted once', async () => {
    const project = await makeProject(t);
    child = spawn(process.execPath, [path.join(__dirname, 'import-crash-child.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        DATABASE_URL: t.dbUrl,
        JWT_SECRET: TEST_JWT_SECRET,
        DATA_KEY: TEST_DATA_KEY,
        BLIND_INDEX_KEY: TEST_BLIND_INDEX_KEY,
        IMPORT_DIR: importDir,
        IMPORT_INLINE_ROWS: '10',
        ...childAuditEnv(),
        HANDOVER_STORAGE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-crash-files-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const { port, runnerId } = await new Promise<{ port: number; runnerId: string }>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
      });
      child!.on('exit', (code) => reject(new Error(`the child exited (${code}): ${err}`)));
    });
    const api = () => request(`http://127.0.0.1:${port}`);
    const auth = `Bearer ${t.admin.token}`;

    const rows = 40_000;
    const csv = ['name,unit,phones', ...Array.from({ length: rows }, (_, i) => `Crash ${i},${1 + (i % 30)}棟${100 + (i % 900)}室,${makePhone()}`)].join('\n') + '\n';
    const started = await api().post('/api/v1/customers/import').query({ project: project.code }).set('Authorization', auth).set('Content-Type', 'text/csv').send(csv);
    expect(started.status).toBe(202);
    const id = started.body.id as string;

    // Killed once the import's transaction has written a few batches.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const p = await api().get(`/api/v1/imports/${id}`).set('Authorization', auth);
      expect(p.body.status).not.toBe('succeeded');
      if (p.body.status === 'running' && p.body.processedRows >= 2000) break;
      if (Date.now() > deadline) throw new Error(`the import did not get going: ${JSON.stringify(p.body)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    if (t.ctx.db.mysql) {
      // Another instance follows the import's progress (written by the import's own transaction, about every second).
      for (;;) {
        const seen = await t.http().get(`/api/v1/imports/${id}`).set('Authorization', auth);
        expect(seen.body.status).toBe('running');
        if (seen.body.processedRows > 0) break;
        if (Date.now() > deadline) throw new Error('no progress seen from another instance');
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.on('exit', resolve));
    child = null;

    // The instance that stays sweeps (as every minute; `now` past the claim grace), until the dead
    // transaction is gone; until then the import stays running.
    const later = () => new Date(Date.now() + 2 * 60_000);
    const until = Date.now() + 120_000;
    while ((await t.ctx.imports.recoverInterrupted(later())) === 0) {
      expect(await statusOf(t, id)).toBe('running');
      if (Date.now() > until) throw new Error('the import was never marked interrupted');
      await new Promise((r) => setTimeout(r, 100));
    }
    const rec = await t.ctx.db.manager.getRepository(CustomerImport).findOneByOrFail({ id });
    expect(rec).toMatchObject({ status: 'interrupted', runnerId });
    expect(await interruptedEvents(t, id)).toHaveLength(1);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'customer.imported', objectId: id })).toBe(0);
    expect(await t.ctx.db.manager.getRepository(Customer).countBy({ projectId: project.id })).toBe(0);
    expect(await t.ctx.imports.recoverInterrupted(later())).toBe(0);
    // The upload's temp file (the dead instance's) went with the recovery.
    expect(fs.readdirSync(importDir)).toEqual([]);
  }, 180_000);
});
