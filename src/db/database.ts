import { DataSource, EntityManager } from 'typeorm';
import { isMysql } from './data-source';

/**
 * Find option that row-locks what it reads for the rest of the transaction (SELECT ... FOR UPDATE)
 * on MySQL/MariaDB; on SQLite transactions already run one at a time, and the driver has no lock.
 */
export function forUpdate(mysql: boolean): { lock?: { mode: 'pessimistic_write' } } {
  return mysql ? { lock: { mode: 'pessimistic_write' } } : {};
}

/**
 * The application's handle on its database. Every write goes through `tx`, so that a change
 * and its audit event commit together or not at all.
 *
 * SQLite (better-sqlite3) has one connection: two interleaved transactions on it would mix
 * their statements, so on SQLite transactions are queued one after another. MySQL has a pool
 * and real isolation; conflicts there are settled with row locks and conditional updates.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();
  readonly mysql: boolean;

  constructor(readonly ds: DataSource) {
    this.mysql = isMysql(ds);
  }

  get manager(): EntityManager {
    return this.ds.manager;
  }

  tx<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    if (this.mysql) return this.ds.transaction('READ COMMITTED', work);
    // Take the write lock first: a transaction that reads and then writes would otherwise fail at
    // once with SQLITE_BUSY ("database is locked") when another process on the same file (a CLI
    // job, a second app) writes at the same time, instead of waiting out the busy timeout.
    const run = () =>
      this.ds.transaction(async (m) => {
        await m.query('UPDATE "policy_meta" SET "version" = "version" WHERE 1 = 0');
        return work(m);
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async ping(): Promise<void> {
    await this.ds.query('SELECT 1');
  }
}
