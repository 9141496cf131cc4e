/**
 * Issue 13: dead letters are listed for the IT admin (GET /api/v1/notification-deliveries) and
 * sent again once the cause is fixed (POST /api/v1/notification-deliveries/:id/retry): 409
 * unless dead, 404 for none, 403 for anyone but the IT admin; the retry is audited.
 */
import { AuditEvent } from '../../src/entities/AuditEvent';
import { User } from '../../src/entities/User';
import { DeliveryWorker } from '../../src/features/notifications/delivery/delivery.worker';
import { makeUser } from '../helpers/factories';
import { TestSmtp } from '../helpers/smtp';
import { TestApp } from '../helpers/test-app';
import { WebhookReceiver } from '../helpers/webhook-receiver';
import { deliveryApp, drain, KIND, person, robot, rowsOfKey, scope, write } from './delivery-fixtures';

let smtp: TestSmtp;
let hooks: WebhookReceiver;
let app: TestApp;
let worker: DeliveryWorker;

beforeAll(async () => {
  smtp = await TestSmtp.start();
  hooks = await WebhookReceiver.start();
  app = await deliveryApp(smtp, { NOTIFY_MAX_ATTEMPTS: '2' });
  worker = new DeliveryWorker(app.ctx);
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await hooks?.close();
  await smtp?.stop();
});

const admin = () => `Bearer ${app.admin.token}`;
const list = (q = '', auth = admin()) => app.http().get(`/api/v1/notification-deliveries${q}`).set('Authorization', auth);
const retry = (id: number, auth = admin()) => app.http().post(`/api/v1/notification-deliveries/${id}/retry`).set('Authorization', auth).send();

test('dead letters are listed with their last error and retried through the API; a retried letter goes out once the cause is fixed', async () => {
  const sc = await scope(app);
  const u = await person(app, { email: 'typo@@staff.example.test' });
  hooks.set('/wecom/down', 'http500');
  const robotId = await robot(app, { platform: 'wecom', scope: sc, url: `${hooks.baseUrl}/wecom/down?key=ROUTE-KEY-00001` });
  const key = await write(app, [u], { scope: sc });
  await drain([worker]);
  const rows = await rowsOfKey(app, key);
  expect(rows.map((r) => r.status)).toEqual(['dead', 'dead']);

  const res = await list('?status=dead');
  expect(res.status).toBe(200);
  const mine = (res.body.items as Array<Record<string, unknown>>).filter((i) => rows.some((r) => r.id === i.id));
  expect(mine).toHaveLength(2);
  expect(res.body.total).toBeGreaterThanOrEqual(2);
  const mail = mine.find((i) => i.channel === 'email')!;
  const bot = mine.find((i) => i.channel === 'wecom')!;
  expect(mail).toMatchObject({ kind: KIND, status: 'dead', attempts: 2, target: 'typo@@staff.example.test', sentAt: null });
  expect(String(mail.lastError)).toMatch(/e-mail not accepted/);
  expect(bot).toMatchObject({ kind: KIND, status: 'dead', attempts: 2, target: `robot:${robotId}`, lastError: 'wecom webhook answered HTTP 500' });
  // The robot's webhook (its token) appears nowhere in the answer.
  expect(JSON.stringify(res.body)).not.toContain('ROUTE-KEY-00001');
  for (const k of ['nextAttemptAt', 'createdAt']) expect(typeof mail[k]).toBe('string');

  // The webhook is back: the robot's letter is retried.
  hooks.set('/wecom/down', 'ok');
  const r1 = await retry(Number(bot.id));
  expect(r1.status).toBe(200);
  expect(r1.body).toMatchObject({ id: bot.id, status: 'pending', attempts: 0, kind: KIND });
  const events = await app.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'notification_delivery.retried', objectId: String(bot.id) } });
  expect(events).toHaveLength(1);
  expect(events[0].actorId).toBe(app.admin.id);

  await drain([worker]);
  expect(hooks.at('/wecom/down').length).toBe(3);
  expect((await rowsOfKey(app, key)).find((r) => r.channel === 'wecom')).toMatchObject({ status: 'sent', attempts: 1 });

  // A retry of a letter that is not dead: 409, and nothing changes. None at all: 404.
  const again = await retry(Number(bot.id));
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('state_changed');
  expect((await retry(987654)).status).toBe(404);

  // The pending/sent filters.
  const sent = await list('?status=sent&limit=500');
  expect((sent.body.items as Array<{ id: number }>).some((i) => i.id === bot.id)).toBe(true);
  expect((sent.body.items as Array<{ status: string }>).every((i) => i.status === 'sent')).toBe(true);
  expect((await list('?status=lost')).status).toBe(400);

  // The address corrected by the IT admin: the retried mail goes to the address the user has now.
  await app.ctx.db.tx((m) => m.getRepository(User).update({ id: u.id }, { email: 'fixed@staff.example.test' }));
  const r2 = await retry(Number(mail.id));
  expect(r2.status).toBe(200);
  expect(r2.body).toMatchObject({ status: 'pending', target: 'fixed@staff.example.test' });
  await drain([worker]);
  expect((await rowsOfKey(app, key)).find((r) => r.channel === 'email')).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
  expect(smtp.to('fixed@staff.example.test')).toHaveLength(1);
});

test('only the IT admin lists and retries deliveries (403 for others, 401 without a token)', async () => {
  const pm = await makeUser(app, { roles: [['project_manager', await scope(app)]] });
  expect((await list('', pm.auth)).status).toBe(403);
  expect((await retry(1, pm.auth)).status).toBe(403);
  expect((await app.http().get('/api/v1/notification-deliveries')).status).toBe(401);
});
