/**
 * Issue 11, item 7: staff who must name a keeper, a witness or an approver could not list who is
 * eligible (GET /users is the IT admin's and the auditor's). The people picker, GET
 * /api/v1/people?permission=&scope=: the active users who hold a pickable permission in a scope,
 * decided as their own requests would be, with id, username and display name only; for whoever
 * holds a role in that scope or an enclosing one (R-SCOPE), others 403 (recorded).
 */
import { AuditEvent } from '../../src/entities/AuditEvent';
import { User } from '../../src/entities/User';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let D: string;
let P: string;
let R: string;
let pm: MadeUser;
let pmPending: MadeUser;
let head: MadeUser;
let staff: MadeUser;
let clerk: MadeUser;
let pmR: MadeUser;
let staffR: MadeUser;
let gm: MadeUser;

beforeAll(async () => {
  t = await startTestApp();
  D = (await makeDepartment(t)).code;
  P = (await makeProject(t, { departmentCode: D })).code;
  const E = (await makeDepartment(t)).code;
  R = (await makeProject(t, { departmentCode: E })).code;
  pm = await makeUser(t, { roles: [['project_manager', `project:${P}`]] });
  // Holds the role but has not signed the agreement: cannot act yet (R-ONBOARD), so not offered.
  pmPending = await makeUser(t, { roles: [['project_manager', `project:${P}`]], signed: false });
  head = await makeUser(t, { roles: [['dept_head', `dept:${D}`]] });
  staff = await makeUser(t, { roles: [['staff', `project:${P}`]] });
  clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
  pmR = await makeUser(t, { roles: [['project_manager', `project:${R}`]] });
  staffR = await makeUser(t, { roles: [['staff', `project:${R}`]] });
  gm = await makeUser(t, { roles: [['general_manager', '*']] });
  await t.ctx.db.manager.getRepository(User).update({ id: head.id }, { displayName: '王部長' });
});
afterAll(async () => {
  await t?.close();
});

const pick = (u: { auth: string }, query: Record<string, string>) => t.http().get('/api/v1/people').query(query).set('Authorization', u.auth);
const ids = (body: { items: Array<{ id: number }> }) => body.items.map((i) => i.id);
const byUsername = (...us: MadeUser[]) => [...us].sort((a, b) => (a.username < b.username ? -1 : 1)).map((u) => u.id);

describe('GET /api/v1/people: the people picker', () => {
  test('R-SCOPE: lists the active users who hold the permission in the scope (from the scope and its department), id, username and display name only', async () => {
    const approvers = await pick(staff, { permission: 'print_request:approve', scope: `project:${P}` });
    expect(approvers.status).toBe(200);
    // The project's manager and the head of its department; not the unsigned manager, not another project's.
    expect(ids(approvers.body)).toEqual(byUsername(pm, head));
    for (const item of approvers.body.items) expect(Object.keys(item).sort()).toEqual(['displayName', 'id', 'username']);
    expect(approvers.body.items.find((i: { id: number }) => i.id === head.id)).toEqual({ id: head.id, username: head.username, displayName: '王部長' });
    expect(ids(approvers.body)).not.toContain(pmPending.id);

    // Keepers and witnesses of a copy, witnesses of a handover destruction: the project's supervisors.
    expect(ids((await pick(clerk, { permission: 'controlled_copy:witness', scope: `project:${P}` })).body)).toEqual(byUsername(pm, head));
    expect(ids((await pick(pm, { permission: 'handover_file:witness', scope: `project:${P}` })).body)).toEqual(byUsername(pm, head));
    // The lead a handover file passes to: project managers only.
    expect(ids((await pick(pm, { permission: 'handover_file:hold', scope: `project:${P}` })).body)).toEqual([pm.id]);
    // Case approvers include company-wide roles (the general manager decides any amount).
    const deciders = ids((await pick(staff, { permission: 'case:decide', scope: `project:${P}` })).body);
    expect(deciders).toEqual(expect.arrayContaining([pm.id, head.id, gm.id]));
    expect(deciders).not.toContain(pmR.id);
    // The other department's project has its own.
    expect(ids((await pick(staffR, { permission: 'print_request:approve', scope: `project:${R}` })).body)).toEqual([pmR.id]);
  });

  test('R-RISK-MONTHLY: a rectification owner may be anyone holding a role in the project or its department (user:pick), not elsewhere', async () => {
    const owners = ids((await pick(head, { permission: 'user:pick', scope: `project:${P}` })).body);
    expect(owners).toEqual(expect.arrayContaining([pm.id, head.id, staff.id, clerk.id]));
    expect(owners).not.toContain(pmPending.id);
    expect(owners).not.toContain(staffR.id);
    expect(owners).not.toContain(pmR.id);
  });

  test('R-SCOPE: eligibility is the policy decision itself: a deny line pinned to the project removes the project managers from its approvers', async () => {
    const admin = `Bearer ${t.admin.token}`;
    const P2 = (await makeProject(t, { departmentCode: D })).code;
    const pm2 = await makeUser(t, { roles: [['project_manager', `project:${P2}`]] });
    const line = { role: 'project_manager', scope: `project:${P2}`, object: 'print_request', action: 'approve', effect: 'deny' };
    expect(ids((await pick(pm2, { permission: 'print_request:approve', scope: `project:${P2}` })).body)).toEqual(byUsername(pm2, head));
    const added = await t.http().post('/api/v1/policy/lines').set('Authorization', admin).send(line);
    expect(added.status).toBe(201);
    expect(ids((await pick(pm2, { permission: 'print_request:approve', scope: `project:${P2}` })).body)).toEqual([head.id]);
  });

  test('R-SCOPE: whoever holds no role in the scope or an enclosing one is refused (403 naming user:pick, recorded); the department head covers its projects', async () => {
    const noRole = await makeUser(t);
    const cases: Array<[string, MadeUser, string]> = [
      ['staff of another project', staffR, `project:${P}`],
      ['a user with no role', noRole, `project:${P}`],
      ['project staff asking about the department', staff, `dept:${D}`],
      ['project staff asking about the company', staff, '*'],
    ];
    for (const [label, u, scope] of cases) {
      const res = await pick(u, { permission: 'print_request:approve', scope });
      expect({ label, status: res.status, permission: res.body.error?.details?.permission }).toEqual({ label, status: 403, permission: 'user:pick' });
      const denied = await t.ctx.db.manager.getRepository(AuditEvent).findOne({ where: { actorId: u.id, action: 'access.denied', scope }, order: { seq: 'DESC' } });
      expect(denied?.reason).toMatch(/^user:pick /);
    }
    expect((await pick(head, { permission: 'print_request:approve', scope: `project:${P}` })).status).toBe(200);
    expect((await pick(head, { permission: 'print_request:approve', scope: `dept:${D}` })).status).toBe(200);
    expect((await pick(gm, { permission: 'print_request:approve', scope: `project:${R}` })).status).toBe(200);
    expect((await pick({ auth: '' }, { permission: 'print_request:approve', scope: `project:${P}` })).status).toBe(401);
  });

  test('R-SCOPE: only the pickable permissions, a well-formed scope, and one that exists (400 naming the field, 404)', async () => {
    const bad: Array<[Record<string, string>, string]> = [
      [{ permission: 'customer:read', scope: `project:${P}` }, 'query.permission'],
      [{ permission: 'user:read', scope: `project:${P}` }, 'query.permission'],
      [{ permission: 'print_request:approve ', scope: `project:${P}` }, 'query.permission'],
      [{ scope: `project:${P}` }, 'query.permission'],
      [{ permission: 'print_request:approve', scope: `projects:${P}` }, 'query.scope'],
      [{ permission: 'print_request:approve', scope: 'project:' }, 'query.scope'],
      [{ permission: 'print_request:approve' }, 'query.scope'],
      [{ permission: 'print_request:approve', scope: `project:${P}`, status: 'active' }, 'query.status'],
    ];
    for (const [query, path] of bad) {
      const res = await pick(staff, query);
      expect({ query, status: res.status, paths: res.body.error?.details?.map((d: { path: string }) => d.path) }).toEqual({ query, status: 400, paths: [path] });
    }
    // A scope that does not exist: 404 for a company-wide role; a project role is refused first (nothing learnt).
    expect((await pick(gm, { permission: 'print_request:approve', scope: 'project:NOPE404' })).status).toBe(404);
    expect((await pick(staff, { permission: 'print_request:approve', scope: 'project:NOPE404' })).status).toBe(403);
  });
});
