import { AuditEvent } from '../../src/entities/AuditEvent';
import { Notification } from '../../src/entities/Notification';
import { NotificationDelivery } from '../../src/entities/NotificationDelivery';
import { NotificationRobot } from '../../src/entities/NotificationRobot';
import { robotCredentials } from '../../src/features/notifications/robot-crypto';
import { makeDepartment, makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Work-chat group robots (issue 13): the IT admin alone configures them (R-IT-PERMS); their
 * webhook URL (which holds the access token) and signing secret are encrypted at rest and never
 * returned whole; each event of a robot's scope reaches its group once.
 */
describe('notifications: group robots', () => {
  let t: TestApp;
  let admin: string;
  let seq = 0;
  const KIND = 'system.robot_test';

  beforeAll(async () => {
    t = await startTestApp();
    admin = `Bearer ${t.admin.token}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  const token = () => `tok${process.pid}x${++seq}abcdef0123456789`;
  const create = (body: Record<string, unknown>, auth = admin) => t.http().post('/api/v1/notification-robots').set('Authorization', auth).send(body);
  const paths = (res: { body: { error: { details: Array<{ path: string }> } } }) => res.body.error.details.map((d) => d.path).sort();
  const robotRow = (id: number) => t.ctx.db.manager.getRepository(NotificationRobot).findOneByOrFail({ id });

  test('R-IT-PERMS: the IT admin adds, lists, changes and removes robots; the webhook is masked, the secret only flagged, neither in the audit trail', async () => {
    const d = await makeDepartment(t);
    const tok = token();
    const url = `https://oapi.dingtalk.com/robot/send?access_token=${tok}`;
    const res = await create({ name: 'Dept group', platform: 'dingtalk', scope: `dept:${d.code}`, webhookUrl: url, secret: 'SECsigning-secret-1', kinds: [KIND] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Dept group', platform: 'dingtalk', scope: `dept:${d.code}`, hasSecret: true, kinds: [KIND], language: 'zh-Hant', enabled: true });
    expect(res.body.webhook).toBe(`https://oapi.dingtalk.com/…${tok.slice(-4)}`);
    expect(JSON.stringify(res.body)).not.toContain(tok);
    expect(JSON.stringify(res.body)).not.toContain('signing-secret');
    const id = res.body.id as number;

    const list = await t.http().get('/api/v1/notification-robots').set('Authorization', admin);
    expect(list.status).toBe(200);
    expect(list.body.items.find((r: { id: number }) => r.id === id)).toEqual(res.body);
    expect(JSON.stringify(list.body)).not.toContain(tok);

    const tok2 = token();
    const patched = await t
      .http()
      .patch(`/api/v1/notification-robots/${id}`)
      .set('Authorization', admin)
      .send({ name: 'Renamed', webhookUrl: `https://oapi.dingtalk.com/robot/send?access_token=${tok2}`, secret: null, kinds: null, language: 'en', enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, name: 'Renamed', hasSecret: false, kinds: null, language: 'en', enabled: false, webhook: `https://oapi.dingtalk.com/…${tok2.slice(-4)}` });
    expect(robotCredentials(t.ctx.cipher, await robotRow(id))).toEqual({ webhookUrl: `https://oapi.dingtalk.com/robot/send?access_token=${tok2}`, secret: null });

    const events = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ objectType: 'notification_robot', objectId: String(id) });
    expect(events.map((e) => e.action).sort()).toEqual(['notification_robot.created', 'notification_robot.updated']);
    const trail = JSON.stringify(events);
    for (const secret of [tok, tok2, 'signing-secret', 'access_token']) expect(trail).not.toContain(secret);

    const del = await t.http().delete(`/api/v1/notification-robots/${id}`).set('Authorization', admin);
    expect(del.status).toBe(204);
    expect((await t.http().delete(`/api/v1/notification-robots/${id}`).set('Authorization', admin)).status).toBe(404);
    expect((await t.http().patch(`/api/v1/notification-robots/${id}`).set('Authorization', admin).send({ enabled: true })).status).toBe(404);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'notification_robot.deleted', objectId: String(id) })).toBe(1);
  });

  test('R-IT-PERMS: the webhook URL and the secret are encrypted at rest: the raw columns hold neither the token nor the secret', async () => {
    const d = await makeDepartment(t);
    const tok = token();
    const url = `https://open.feishu.cn/open-apis/bot/v2/hook/${tok}`;
    const res = await create({ name: 'Feishu group', platform: 'feishu', scope: `dept:${d.code}`, webhookUrl: url, secret: 'feishu-sign-secret' });
    expect(res.status).toBe(201);
    const [raw] = await t.ctx.db.ds.query(`SELECT * FROM notification_robot WHERE id = ${Number(res.body.id)}`);
    const rawText = JSON.stringify(raw);
    expect(rawText).not.toContain(tok);
    expect(rawText).not.toContain('feishu-sign-secret');
    expect(rawText).not.toContain('open.feishu.cn');
    expect(raw.webhookUrl).toMatch(/^t1:[A-Za-z0-9+/=]+$/);
    // The cipher opens them again (the delivery worker's view), each bound to its own column.
    expect(robotCredentials(t.ctx.cipher, raw)).toEqual({ webhookUrl: url, secret: 'feishu-sign-secret' });
    expect(() => robotCredentials(t.ctx.cipher, { webhookUrl: raw.secret, secret: null })).toThrow();
  });

  test('R-IT-PERMS: field-level 400s for a bad scope, an unknown kind, a URL that is not http(s), an unknown platform', async () => {
    const d = await makeDepartment(t);
    const ok = { name: 'G', platform: 'wecom', scope: `dept:${d.code}`, webhookUrl: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${token()}` };
    expect(paths(await create({ ...ok, scope: '*' }))).toEqual(['body.scope']);
    expect(paths(await create({ ...ok, scope: 'dept:NOPE-404' }))).toEqual(['body.scope']);
    expect(paths(await create({ ...ok, kinds: [KIND, 'no.such_kind'] }))).toEqual(['body.kinds.1']);
    expect(paths(await create({ ...ok, webhookUrl: 'ftp://example.com/hook' }))).toEqual(['body.webhookUrl']);
    expect(paths(await create({ ...ok, webhookUrl: 'not a url' }))).toEqual(['body.webhookUrl']);
    expect(paths(await create({ ...ok, platform: 'slack', name: '' }))).toEqual(['body.name', 'body.platform']);
    expect(await t.ctx.db.manager.getRepository(NotificationRobot).countBy({ scope: `dept:${d.code}` })).toBe(0);
  });

  test('R-IT-PERMS: nobody but the IT admin reads or manages robots (403 naming the permission, audited)', async () => {
    const d = await makeDepartment(t);
    const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
    const read = await t.http().get('/api/v1/notification-robots').set('Authorization', head.auth);
    expect(read.status).toBe(403);
    expect(read.body.error.details.permission).toBe('notification_robot:read');
    const add = await create({ name: 'G', platform: 'wecom', scope: `dept:${d.code}`, webhookUrl: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${token()}` }, head.auth);
    expect(add.status).toBe(403);
    expect(add.body.error.details.permission).toBe('notification_robot:manage');
    const denials = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ action: 'access.denied', actorId: head.id });
    expect(denials.map((e) => (e.reason ?? '').split(' ')[0]).sort()).toEqual(['notification_robot:manage', 'notification_robot:read']);
  });

  test('R-IT-PERMS: a test message is one system.robot_test delivery for that robot alone', async () => {
    const d = await makeDepartment(t);
    const r = await create({ name: 'WeCom group', platform: 'wecom', scope: `dept:${d.code}`, webhookUrl: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${token()}` });
    const res = await t.http().post(`/api/v1/notification-robots/${r.body.id}/test`).set('Authorization', admin).send({});
    expect(res.status).toBe(202);
    const delivery = await t.ctx.db.manager.getRepository(NotificationDelivery).findOneByOrFail({ id: res.body.deliveryId });
    expect(delivery).toMatchObject({ channel: 'wecom', target: `robot:${r.body.id}`, status: 'pending', attempts: 0, digest: false });
    const n = await t.ctx.db.manager.getRepository(Notification).findOneByOrFail({ id: delivery.notificationId });
    expect(n).toMatchObject({ kind: KIND, recipientId: t.admin.id, objectType: 'notification_robot', objectId: String(r.body.id) });
    expect(JSON.parse(n.params!)).toEqual({ robotId: r.body.id });
    expect((await t.http().post('/api/v1/notification-robots/999999999/test').set('Authorization', admin).send({})).status).toBe(404);
  });

  test("R-IT-PERMS: an event of a project reaches each enabled robot of the project and of its department whose kinds admit it, once, however many recipients and calls", async () => {
    const d = await makeDepartment(t);
    const other = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const pm1 = await makeUser(t, { roles: [['project_manager', `project:${p.code}`]] });
    const pm2 = await makeUser(t, { roles: [['project_manager', `project:${p.code}`]] });
    const add = async (scope: string, extra: Record<string, unknown> = {}) =>
      (await create({ name: `R ${scope}`, platform: 'wecom', scope, webhookUrl: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${token()}`, ...extra })).body.id as number;
    const deptRobot = await add(`dept:${d.code}`);
    const projectRobot = await add(`project:${p.code}`, { kinds: [KIND] });
    await add(`dept:${other.code}`);
    await add(`project:${p.code}`, { enabled: false });
    // A robot whose kinds admit only another kind (stored directly, as if that kind were declared).
    const filtered = await add(`project:${p.code}`);
    await t.ctx.db.manager.getRepository(NotificationRobot).update({ id: filtered }, { kinds: JSON.stringify(['some.other_kind']) });

    const key = `robots.event:${process.pid}:${p.code}`;
    const msg = { kind: KIND, params: { robotId: 1 }, dedupeKey: key, scope: `project:${p.code}` };
    // The holder first (per-recipient key), then the role: one event, one message per group.
    await t.ctx.db.tx(async (m) => {
      await t.ctx.outbox.enqueue(m, { ...msg, recipientId: pm1.id, dedupeKey: `${key}:user:${pm1.id}` });
      expect(await t.ctx.outbox.enqueueToRole(m, 'project_manager', `project:${p.code}`, msg)).toBe(1);
    });
    const robotRows = () => t.ctx.db.manager.getRepository(NotificationDelivery).find({ where: { target: `robot:${deptRobot}` } });
    const rowsFor = async () => {
      const all = await t.ctx.db.manager.getRepository(NotificationDelivery).createQueryBuilder('d').where('d.dedupeKey LIKE :k', { k: `${key}:robot:%` }).getMany();
      return all.map((r) => r.target).sort();
    };
    expect(await rowsFor()).toEqual([`robot:${deptRobot}`, `robot:${projectRobot}`].sort());
    expect((await robotRows())[0]).toMatchObject({ channel: 'wecom', status: 'pending', digest: false, dedupeKey: `${key}:robot:${deptRobot}` });
    // The same event again: nothing new.
    await t.ctx.db.tx((m) => t.ctx.outbox.enqueueToUsers(m, [pm1.id, pm2.id], msg));
    expect(await rowsFor()).toHaveLength(2);
    expect(await t.ctx.db.manager.getRepository(Notification).countBy({ kind: KIND, scope: `project:${p.code}` })).toBe(2);

    // A department event reaches the department's robots only; an event without a scope, none.
    const dkey = `robots.dept:${process.pid}:${d.code}`;
    await t.ctx.db.tx((m) => t.ctx.outbox.enqueueToUsers(m, [pm1.id], { ...msg, dedupeKey: dkey, scope: `dept:${d.code}` }));
    const deptRows = await t.ctx.db.manager.getRepository(NotificationDelivery).createQueryBuilder('d').where('d.dedupeKey LIKE :k', { k: `${dkey}:robot:%` }).getMany();
    expect(deptRows.map((r) => r.target)).toEqual([`robot:${deptRobot}`]);
    const nkey = `robots.none:${process.pid}`;
    await t.ctx.db.tx((m) => t.ctx.outbox.enqueueToUsers(m, [pm1.id], { kind: KIND, params: { robotId: 1 }, dedupeKey: nkey }));
    expect(await t.ctx.db.manager.getRepository(NotificationDelivery).createQueryBuilder('d').where('d.dedupeKey LIKE :k', { k: `${nkey}%` }).getCount()).toBe(0);
  });
});
