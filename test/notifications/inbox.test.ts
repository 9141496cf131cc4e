import { AuditEvent } from '../../src/entities/AuditEvent';
import { Notification } from '../../src/entities/Notification';
import { CATALOGUE, renderMessage } from '../../src/features/notifications/catalogue';
import type { OutboxMessage } from '../../src/features/notifications/notification.service';
import { makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * The in-app inbox (issue 13): every message written for a user is in their inbox, rendered in
 * their language; they list, count and mark their own, and nobody else's (R-SCOPE).
 */
describe('notifications: the inbox', () => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const KIND = 'system.robot_test';
  /** Writes one message for the user in a transaction of its own, as a service would in the change's. */
  const write = (msg: Partial<OutboxMessage> & { recipientId: number }) =>
    t.ctx.db.tx((m) => t.ctx.outbox.enqueue(m, { kind: KIND, params: { robotId: ++seq }, dedupeKey: `inbox.test:${process.pid}:${seq}`, ...msg }));
  const get = (u: MadeUser, path: string, query: Record<string, string> = {}) => t.http().get(path).query(query).set('Authorization', u.auth);
  const post = (u: MadeUser, path: string) => t.http().post(path).set('Authorization', u.auth).send({});
  const idsOf = (body: { items: Array<{ id: number }> }) => body.items.map((i) => i.id);
  const rowsOf = (userId: number) => t.ctx.db.manager.getRepository(Notification).find({ where: { recipientId: userId }, order: { id: 'ASC' } });

  test('R-SCOPE: a user lists their own messages, newest first, with the total and the unread count; never another user\'s', async () => {
    const me = await makeUser(t);
    const other = await makeUser(t);
    for (let i = 0; i < 3; i++) expect(await write({ recipientId: me.id })).toBe(true);
    await write({ recipientId: other.id });

    const res = await get(me, '/api/v1/me/notifications');
    expect(res.status).toBe(200);
    const mine = await rowsOf(me.id);
    expect(idsOf(res.body)).toEqual(mine.map((n) => n.id).reverse());
    expect(res.body).toMatchObject({ total: 3, unread: 3 });
    const first = res.body.items[0];
    expect(Object.keys(first).sort()).toEqual(['action', 'body', 'createdAt', 'id', 'kind', 'link', 'objectId', 'objectType', 'readAt', 'subject']);
    expect(first).toMatchObject({ kind: KIND, action: false, link: '/inbox', readAt: null });

    // Pages: limit and offset over the same order; the total stays that of the filter.
    const page = await get(me, '/api/v1/me/notifications', { limit: '2', offset: '1' });
    expect(idsOf(page.body)).toEqual(idsOf(res.body).slice(1, 3));
    expect(page.body.total).toBe(3);
    // Field-level 400s for a malformed query.
    const bad = await get(me, '/api/v1/me/notifications', { limit: '0', unread: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.limit', 'query.unread']);
    // No token: 401.
    expect((await t.http().get('/api/v1/me/notifications')).status).toBe(401);
  });

  test('R-SCOPE: each message is rendered at write time in the recipient\'s language, with the link and action of its kind', async () => {
    const zh = await makeUser(t);
    const en = await makeUser(t);
    await t.http().patch('/api/v1/me/profile').set('Authorization', en.auth).send({ language: 'en' }).expect(200);
    const params = { robotId: 77 };
    await t.ctx.db.tx((m) => t.ctx.outbox.enqueueToUsers(m, [zh.id, en.id, en.id], { kind: KIND, params, dedupeKey: `inbox.lang:${process.pid}` }));
    const [zhRow] = await rowsOf(zh.id);
    const [enRow] = await rowsOf(en.id);
    expect(zhRow).toMatchObject({ subject: renderMessage(KIND, params, 'zh-Hant').subject, body: renderMessage(KIND, params, 'zh-Hant').body, link: '/inbox' });
    expect(enRow).toMatchObject({ subject: renderMessage(KIND, params, 'en').subject, dedupeKey: `inbox.lang:${process.pid}:user:${en.id}` });
    expect(JSON.parse(enRow.params!)).toEqual(params);
    expect(await rowsOf(en.id)).toHaveLength(1);

    // A kind that asks to act says so in the inbox.
    const act = [...CATALOGUE.values()].find((d) => d.action);
    if (act) {
      await t.ctx.db.tx((m) => t.ctx.outbox.enqueue(m, { recipientId: zh.id, kind: act.kind, params: act.sample, dedupeKey: `inbox.act:${process.pid}` }));
      const items = (await get(zh, '/api/v1/me/notifications', { kind: act.kind })).body.items;
      expect(items).toEqual([expect.objectContaining({ kind: act.kind, action: true, subject: renderMessage(act.kind, act.sample, 'zh-Hant').subject })]);
    }
  });

  test('R-SCOPE: the same dedupe key is written once, ever; an undeclared kind without text is a programming error', async () => {
    const me = await makeUser(t);
    const key = `inbox.dedupe:${process.pid}`;
    expect(await write({ recipientId: me.id, dedupeKey: key })).toBe(true);
    expect(await write({ recipientId: me.id, dedupeKey: key })).toBe(false);
    expect(await rowsOf(me.id)).toHaveLength(1);
    await expect(t.ctx.db.tx((m) => t.ctx.outbox.enqueue(m, { recipientId: me.id, kind: 'no.such_kind', params: {}, dedupeKey: `${key}:x` }))).rejects.toThrow(/declare it/);
  });

  test('R-SCOPE: unread count, mark one read (idempotent), mark all read; another user\'s message is a 404 and stays unread', async () => {
    const me = await makeUser(t);
    const other = await makeUser(t);
    for (let i = 0; i < 3; i++) await write({ recipientId: me.id });
    await write({ recipientId: other.id });
    const [a, b] = await rowsOf(me.id);
    const [theirs] = await rowsOf(other.id);

    expect((await get(me, '/api/v1/me/notifications/unread-count')).body).toEqual({ unread: 3 });
    const read = await post(me, `/api/v1/me/notifications/${a.id}/read`);
    expect(read.status).toBe(204);
    expect((await post(me, `/api/v1/me/notifications/${a.id}/read`)).status).toBe(204);
    expect((await get(me, '/api/v1/me/notifications/unread-count')).body).toEqual({ unread: 2 });
    const unreadOnly = await get(me, '/api/v1/me/notifications', { unread: 'true' });
    expect(idsOf(unreadOnly.body)).not.toContain(a.id);
    expect(unreadOnly.body).toMatchObject({ total: 2, unread: 2 });
    const readRow = (await get(me, '/api/v1/me/notifications')).body.items.find((i: { id: number }) => i.id === a.id);
    expect(readRow.readAt).toEqual(expect.any(String));

    // Another user's message: 404, as if it did not exist, and it stays unread.
    const denied = await post(me, `/api/v1/me/notifications/${theirs.id}/read`);
    expect(denied.status).toBe(404);
    expect(denied.body.error.code).toBe('not_found');
    expect((await get(other, '/api/v1/me/notifications/unread-count')).body).toEqual({ unread: 1 });
    expect((await post(me, '/api/v1/me/notifications/999999999/read')).status).toBe(404);
    const malformed = await post(me, '/api/v1/me/notifications/01/read');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0].path).toBe('params.id');

    const all = await post(me, '/api/v1/me/notifications/read-all');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({ marked: 2 });
    expect((await post(me, '/api/v1/me/notifications/read-all')).body).toEqual({ marked: 0 });
    expect((await get(me, '/api/v1/me/notifications/unread-count')).body).toEqual({ unread: 0 });
    expect((await get(other, '/api/v1/me/notifications/unread-count')).body).toEqual({ unread: 1 });
    expect((await rowsOf(me.id)).find((n) => n.id === b.id)!.readAt).not.toBeNull();
  });

  test('R-ONBOARD: before signing the agreement the inbox is refused (403 agreement_required, audited)', async () => {
    const unsigned = await makeUser(t, { signed: false });
    const res = await get(unsigned, '/api/v1/me/notifications');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('agreement_required');
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ actorId: unsigned.id, decision: 'deny' })).toBeGreaterThanOrEqual(1);
  });
});
