import type { Options } from 'express-rate-limit';
import request from 'supertest';
import { createApp } from '../../src/app';
import { LoginThrottle } from '../../src/entities/LoginThrottle';
import { LoginThrottleStore } from '../../src/features/auth/login-throttle';
import { ADMIN_PASSWORD, startTestApp, TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-db';

/*
 * The sign-in throttle is shared by every instance on one database (R-SCOPE, issue 14 §4):
 * attempts split between two instances are refused at the same total as on one. On MySQL/MariaDB
 * the two instances are two apps (two pools); on SQLite, the one-instance embedded mode (two
 * apps in one process cannot wait for each other's lock, see test/jobs/scheduler.test.ts), the
 * second is a second Express app, with its own limiter and store, on the same database.
 */
const LIMIT = 3;
const WINDOW_MS = 60_000;

describe('login throttle shared by every instance (A and B on one database)', () => {
  let a: TestApp;
  let b: TestApp | null = null;
  let askA: () => ReturnType<typeof request>;
  let askB: () => ReturnType<typeof request>;

  beforeAll(async () => {
    a = await startTestApp({ env: { LOGIN_RATE_LIMIT: String(LIMIT) } });
    askA = () => request(a.server);
    if (testDbKind() === 'mysql') {
      b = await startTestApp({ dbUrl: a.dbUrl, env: { LOGIN_RATE_LIMIT: String(LIMIT) } });
      const server = b.server;
      askB = () => request(server);
    } else {
      const appB = createApp(a.ctx);
      askB = () => request(appB);
    }
  });
  afterAll(async () => {
    // B first: A owns (and drops) the database.
    if (b) await b.close();
    if (a) await a.close();
  });
  // Every request comes from 127.0.0.1: one bucket, emptied between tests.
  beforeEach(async () => {
    await a.ctx.db.manager.getRepository(LoginThrottle).clear();
  });

  const attempt = (ask: () => ReturnType<typeof request>, password = 'wrong-password-123') =>
    ask().post('/api/v1/auth/login').send({ username: 'no-such-user', password });

  it('R-SCOPE: login attempts split between two instances are refused at the same total as on one (429 rate_limited)', async () => {
    const statuses = [(await attempt(askA)).status, (await attempt(askB)).status, (await attempt(askA)).status];
    expect(statuses).toEqual([401, 401, 401]);
    // The fourth attempt of the minute is refused on either instance, even with the right password.
    const onB = await askB().post('/api/v1/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(onB.status).toBe(429);
    expect(onB.body.error).toEqual({ code: 'rate_limited', details: null, message: 'Too many login attempts from this address; wait a minute', requestId: expect.any(String) });
    const onA = await askA().post('/api/v1/auth/session').send({ username: 'admin', password: ADMIN_PASSWORD });
    expect(onA.status).toBe(429);
    expect(onA.body.error.code).toBe('rate_limited');
    expect(onA.headers.ratelimit).toMatch(/limit=3, remaining=0/);
  });

  it('R-SCOPE: attempts sent to both instances at once are admitted exactly up to the limit', async () => {
    const all = await Promise.all(Array.from({ length: 4 * LIMIT }, (_, i) => attempt(i % 2 ? askB : askA)));
    const admitted = all.filter((r) => r.status !== 429);
    expect(admitted.map((r) => r.status)).toEqual(Array(LIMIT).fill(401));
    const row = await a.ctx.db.manager.getRepository(LoginThrottle).findOneByOrFail({});
    expect(row.hits).toBe(4 * LIMIT);
  });

  it('R-SCOPE: two stores on one database count one bucket; each count is read exactly once; a new window starts at 1; ended windows are swept', async () => {
    let now = new Date('2026-12-01T02:00:00.000Z');
    const clock = () => now;
    const s1 = new LoginThrottleStore(a.ctx.db, a.ctx.logger, clock);
    const s2 = new LoginThrottleStore((b ?? a).ctx.db, a.ctx.logger, clock);
    for (const s of [s1, s2]) s.init({ windowMs: WINDOW_MS } as Options);

    // Concurrent increments from both stores: every attempt gets its own count, none is lost.
    const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? s2 : s1).increment('198.51.100.7')));
    expect(counts.map((c) => c.totalHits).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const c of counts) expect(c.resetTime).toEqual(new Date(now.getTime() + WINDOW_MS));
    expect(await s2.get('198.51.100.7')).toEqual({ totalHits: 10, resetTime: new Date(now.getTime() + WINDOW_MS) });
    await s1.decrement('198.51.100.7');
    expect((await s2.get('198.51.100.7'))?.totalHits).toBe(9);
    await s2.increment('203.0.113.9');

    // The window ends: the next attempt starts a new one at 1.
    now = new Date(now.getTime() + WINDOW_MS);
    const fresh = await s2.increment('198.51.100.7');
    expect(fresh).toEqual({ totalHits: 1, resetTime: new Date(now.getTime() + WINDOW_MS) });
    expect((await s1.increment('198.51.100.7')).totalHits).toBe(2);

    // A sweep removes the rows whose window has ended, and only those.
    now = new Date(now.getTime() + 1);
    await s1.sweep(now, true);
    const rows = await a.ctx.db.manager.getRepository(LoginThrottle).find();
    expect(rows.map((r) => [r.bucket, r.hits])).toEqual([['login:198.51.100.7', 2]]);
    expect(await s1.get('203.0.113.9')).toBeUndefined();
    await s2.resetKey('198.51.100.7');
    expect(await a.ctx.db.manager.getRepository(LoginThrottle).count()).toBe(0);
  });
});
