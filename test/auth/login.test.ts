import bcrypt from 'bcryptjs';
import { bootstrap } from '../../src/bootstrap';
import { ConfigError, loadConfig } from '../../src/config/env';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { PolicyMeta } from '../../src/entities/PolicyMeta';
import { User } from '../../src/entities/User';
import { makeUser, tokenFor } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Authentication: nobody reaches anything without an account (R-SCOPE), every token of a user
 * can be revoked at once (R-OFFBOARD), and no password ever reaches the audit trail (R-AUDIT).
 */
describe('auth: login, lockout, logout, password change', () => {
  let t: TestApp;
  const adminAuth = () => `Bearer ${t.admin.token}`;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (username: string, password: string) => t.http().post('/api/v1/auth/login').send({ username, password });
  const userRow = (id: number) => t.ctx.db.manager.getRepository(User).findOneByOrFail({ id });

  it('R-SCOPE: login returns a bearer token that authenticates GET /api/v1/me', async () => {
    const u = await makeUser(t);
    const res = await login(u.username, u.password);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });

    const me = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${res.body.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(expect.objectContaining({ id: u.id, username: u.username }));
    expect(me.body.status).toBe('active');
  });

  it('R-SCOPE: requests without a token, or with a forged one, get 401', async () => {
    const none = await t.http().get('/api/v1/me');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');

    const forged = await t.http().get('/api/v1/me').set('Authorization', 'Bearer abc.def.ghi');
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_token');
  });

  it('R-SCOPE: an unknown user and a wrong password get the identical 401 invalid_credentials', async () => {
    const u = await makeUser(t);
    const unknown = await login(`nobody.${u.username}`, 'whatever-password-1');
    const wrong = await login(u.username, 'wrong-password-123');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_credentials');
    const strip = (b: { error: Record<string, unknown> }) => ({ ...b.error, requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(Object.keys(wrong.body.error).sort()).toEqual(Object.keys(unknown.body.error).sort());
  });

  it('R-SCOPE: four failed logins do not lock the account, and a success resets the count', async () => {
    const u = await makeUser(t);
    for (let i = 0; i < 4; i++) expect((await login(u.username, 'wrong-password-123')).status).toBe(401);
    expect((await login(u.username, u.password)).status).toBe(200);
    const row = await userRow(u.id);
    expect(row.failedLoginCount).toBe(0);
    expect(row.lockedUntil).toBeNull();
    // The count starts over: four more failures still do not lock.
    for (let i = 0; i < 4; i++) expect((await login(u.username, 'wrong-password-123')).status).toBe(401);
    expect((await login(u.username, u.password)).status).toBe(200);
  });

  it('R-SCOPE: five failed logins within 15 minutes lock the account; the correct password then fails too; auth.locked is audited', async () => {
    const u = await makeUser(t);
    for (let i = 0; i < 5; i++) {
      const res = await login(u.username, 'wrong-password-123');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_credentials');
    }
    const locked = await login(u.username, u.password);
    expect(locked.status).toBe(401);
    expect(locked.body.error.code).toBe('invalid_credentials');
    // The locked answer is the same as any other failure: nothing to enumerate.
    const unknown = await login(`nobody.${u.username}`, u.password);
    expect(locked.body.error.message).toBe(unknown.body.error.message);

    const row = await userRow(u.id);
    expect(row.lockedUntil).not.toBeNull();
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now());

    const audit = await t.http().get(`/api/v1/audit?action=auth.locked&objectId=${u.id}`).set('Authorization', adminAuth());
    expect(audit.status).toBe(200);
    expect(audit.body.total).toBe(1);
    expect(audit.body.items[0]).toEqual(expect.objectContaining({ action: 'auth.locked', objectType: 'user', objectId: String(u.id), actorId: u.id }));
    const refused = await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'auth.login_refused', objectId: String(u.id) });
    expect(refused).toBe(1);
  });

  it('R-SCOPE: failures older than 15 minutes do not count towards the lock', async () => {
    const u = await makeUser(t);
    for (let i = 0; i < 4; i++) await login(u.username, 'wrong-password-123');
    expect((await userRow(u.id)).failedLoginCount).toBe(4);
    // The window opened 16 minutes ago: the next failure starts a new window.
    await t.ctx.db.manager.getRepository(User).update({ id: u.id }, { failedLoginWindowStart: new Date(Date.now() - 16 * 60 * 1000) });
    expect((await login(u.username, 'wrong-password-123')).status).toBe(401);
    const row = await userRow(u.id);
    expect(row.lockedUntil).toBeNull();
    expect(row.failedLoginCount).toBe(1);
    expect((await login(u.username, u.password)).status).toBe(200);
  });

  it('R-SCOPE: five concurrent failed logins still lock the account', async () => {
    const u = await makeUser(t);
    const results = await Promise.all(Array.from({ length: 5 }, () => login(u.username, 'wrong-password-123')));
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    expect((await userRow(u.id)).lockedUntil).not.toBeNull();
    expect((await login(u.username, u.password)).status).toBe(401);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'auth.locked', objectId: String(u.id) })).toBe(1);
  });

  it('R-SCOPE: the lock clears once lockedUntil has passed', async () => {
    const u = await makeUser(t);
    for (let i = 0; i < 5; i++) await login(u.username, 'wrong-password-123');
    expect((await login(u.username, u.password)).status).toBe(401);

    await t.ctx.db.manager.getRepository(User).update({ id: u.id }, { lockedUntil: new Date(Date.now() - 1000) });
    const res = await login(u.username, u.password);
    expect(res.status).toBe(200);
    const row = await userRow(u.id);
    expect(row.lockedUntil).toBeNull();
    expect(row.failedLoginCount).toBe(0);
  });

  it('R-SCOPE: per-IP login rate limit answers 429 rate_limited after the limit', async () => {
    const limited = await startTestApp({ env: { LOGIN_RATE_LIMIT: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await limited.http().post('/api/v1/auth/login').send({ username: 'admin', password: 'wrong-password-123' });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401]);
      const res = await limited.http().post('/api/v1/auth/login').send({ username: 'admin', password: 'admin-password-123' });
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });

  it('R-OFFBOARD: logout revokes the token: the next request gets 401 token_revoked', async () => {
    const u = await makeUser(t);
    const { body } = await login(u.username, u.password);
    const auth = `Bearer ${body.accessToken}`;
    expect((await t.http().get('/api/v1/me').set('Authorization', auth)).status).toBe(200);

    const out = await t.http().post('/api/v1/auth/logout').set('Authorization', auth);
    expect(out.status).toBe(204);

    const after = await t.http().get('/api/v1/me').set('Authorization', auth);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('token_revoked');
    // The factory token (issued earlier, same version) is revoked too: logout revokes every token.
    const other = await t.http().get('/api/v1/me').set('Authorization', u.auth);
    expect(other.status).toBe(401);
    expect(other.body.error.code).toBe('token_revoked');
    // Logging in again works.
    expect((await login(u.username, u.password)).status).toBe(200);
  });

  it('R-OFFBOARD: changing the own password revokes old tokens; the new password logs in, the old one does not', async () => {
    const u = await makeUser(t);
    const newPassword = 'brand-new-password-42';

    const wrongCurrent = await t.http().post('/api/v1/me/password').set('Authorization', u.auth).send({ currentPassword: 'not-my-password', newPassword });
    expect(wrongCurrent.status).toBe(401);
    expect(wrongCurrent.body.error.code).toBe('invalid_credentials');

    const tooShort = await t.http().post('/api/v1/me/password').set('Authorization', u.auth).send({ currentPassword: u.password, newPassword: 'short' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.details).toEqual([expect.objectContaining({ path: 'body.newPassword' })]);

    const res = await t.http().post('/api/v1/me/password').set('Authorization', u.auth).send({ currentPassword: u.password, newPassword });
    expect(res.status).toBe(204);

    const old = await t.http().get('/api/v1/me').set('Authorization', u.auth);
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('token_revoked');

    expect((await login(u.username, u.password)).status).toBe(401);
    const fresh = await login(u.username, newPassword);
    expect(fresh.status).toBe(200);
    expect((await t.http().get('/api/v1/me').set('Authorization', `Bearer ${fresh.body.accessToken}`)).status).toBe(200);
    const event = await t.ctx.db.manager.getRepository(AuditEvent).findOneBy({ action: 'auth.password_changed', objectId: String(u.id) });
    expect(event).not.toBeNull();
  });

  it('R-AUDIT: passwords are stored as bcrypt hashes and never appear in an audit row or an API response', async () => {
    const password = 'Pw-Unique-7f3a9c1e-first';
    const newPassword = 'Pw-Unique-7f3a9c1e-second';
    const username = `pw.${Date.now().toString(36)}`;
    const responses: string[] = [];
    const keep = <R extends { text: string; status: number }>(r: R): R => {
      responses.push(r.text);
      return r;
    };

    const created = keep(
      await t.http().post('/api/v1/users').set('Authorization', adminAuth()).send({ username, displayName: 'Password Probe', password }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id as number;

    const row = await userRow(id);
    expect(row.passwordHash).toMatch(/^\$2[aby]\$/);
    expect(row.passwordHash).not.toContain(password);
    expect(await bcrypt.compare(password, row.passwordHash)).toBe(true);

    keep(await login(username, 'wrong-password-123'));
    const ok = keep(await login(username, password));
    expect(ok.status).toBe(200);
    const auth = `Bearer ${ok.body.accessToken}`;
    keep(await t.http().post('/api/v1/me/agreement').set('Authorization', auth).send({ version: '2026-1' }));
    keep(await t.http().get('/api/v1/me').set('Authorization', auth));
    keep(await t.http().post('/api/v1/me/password').set('Authorization', auth).send({ currentPassword: password, newPassword }));
    const reset = 'Pw-Unique-7f3a9c1e-third';
    keep(await t.http().post(`/api/v1/users/${id}/password`).set('Authorization', adminAuth()).send({ password: reset }));
    keep(await t.http().get(`/api/v1/users/${id}`).set('Authorization', adminAuth()));
    keep(await t.http().get(`/api/v1/users?q=${username}`).set('Authorization', adminAuth()));
    keep(await t.http().get('/api/v1/audit?limit=500').set('Authorization', adminAuth()));
    keep(await t.http().get('/api/v1/audit/export').set('Authorization', adminAuth()));

    const finalHash = (await userRow(id)).passwordHash;
    expect(finalHash).toMatch(/^\$2[aby]\$/);
    expect(finalHash).not.toBe(row.passwordHash);
    const secrets = [password, newPassword, reset, row.passwordHash, finalHash];
    for (const text of responses) {
      for (const s of secrets) expect(text).not.toContain(s);
      expect(text).not.toMatch(/passwordHash/);
    }

    const events = await t.ctx.db.manager.getRepository(AuditEvent).find();
    expect(events.length).toBeGreaterThan(0);
    const dump = JSON.stringify(events);
    for (const s of secrets) expect(dump).not.toContain(s);
    expect(dump).not.toMatch(/\$2[aby]\$\d\d\$/);
  });

  it('R-SECRET: in production, a missing JWT_SECRET refuses to start with a ConfigError naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'mysql://u:p@db:3306/custodian' })).toThrow(/JWT_SECRET/);
  });

  it('R-SECRET: a JWT_SECRET shorter than 32 characters refuses to start', () => {
    const short = 'x'.repeat(31);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: short, DATABASE_URL: 'mysql://u:p@db:3306/custodian' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', JWT_SECRET: short, DATABASE_URL: 'sqlite::memory:' })).toThrow(/JWT_SECRET/);
    // Exactly 32 characters is accepted.
    const keys = { DATA_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`, BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'), AUDIT_SIGNING_KEY: '/etc/custodian/audit-signing.pem' };
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'mysql://u:p@db:3306/custodian', ...keys })).not.toThrow();
  });

  it('R-IT-PERMS: running bootstrap again changes nothing (same admin, same policy lines, same version, no audit event)', async () => {
    const m = t.ctx.db.manager;
    const before = {
      admin: await m.getRepository(User).findOneByOrFail({ username: 'admin' }),
      lines: await t.ctx.policyStore.countLines(m),
      assignments: (await t.ctx.policyStore.listAssignments(m, {})).length,
      version: (await m.getRepository(PolicyMeta).findOneByOrFail({ id: 1 })).version,
      users: await m.getRepository(User).count(),
      seq: (await m.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
    };
    const printed: string[] = [];
    await bootstrap(t.ctx, { print: (l) => printed.push(l) });
    const after = {
      admin: await m.getRepository(User).findOneByOrFail({ username: 'admin' }),
      lines: await t.ctx.policyStore.countLines(m),
      assignments: (await t.ctx.policyStore.listAssignments(m, {})).length,
      version: (await m.getRepository(PolicyMeta).findOneByOrFail({ id: 1 })).version,
      users: await m.getRepository(User).count(),
      seq: (await m.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
    };
    expect(after.admin.id).toBe(before.admin.id);
    expect(after.admin.passwordHash).toBe(before.admin.passwordHash);
    expect(after.lines).toBe(before.lines);
    expect(after.assignments).toBe(before.assignments);
    expect(after.version).toBe(before.version);
    expect(t.ctx.policy.version).toBe(before.version);
    expect(after.users).toBe(before.users);
    expect(after.seq).toBe(before.seq);
    expect(printed).toEqual([]);
    // The admin still works.
    expect((await t.http().get('/api/v1/me').set('Authorization', `Bearer ${await tokenFor(t, t.admin.id)}`)).status).toBe(200);
  });
});
