import { createHash } from 'node:crypto';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { Database } from '../../db/database';
import { persisted, toDate } from '../../db/raw';
import { LoginThrottle } from '../../entities/LoginThrottle';
import type { Logger } from '../../logger';

/*
 * One atomic statement per attempt: a new window starts at 1, a running one counts up. The SET
 * expressions read the row as it was: SQLite evaluates every one on the old row; MySQL/MariaDB
 * assign left to right, so `hits` (which reads resetAt) comes first and `resetAt` reads its own
 * old value. Parameters: bucket, new resetAt, now, now, new resetAt.
 */
const UPSERT_SQLITE =
  'INSERT INTO login_throttle (bucket, hits, resetAt) VALUES (?, 1, ?) ON CONFLICT (bucket) DO UPDATE SET ' +
  'hits = CASE WHEN resetAt <= ? THEN 1 ELSE hits + 1 END, resetAt = CASE WHEN resetAt <= ? THEN ? ELSE resetAt END';
const UPSERT_MYSQL =
  'INSERT INTO login_throttle (bucket, hits, resetAt) VALUES (?, 1, ?) ON DUPLICATE KEY UPDATE ' +
  'hits = CASE WHEN resetAt <= ? THEN 1 ELSE hits + 1 END, resetAt = CASE WHEN resetAt <= ? THEN ? ELSE resetAt END';

const BUCKET_MAX = 100;

/**
 * express-rate-limit's store for the sign-in throttle, kept in the database (login_throttle) so
 * that every instance on it counts the same attempts: N instances allow what one allows
 * (R-SCOPE, issue 14 §4). The increment and the read of its result share one transaction: on
 * MySQL the upsert row-locks the bucket until commit, so each attempt reads exactly its own
 * count (two instances at once get n and n+1, never both n); a deadlock between two first
 * attempts of one bucket runs the transaction again (Database.tx). Each instance sweeps ended
 * windows at most once per window. A database error refuses the attempt (the limiter passes it
 * to the error handler: 503 when the database is unreachable), never lets it through unlimited.
 */
export class LoginThrottleStore implements Store {
  /** Counters live in the database, shared with other instances (express-rate-limit's double-count check). */
  readonly localKeys = false;
  readonly prefix = 'login:';
  private windowMs = 60_000;
  private nextSweepAt = 0;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const now = this.now();
    const bucket = this.bucket(key);
    const info = await this.db.tx(async (m) => {
      const at = persisted(m, LoginThrottle, 'resetAt', now);
      const reset = persisted(m, LoginThrottle, 'resetAt', new Date(now.getTime() + this.windowMs));
      await m.query(this.db.mysql ? UPSERT_MYSQL : UPSERT_SQLITE, [bucket, reset, at, at, reset]);
      return this.read(bucket, (sql, params) => m.query(sql, params));
    });
    await this.sweep(now);
    return info!;
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const info = await this.read(this.bucket(key), (sql, params) => this.db.manager.query(sql, params));
    return info && info.resetTime && info.resetTime.getTime() > this.now().getTime() ? info : undefined;
  }

  async decrement(key: string): Promise<void> {
    await this.db.manager.query('UPDATE login_throttle SET hits = hits - 1 WHERE bucket = ? AND hits > 0', [this.bucket(key)]);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.manager.query('DELETE FROM login_throttle WHERE bucket = ?', [this.bucket(key)]);
  }

  /** Deletes the rows whose window ended before `now` (each instance, at most once per window). */
  async sweep(now: Date = this.now(), force = false): Promise<void> {
    if (!force && now.getTime() < this.nextSweepAt) return;
    this.nextSweepAt = now.getTime() + this.windowMs;
    try {
      const m = this.db.manager;
      await m.query('DELETE FROM login_throttle WHERE resetAt < ?', [persisted(m, LoginThrottle, 'resetAt', now)]);
    } catch (err) {
      // The next window's sweep tries again; the counts themselves are unaffected.
      this.logger.warn('login throttle sweep failed', { error: String(err) });
    }
  }

  private async read(bucket: string, query: (sql: string, params: unknown[]) => Promise<Array<{ hits: unknown; resetAt: unknown }>>): Promise<ClientRateLimitInfo | undefined> {
    const rows = await query('SELECT hits, resetAt FROM login_throttle WHERE bucket = ?', [bucket]);
    if (!rows[0]) return undefined;
    return { totalHits: Number(rows[0].hits), resetTime: toDate(rows[0].resetAt) ?? undefined };
  }

  /** The row's key: the limiter's key (the client address) under the prefix; hashed if it would not fit the column. */
  private bucket(key: string): string {
    const bucket = this.prefix + key;
    return bucket.length <= BUCKET_MAX ? bucket : `${this.prefix}sha256:${createHash('sha256').update(key).digest('hex')}`;
  }
}
