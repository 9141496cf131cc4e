/**
 * Issue 11: the transaction runner (src/db/database.ts) on a real database.
 * - Inside db.tx only the transaction's own manager reaches the database: db.manager, db.ds, a
 *   service method left to its default manager, or a nested db.tx throw TxMisuseError and the
 *   transaction rolls back. A lock holder waiting for a second pool connection deadlocks under
 *   load; the guard makes every such path fail in the first test that takes it.
 * - A deadlock (MySQL 1213), lock-wait timeout (1205) or SQLite busy error runs the whole
 *   transaction again (bounded, jittered backoff); if it persists: ServiceUnavailableError (503).
 * The change and its audit event still commit together, once (R-AUDIT).
 */
import { AuditEvent } from '../../src/entities/AuditEvent';
import { Department } from '../../src/entities/Department';
import { User } from '../../src/entities/User';
import { Database, TxMisuseError } from '../../src/db/database';
import { ConflictError, ServiceUnavailableError } from '../../src/errors';
import { makeDepartment } from '../helpers/factories';
import { makePaperOrg, makePrintRequest } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-db';

let t: TestApp;
let db: Database;
const actor = () => ({ id: t.admin.id, username: 'admin' });
/** The transient failure this database really produces. */
const transient = testDbKind() === 'mysql' ? 'deadlock' : 'busy';

beforeAll(async () => {
  t = await startTestApp();
  db = t.ctx.db;
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => db.clearFaults());

const probeEvents = (action: string) => db.manager.getRepository(AuditEvent).countBy({ action });

/** A change (an audit event) and then `then`, in one transaction. */
const changeThen = (action: string, then: () => Promise<unknown>) =>
  db.tx(async (m) => {
    await t.ctx.audit.append(m, actor(), { action, objectType: 'test' });
    await then();
  });

describe('the guard: only m inside db.tx', () => {
  test('R-AUDIT: db.manager inside db.tx throws TxMisuseError; the change before it is rolled back', async () => {
    await expect(changeThen('test.guard_manager', () => db.manager.getRepository(User).count())).rejects.toThrow(TxMisuseError);
    expect(await probeEvents('test.guard_manager')).toBe(0);
  });

  test('R-AUDIT: db.ds.query and db.ds.manager inside db.tx throw TxMisuseError (a second connection)', async () => {
    await expect(changeThen('test.guard_ds', () => db.ds.query('SELECT 1'))).rejects.toThrow(TxMisuseError);
    await expect(changeThen('test.guard_ds', () => db.ds.manager.getRepository(User).count())).rejects.toThrow(/a second connection/);
    expect(await probeEvents('test.guard_ds')).toBe(0);
  });

  test('R-PRINT-APPROVE: a service read left to its default manager inside db.tx (the issue-11 stall) throws TxMisuseError; given m it works', async () => {
    const o = await makePaperOrg(t);
    const r = await makePrintRequest(t, actor(), o.project);
    await expect(db.tx(() => t.ctx.printRequests.load(r.id))).rejects.toThrow(TxMisuseError);
    await expect(db.tx((m) => t.ctx.printRequests.load(r.id, m))).resolves.toMatchObject({ id: r.id, status: 'pending' });
  });

  test('R-AUDIT: a nested db.tx throws TxMisuseError; the outer change is rolled back', async () => {
    await expect(changeThen('test.guard_nested', () => db.tx(async () => 1))).rejects.toThrow(/nested db\.tx/);
    expect(await probeEvents('test.guard_nested')).toBe(0);
  });

  test('R-AUDIT: work left running after its transaction ended is ordinary code again (no false alarm)', async () => {
    let later: Promise<number> | undefined;
    await db.tx(async (m) => {
      await t.ctx.audit.append(m, actor(), { action: 'test.guard_after', objectType: 'test' });
      later = new Promise((resolve) => setTimeout(resolve, 20)).then(() => db.manager.getRepository(User).count());
    });
    await expect(later).resolves.toBeGreaterThan(0);
    expect(await probeEvents('test.guard_after')).toBe(1);
  });
});

describe('retries of transient failures', () => {
  test(`R-AUDIT: a ${transient} on the first attempt runs the whole transaction again; the change and its event commit once`, async () => {
    const retried = db.txStats.retried;
    let attempts = 0;
    db.injectFault({ sql: /retry_probe_a/, error: transient });
    await db.tx(async (m) => {
      attempts++;
      await t.ctx.audit.append(m, actor(), { action: 'test.retry_probe', objectType: 'test' });
      await m.query('SELECT 1 AS retry_probe_a');
    });
    expect(attempts).toBe(2);
    expect(db.pendingFaults()).toBe(0);
    expect(db.txStats.retried).toBe(retried + 1);
    expect(await probeEvents('test.retry_probe')).toBe(1);
  });

  test('R-AUDIT: a transient failure the work catches still fails the attempt (the database rolled it back) and is retried', async () => {
    let attempts = 0;
    db.injectFault({ sql: /retry_probe_b/, error: transient });
    await db.tx(async (m) => {
      attempts++;
      await t.ctx.audit.append(m, actor(), { action: 'test.retry_swallowed', objectType: 'test' });
      await m.query('SELECT 1 AS retry_probe_b').catch(() => undefined);
    });
    expect(attempts).toBe(2);
    expect(await probeEvents('test.retry_swallowed')).toBe(1);
  });

  test('R-AUDIT: a lock-wait timeout (1205) is retried too', async () => {
    let attempts = 0;
    db.injectFault({ sql: /retry_probe_c/, error: 'lock_wait_timeout' });
    await db.tx(async (m) => {
      attempts++;
      await m.query('SELECT 1 AS retry_probe_c');
    });
    expect(attempts).toBe(2);
  });

  test('R-AUDIT: a conflict that persists gives up after the bounded attempts with ServiceUnavailableError (503); nothing is written', async () => {
    const gaveUp = db.txStats.gaveUp;
    let attempts = 0;
    db.injectFault({ sql: /retry_probe_d/, error: transient, times: 100 });
    const err = await db
      .tx(async (m) => {
        attempts++;
        await t.ctx.audit.append(m, actor(), { action: 'test.retry_gave_up', objectType: 'test' });
        await m.query('SELECT 1 AS retry_probe_d');
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceUnavailableError);
    expect((err as ServiceUnavailableError).status).toBe(503);
    expect(attempts).toBe(db.retry.maxAttempts);
    expect(db.txStats.gaveUp).toBe(gaveUp + 1);
    expect(await probeEvents('test.retry_gave_up')).toBe(0);
  });

  test('R-AUDIT: an ordinary error (a 409) is not retried', async () => {
    let attempts = 0;
    await expect(
      db.tx(async () => {
        attempts++;
        throw new ConflictError('state_changed', 'no');
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(attempts).toBe(1);
  });

  (testDbKind() === 'mysql' ? test : test.skip)(
    'R-AUDIT: a real deadlock (two transactions locking two rows in opposite order) is retried by the runner: both commit, each with its event',
    async () => {
      const ids = [];
      for (let i = 0; i < 2; i++) ids.push((await db.manager.getRepository(Department).findOneByOrFail({ code: (await makeDepartment(t)).code })).id);
      const retried = db.txStats.retried;
      const attempts = { a: 0, b: 0 };
      let locked = 0;
      let bothLocked!: () => void;
      const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
      const run = (who: 'a' | 'b', first: number, second: number) =>
        db.tx(async (m) => {
          attempts[who]++;
          await m.getRepository(Department).findOne({ where: { id: first }, lock: { mode: 'pessimistic_write' } });
          // First attempts only: each holds its first row before asking for the other's.
          if (attempts[who] === 1) {
            if (++locked === 2) bothLocked();
            await barrier;
          }
          await m.getRepository(Department).findOne({ where: { id: second }, lock: { mode: 'pessimistic_write' } });
          await t.ctx.audit.append(m, actor(), { action: 'test.real_deadlock', objectType: 'department', objectId: first });
        });
      await Promise.all([run('a', ids[0], ids[1]), run('b', ids[1], ids[0])]);
      expect(attempts.a + attempts.b).toBe(3);
      expect(db.txStats.retried).toBe(retried + 1);
      expect(await probeEvents('test.real_deadlock')).toBe(2);
    },
  );
});

describe('after-commit hooks (db.afterCommit)', () => {
  test(`R-AUDIT: a hook runs once, after the commit, even when a ${transient} made the work run twice; a rolled-back transaction runs none`, async () => {
    const seen: string[] = [];
    const hook = async () => {
      // After the commit: the change is there, read outside any transaction.
      seen.push(`hook:${await probeEvents('test.after_commit')}`);
    };
    db.injectFault({ sql: /after_commit_probe/, error: transient });
    await db.tx(async (m) => {
      seen.push('work');
      await t.ctx.audit.append(m, actor(), { action: 'test.after_commit', objectType: 'test' });
      db.afterCommit(hook);
      db.afterCommit(hook); // the same hook twice runs once
      await m.query('SELECT 1 AS after_commit_probe');
    });
    expect(seen).toEqual(['work', 'work', 'hook:1']);

    const rolledBack: string[] = [];
    await expect(
      db.tx(async () => {
        db.afterCommit(async () => void rolledBack.push('hook'));
        throw new ConflictError('not_pending', 'refused inside');
      }),
    ).rejects.toThrow('refused inside');
    expect(rolledBack).toEqual([]);
    expect(() => db.afterCommit(async () => undefined)).toThrow('db.afterCommit outside a transaction');
  });

  test('R-AUDIT: a hook that throws does not fail the committed change, nor run it again', async () => {
    let attempts = 0;
    const result = await db.tx(async (m) => {
      attempts++;
      await t.ctx.audit.append(m, actor(), { action: 'test.after_commit_throws', objectType: 'test' });
      db.afterCommit(async () => {
        throw Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK', errno: 1213 });
      });
      return 'committed';
    });
    expect({ result, attempts }).toEqual({ result: 'committed', attempts: 1 });
    expect(await probeEvents('test.after_commit_throws')).toBe(1);
  });
});
