/**
 * Issue 13, "Delivery": notification_delivery rows go out by e-mail (a real SMTP server on
 * 127.0.0.1, real TCP) and to group robots (a real HTTP receiver), once, in the reader's
 * language, with the absolute console link; the platforms' formats and signatures; digests.
 */
import crypto from 'node:crypto';
import { renderMessage } from '../../src/features/notifications/catalogue';
import { DeliveryWorker } from '../../src/features/notifications/delivery/delivery.worker';
import { nextDigestAt } from '../../src/features/notifications/notification.service';
import { NotificationPreference } from '../../src/entities/NotificationPreference';
import { TestSmtp } from '../helpers/smtp';
import { TestApp } from '../helpers/test-app';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { deliveryApp, drain, KIND, MAIL_FROM, PARAMS, person, PUBLIC, robot, rowsOfKey, scope, write } from './delivery-fixtures';

let smtp: TestSmtp;
let hooks: WebhookReceiver;
let app: TestApp;
let worker: DeliveryWorker;

beforeAll(async () => {
  smtp = await TestSmtp.start();
  hooks = await WebhookReceiver.start();
  app = await deliveryApp(smtp);
  worker = new DeliveryWorker(app.ctx);
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await hooks?.close();
  await smtp?.stop();
});
beforeEach(() => {
  smtp.messages.length = 0;
  hooks.received.length = 0;
});

const zh = renderMessage(KIND, PARAMS, 'zh-Hant');
const en = renderMessage(KIND, PARAMS, 'en');

describe('e-mail and group robots, once each', () => {
  test('each recipient gets one mail in their language with the absolute link; each robot one post in its own language and format', async () => {
    const sc = await scope(app);
    const alice = await person(app, { language: 'en' });
    const bo = await person(app, { language: 'zh-Hant' });
    await robot(app, { platform: 'wecom', scope: sc, url: `${hooks.baseUrl}/wecom/a?key=WECOM-KEY-0001` });
    await robot(app, { platform: 'dingtalk', scope: sc, url: `${hooks.baseUrl}/dingtalk/a?access_token=DT-TOKEN-0001`, secret: 'SECdingtalk-secret', language: 'en' });
    await robot(app, { platform: 'feishu', scope: sc, url: `${hooks.baseUrl}/feishu/hook/0f1e2d3c4b5a`, secret: 'feishu-secret-1' });
    const key = await write(app, [alice, bo], { scope: sc });

    const rounds = await drain([worker]);
    expect(rounds[0]).toMatchObject({ claimed: 5, sent: 5, retried: 0, dead: 0 });

    // E-mail: one each, in the reader's language, text and HTML, link absolute.
    expect(smtp.messages).toHaveLength(2);
    const [toAlice] = smtp.to(alice.email!);
    const [toBo] = smtp.to(bo.email!);
    expect(toAlice.subject).toBe(en.subject);
    expect(toBo.subject).toBe(zh.subject);
    expect(toAlice.text).toContain(en.body);
    expect(toBo.text).toContain(zh.body);
    for (const mail of [toAlice, toBo]) {
      expect(mail.text).toContain(`${PUBLIC}/copies`);
      expect(mail.html).toContain(`href="${PUBLIC}/copies"`);
      expect(mail.headers.from).toContain('custodian@example.test');
      expect(mail.messageId).toMatch(/^<custodian\.n\d+\.d\d+@custodian\.example\.test>$/);
    }
    expect(toBo.html).toContain('lang="zh-Hant"');
    expect(toAlice.headers['auto-submitted']).toBe('auto-generated');

    // Robots: one post each, the platform's format, the robot's language.
    const wecom = hooks.at('/wecom/a');
    expect(wecom).toHaveLength(1);
    expect(wecom[0].query.key).toBe('WECOM-KEY-0001');
    expect(wecom[0].body).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringContaining(`${PUBLIC}/copies`) } });
    expect(String((wecom[0].body.markdown as { content: string }).content)).toContain(`列印申請 #42 已核准`);

    const ding = hooks.at('/dingtalk/a');
    expect(ding).toHaveLength(1);
    expect(ding[0].body).toMatchObject({ msgtype: 'markdown', markdown: { title: en.subject, text: expect.stringContaining(`${PUBLIC}/copies`) } });
    // 加签: sign = base64(HMAC-SHA256(secret, "timestamp\nsecret")), sent URL-encoded and read back decoded.
    const ts = ding[0].query.timestamp;
    expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(60_000);
    expect(ding[0].query.sign).toBe(crypto.createHmac('sha256', 'SECdingtalk-secret').update(`${ts}\nSECdingtalk-secret`).digest('base64'));

    const fei = hooks.at('/feishu/hook/0f1e2d3c4b5a');
    expect(fei).toHaveLength(1);
    expect(fei[0].body).toMatchObject({ msg_type: 'text', content: { text: expect.stringContaining(zh.subject) } });
    const fts = String(fei[0].body.timestamp);
    expect(Math.abs(Number(fts) * 1000 - Date.now())).toBeLessThan(60_000);
    expect(fei[0].body.sign).toBe(crypto.createHmac('sha256', `${fts}\nfeishu-secret-1`).update('').digest('base64'));

    // Recorded per row: sent once, one attempt; nothing is due any more.
    const rows = await rowsOfKey(app, key);
    expect(rows.map((r) => [r.channel, r.status, r.attempts, r.claimToken]).sort()).toEqual(
      [
        ['dingtalk', 'sent', 1, null],
        ['email', 'sent', 1, null],
        ['email', 'sent', 1, null],
        ['feishu', 'sent', 1, null],
        ['wecom', 'sent', 1, null],
      ].sort(),
    );
    expect(rows.every((r) => r.sentAt !== null && r.lastError === null)).toBe(true);
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    expect(smtp.messages).toHaveLength(2);
  });

  test('a disabled robot is not written to; the outbox wrote nothing for it', async () => {
    const sc = await scope(app);
    await robot(app, { platform: 'wecom', scope: sc, url: `${hooks.baseUrl}/wecom/off?key=OFF-KEY-0001`, enabled: false });
    const key = await write(app, [await person(app)], { scope: sc });
    await drain([worker]);
    expect(hooks.at('/wecom/off')).toHaveLength(0);
    expect((await rowsOfKey(app, key)).map((r) => r.channel)).toEqual(['email']);
  });

  test('a message written before the catalogue (no params) goes out as the inbox shows it', async () => {
    const u = await person(app, { language: 'en' });
    await app.ctx.db.tx((m) => app.ctx.outbox.enqueue(m, { recipientId: u.id, kind: KIND, params: PARAMS, dedupeKey: `legacy:${u.id}` }));
    // As if written by the old outbox: stored text, no params.
    await app.ctx.db.tx((m) => m.query(`UPDATE ${app.ctx.db.ds.driver.escape('notification')} SET ${app.ctx.db.ds.driver.escape('params')} = NULL, ${app.ctx.db.ds.driver.escape('subject')} = 'Stored subject' WHERE ${app.ctx.db.ds.driver.escape('recipientId')} = ?`, [u.id]));
    await drain([worker]);
    expect(smtp.to(u.email!).map((m) => m.subject)).toEqual(['Stored subject']);
  });
});

describe('the daily digest', () => {
  test("a recipient's digest rows wait for the digest hour, then go out as ONE mail listing each message", async () => {
    const u = await person(app, { language: 'en' });
    await app.ctx.db.tx((m) => m.getRepository(NotificationPreference).insert({ userId: u.id, kind: KIND, mode: 'digest' }));
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await write(app, [u], { params: { ...PARAMS, requestId: 100 + i } }));
    const rows = (await Promise.all(keys.map((k) => rowsOfKey(app, k)))).flat();
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.digest)).toBe(true);

    // Not due before the digest hour.
    await drain([worker]);
    expect(smtp.to(u.email!)).toHaveLength(0);

    const at = new Date(nextDigestAt(new Date(), app.ctx.config.timezone).getTime() + 1000);
    const rounds = await drain([worker], { now: () => at });
    expect(rounds[0]).toMatchObject({ claimed: 3, sent: 3 });
    const mails = smtp.to(u.email!);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Custodian daily digest: 3 notifications');
    for (let i = 0; i < 3; i++) expect(mails[0].text).toContain(renderMessage(KIND, { ...PARAMS, requestId: 100 + i }, 'en').subject);
    expect(mails[0].messageId).toMatch(/^<custodian\.digest\.d\d+\.3\.[0-9a-f]{16}@custodian\.example\.test>$/);
    const after = (await Promise.all(keys.map((k) => rowsOfKey(app, k)))).flat();
    expect(after.every((r) => r.status === 'sent')).toBe(true);
  });

  test('a digest leaves out what the reader already read in the console; all read = no mail', async () => {
    const u = await person(app, { language: 'en' });
    await app.ctx.db.tx((m) => m.getRepository(NotificationPreference).insert({ userId: u.id, kind: KIND, mode: 'digest' }));
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push(await write(app, [u], { params: { ...PARAMS, requestId: 200 + i } }));
    const first = (await rowsOfKey(app, keys[0]))[0];
    await app.ctx.outbox.markRead(u.id, first.notificationId);
    const at = new Date(nextDigestAt(new Date(), app.ctx.config.timezone).getTime() + 1000);
    await drain([worker], { now: () => at });
    const mails = smtp.to(u.email!);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Custodian daily digest: 2 notifications');
    expect(mails[0].text).not.toContain(renderMessage(KIND, { ...PARAMS, requestId: 200 }, 'en').subject);
    expect((await Promise.all(keys.map((k) => rowsOfKey(app, k)))).flat().every((r) => r.status === 'sent')).toBe(true);

    const v = await person(app, { language: 'en' });
    await app.ctx.db.tx((m) => m.getRepository(NotificationPreference).insert({ userId: v.id, kind: KIND, mode: 'digest' }));
    const only = await write(app, [v], { params: { ...PARAMS, requestId: 300 } });
    await app.ctx.outbox.markAllRead(v.id);
    await drain([worker], { now: () => at });
    expect(smtp.to(v.email!)).toHaveLength(0);
    expect((await rowsOfKey(app, only))[0].status).toBe('sent');
  });
});

describe('without SMTP_URL', () => {
  test('e-mail rows are not claimed (they wait, pending); robots still deliver', async () => {
    const off = await deliveryApp(null);
    const w = new DeliveryWorker(off.ctx);
    try {
      expect(off.ctx.config.notify.smtpUrl).toBeNull();
      const sc = await scope(off);
      await robot(off, { platform: 'feishu', scope: sc, url: `${hooks.baseUrl}/feishu/hook/nosmtp00001` });
      const key = await write(off, [await person(off)], { scope: sc });
      await drain([w]);
      const rows = await rowsOfKey(off, key);
      expect(rows.find((r) => r.channel === 'email')).toMatchObject({ status: 'pending', attempts: 0, claimToken: null });
      expect(rows.find((r) => r.channel === 'feishu')).toMatchObject({ status: 'sent' });
      expect(hooks.at('/feishu/hook/nosmtp00001')).toHaveLength(1);
    } finally {
      await w.stop();
      await off.close();
    }
  });
});

test('MAIL_FROM and the worker settings come from the environment', () => {
  expect(app.ctx.config.notify).toMatchObject({ mailFrom: MAIL_FROM, publicUrl: PUBLIC, maxAttempts: 3, backoffMs: 0, batch: 50, leaseMs: 60_000, pollMs: 0 });
});
