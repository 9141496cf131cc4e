import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager, QueryFailedError, QueryRunner } from 'typeorm';
import { ServiceUnavailableError } from '../errors';
import { isMysql } from './data-source';

/**
 * Find option that row-locks what it reads for the rest of the transaction (SELECT ... FOR UPDATE)
 * on MySQL/MariaDB; on SQLite transactions already run one at a time, and the driver has no lock.
 */
export function forUpdate(mysql: boolean): { lock?: { mode: 'pessimistic_write' } } {
  return mysql ? { lock: { mode: 'pessimistic_write' } } : {};
}

/**
 * A programming error, never a client's: code running inside `db.tx` asked for a second
 * connection (a query through `db.manager`, `db.ds`, a service method that defaults to it) or
 * started a nested `db.tx`. Under load that is a deadlock the database cannot see: the lock
 * holder waits for a pool connection that the waiters for its lock hold (issue 11). Thrown
 * always, so that the first test taking the path fails instead of production stalling.
 */
export class TxMisuseError extends Error {
  constructor(what: string) {
    super(
      `${what} inside db.tx: inside a transaction every read and write goes through the transaction's own manager \`m\` ` +
        '(pass it down; never db.manager, db.ds or a nested db.tx)',
    );
    this.name = 'TxMisuseError';
  }
}

/**
 * Deadlock (MySQL 1213, also a Galera certification conflict), lock-wait timeout (1205) or SQLite
 * busy: the transaction lost a race with another one and was (or must be) rolled back; running it
 * again is the documented remedy. Read from the driver error that TypeORM wraps, or the error itself.
 */
export function isTransientDbError(err: unknown): boolean {
  const e = err as { code?: unknown; errno?: unknown; driverError?: { code?: unknown; errno?: unknown } } | null;
  if (!e || typeof e !== 'object') return false;
  for (const src of [e.driverError, e]) {
    if (!src) continue;
    if (src.code === 'ER_LOCK_DEADLOCK' || src.code === 'ER_LOCK_WAIT_TIMEOUT' || src.errno === 1213 || src.errno === 1205) return true;
    if (typeof src.code === 'string' && src.code.startsWith('SQLITE_BUSY')) return true;
  }
  return false;
}

/** One attempt of one transaction, as seen by code running inside its work. */
interface TxScope {
  /** False once the attempt has ended: a fire-and-forget continuation of it is ordinary code again. */
  open: boolean;
  /** The first transient failure of a statement of this attempt, even if the work caught it. */
  transient: unknown;
  /** Run once the transaction has committed (db.afterCommit); dropped with a failed attempt. */
  afterCommit: Set<() => Promise<void>>;
}

const txScope = new AsyncLocalStorage<TxScope>();

/** A test-only failure: the next statement inside a transaction whose SQL matches fails like a real deadlock/timeout/busy. */
export interface InjectedFault {
  sql: RegExp;
  error: 'deadlock' | 'lock_wait_timeout' | 'busy';
  /** How many matching statements fail (default 1). */
  times?: number;
}

/** Driver errors shaped exactly like mysql2's and better-sqlite3's, wrapped by TypeORM as a real failure is. */
function fakeDriverError(kind: InjectedFault['error']): Error {
  const spec = {
    deadlock: { message: 'Deadlock found when trying to get lock; try restarting transaction', code: 'ER_LOCK_DEADLOCK', errno: 1213, sqlState: '40001' },
    lock_wait_timeout: { message: 'Lock wait timeout exceeded; try restarting transaction', code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205, sqlState: 'HY000' },
    busy: { message: 'database is locked', code: 'SQLITE_BUSY', errno: undefined, sqlState: undefined },
  }[kind];
  const e = Object.assign(new Error(spec.message), { code: spec.code, errno: spec.errno, sqlState: spec.sqlState, sqlMessage: spec.message });
  return e;
}

export interface TxRetryOptions {
  /** Attempts in all, the first included (default 5). */
  maxAttempts: number;
  /** Backoff before attempt n+1 is about baseDelayMs * 2^(n-1), jittered, at most maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No new attempt starts this long after the first began (a 1205 alone may take innodb_lock_wait_timeout). */
  budgetMs: number;
}

const DEFAULT_RETRY: TxRetryOptions = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 1000, budgetMs: 10_000 };

/** What a committed attempt gives back: `work`'s result, and the hooks it left for after the commit. */
interface Committed<T> {
  result: T;
  afterCommit: Set<() => Promise<void>>;
}

/**
 * On a multi-primary cluster (issue 16) a hot row (a month's case counter) written through three
 * nodes at once loses at commit on two of them each round, with no lock wait to pace them: a
 * conflict costs one short attempt, so more of them, sooner, within a longer budget. 60
 * registrations at once over 3 nodes all succeed with this (npm run test:cluster).
 */
export const CLUSTER_RETRY: TxRetryOptions = { maxAttempts: 40, baseDelayMs: 10, maxDelayMs: 200, budgetMs: 20_000 };

const WRAPPED = Symbol('custodian.txObserved');

/**
 * The application's handle on its database. Every write goes through `tx`, so that a change
 * and its audit event commit together or not at all.
 *
 * SQLite (better-sqlite3) has one connection: two interleaved transactions on it would mix
 * their statements, so on SQLite transactions are queued one after another. MySQL has a pool
 * and real isolation; conflicts there are settled with row locks and conditional updates.
 *
 * Two guarantees for every transaction (issue 11):
 * - inside `work`, only `m` reaches the database: `db.manager`, `db.ds.query/manager` (anything
 *   that takes a second query runner) and a nested `db.tx` throw TxMisuseError. A lock holder
 *   waiting for a second pool connection, while the pool is held by waiters for its lock, would
 *   otherwise hang until innodb_lock_wait_timeout;
 * - a deadlock, lock-wait timeout or SQLite busy error rolls the attempt back and runs `work`
 *   again (bounded, jittered exponential backoff); if the conflict persists the caller gets
 *   ServiceUnavailableError (503 with Retry-After), never a 500. `work` must therefore keep
 *   its effects in the database (or make them repeatable): it may run more than once.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();
  private faults: Array<InjectedFault & { remaining: number }> = [];
  readonly mysql: boolean;
  retry: TxRetryOptions;
  /** Transactions run again after a transient failure, and those given up as 503 (for tests and diagnostics). */
  readonly txStats = { retried: 0, gaveUp: 0 };

  constructor(
    readonly ds: DataSource,
    retry: Partial<TxRetryOptions> = {},
  ) {
    this.mysql = isMysql(ds);
    this.retry = { ...DEFAULT_RETRY, ...retry };
    this.installGuard();
  }

  /**
   * Runs `hook` once the current transaction has committed, after its work and outside it (a
   * rolled-back attempt drops it; the same hook registered twice runs once). For what must follow
   * a change but cannot be part of it, e.g. sealing audit entries into the chain (issue 16). A
   * hook must report its own failures: one it throws is dropped (the change has committed).
   */
  afterCommit(hook: () => Promise<void>): void {
    const scope = txScope.getStore();
    if (!scope?.open) throw new Error('db.afterCommit outside a transaction');
    scope.afterCommit.add(hook);
  }

  /** The manager for code outside a transaction (a query inside one must use its `m`). */
  get manager(): EntityManager {
    if (txScope.getStore()?.open) throw new TxMisuseError('db.manager used');
    return this.ds.manager;
  }

  async tx<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    if (txScope.getStore()?.open) throw new TxMisuseError('a nested db.tx started');
    const started = Date.now();
    let committed: Committed<T>;
    for (let attempt = 1; ; attempt++) {
      try {
        committed = await this.enqueue(() => this.attempt(work));
        break;
      } catch (err) {
        if (!isTransientDbError(err)) throw err;
        const { maxAttempts, baseDelayMs, maxDelayMs, budgetMs } = this.retry;
        if (attempt >= maxAttempts || Date.now() - started >= budgetMs) {
          this.txStats.gaveUp++;
          throw new ServiceUnavailableError('The database is busy with conflicting changes; try again shortly');
        }
        this.txStats.retried++;
        // Equal jitter: half the exponential step fixed, half random, so that the losers of one
        // conflict do not collide again in lockstep.
        const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        await new Promise((resolve) => setTimeout(resolve, step / 2 + Math.random() * (step / 2)));
      }
    }
    // Committed: nothing below may run `work` again or fail the caller. Outside the SQLite queue,
    // so that a hook may start a transaction of its own; a hook handles its own errors (a throw
    // is swallowed here: the change stands either way).
    for (const hook of committed.afterCommit) await hook().catch(() => undefined);
    return committed.result;
  }

  /** One attempt: `work` inside the transaction's scope; a transient failure it swallowed still fails the attempt (the database has rolled back). */
  private async attempt<T>(work: (m: EntityManager) => Promise<T>): Promise<Committed<T>> {
    const scope: TxScope = { open: true, transient: null, afterCommit: new Set() };
    const result = await this.transaction(async (m) => {
      try {
        const out = await txScope.run(scope, () => work(m));
        if (scope.transient) throw scope.transient;
        return out;
      } finally {
        scope.open = false;
      }
    });
    return { result, afterCommit: scope.afterCommit };
  }

  private transaction<T>(run: (m: EntityManager) => Promise<T>): Promise<T> {
    if (this.mysql) return this.ds.transaction('READ COMMITTED', run);
    // Take the write lock first: a transaction that reads and then writes would otherwise fail at
    // once with SQLITE_BUSY ("database is locked") when another process on the same file (a CLI
    // job, a second app) writes at the same time, instead of waiting out the busy timeout.
    return this.ds.transaction(async (m) => {
      await m.query('UPDATE "policy_meta" SET "version" = "version" WHERE 1 = 0');
      return run(m);
    });
  }

  /** SQLite: one transaction at a time on its one connection; MySQL: the pool and row locks order them. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.mysql) return fn();
    const result = this.queue.then(fn, fn);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Every query runner is taken through here: refused inside a transaction's work (TxMisuseError),
   * and each statement observed, so that a transient failure fails the attempt even if caught, and
   * so that tests can inject one (injectFault).
   */
  private installGuard(): void {
    const ds = this.ds;
    const create = ds.createQueryRunner.bind(ds);
    ds.createQueryRunner = (mode?: 'master' | 'slave'): QueryRunner => {
      if (txScope.getStore()?.open) throw new TxMisuseError('a second connection (db.ds, or a query not made through m) requested');
      const qr = create(mode);
      const marked = qr as QueryRunner & { [WRAPPED]?: true };
      if (!marked[WRAPPED]) {
        marked[WRAPPED] = true;
        const query = qr.query.bind(qr) as (...args: unknown[]) => Promise<unknown>;
        (qr as { query: unknown }).query = async (...args: unknown[]) => {
          const scope = txScope.getStore();
          if (!scope?.open) return query(...args);
          const fault = this.takeFault(String(args[0]));
          try {
            if (fault) throw new QueryFailedError(String(args[0]), (args[1] as unknown[]) ?? [], fakeDriverError(fault.error));
            return await query(...args);
          } catch (err) {
            if (isTransientDbError(err)) scope.transient ??= err;
            throw err;
          }
        };
      }
      return qr;
    };
  }

  /**
   * Test-only: the next `times` statements inside a transaction matching `sql` fail as a real
   * deadlock / lock-wait timeout / SQLite busy would (a QueryFailedError around the driver's
   * error). Refused in production.
   */
  injectFault(fault: InjectedFault): void {
    if (process.env.NODE_ENV === 'production') throw new Error('injectFault is for tests');
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Faults injected but not yet triggered. */
  pendingFaults(): number {
    return this.faults.reduce((n, f) => n + f.remaining, 0);
  }

  clearFaults(): void {
    this.faults = [];
  }

  private takeFault(sql: string): InjectedFault | null {
    const f = this.faults.find((x) => x.remaining > 0 && x.sql.test(sql));
    if (!f) return null;
    f.remaining--;
    this.faults = this.faults.filter((x) => x.remaining > 0);
    return f;
  }

  async ping(): Promise<void> {
    await this.ds.query('SELECT 1');
  }
}
