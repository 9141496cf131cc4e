import { AuditEvent } from '../../src/entities/AuditEvent';
import { User } from '../../src/entities/User';
import { CURRENT_AGREEMENT } from '../../src/policy/agreement';
import { makeDepartment, makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/** R-ONBOARD (§5.2.5): a new employee signs the confidentiality agreement before any access. */
describe('onboarding: the confidentiality agreement gate', () => {
  let t: TestApp;
  const adminAuth = () => `Bearer ${t.admin.token}`;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** A user created through the API as admin, logged in through the API. */
  async function newUser() {
    const username = `onb.${process.pid}.${++seq}.${Math.random().toString(36).slice(2, 8)}`;
    const password = 'onboarding-password-1';
    const created = await t.http().post('/api/v1/users').set('Authorization', adminAuth()).send({ username, displayName: 'New Employee', password });
    expect(created.status).toBe(201);
    const login = await t.http().post('/api/v1/auth/login').send({ username, password });
    expect(login.status).toBe(200);
    return { id: created.body.id as number, username, password, created: created.body, auth: `Bearer ${login.body.accessToken}` };
  }

  async function grant(userId: number, role: string, scope: string) {
    const res = await t.http().post('/api/v1/role-assignments').set('Authorization', adminAuth()).send({ userId, role, scope });
    expect(res.status).toBe(201);
    return res.body;
  }

  const signedEvents = (userId: number) => t.ctx.db.manager.getRepository(AuditEvent).findBy({ action: 'agreement.signed', objectId: String(userId) });

  it('R-ONBOARD: a user created through POST /api/v1/users starts as pending_agreement', async () => {
    const u = await newUser();
    expect(u.created.status).toBe('pending_agreement');
    expect(u.created.agreementVersion).toBeNull();
    const row = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    expect(row.status).toBe('pending_agreement');
  });

  it('R-ONBOARD: a pending user can read its profile and the agreement, and sign it', async () => {
    const u = await newUser();
    const me = await t.http().get('/api/v1/me').set('Authorization', u.auth);
    expect(me.status).toBe(200);
    expect(me.body.status).toBe('pending_agreement');
    expect(me.body.agreement).toEqual({ currentVersion: CURRENT_AGREEMENT.version, signedVersion: null, required: true });

    const agreement = await t.http().get('/api/v1/agreement').set('Authorization', u.auth);
    expect(agreement.status).toBe(200);
    expect(agreement.body.version).toBe(CURRENT_AGREEMENT.version);
    expect(agreement.body.text).toEqual(expect.any(String));

    const sign = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({ version: CURRENT_AGREEMENT.version });
    expect(sign.status).toBe(200);
    expect(sign.body.status).toBe('active');
  });

  it('R-ONBOARD: before signing, every permission route answers 403 agreement_required, even with a role granted', async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const u = await newUser();
    await grant(u.id, 'staff', `project:${p.code}`);
    await grant(u.id, 'auditor', '*');
    // The role is in place: the policy would allow these once the agreement is signed.
    expect(t.ctx.authz.decide(u.id, '*', { object: 'org', action: 'read' }).allowed).toBe(true);
    expect(t.ctx.authz.decide(u.id, '*', { object: 'audit', action: 'read' }).allowed).toBe(true);

    const attempts: Array<[string, () => ReturnType<ReturnType<TestApp['http']>['get']>]> = [
      ['GET departments', () => t.http().get('/api/v1/departments')],
      ['GET project', () => t.http().get(`/api/v1/projects/${p.code}`)],
      ['GET users', () => t.http().get('/api/v1/users')],
      ['GET audit', () => t.http().get('/api/v1/audit')],
      ['GET policy', () => t.http().get('/api/v1/policy')],
      ['GET role-assignments', () => t.http().get('/api/v1/role-assignments')],
      ['GET permissions', () => t.http().get(`/api/v1/users/${u.id}/permissions`)],
      ['POST departments', () => t.http().post('/api/v1/departments').send({ code: `X${u.id}`, name: 'nope' })],
    ];
    for (const [name, req] of attempts) {
      const res = await req().set('Authorization', u.auth);
      expect({ name, status: res.status, code: res.body.error?.code }).toEqual({ name, status: 403, code: 'agreement_required' });
    }
    // Nothing of that was let through: still pending, no department created.
    const me = await t.http().get('/api/v1/me').set('Authorization', u.auth);
    expect(me.body.status).toBe('pending_agreement');
    expect(me.body.assignments).toHaveLength(2);
  });

  it('R-ONBOARD: signing a version other than the current one is refused with 400 on body.version', async () => {
    const u = await newUser();
    const res = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({ version: '1999-1' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'body.version' })]);

    const missing = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: 'body.version' })]);

    const row = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    expect(row.status).toBe('pending_agreement');
    expect(row.agreementVersion).toBeNull();
    expect(await signedEvents(u.id)).toHaveLength(0);
  });

  it('R-ONBOARD: after signing the current version the account is active, the granted role works, and agreement.signed is audited', async () => {
    const p = await makeProject(t);
    const u = await newUser();
    await grant(u.id, 'auditor', '*');
    await grant(u.id, 'staff', `project:${p.code}`);
    expect((await t.http().get('/api/v1/users').set('Authorization', u.auth)).status).toBe(403);

    const sign = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({ version: CURRENT_AGREEMENT.version });
    expect(sign.status).toBe(200);
    expect(sign.body).toEqual(expect.objectContaining({ id: u.id, status: 'active', agreementVersion: CURRENT_AGREEMENT.version }));
    expect(sign.body.agreementSignedAt).toEqual(expect.any(String));

    // Same token: the auditor role's permissions now apply.
    const users = await t.http().get('/api/v1/users').set('Authorization', u.auth);
    expect(users.status).toBe(200);
    const audit = await t.http().get('/api/v1/audit').set('Authorization', u.auth);
    expect(audit.status).toBe(200);
    const depts = await t.http().get('/api/v1/departments').set('Authorization', u.auth);
    expect(depts.status).toBe(200);
    // ... and nothing beyond the roles: an auditor changes nothing.
    const create = await t.http().post('/api/v1/departments').set('Authorization', u.auth).send({ code: `X${u.id}`, name: 'nope' });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('forbidden');
    // The project role is in force too (decided by the same policy the routes use).
    expect(t.ctx.authz.decide(u.id, `project:${p.code}`, { object: 'customer', action: 'create' }).allowed).toBe(true);

    const me = await t.http().get('/api/v1/me').set('Authorization', u.auth);
    expect(me.body.agreement).toEqual({ currentVersion: CURRENT_AGREEMENT.version, signedVersion: CURRENT_AGREEMENT.version, required: false });

    const events = await signedEvents(u.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual(
      expect.objectContaining({
        actorId: u.id,
        actorName: u.username,
        before: { status: 'pending_agreement', agreementVersion: null },
        after: { status: 'active', agreementVersion: CURRENT_AGREEMENT.version },
      }),
    );
  });

  it('R-ONBOARD: signing twice changes nothing and records no second event', async () => {
    const u = await newUser();
    const first = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({ version: CURRENT_AGREEMENT.version });
    expect(first.status).toBe(200);
    const rowBefore = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });

    const second = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({ version: CURRENT_AGREEMENT.version });
    expect(second.status).toBe(200);
    expect(second.body.status).toBe('active');
    expect(second.body.agreementSignedAt).toBe(first.body.agreementSignedAt);

    const rowAfter = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    expect(rowAfter.agreementSignedAt?.getTime()).toBe(rowBefore.agreementSignedAt?.getTime());
    expect(rowAfter.tokenVersion).toBe(rowBefore.tokenVersion);
    expect(await signedEvents(u.id)).toHaveLength(1);
  });

  it('R-ONBOARD: a pending user may log out (its tokens are revoked) but its token reaches nothing else', async () => {
    const u = await newUser();
    const out = await t.http().post('/api/v1/auth/logout').set('Authorization', u.auth);
    expect(out.status).toBe(204);
    const me = await t.http().get('/api/v1/me').set('Authorization', u.auth);
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('token_revoked');
  });

  it('R-ONBOARD: a new agreement version requires everyone to sign again before the next access', async () => {
    const p = await makeProject(t);
    const u = await makeUser(t, { roles: [['staff', `project:${p.code}`], ['auditor', '*']] });
    expect((await t.http().get('/api/v1/users').set('Authorization', u.auth)).status).toBe(200);

    const original = CURRENT_AGREEMENT.version;
    CURRENT_AGREEMENT.version = '2099-1';
    try {
      const refused = await t.http().get('/api/v1/users').set('Authorization', u.auth);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('agreement_required');

      const stale = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({ version: original });
      expect(stale.status).toBe(400);
      expect(stale.body.error.details).toEqual([expect.objectContaining({ path: 'body.version' })]);

      const sign = await t.http().post('/api/v1/me/agreement').set('Authorization', u.auth).send({ version: '2099-1' });
      expect(sign.status).toBe(200);
      expect(sign.body.agreementVersion).toBe('2099-1');
      expect((await t.http().get('/api/v1/users').set('Authorization', u.auth)).status).toBe(200);
    } finally {
      CURRENT_AGREEMENT.version = original;
    }
  });
});
