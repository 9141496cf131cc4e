/**
 * Issue 11: inside a transaction every read goes through the transaction's own manager. This
 * file is the lint (test/db/tx-scan.ts over src/) and the classification of transient database
 * errors; test/db/transactions.test.ts proves the runtime guard and the retries on both databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from '../../src/api/middleware/error-handler';
import { isTransientDbError } from '../../src/db/database';
import { scanTxCallbacks } from './tx-scan';

test('R-AUDIT: no code inside a db.tx callback (or a workflow step run in one) reaches the database other than through its manager m (scan of src/)', () => {
  const found = scanTxCallbacks(path.resolve(__dirname, '../../src'));
  expect(found.map((v) => `${v.file}:${v.line} ${v.text} -- ${v.why}`)).toEqual([]);
});

describe('the scan finds each way out of the transaction (fixtures)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tx-scan-'));
    fs.writeFileSync(
      path.join(dir, 'service.ts'),
      `
      export class RequestService {
        constructor(private readonly db: Database, private readonly other: OtherService) {}
        async load(id: number, m: EntityManager = this.db.manager) { return m.getRepository(X).findOneBy({ id }); }
        private async notPending(id: number) { const now = await this.load(id); throw new Error(now.status); }
        private async notPendingIn(m: EntityManager, id: number) { const now = await this.load(id, m); throw new Error(now.status); }
        private async step(id: number, work: (m: EntityManager, id: number) => Promise<void>) { await this.db.tx((m) => work(m, id)); }
        async bad(id: number) {
          await this.db.tx(async (m) => {
            const res = await m.getRepository(X).update({ id, status: 'pending' }, { status: 'approved' });
            if (!res.affected) await this.notPending(id);
            const direct = await this.load(id);
            await this.db.manager.getRepository(X).count();
            await this.db.ds.query('SELECT 1');
            await this.db.tx(async () => 1);
            await this.other.scope(id);
            await helper(this.db);
          });
          await this.step(id, async (_m, i) => { await this.load(i); });
        }
        async good(id: number) {
          const before = await this.load(id);
          await this.db.tx(async (m) => {
            const res = await m.getRepository(X).update({ id }, { status: 'approved' });
            if (!res.affected) await this.notPendingIn(m, id);
            await this.load(id, m);
            await this.other.scope(id, m);
            const lock = this.db.mysql;
            return [before, lock];
          });
          await this.step(id, async (m, i) => { await this.load(i, m); });
        }
      }
      export class OtherService {
        constructor(private readonly db: Database) {}
        async scope(id: number, m: EntityManager = this.db.manager) { return m.getRepository(Y).findOneBy({ id }); }
      }
      async function helper(db: Database) { return db.manager.count(Y); }
      `,
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('R-AUDIT: the issue-11 stall (a loser reading again through its helper), db.manager, db.ds, a nested tx, a left-out manager, db handed on, and a step callback are all reported; correct code is not', () => {
    const found = scanTxCallbacks(dir);
    const lines = (fs.readFileSync(path.join(dir, 'service.ts'), 'utf8').split('\n') as string[]).map((l) => l.trim());
    const at = (snippet: string) => lines.findIndex((l) => l.includes(snippet)) + 1;
    const reported = (snippet: string) => found.filter((v) => v.line === at(snippet));
    expect(reported('await this.notPending(id);')[0]?.why).toMatch(/calls RequestService\.notPending, which leaves out a manager argument/);
    expect(reported('const direct = await this.load(id);')[0]?.why).toMatch(/manager argument left out/);
    expect(reported('this.db.manager.getRepository(X).count()')[0]?.why).toMatch(/db\.manager\/db\.ds/);
    expect(reported("this.db.ds.query('SELECT 1')")[0]?.why).toMatch(/db\.manager\/db\.ds/);
    expect(reported('await this.db.tx(async () => 1);').map((v) => v.why)).toContain('a nested db.tx');
    expect(reported('await this.other.scope(id);')[0]?.why).toMatch(/manager argument left out/);
    expect(reported('await helper(this.db);').length).toBeGreaterThan(0);
    expect(reported('await this.step(id, async (_m, i) => { await this.load(i); });')[0]?.why).toMatch(/manager argument left out/);
    // Nothing in good() is reported.
    const goodFrom = at('async good(id: number) {');
    const goodTo = at('export class OtherService {');
    expect(found.filter((v) => v.line >= goodFrom && v.line < goodTo)).toEqual([]);
  });
});

describe('transient database errors (retried by db.tx, else 503)', () => {
  const wrapped = (driverError: Record<string, unknown>) => new QueryFailedError('UPDATE x', [], Object.assign(new Error(String(driverError.code)), driverError));

  test('R-AUDIT: MySQL deadlock (1213) and lock-wait timeout (1205), wrapped by TypeORM or not, and SQLite busy are transient; a duplicate key or a syntax error is not', () => {
    expect(isTransientDbError(wrapped({ code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' }))).toBe(true);
    expect(isTransientDbError(wrapped({ code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }))).toBe(true);
    expect(isTransientDbError({ errno: 1213 })).toBe(true);
    expect(isTransientDbError(wrapped({ code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isTransientDbError(wrapped({ code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
    expect(isTransientDbError(wrapped({ code: 'ER_DUP_ENTRY', errno: 1062 }))).toBe(false);
    expect(isTransientDbError(wrapped({ code: 'ER_PARSE_ERROR', errno: 1064 }))).toBe(false);
    expect(isTransientDbError(new Error('boom'))).toBe(false);
    expect(isTransientDbError(null)).toBe(false);
  });

  test('R-AUDIT: a deadlock that reaches the error handler outside a transaction is 503 (Retry-After), not 500', () => {
    expect(isDatabaseUnavailable(wrapped({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }))).toBe(true);
  });
});
