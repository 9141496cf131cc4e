/**
 * /authz/explain gives the answer the API itself would give (issue 11, item 7): the account gate
 * every request passes first — the agreement signed (R-ONBOARD), the account not locked after
 * failed sign-ins (R-SCOPE), not offboarded (R-OFFBOARD) — then the policy (R-IT-PERMS), with the
 * reason in words. Each case asks explain and then makes the real request with the user's token.
 */
import { User } from '../../src/entities/User';
import { CURRENT_AGREEMENT } from '../../src/policy/agreement';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('/authz/explain answers what the API answers', () => {
  let t: TestApp;
  let project: string;
  const adminAuth = () => `Bearer ${t.admin.token}`;

  beforeAll(async () => {
    t = await startTestApp();
    const d = await makeDepartment(t);
    project = (await makeProject(t, { departmentCode: d.code })).code;
  });
  afterAll(async () => {
    await t.close();
  });

  const explain = async (user: string, object = 'customer', action = 'read') => {
    const res = await t.http().get('/api/v1/authz/explain').query({ user, scope: `project:${project}`, object, action }).set('Authorization', adminAuth());
    expect(res.status).toBe(200);
    return res.body as { allowed: boolean; refusedBy: string | null; reason: string; effect: string; line: string[] | null; account: { refusal: string | null } };
  };
  /** The real request explain is asked about: customer:read in the project. */
  const listCustomers = (u: MadeUser) => t.http().get('/api/v1/customers').query({ project }).set('Authorization', u.auth);
  const staff = (signed = true) => makeUser(t, { roles: [['staff', `project:${project}`]], signed });

  it('R-IT-PERMS: an active user allowed by a policy line: allowed, the line named in words, and the API answers 200', async () => {
    const u = await staff();
    const e = await explain(u.username);
    expect(e).toMatchObject({ allowed: true, refusedBy: null, effect: 'allow', line: ['staff', '*', 'customer', 'read', 'allow'], account: { refusal: null } });
    expect(e.reason).toMatch(/customer:read is allowed in project:\S+ by policy line staff, \*, customer, read, allow/);
    expect((await listCustomers(u)).status).toBe(200);

    const no = await explain(u.username, 'customer', 'delete');
    expect(no).toMatchObject({ allowed: false, refusedBy: 'policy' });
    expect(no.reason).toMatch(/^no policy line allows customer:delete in project:/);
  });

  it('R-ONBOARD: a user who has not signed the agreement is refused by explain, in words, as by the API (403 agreement_required)', async () => {
    const u = await staff(false);
    const e = await explain(u.username);
    expect(e).toMatchObject({ allowed: false, refusedBy: 'account', account: { refusal: 'agreement_required' } });
    expect(e.reason).toContain(`has not signed the confidentiality agreement version ${CURRENT_AGREEMENT.version}`);
    // The policy's own part is still shown: the role would allow it once signed.
    expect(e.effect).toBe('allow');
    const api = await listCustomers(u);
    expect({ status: api.status, code: api.body.error?.code }).toEqual({ status: 403, code: 'agreement_required' });
  });

  it('R-SCOPE: an account locked after failed sign-ins is refused by explain with the time the lock ends, as by the API (403 account_locked)', async () => {
    const u = await staff();
    for (let i = 0; i < 5; i++) {
      const bad = await t.http().post('/api/v1/auth/login').send({ username: u.username, password: 'wrong-password-1' });
      expect(bad.status).toBe(401);
    }
    const row = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    expect(row.lockedUntil).not.toBeNull();
    const e = await explain(u.username);
    expect(e).toMatchObject({ allowed: false, refusedBy: 'account', account: { refusal: 'account_locked' } });
    expect(e.reason).toContain(`account is locked until ${row.lockedUntil!.toISOString()}`);
    // The session opened before the lock is suspended with it: the API refuses, as explain says.
    const api = await listCustomers(u);
    expect({ status: api.status, code: api.body.error?.code }).toEqual({ status: 403, code: 'account_locked' });

    // Once the lock has passed, both let the user through again.
    await t.ctx.db.manager.getRepository(User).update({ id: u.id }, { lockedUntil: new Date(Date.now() - 1000) });
    expect((await explain(u.username)).allowed).toBe(true);
    expect((await listCustomers(u)).status).toBe(200);
  });

  it('R-OFFBOARD: a user who has left is refused by explain ("has left the company"), as by the API (the token is revoked: 401)', async () => {
    const u = await staff();
    const off = await t.http().post(`/api/v1/users/${u.id}/offboard`).set('Authorization', adminAuth()).send({ reason: 'left the company' });
    expect(off.status).toBe(200);
    const e = await explain(u.username);
    expect(e).toMatchObject({ allowed: false, refusedBy: 'account', account: { refusal: 'token_revoked' } });
    expect(e.reason).toContain('has left the company');
    const api = await listCustomers(u);
    expect({ status: api.status, code: api.body.error?.code }).toEqual({ status: 401, code: 'token_revoked' });
  });

  it('R-OFFBOARD: a leaver whose role lines somehow remain is still refused by explain (the account gate comes first)', async () => {
    const u = await staff();
    // Offboarded in the database alone (memberships kept): the policy would still allow.
    await t.ctx.db.manager.getRepository(User).update({ id: u.id }, { status: 'offboarded', offboardedAt: new Date() });
    const e = await explain(u.username);
    expect(e).toMatchObject({ allowed: false, refusedBy: 'account', effect: 'allow' });
    expect(e.reason).toMatch(/has left the company \(offboarded at \d{4}-/);
    expect((await listCustomers(u)).status).toBe(401);
  });
});
