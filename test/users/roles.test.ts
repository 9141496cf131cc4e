import { AuditEvent } from '../../src/entities/AuditEvent';
import { PERMISSIONS } from '../../src/policy/permissions';
import { makeDepartment, makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const CUSTOMER_ACTIONS = PERMISSIONS.customer;

/**
 * R-IT-PERMS (§3.1): the IT admin grants, revokes and lists roles; every change is recorded.
 * And the control-data matrix the roles carry: R-CTRL-IT, R-CTRL-CLERK, R-CTRL-STAFF, R-SECRET.
 */
describe('roles, assignments and policy lines', () => {
  let t: TestApp;
  const adminAuth = () => `Bearer ${t.admin.token}`;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const grant = (body: object, auth = adminAuth()) => t.http().post('/api/v1/role-assignments').set('Authorization', auth).send(body);
  const revoke = (id: number, auth = adminAuth()) => t.http().delete(`/api/v1/role-assignments/${id}`).set('Authorization', auth);
  const listFor = async (userId: number) => {
    const res = await t.http().get(`/api/v1/role-assignments?userId=${userId}`).set('Authorization', adminAuth());
    expect(res.status).toBe(200);
    return res.body.items as Array<{ id: number; userId: number; role: string; scope: string }>;
  };
  const explain = (user: string, scope: string, object: string, action: string) =>
    t
      .http()
      .get('/api/v1/authz/explain')
      .query({ user, scope, object, action })
      .set('Authorization', adminAuth());
  const policy = async () => {
    const res = await t.http().get('/api/v1/policy').set('Authorization', adminAuth());
    expect(res.status).toBe(200);
    return res.body as { version: number; lines: Array<{ id: number; role: string; scope: string; object: string; action: string; effect: string }> };
  };
  const events = (action: string, objectId: string | number) =>
    t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action, objectId: String(objectId) }, order: { seq: 'ASC' } });
  const expectValidation = (res: { status: number; body: { error: { code: string; details: Array<{ path: string }> } } }, path: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  };

  describe('granting and revoking (R-IT-PERMS)', () => {
    it('R-IT-PERMS: granting a role answers 201, is listed, takes effect and is audited with before/after and the acting admin', async () => {
      const p = await makeProject(t);
      const u = await makeUser(t);
      const scope = `project:${p.code}`;
      expect(t.ctx.authz.decide(u.id, scope, { object: 'customer', action: 'create' }).allowed).toBe(false);

      const res = await grant({ userId: u.id, role: 'staff', scope });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ id: expect.any(Number), userId: u.id, role: 'staff', scope });

      expect(await listFor(u.id)).toEqual([{ id: res.body.id, userId: u.id, role: 'staff', scope }]);
      const byScope = await t.http().get('/api/v1/role-assignments').query({ scope }).set('Authorization', adminAuth());
      expect(byScope.body.items).toEqual([expect.objectContaining({ userId: u.id, role: 'staff' })]);
      expect(t.ctx.authz.decide(u.id, scope, { object: 'customer', action: 'create' }).allowed).toBe(true);

      const ev = await events('role.granted', u.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(
        expect.objectContaining({
          actorId: t.admin.id,
          actorName: 'admin',
          objectType: 'user',
          scope,
          before: { assignments: [] },
          after: { assignments: [{ role: 'staff', scope }] },
        }),
      );
      expect(ev[0].requestId).toEqual(expect.any(String));
    });

    it('R-IT-PERMS: granting the same role twice answers 409 already_granted', async () => {
      const p = await makeProject(t);
      const scope = `project:${p.code}`;
      const u = await makeUser(t, { roles: [['info_clerk', scope]] });
      const res = await grant({ userId: u.id, role: 'info_clerk', scope });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('already_granted');
      expect(await listFor(u.id)).toHaveLength(1);
      expect(await events('role.granted', u.id)).toHaveLength(1);
    });

    it('R-IT-PERMS: an unknown role answers 400 on body.role', async () => {
      const p = await makeProject(t);
      const u = await makeUser(t);
      expectValidation(await grant({ userId: u.id, role: 'superuser', scope: `project:${p.code}` }), 'body.role');
      expect(await listFor(u.id)).toEqual([]);
    });

    it('R-IT-PERMS: a malformed scope or a scope that does not exist answers 400 on body.scope', async () => {
      const u = await makeUser(t);
      for (const scope of ['project:', 'project:NOPE', 'dept:NOPE', 'team:X', 'project:bad code']) {
        expectValidation(await grant({ userId: u.id, role: 'staff', scope }), 'body.scope');
      }
      expect(await listFor(u.id)).toEqual([]);
    });

    it('R-IT-PERMS: a role in the wrong kind of scope answers 400 on body.scope', async () => {
      const d = await makeDepartment(t);
      const p = await makeProject(t, { departmentCode: d.code });
      const u = await makeUser(t);
      expectValidation(await grant({ userId: u.id, role: 'dept_head', scope: `project:${p.code}` }), 'body.scope');
      expectValidation(await grant({ userId: u.id, role: 'info_clerk', scope: `dept:${d.code}` }), 'body.scope');
      expectValidation(await grant({ userId: u.id, role: 'it_admin', scope: `project:${p.code}` }), 'body.scope');
      expectValidation(await grant({ userId: u.id, role: 'staff', scope: '*' }), 'body.scope');
      expect(await listFor(u.id)).toEqual([]);
    });

    it('R-IT-PERMS: granting a role to yourself answers 403 self_grant_forbidden', async () => {
      const p = await makeProject(t);
      const res = await grant({ userId: t.admin.id, role: 'staff', scope: `project:${p.code}` });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('self_grant_forbidden');
      expect(await listFor(t.admin.id)).toEqual([expect.objectContaining({ role: 'it_admin', scope: '*' })]);
    });

    it('R-IT-PERMS: granting to a user that does not exist answers 404', async () => {
      const p = await makeProject(t);
      const res = await grant({ userId: 987654, role: 'staff', scope: `project:${p.code}` });
      expect(res.status).toBe(404);
    });

    it('R-IT-PERMS: only the IT admin manages roles: a clerk gets 403', async () => {
      const p = await makeProject(t);
      const clerk = await makeUser(t, { roles: [['info_clerk', `project:${p.code}`]] });
      const other = await makeUser(t);
      const res = await grant({ userId: other.id, role: 'staff', scope: `project:${p.code}` }, clerk.auth);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(await listFor(other.id)).toEqual([]);
    });

    it('R-IT-PERMS: revoking answers 204, the assignment is gone and role.revoked is audited with before/after', async () => {
      const p = await makeProject(t);
      const scope = `project:${p.code}`;
      const u = await makeUser(t, { roles: [['staff', scope], ['customer_manager', scope]] });
      const [staff] = (await listFor(u.id)).filter((a) => a.role === 'staff');

      const res = await revoke(staff.id);
      expect(res.status).toBe(204);
      expect(await listFor(u.id)).toEqual([expect.objectContaining({ role: 'customer_manager', scope })]);
      // staff was the only role giving customer:create here.
      expect(t.ctx.authz.decide(u.id, scope, { object: 'customer', action: 'create' }).allowed).toBe(false);

      const ev = await events('role.revoked', u.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(
        expect.objectContaining({
          actorId: t.admin.id,
          actorName: 'admin',
          scope,
          before: { assignments: [{ role: 'staff', scope }, { role: 'customer_manager', scope }] },
          after: { assignments: [{ role: 'customer_manager', scope }] },
        }),
      );
    });

    it('R-IT-PERMS: revoking an assignment that does not exist answers 404', async () => {
      const res = await revoke(987654);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });

    it('R-IT-PERMS: a policy line id is not a role assignment: revoking it answers 404 and the line stays', async () => {
      const { lines } = await policy();
      const res = await revoke(lines[0].id);
      expect(res.status).toBe(404);
      expect((await policy()).lines.map((l) => l.id)).toContain(lines[0].id);
    });

    it("R-IT-PERMS: revoking one's own it_admin is a self-change: 403", async () => {
      const [own] = await listFor(t.admin.id);
      const res = await revoke(own.id);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('self_grant_forbidden');
      expect(await listFor(t.admin.id)).toEqual([own]);
    });
  });

  describe('effective permissions and explanations', () => {
    it('R-IT-PERMS: GET /users/:id/permissions lists the lines that apply through each role (allow and deny)', async () => {
      const p = await makeProject(t);
      const scope = `project:${p.code}`;
      const clerk = await makeUser(t, { roles: [['info_clerk', scope]] });
      const res = await t.http().get(`/api/v1/users/${clerk.id}/permissions`).set('Authorization', adminAuth());
      expect(res.status).toBe(200);
      expect(res.body.assignments).toEqual([expect.objectContaining({ role: 'info_clerk', scope })]);
      expect(res.body.permissions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ scope, object: 'customer', action: '*', effect: 'allow', viaRole: 'info_clerk', lineId: expect.any(Number) }),
          expect.objectContaining({ scope, object: 'customer', action: 'import', effect: 'deny', viaRole: 'info_clerk' }),
          expect.objectContaining({ scope, object: 'customer', action: 'export', effect: 'deny', viaRole: 'info_clerk' }),
        ]),
      );
      // Only lines of the held role.
      expect(res.body.permissions.every((x: { viaRole: string }) => x.viaRole === 'info_clerk')).toBe(true);
      expect((await t.http().get('/api/v1/users/987654/permissions').set('Authorization', adminAuth())).status).toBe(404);
    });

    it('R-CTRL-CLERK: an information clerk is denied customer import by the deny line, and may update', async () => {
      const p = await makeProject(t);
      const scope = `project:${p.code}`;
      const clerk = await makeUser(t, { roles: [['info_clerk', scope]] });

      const imp = await explain(clerk.username, scope, 'customer', 'import');
      expect(imp.status).toBe(200);
      expect(imp.body).toEqual(
        expect.objectContaining({
          allowed: false,
          effect: 'deny',
          line: ['info_clerk', '*', 'customer', 'import', 'deny'],
          user: { id: clerk.id, username: clerk.username },
        }),
      );
      const exp = await explain(clerk.username, scope, 'customer', 'export');
      expect(exp.body).toEqual(expect.objectContaining({ allowed: false, effect: 'deny', line: ['info_clerk', '*', 'customer', 'export', 'deny'] }));

      for (const action of ['create', 'read', 'update', 'delete', 'reveal']) {
        const res = await explain(clerk.username, scope, 'customer', action);
        expect({ action, allowed: res.body.allowed, effect: res.body.effect }).toEqual({ action, allowed: true, effect: 'allow' });
      }
      const upd = await explain(clerk.username, scope, 'customer', 'update');
      expect(upd.body.line).toEqual(['info_clerk', '*', 'customer', '*', 'allow']);
      expect(upd.body.decidedIn).toBe(scope);
    });

    it('R-CTRL-STAFF: staff may create and read; update, delete, import and export are denied', async () => {
      const d = await makeDepartment(t);
      const p = await makeProject(t, { departmentCode: d.code });
      const scope = `project:${p.code}`;
      const staff = await makeUser(t, { roles: [['staff', scope]] });
      for (const action of ['create', 'read']) {
        const res = await explain(staff.username, scope, 'customer', action);
        expect(res.body).toEqual(expect.objectContaining({ allowed: true, effect: 'allow', line: ['staff', '*', 'customer', action, 'allow'] }));
      }
      for (const action of ['update', 'delete', 'import', 'export']) {
        const res = await explain(staff.username, scope, 'customer', action);
        expect({ action, allowed: res.body.allowed }).toEqual({ action, allowed: false });
      }
      // Staff held in the department covers its projects the same way.
      const deptStaff = await makeUser(t, { roles: [['staff', `dept:${d.code}`]] });
      expect((await explain(deptStaff.username, scope, 'customer', 'read')).body.allowed).toBe(true);
      expect((await explain(deptStaff.username, scope, 'customer', 'update')).body.allowed).toBe(false);
    });

    it('R-CTRL-IT: the IT admin has every customer permission in any project', async () => {
      const d = await makeDepartment(t);
      const inDept = await makeProject(t, { departmentCode: d.code });
      const loose = await makeProject(t);
      for (const scope of [`project:${inDept.code}`, `project:${loose.code}`, `dept:${d.code}`, '*']) {
        for (const action of CUSTOMER_ACTIONS) {
          const res = await explain('admin', scope, 'customer', action);
          expect({ scope, action, allowed: res.body.allowed }).toEqual({ scope, action, allowed: true });
          expect(res.body.line).toEqual(['it_admin', '*', 'customer', '*', 'allow']);
        }
      }
    });

    it('R-SECRET: a clerk of project P has nothing in another project Q', async () => {
      const d = await makeDepartment(t);
      const p = await makeProject(t, { departmentCode: d.code });
      const q = await makeProject(t, { departmentCode: d.code });
      const clerk = await makeUser(t, { roles: [['info_clerk', `project:${p.code}`]] });
      for (const action of CUSTOMER_ACTIONS) {
        const res = await explain(clerk.username, `project:${q.code}`, 'customer', action);
        expect({ action, allowed: res.body.allowed, effect: res.body.effect, line: res.body.line }).toEqual({ action, allowed: false, effect: 'default', line: null });
      }
      // Nothing at all, over the whole permission vocabulary, in Q, its department or the company.
      for (const scope of [`project:${q.code}`, `dept:${d.code}`, '*']) {
        for (const [object, actions] of Object.entries(PERMISSIONS)) {
          for (const action of actions) {
            expect({ scope, object, action, allowed: t.ctx.authz.decide(clerk.id, scope, { object, action }).allowed }).toEqual({ scope, object, action, allowed: false });
          }
        }
      }
    });

    it('R-SECRET: a user with no role is denied everything (no line matched)', async () => {
      const p = await makeProject(t);
      const u = await makeUser(t);
      const res = await explain(u.username, `project:${p.code}`, 'customer', 'read');
      expect(res.body).toEqual(expect.objectContaining({ allowed: false, effect: 'default', line: null }));
    });

    it('R-PRINT-APPROVE: a dept_head of department D covers a project inside D, not one outside', async () => {
      const d = await makeDepartment(t);
      const other = await makeDepartment(t);
      const inside = await makeProject(t, { departmentCode: d.code });
      const outside = await makeProject(t, { departmentCode: other.code });
      const loose = await makeProject(t);
      const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });

      const ok = await explain(head.username, `project:${inside.code}`, 'print_request', 'approve');
      expect(ok.body).toEqual(
        expect.objectContaining({
          allowed: true,
          effect: 'allow',
          line: ['dept_head', '*', 'print_request', 'approve', 'allow'],
          decidedIn: `dept:${d.code}`,
          checked: [`project:${inside.code}`, `dept:${d.code}`, '*'],
        }),
      );
      for (const code of [outside.code, loose.code]) {
        const res = await explain(head.username, `project:${code}`, 'print_request', 'approve');
        expect(res.body).toEqual(expect.objectContaining({ allowed: false, effect: 'default' }));
      }
    });

    it('R-IT-PERMS: explain validates its scope (400) and its user (404)', async () => {
      expectValidation(await explain('admin', 'project:NOPE', 'customer', 'read'), 'query.scope');
      expect((await explain('no.such.user', '*', 'customer', 'read')).status).toBe(404);
    });

    it('R-IT-PERMS: explain answers about the user named, even when the username is all digits', async () => {
      const p = await makeProject(t);
      const scope = `project:${p.code}`;
      // "01" is a valid username; it must not be read as user id 1 (the bootstrap admin).
      const staff = await makeUser(t, { username: `0${t.admin.id}`, roles: [['staff', scope]] });
      const res = await explain(staff.username, scope, 'customer', 'update');
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual({ id: staff.id, username: staff.username });
      expect(res.body.allowed).toBe(false);
    });
  });

  describe('policy lines', () => {
    it('R-CTRL-CLERK: adding an allow line for clerk import does not give the clerk import (deny-override)', async () => {
      const p = await makeProject(t);
      const scope = `project:${p.code}`;
      const clerk = await makeUser(t, { roles: [['info_clerk', scope]] });
      const added: number[] = [];
      try {
        for (const lineScope of ['*', scope]) {
          const res = await t
            .http()
            .post('/api/v1/policy/lines')
            .set('Authorization', adminAuth())
            .send({ role: 'info_clerk', scope: lineScope, object: 'customer', action: 'import', effect: 'allow' });
          expect(res.status).toBe(201);
          added.push(res.body.id);
          const imp = await explain(clerk.username, scope, 'customer', 'import');
          expect(imp.body).toEqual(expect.objectContaining({ allowed: false, effect: 'deny', line: ['info_clerk', '*', 'customer', 'import', 'deny'] }));
          expect(t.ctx.authz.decide(clerk.id, scope, { object: 'customer', action: 'import' }).allowed).toBe(false);
        }
      } finally {
        for (const id of added) await t.http().delete(`/api/v1/policy/lines/${id}`).set('Authorization', adminAuth());
      }
    });

    it('R-IT-PERMS: adding and removing a policy line bumps the version, takes effect and is audited', async () => {
      const p = await makeProject(t);
      const scope = `project:${p.code}`;
      const staff = await makeUser(t, { roles: [['staff', scope]] });
      const v0 = (await policy()).version;
      expect(t.ctx.authz.decide(staff.id, scope, { object: 'survey_note', action: 'read' }).allowed).toBe(false);

      const line = { role: 'staff', scope, object: 'survey_note', action: 'read', effect: 'allow' };
      const add = await t.http().post('/api/v1/policy/lines').set('Authorization', adminAuth()).send(line);
      expect(add.status).toBe(201);
      expect(add.body).toEqual({ id: expect.any(Number), ...line });
      const p1 = await policy();
      expect(p1.version).toBeGreaterThan(v0);
      expect(p1.lines).toContainEqual({ id: add.body.id, ...line });
      expect((await explain(staff.username, scope, 'survey_note', 'read')).body).toEqual(
        expect.objectContaining({ allowed: true, line: ['staff', scope, 'survey_note', 'read', 'allow'] }),
      );
      const addedEv = await events('policy.line_added', add.body.id);
      expect(addedEv).toHaveLength(1);
      expect(addedEv[0]).toEqual(expect.objectContaining({ actorId: t.admin.id, objectType: 'policy', scope, after: { role: 'staff', scope, object: 'survey_note', action: 'read', effect: 'allow' } }));

      const del = await t.http().delete(`/api/v1/policy/lines/${add.body.id}`).set('Authorization', adminAuth());
      expect(del.status).toBe(204);
      const p2 = await policy();
      expect(p2.version).toBeGreaterThan(p1.version);
      expect(p2.lines.map((l) => l.id)).not.toContain(add.body.id);
      expect((await explain(staff.username, scope, 'survey_note', 'read')).body.allowed).toBe(false);
      const removedEv = await events('policy.line_removed', add.body.id);
      expect(removedEv).toHaveLength(1);
      expect(removedEv[0]).toEqual(expect.objectContaining({ actorId: t.admin.id, before: expect.objectContaining({ id: add.body.id, ...line }) }));
    });

    it('R-IT-PERMS: granting and revoking roles bump the policy version too', async () => {
      const p = await makeProject(t);
      const u = await makeUser(t);
      const v0 = (await policy()).version;
      const g = await grant({ userId: u.id, role: 'staff', scope: `project:${p.code}` });
      const v1 = (await policy()).version;
      expect(v1).toBeGreaterThan(v0);
      expect((await revoke(g.body.id)).status).toBe(204);
      expect((await policy()).version).toBeGreaterThan(v1);
    });

    it('R-IT-PERMS: a line naming an unknown object or action, role or scope answers 400 and changes nothing', async () => {
      const before = await policy();
      const bad = [
        [{ role: 'staff', scope: '*', object: 'spaceship', action: 'read', effect: 'allow' }, 'body.action'],
        [{ role: 'staff', scope: '*', object: 'customer', action: 'fly', effect: 'allow' }, 'body.action'],
        [{ role: 'staff', scope: '*', object: '*', action: 'read', effect: 'allow' }, 'body.action'],
        [{ role: 'wizard', scope: '*', object: 'customer', action: 'read', effect: 'allow' }, 'body.role'],
        [{ role: 'staff', scope: 'project:', object: 'customer', action: 'read', effect: 'allow' }, 'body.scope'],
        [{ role: 'staff', scope: 'project:NOPE', object: 'customer', action: 'read', effect: 'allow' }, 'body.scope'],
        [{ role: 'staff', scope: '*', object: 'customer', action: 'read', effect: 'maybe' }, 'body.effect'],
        [{ role: 'staff', scope: '*', object: 'Customer!', action: 'read', effect: 'allow' }, 'body.object'],
      ] as const;
      for (const [line, path] of bad) {
        const res = await t.http().post('/api/v1/policy/lines').set('Authorization', adminAuth()).send(line);
        expectValidation(res, path);
      }
      const after = await policy();
      expect(after.version).toBe(before.version);
      expect(after.lines).toHaveLength(before.lines.length);
    });

    it('R-IT-PERMS: deleting a policy line that does not exist answers 404', async () => {
      const v0 = (await policy()).version;
      const res = await t.http().delete('/api/v1/policy/lines/987654').set('Authorization', adminAuth());
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      // A role assignment id is not a policy line either.
      const p = await makeProject(t);
      const u = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
      const [a] = await listFor(u.id);
      const v1 = (await policy()).version;
      expect(v1).toBeGreaterThan(v0);
      expect((await t.http().delete(`/api/v1/policy/lines/${a.id}`).set('Authorization', adminAuth())).status).toBe(404);
      expect(await listFor(u.id)).toEqual([a]);
      expect((await policy()).version).toBe(v1);
    });

    it('R-IT-PERMS: adding a line that already exists answers 409', async () => {
      const before = await policy();
      const res = await t
        .http()
        .post('/api/v1/policy/lines')
        .set('Authorization', adminAuth())
        .send({ role: 'info_clerk', scope: '*', object: 'customer', action: 'import', effect: 'deny' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('already_exists');
      expect(res.body.error.details).toEqual({ lineId: expect.any(Number) });
      const after = await policy();
      expect(after.version).toBe(before.version);
      expect(after.lines).toHaveLength(before.lines.length);
    });

    it('R-IT-PERMS: only the IT admin changes the policy: an auditor may read it but not add lines', async () => {
      const auditor = await makeUser(t, { roles: [['auditor', '*']] });
      expect((await t.http().get('/api/v1/policy').set('Authorization', auditor.auth)).status).toBe(200);
      const res = await t
        .http()
        .post('/api/v1/policy/lines')
        .set('Authorization', auditor.auth)
        .send({ role: 'auditor', scope: '*', object: 'customer', action: 'read', effect: 'allow' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    });
  });

  describe('organisation visibility', () => {
    it('R-SCOPE: every user holding a role may see the organisation, whatever the scope of the role', async () => {
      // policies/policy.csv: "every user may see the organisation" (org:read for every role).
      const d = await makeDepartment(t);
      const p = await makeProject(t, { departmentCode: d.code });
      const clerk = await makeUser(t, { roles: [['info_clerk', `project:${p.code}`]] });
      const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
      for (const u of [clerk, head]) {
        const depts = await t.http().get('/api/v1/departments').set('Authorization', u.auth);
        expect({ user: u.username, status: depts.status }).toEqual({ user: u.username, status: 200 });
        const project = await t.http().get(`/api/v1/projects/${p.code}`).set('Authorization', u.auth);
        expect({ user: u.username, status: project.status }).toEqual({ user: u.username, status: 200 });
      }
    });
  });
});

describe('R-IT-PERMS: concurrent role changes', () => {
  it('R-IT-PERMS: the same role granted twice at once: one 201, one 409, one membership', async () => {
    const t = await startTestApp();
    try {
      const p = await makeProject(t);
      const u = await makeUser(t);
      const grant = () => t.http().post('/api/v1/role-assignments').set('Authorization', `Bearer ${t.admin.token}`).send({ userId: u.id, role: 'staff', scope: `project:${p.code}` });
      const results = await Promise.all([grant(), grant(), grant()]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      expect(await t.ctx.access.listAssignments({ userId: u.id })).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
