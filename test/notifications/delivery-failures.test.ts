/**
 * Issue 13, "Delivery" and "Tests and figures": a mail server that is down delays mail and
 * nothing else (everything arrives once it is back, nothing twice); a malformed or refused
 * address, a webhook answering 500 and a platform refusing in a 200 are retried and then
 * dead-lettered while the other channels still deliver; secrets stay out of lastError and logs;
 * the backoff grows exponentially.
 */
import { NotificationDelivery } from '../../src/entities/NotificationDelivery';
import { backoffDelay } from '../../src/features/notifications/delivery/delivery.store';
import { DeliveryWorker } from '../../src/features/notifications/delivery/delivery.worker';
import { actorOf, makePaperOrg, makePrintRequest } from '../helpers/paper-factories';
import { User } from '../../src/entities/User';
import { TestSmtp } from '../helpers/smtp';
import { TestApp } from '../helpers/test-app';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { deliveryApp, drain, duplicates, person, robot, rowsOfKey, scope, write } from './delivery-fixtures';

const SMTP_PASSWORD = 'smtp-Pa55word-never-logged';
const WEBHOOK_TOKEN = 'WECOM-TOKEN-never-shown-0001';
const SIGN_SECRET = 'SEC-never-shown-0002';

let smtp: TestSmtp;
let hooks: WebhookReceiver;
let app: TestApp;
let worker: DeliveryWorker;
const logs: string[] = [];

beforeAll(async () => {
  smtp = await TestSmtp.start({ auth: { user: 'custodian', pass: SMTP_PASSWORD } });
  hooks = await WebhookReceiver.start();
  app = await deliveryApp(smtp, {}, { logSink: (line) => logs.push(line) });
  worker = new DeliveryWorker(app.ctx);
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await hooks?.close();
  await smtp?.stop();
});
beforeEach(async () => {
  smtp.messages.length = 0;
  hooks.received.length = 0;
  await smtp.restart();
});

const secretsIn = (texts: Array<string | null>) => texts.filter((t) => t && [SMTP_PASSWORD, WEBHOOK_TOKEN, SIGN_SECRET].some((s) => t.includes(s)));

describe('SMTP down, then back', () => {
  test('the request that writes a message answers while the mail server is down; every mail arrives once it is back, none twice', async () => {
    await smtp.stop();
    // A real request whose transaction writes messages (R-PRINT-APPROVE: the requester hears of the approval).
    const o = await makePaperOrg(app);
    await app.ctx.db.tx((m) => m.getRepository(User).update({ id: o.staff.id }, { email: 'requester@staff.example.test' }));
    const r = await makePrintRequest(app, actorOf(o.staff), o.project, { copies: 1 });
    const started = Date.now();
    const res = await app.http().post(`/api/v1/print-requests/${r.id}/approve`).set('Authorization', o.pm.auth).send({});
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);

    const people = await Promise.all(Array.from({ length: 5 }, () => person(app)));
    const keys = [];
    for (let i = 0; i < 4; i++) keys.push(await write(app, people));
    const all = async () => (await app.ctx.db.manager.getRepository(NotificationDelivery).find({ where: { channel: 'email' } })).filter((d) => d.status !== 'sent');
    const waiting = await all();
    expect(waiting.length).toBeGreaterThanOrEqual(20);

    // Down: the round finds the server unreachable; each mail keeps waiting with none of its
    // attempts used up (an outage is not the message's fault), the cause recorded without the password.
    const down = await worker.runOnce();
    expect(down.claimed).toBeGreaterThanOrEqual(20);
    expect(down).toMatchObject({ sent: 0, retried: 0, dead: 0, deferred: down.claimed });
    const failed = await all();
    expect(failed.every((d) => d.status === 'pending' && d.attempts === 0 && d.claimToken === null)).toBe(true);
    expect(failed[0].lastError).toMatch(/^mail server unreachable \(.*ECONNREFUSED/);
    expect(secretsIn(failed.map((d) => d.lastError))).toEqual([]);
    // However long it lasts (here: more rounds than NOTIFY_MAX_ATTEMPTS), nothing is dead-lettered.
    let clock = Date.now();
    for (let i = 0; i < 5; i++) {
      clock += 2000;
      expect(await worker.runOnce(new Date(clock))).toMatchObject({ sent: 0, dead: 0 });
    }
    expect((await all()).every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
    expect(smtp.messages).toHaveLength(0);
    expect(logs.some((l) => l.includes('mail server unreachable'))).toBe(true);

    // Back: everything arrives, each once.
    await smtp.restart();
    await drain([worker], { now: () => new Date(clock + 5000) });
    expect(await all()).toEqual([]);
    expect(smtp.messages.length).toBe(waiting.length);
    expect(duplicates(smtp.messages.map((m) => m.messageId))).toEqual([]);
    for (const p of people) expect(smtp.to(p.email!)).toHaveLength(4);
    expect(smtp.to('requester@staff.example.test').length).toBeGreaterThanOrEqual(1);
    expect(smtp.logins.every((u) => u === 'custodian')).toBe(true);
    // Logged without the password.
    expect(secretsIn(logs)).toEqual([]);
  });
});

describe('retried, then dead-lettered, while the other channels deliver', () => {
  test('a malformed address, a refused recipient, a webhook answering 500 and a platform refusing in a 200: 3 attempts each, then dead; the good ones go once', async () => {
    const sc = await scope(app);
    const good = await person(app);
    const malformed = await person(app, { email: 'not an address@@example' });
    const refused = await person(app);
    smtp.rejected.add(refused.email!.toLowerCase());
    hooks.set('/wecom/broken', 'http500');
    hooks.set('/dingtalk/refusing', 'refused');
    await robot(app, { platform: 'wecom', scope: sc, url: `${hooks.baseUrl}/wecom/broken?key=${WEBHOOK_TOKEN}` });
    await robot(app, { platform: 'dingtalk', scope: sc, url: `${hooks.baseUrl}/dingtalk/refusing?access_token=DT-0003`, secret: SIGN_SECRET });
    await robot(app, { platform: 'feishu', scope: sc, url: `${hooks.baseUrl}/feishu/hook/good00000001` });
    const key = await write(app, [good, malformed, refused], { scope: sc });

    const first = await worker.runOnce();
    expect(first).toMatchObject({ claimed: 6, sent: 2, retried: 4, dead: 0 });
    const mid = await rowsOfKey(app, key);
    const by = (rows: NotificationDelivery[], pick: (r: NotificationDelivery) => boolean) => rows.find(pick)!;
    const bad = (rows: NotificationDelivery[]) => rows.filter((r) => r.status !== 'sent');
    expect(bad(mid).every((r) => r.status === 'pending' && r.attempts === 1)).toBe(true);

    await drain([worker]);
    const end = await rowsOfKey(app, key);
    expect(by(end, (r) => r.target === good.email)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(by(end, (r) => r.channel === 'feishu')).toMatchObject({ status: 'sent', attempts: 1 });
    for (const r of bad(end)) expect(r).toMatchObject({ status: 'dead', attempts: 3, claimToken: null });
    expect(bad(end)).toHaveLength(4);
    expect(by(end, (r) => r.target === malformed.email).lastError).toMatch(/e-mail not accepted/);
    expect(by(end, (r) => r.target === refused.email).lastError).toMatch(/SMTP 550/);
    expect(by(end, (r) => r.channel === 'wecom').lastError).toBe('wecom webhook answered HTTP 500');
    expect(by(end, (r) => r.channel === 'dingtalk').lastError).toMatch(/^dingtalk refused the message: code 310000 \(sign not match\)$/);
    expect(secretsIn(end.map((r) => r.lastError))).toEqual([]);
    expect(secretsIn(logs)).toEqual([]);
    expect(logs.some((l) => l.includes('notification delivery dead-lettered'))).toBe(true);

    // Each bad target was tried exactly 3 times, each good one once; a dead row is never tried again.
    expect(hooks.at('/wecom/broken')).toHaveLength(3);
    expect(hooks.at('/dingtalk/refusing')).toHaveLength(3);
    expect(hooks.at('/feishu/hook/good00000001')).toHaveLength(1);
    expect(smtp.to(good.email!)).toHaveLength(1);
    expect(smtp.to(refused.email!)).toHaveLength(0);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
  });

  test('the backoff doubles from NOTIFY_BACKOFF_MS after each failure, capped', async () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
    expect(backoffDelay(20, 30_000)).toBe(3_600_000);
    const slow = await deliveryApp(smtp, { NOTIFY_BACKOFF_MS: '30000' });
    const w = new DeliveryWorker(slow.ctx);
    try {
      const p = await person(slow);
      smtp.rejected.add(p.email!.toLowerCase());
      const key = await write(slow, [p]);
      const before = Date.now();
      await w.runOnce();
      const [row] = await rowsOfKey(slow, key);
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.nextAttemptAt.getTime() - before).toBeGreaterThanOrEqual(29_000);
      expect(row.nextAttemptAt.getTime() - before).toBeLessThan(40_000);
      // Not due again before then.
      expect(await w.runOnce()).toMatchObject({ claimed: 0 });
      const second = await w.runOnce(new Date(row.nextAttemptAt.getTime() + 1));
      expect(second).toMatchObject({ claimed: 1, retried: 1 });
      const [again] = await rowsOfKey(slow, key);
      expect(again.nextAttemptAt.getTime() - row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(59_000);
    } finally {
      await w.stop();
      await slow.close();
    }
  });
});
