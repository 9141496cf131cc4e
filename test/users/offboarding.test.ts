import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { PolicyMeta } from '../../src/entities/PolicyMeta';
import { User } from '../../src/entities/User';
import { makeDepartment, makeProject, makeUser, MadeUser, tokenFor } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/** R-OFFBOARD (§5.2.5): a leaver hands over, and the account is closed: every token stops at once. */
describe('offboarding', () => {
  let t: TestApp;
  const adminAuth = () => `Bearer ${t.admin.token}`;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const offboard = (app: TestApp, auth: string, id: number, body: object = { reason: 'left the company' }) =>
    app.http().post(`/api/v1/users/${id}/offboard`).set('Authorization', auth).send(body);
  const assignmentsVia = async (app: TestApp, auth: string, userId: number) => {
    const res = await app.http().get(`/api/v1/role-assignments?userId=${userId}`).set('Authorization', auth);
    expect(res.status).toBe(200);
    return res.body.items as Array<{ id: number; role: string; scope: string }>;
  };
  const headSeq = async (app: TestApp) => (await app.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;

  async function leaver(): Promise<{ u: MadeUser; project: string }> {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const u = await makeUser(t, { roles: [['info_clerk', `project:${p.code}`], ['staff', `dept:${d.code}`]] });
    return { u, project: `project:${p.code}` };
  }

  it('R-OFFBOARD: offboarding closes the account, removes every role assignment and is audited', async () => {
    const { u, project } = await leaver();
    expect(await assignmentsVia(t, adminAuth(), u.id)).toHaveLength(2);
    const versionBefore = (await t.ctx.db.manager.getRepository(PolicyMeta).findOneByOrFail({ id: 1 })).version;

    const res = await offboard(t, adminAuth(), u.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(expect.objectContaining({ id: u.id, status: 'offboarded', offboardedAt: expect.any(String) }));
    expect(await assignmentsVia(t, adminAuth(), u.id)).toEqual([]);
    // The enforcer was reloaded: the clerk role no longer decides anything for them.
    expect(t.ctx.authz.decide(u.id, project, { object: 'customer', action: 'read' }).allowed).toBe(false);
    expect((await t.ctx.db.manager.getRepository(PolicyMeta).findOneByOrFail({ id: 1 })).version).toBeGreaterThan(versionBefore);

    const events = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ action: 'user.offboarded', objectId: String(u.id) });
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual(
      expect.objectContaining({
        actorId: t.admin.id,
        reason: 'left the company',
        before: { status: 'active', assignments: expect.arrayContaining([expect.objectContaining({ role: 'info_clerk', scope: project })]) },
        after: { status: 'offboarded', assignments: [] },
      }),
    );
  });

  it("R-OFFBOARD: an offboarded user's token is refused on the very next request, and login fails", async () => {
    const { u } = await leaver();
    const login = await t.http().post('/api/v1/auth/login').send({ username: u.username, password: u.password });
    expect(login.status).toBe(200);
    const loginAuth = `Bearer ${login.body.accessToken}`;
    expect((await t.http().get('/api/v1/me').set('Authorization', loginAuth)).status).toBe(200);

    expect((await offboard(t, adminAuth(), u.id)).status).toBe(200);

    for (const auth of [u.auth, loginAuth]) {
      const me = await t.http().get('/api/v1/me').set('Authorization', auth);
      expect(me.status).toBe(401);
      expect(me.body.error.code).toBe('token_revoked');
    }
    // Even a token minted with the current token version is refused: the account is closed.
    const minted = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${await tokenFor(t, u.id)}`);
    expect(minted.status).toBe(401);
    expect(minted.body.error.code).toBe('token_revoked');

    const again = await t.http().post('/api/v1/auth/login').send({ username: u.username, password: u.password });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_credentials');
  });

  it('R-OFFBOARD: a second offboard answers 409 already_offboarded', async () => {
    const { u } = await leaver();
    expect((await offboard(t, adminAuth(), u.id)).status).toBe(200);
    const seq = await headSeq(t);
    const res = await offboard(t, adminAuth(), u.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_offboarded');
    expect(await headSeq(t)).toBe(seq);
  });

  it('R-OFFBOARD: offboarding an unknown user answers 404', async () => {
    const res = await offboard(t, adminAuth(), 987654);
    expect(res.status).toBe(404);
  });

  it('R-OFFBOARD: nobody can offboard themselves (409)', async () => {
    const res = await offboard(t, adminAuth(), t.admin.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('cannot_offboard_self');
    const admin = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: t.admin.id });
    expect(admin.status).toBe('active');
  });

  it('R-OFFBOARD: only a holder of user:offboard may offboard (403 for a clerk)', async () => {
    const { u } = await leaver();
    const p = await makeProject(t);
    const clerk = await makeUser(t, { roles: [['info_clerk', `project:${p.code}`]] });
    const res = await offboard(t, clerk.auth, u.id);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect((await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id })).status).toBe('active');
  });

  it('R-OFFBOARD: while the user still holds something, offboarding is refused with 409 holdings_outstanding and nothing changes', async () => {
    const { u } = await leaver();
    let handedOver = false;
    t.ctx.holdings.register('test_copies', async (_m, userId) =>
      userId === u.id && !handedOver ? [{ kind: 'test_copies', id: 'CC-1', description: 'copy' }] : [],
    );

    const holdings = await t.http().get(`/api/v1/users/${u.id}/holdings`).set('Authorization', adminAuth());
    expect(holdings.status).toBe(200);
    expect(holdings.body.items).toEqual([{ kind: 'test_copies', id: 'CC-1', description: 'copy' }]);

    const before = {
      seq: await headSeq(t),
      assignments: await assignmentsVia(t, adminAuth(), u.id),
      user: await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id }),
      version: (await t.ctx.db.manager.getRepository(PolicyMeta).findOneByOrFail({ id: 1 })).version,
    };
    const res = await offboard(t, adminAuth(), u.id);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('holdings_outstanding');
    expect(res.body.error.details.holdings).toEqual([{ kind: 'test_copies', id: 'CC-1', description: 'copy' }]);

    const after = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    expect(after.status).toBe('active');
    expect(after.offboardedAt).toBeNull();
    expect(after.tokenVersion).toBe(before.user.tokenVersion);
    expect(await assignmentsVia(t, adminAuth(), u.id)).toEqual(before.assignments);
    // The only trace is the refusal itself (counted by the monthly risk assessment, R-RISK-MONTHLY).
    expect(await headSeq(t)).toBe(before.seq + 1);
    const refusal = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: before.seq + 1 });
    expect(refusal).toMatchObject({ action: 'user.offboard_refused', objectId: String(u.id), decision: 'deny', reason: 'holdings_outstanding', after: { holdings: [{ kind: 'test_copies', id: 'CC-1' }] } });
    expect((await t.ctx.db.manager.getRepository(PolicyMeta).findOneByOrFail({ id: 1 })).version).toBe(before.version);
    // The user's token still works: nothing was revoked.
    expect((await t.http().get('/api/v1/me').set('Authorization', u.auth)).status).toBe(200);

    // Others are not held up by this user's holdings.
    const { u: other } = await leaver();
    expect((await t.http().get(`/api/v1/users/${other.id}/holdings`).set('Authorization', adminAuth())).body.items).toEqual([]);

    // Once handed over, offboarding goes through.
    handedOver = true;
    expect((await t.http().get(`/api/v1/users/${u.id}/holdings`).set('Authorization', adminAuth())).body.items).toEqual([]);
    const done = await offboard(t, adminAuth(), u.id);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('offboarded');
  });

  it('R-OFFBOARD: an offboarded account cannot be given roles again (409 user_offboarded)', async () => {
    const { u } = await leaver();
    expect((await offboard(t, adminAuth(), u.id)).status).toBe(200);
    const p = await makeProject(t);
    const res = await t.http().post('/api/v1/role-assignments').set('Authorization', adminAuth()).send({ userId: u.id, role: 'staff', scope: `project:${p.code}` });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('user_offboarded');
    expect(await assignmentsVia(t, adminAuth(), u.id)).toEqual([]);
  });

  it('R-IT-PERMS: the last active IT admin cannot be removed (self-change 403, last-admin guard 409)', async () => {
    // A separate instance: this test takes the bootstrap admin's role away.
    const t2 = await startTestApp();
    try {
      const bootAuth = `Bearer ${t2.admin.token}`;
      const bootAssignment = (await assignmentsVia(t2, bootAuth, t2.admin.id)).find((a) => a.role === 'it_admin')!;

      // Revoking one's own it_admin is a self-change: refused before the last-admin guard.
      const self = await t2.http().delete(`/api/v1/role-assignments/${bootAssignment.id}`).set('Authorization', bootAuth);
      expect(self.status).toBe(403);
      expect(self.body.error.code).toBe('self_grant_forbidden');

      // A second admin may offboard the first: another active admin remains.
      const admin2 = await makeUser(t2, { roles: [['it_admin', '*']] });
      const first = await offboard(t2, admin2.auth, t2.admin.id);
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('offboarded');

      // admin2 is now the last active IT admin. Give a quality inspector the permissions to
      // offboard and revoke (a policy change an IT admin may make), then try to remove admin2.
      for (const [object, action] of [['user', 'offboard'], ['role_assignment', 'manage'], ['role_assignment', 'read']]) {
        const line = await t2.http().post('/api/v1/policy/lines').set('Authorization', admin2.auth).send({ role: 'quality_inspector', scope: '*', object, action, effect: 'allow' });
        expect(line.status).toBe(201);
      }
      const inspector = await makeUser(t2, { roles: [['quality_inspector', '*']] });
      const admin2Assignments = await assignmentsVia(t2, inspector.auth, admin2.id);
      const admin2Role = admin2Assignments.find((a) => a.role === 'it_admin')!;
      const seq = await headSeq(t2);

      const revoke = await t2.http().delete(`/api/v1/role-assignments/${admin2Role.id}`).set('Authorization', inspector.auth);
      expect(revoke.status).toBe(409);
      expect(revoke.body.error.code).toBe('last_it_admin');

      const off = await offboard(t2, inspector.auth, admin2.id);
      expect(off.status).toBe(409);
      expect(off.body.error.code).toBe('last_it_admin');

      // Nothing changed: admin2 is active, still it_admin, and its token works.
      expect(await assignmentsVia(t2, inspector.auth, admin2.id)).toEqual(admin2Assignments);
      expect((await t2.ctx.db.manager.getRepository(User).findOneByOrFail({ id: admin2.id })).status).toBe('active');
      expect(await headSeq(t2)).toBe(seq);
      expect((await t2.http().get('/api/v1/me').set('Authorization', admin2.auth)).status).toBe(200);

      // With a second active admin in place, the same revoke goes through.
      const admin3 = await makeUser(t2, { roles: [['it_admin', '*']] });
      expect(admin3.id).toBeGreaterThan(0);
      const ok = await t2.http().delete(`/api/v1/role-assignments/${admin2Role.id}`).set('Authorization', inspector.auth);
      expect(ok.status).toBe(204);
    } finally {
      await t2.close();
    }
  });

  it('R-OFFBOARD: offboarding on instance A is refused on instance B at once (same database)', async () => {
    const { u } = await leaver();
    const b = await startTestApp({ dbUrl: t.dbUrl });
    try {
      expect((await b.http().get('/api/v1/me').set('Authorization', u.auth)).status).toBe(200);
      expect((await offboard(t, adminAuth(), u.id)).status).toBe(200);
      // The very next request on B, no waiting for a policy poll.
      const res = await b.http().get('/api/v1/me').set('Authorization', u.auth);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('token_revoked');
      const login = await b.http().post('/api/v1/auth/login').send({ username: u.username, password: u.password });
      expect(login.status).toBe(401);
      expect(login.body.error.code).toBe('invalid_credentials');
    } finally {
      await b.close();
    }
  });
});
