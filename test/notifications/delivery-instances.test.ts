/**
 * Issue 13: "Two instances deliver every message exactly once" and "a restart in the middle of
 * a batch neither loses nor duplicates a message (SMTP Message-ID derived from the message id)".
 * On MariaDB/MySQL two apps (own pools, own workers) share one database; on SQLite (one process,
 * one connection) two workers share the one instance. A crash between a send and its recording
 * is an expired lease: the next instance sends again with the same Message-ID.
 */
import { NotificationDelivery } from '../../src/entities/NotificationDelivery';
import { DeliveryWorker, startDeliveryWorker } from '../../src/features/notifications/delivery/delivery.worker';
import { TestSmtp } from '../helpers/smtp';
import { TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-db';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { deliveryApp, drain, duplicates, person, robot, rowsOfKey, scope, write } from './delivery-fixtures';

const MYSQL = testDbKind() === 'mysql';

let smtp: TestSmtp;
let hooks: WebhookReceiver;
let x: TestApp;
let y: TestApp;
let wx: DeliveryWorker;
let wy: DeliveryWorker;

beforeAll(async () => {
  smtp = await TestSmtp.start();
  hooks = await WebhookReceiver.start();
  // Small batches, so that the two instances interleave over many rounds.
  const env = { NOTIFY_BATCH: '10' };
  x = await deliveryApp(smtp, env);
  y = MYSQL ? await deliveryApp(smtp, env, { dbUrl: x.dbUrl }) : x;
  wx = new DeliveryWorker(x.ctx);
  wy = new DeliveryWorker(y.ctx);
});
afterAll(async () => {
  await wx?.stop();
  await wy?.stop();
  if (y && y !== x) await y.close();
  await x?.close();
  await hooks?.close();
  await smtp?.stop();
});
beforeEach(() => {
  smtp.messages.length = 0;
  hooks.received.length = 0;
});

test(`two ${MYSQL ? 'instances on one database' : 'workers on one instance'} deliver every message exactly once`, async () => {
  const sc = await scope(x);
  if (y !== x) await y.ctx.policy.reload();
  const people = await Promise.all(Array.from({ length: 12 }, () => person(x)));
  await robot(x, { platform: 'wecom', scope: sc, url: `${hooks.baseUrl}/wecom/pair?key=PAIRKEY0001` });
  const keys: string[] = [];
  for (let i = 0; i < 10; i++) keys.push(await write(x, people, { scope: sc }));

  const rounds = await drain([wx, wy]);
  const byX = rounds.filter((_, i) => i % 2 === 0).reduce((n, r) => n + r.sent, 0);
  const byY = rounds.filter((_, i) => i % 2 === 1).reduce((n, r) => n + r.sent, 0);
  expect(byX + byY).toBe(130);
  // Both took part (the claim shares the work, it does not serialise it onto one).
  expect(byX).toBeGreaterThan(0);
  expect(byY).toBeGreaterThan(0);

  expect(smtp.messages).toHaveLength(120);
  expect(duplicates(smtp.messages.map((m) => m.messageId))).toEqual([]);
  for (const p of people) expect(smtp.to(p.email!)).toHaveLength(10);
  expect(hooks.at('/wecom/pair')).toHaveLength(10);
  const rows = (await Promise.all(keys.map((k) => rowsOfKey(x, k)))).flat();
  expect(rows).toHaveLength(130);
  expect(rows.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
});

test('the poll loop (startDeliveryWorker, as src/main.ts runs it on every instance) delivers without being driven, and stops', async () => {
  const polling = { ...x.ctx, config: { ...x.ctx.config, notify: { ...x.ctx.config.notify, pollMs: 50 } } };
  const handles = [startDeliveryWorker(polling), startDeliveryWorker(MYSQL ? { ...y.ctx, config: polling.config } : polling)];
  try {
    const people = await Promise.all(Array.from({ length: 5 }, () => person(x)));
    for (let i = 0; i < 6; i++) await write(x, people);
    await smtp.waitFor(30);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages).toHaveLength(30);
    expect(duplicates(smtp.messages.map((m) => m.messageId))).toEqual([]);
  } finally {
    await Promise.all(handles.map((h) => h.stop()));
  }
  const before = smtp.messages.length;
  await write(x, [await person(x)]);
  await new Promise((r) => setTimeout(r, 200));
  expect(smtp.messages).toHaveLength(before);
  await drain([wx]);
});

test('a crash after the send, before its recording: the lease runs out, the next instance sends again with the SAME Message-ID, once more only', async () => {
  const people = await Promise.all(Array.from({ length: 3 }, () => person(x)));
  const key = await write(x, people);
  const leaseMs = x.ctx.config.notify.leaseMs;

  // Instance x claims and sends, then "crashes": its outcome is never recorded.
  const claim = await wx.store.claim({ now: new Date(), batch: 50, leaseMs, channels: wx.channels });
  expect(claim.rows).toHaveLength(3);
  const results = await wx.send(claim);
  expect(results.every((r) => r.ok)).toBe(true);
  expect(smtp.messages).toHaveLength(3);
  const first = new Map(smtp.messages.map((m) => [m.to[0], m.messageId]));

  // Within the lease nobody else takes the rows.
  expect(await wy.runOnce()).toMatchObject({ claimed: 0 });

  // After it: instance y takes them over and sends again; same Message-IDs.
  const later = new Date(Date.now() + leaseMs + 1000);
  expect(await wy.runOnce(later)).toMatchObject({ claimed: 3, sent: 3 });
  expect(smtp.messages).toHaveLength(6);
  for (const p of people) {
    const ids = smtp.to(p.email!).map((m) => m.messageId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toBe(first.get(p.email!.toLowerCase()));
  }
  // The crashed instance's late recording (old claim token) changes nothing.
  expect(await wx.store.record(claim, results.map((r) => ({ id: r.id, ok: false as const, error: 'late' })), new Date(), x.ctx.config.notify)).toEqual({ sent: 0, retried: 0, dead: 0, deferred: 0 });
  const rows = await rowsOfKey(x, key);
  expect(rows.every((r) => r.status === 'sent' && r.attempts === 1 && r.lastError === null)).toBe(true);
  expect(await wy.runOnce(new Date(later.getTime() + 2 * leaseMs))).toMatchObject({ claimed: 0 });
});

test('rows claimed by a live instance are not taken by another: the conditional UPDATE re-checks the lease', async () => {
  const key = await write(x, [await person(x)]);
  const now = new Date();
  const a = await wx.store.claim({ now, batch: 50, leaseMs: 60_000, channels: wx.channels });
  const b = await wy.store.claim({ now, batch: 50, leaseMs: 60_000, channels: wy.channels });
  expect(a.rows).toHaveLength(1);
  expect(a.rows[0].dedupeKey.startsWith(`${key}:user:`)).toBe(true);
  expect(b.rows).toEqual([]);
  await wx.store.release(a, a.rows.map((r) => r.id));
  const row = await x.ctx.db.manager.getRepository(NotificationDelivery).findOneByOrFail({ id: a.rows[0].id });
  expect(row).toMatchObject({ status: 'pending', claimToken: null, claimedUntil: null });
  await drain([wx]);
});
