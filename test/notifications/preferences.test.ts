import { AuditEvent } from '../../src/entities/AuditEvent';
import { Notification } from '../../src/entities/Notification';
import { NotificationDelivery } from '../../src/entities/NotificationDelivery';
import { NotificationPreference } from '../../src/entities/NotificationPreference';
import { User } from '../../src/entities/User';
import { CATALOGUE } from '../../src/features/notifications/catalogue';
import { nextDigestAt } from '../../src/features/notifications/notification.service';
import { makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Each user chooses, per kind of message, in-app only, e-mail at once or the daily digest; a kind
 * that asks them to act keeps its e-mail (issue 13). The e-mail address and language are the
 * user's own profile (R-SCOPE), also set by the IT admin on the account (R-IT-PERMS).
 */
describe('notifications: preferences and profile', () => {
  let t: TestApp;
  let seq = 0;
  const KIND = 'system.robot_test';
  const actionKind = () => [...CATALOGUE.values()].find((d) => d.action)!;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const prefs = (u: MadeUser) => t.http().get('/api/v1/me/notification-preferences').set('Authorization', u.auth);
  const putPrefs = (u: MadeUser, kinds: unknown) => t.http().put('/api/v1/me/notification-preferences').set('Authorization', u.auth).send({ kinds });
  const profile = (u: MadeUser, body: unknown) => t.http().patch('/api/v1/me/profile').set('Authorization', u.auth).send(body as object);
  const paths = (res: { body: { error: { details: Array<{ path: string }> } } }) => res.body.error.details.map((d) => d.path).sort();
  /** Writes one message of `kind` for the user and answers its delivery rows. */
  const deliveriesOf = async (userId: number, kind: string, params: Record<string, string | number>) => {
    const key = `prefs.test:${process.pid}:${++seq}`;
    await t.ctx.db.tx((m) => t.ctx.outbox.enqueue(m, { recipientId: userId, kind, params, dedupeKey: key }));
    const n = await t.ctx.db.manager.getRepository(Notification).findOneByOrFail({ dedupeKey: key });
    return t.ctx.db.manager.getRepository(NotificationDelivery).find({ where: { notificationId: n.id } });
  };

  test('R-SCOPE: every declared kind is listed with its titles and allowed modes; no choice = e-mail', async () => {
    const me = await makeUser(t);
    const res = await prefs(me);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: null, language: 'zh-Hant' });
    expect(res.body.kinds.map((k: { kind: string }) => k.kind)).toEqual([...CATALOGUE.keys()]);
    for (const k of res.body.kinds) {
      const def = CATALOGUE.get(k.kind)!;
      expect(k).toEqual({ kind: def.kind, title: def.title, action: def.action, mode: 'email', modes: def.action ? ['email', 'digest'] : ['inapp', 'email', 'digest'] });
    }
  });

  test('R-SCOPE: a user sets modes per kind (only non-default choices stored, audited); an action kind cannot be in-app only (400 naming the field)', async () => {
    const me = await makeUser(t);
    const act = actionKind();
    const set = await putPrefs(me, [
      { kind: KIND, mode: 'inapp' },
      { kind: act.kind, mode: 'digest' },
    ]);
    expect(set.status).toBe(200);
    const mode = (body: { kinds: Array<{ kind: string; mode: string }> }, kind: string) => body.kinds.find((k) => k.kind === kind)!.mode;
    expect(mode(set.body, KIND)).toBe('inapp');
    expect(mode(set.body, act.kind)).toBe('digest');
    expect(mode((await prefs(me)).body, KIND)).toBe('inapp');
    expect(await t.ctx.db.manager.getRepository(NotificationPreference).countBy({ userId: me.id })).toBe(2);
    const audited = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'notification_preferences.updated', actorId: me.id });
    expect(audited.objectId).toBe(String(me.id));

    // Back to e-mail: the row goes (no row = e-mail); the other kind keeps its choice.
    expect((await putPrefs(me, [{ kind: KIND, mode: 'email' }])).status).toBe(200);
    expect(await t.ctx.db.manager.getRepository(NotificationPreference).findBy({ userId: me.id })).toEqual([expect.objectContaining({ kind: act.kind, mode: 'digest' })]);

    // Refusals: field by field, nothing changed.
    const bad = await putPrefs(me, [
      { kind: act.kind, mode: 'inapp' },
      { kind: 'no.such_kind', mode: 'digest' },
    ]);
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(['body.kinds.0.mode', 'body.kinds.1.kind']);
    const twice = await putPrefs(me, [
      { kind: KIND, mode: 'digest' },
      { kind: KIND, mode: 'inapp' },
    ]);
    expect(paths(twice)).toEqual(['body.kinds.1.kind']);
    expect(paths(await putPrefs(me, [{ kind: KIND, mode: 'sms' }]))).toEqual(['body.kinds.0.mode']);
    expect(paths(await putPrefs(me, [{ kind: KIND }]))).toEqual(['body.kinds.0.mode']);
    expect(mode((await prefs(me)).body, act.kind)).toBe('digest');
    expect(mode((await prefs(me)).body, KIND)).toBe('email');
  });

  test('R-SCOPE: the outbox follows the choice: e-mail now, the digest at the next 08:00 local, in-app only none; no address, no e-mail', async () => {
    const me = await makeUser(t);
    const noMail = await makeUser(t);
    expect((await profile(me, { email: 'me@example.com' })).status).toBe(200);
    const before = Date.now();

    const now = await deliveriesOf(me.id, KIND, { robotId: 1 });
    expect(now).toEqual([expect.objectContaining({ channel: 'email', target: 'me@example.com', digest: false, status: 'pending', attempts: 0 })]);
    expect(now[0].nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(now[0].nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);

    await putPrefs(me, [{ kind: KIND, mode: 'digest' }]).expect(200);
    const digest = await deliveriesOf(me.id, KIND, { robotId: 2 });
    expect(digest).toEqual([expect.objectContaining({ channel: 'email', digest: true })]);
    expect(digest[0].nextAttemptAt.getTime()).toBe(nextDigestAt(digest[0].createdAt, t.ctx.config.timezone).getTime());

    await putPrefs(me, [{ kind: KIND, mode: 'inapp' }]).expect(200);
    expect(await deliveriesOf(me.id, KIND, { robotId: 3 })).toEqual([]);
    // An action kind keeps its e-mail even if an in-app row were stored by some other path.
    const act = actionKind();
    await t.ctx.db.manager.getRepository(NotificationPreference).insert({ userId: me.id, kind: act.kind, mode: 'inapp' });
    expect(await deliveriesOf(me.id, act.kind, act.sample)).toEqual([expect.objectContaining({ channel: 'email', digest: false })]);

    expect(await deliveriesOf(noMail.id, KIND, { robotId: 4 })).toEqual([]);
  });

  test('R-SCOPE: the digest falls due at the next 08:00 in the configured timezone', () => {
    // Asia/Shanghai is UTC+8: 07:30 local is 23:30Z the day before; 08:00 local is 00:00Z.
    expect(nextDigestAt(new Date('2026-12-05T23:30:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(nextDigestAt(new Date('2026-12-06T00:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(nextDigestAt(new Date('2026-12-06T09:15:00Z'), 'Asia/Shanghai').toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(nextDigestAt(new Date('2026-12-31T12:00:00Z'), 'Asia/Shanghai').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextDigestAt(new Date('2026-07-01T05:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-07-01T06:00:00.000Z');
  });

  test('R-SCOPE: a user sets their own e-mail address and language (audited); a bad address is a 400 naming the field', async () => {
    const me = await makeUser(t);
    const res = await profile(me, { email: 'someone@example.com', language: 'en' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: me.id, email: 'someone@example.com', language: 'en' });
    expect((await t.http().get('/api/v1/me').set('Authorization', me.auth)).body.user).toMatchObject({ email: 'someone@example.com', language: 'en' });
    expect((await prefs(me)).body).toMatchObject({ email: 'someone@example.com', language: 'en' });
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'user.profile_updated', actorId: me.id });
    expect(ev.objectId).toBe(String(me.id));

    for (const email of ['not an address', 'a@b', 'x@example.com\r\nBcc: y@example.com', 'Name <n@example.com>']) {
      const bad = await profile(me, { email });
      expect(bad.status).toBe(400);
      expect(paths(bad)).toEqual(['body.email']);
    }
    expect(paths(await profile(me, { language: 'fr' }))).toEqual(['body.language']);
    expect(paths(await profile(me, { displayName: 'x' }))).toContain('body.displayName');
    expect((await profile(me, {})).status).toBe(400);
    expect(await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: me.id })).toMatchObject({ email: 'someone@example.com', language: 'en' });

    // null: no more e-mail, in-app only.
    expect((await profile(me, { email: null })).body.email).toBeNull();
  });

  test("R-IT-PERMS: the IT admin sets a user's e-mail address and language on create and edit; the user views show them", async () => {
    const admin = `Bearer ${t.admin.token}`;
    const username = `mail.${process.pid}.${Date.now()}`;
    const created = await t.http().post('/api/v1/users').set('Authorization', admin).send({ username, displayName: 'Mail User', password: 'a-long-password-1', email: 'mail.user@example.com', language: 'en' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'mail.user@example.com', language: 'en' });
    const plain = await t.http().post('/api/v1/users').set('Authorization', admin).send({ username: `${username}.b`, displayName: 'Plain', password: 'a-long-password-1' });
    expect(plain.body).toMatchObject({ email: null, language: 'zh-Hant' });

    const edited = await t.http().patch(`/api/v1/users/${created.body.id}`).set('Authorization', admin).send({ email: 'other@example.com', language: 'zh-Hant' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ email: 'other@example.com', language: 'zh-Hant' });
    expect((await t.http().get(`/api/v1/users/${created.body.id}`).set('Authorization', admin)).body).toMatchObject({ email: 'other@example.com' });
    const list = await t.http().get('/api/v1/users').query({ q: username }).set('Authorization', admin);
    expect(list.body.items.find((u: { id: number }) => u.id === created.body.id)).toMatchObject({ email: 'other@example.com', language: 'zh-Hant' });

    const bad = await t.http().patch(`/api/v1/users/${created.body.id}`).set('Authorization', admin).send({ email: 'nope', language: 'de' });
    expect(bad.status).toBe(400);
    expect(paths(bad)).toEqual(['body.email', 'body.language']);
  });
});
