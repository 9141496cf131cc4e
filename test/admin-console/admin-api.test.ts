import { z } from 'zod';
import { assignmentSchema, assignmentsSchema, catalogueSchema, effectivePermissionsSchema, explanationSchema, policyLineSchema, policySchema, rolesSchema } from '../../src/features/access/access.schemas';
import { departmentSchema, departmentsSchema, projectSchema, projectsSchema } from '../../src/features/org/org.schemas';
import { peopleSchema } from '../../src/features/people/people.schemas';
import { holdingsSchema, userPageSchema, userViewSchema } from '../../src/features/users/user.schemas';
import { makeDepartment, makeProject, makeUser } from '../helpers/factories';
import { makeCopy, makePaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * The IT admin's console (R-IT-PERMS, R-ONBOARD, R-OFFBOARD, R-SCOPE) reads these answers through
 * a client typed from the documented response schemas: each real answer must match its schema
 * exactly (strict: a field the document does not name is a failure too).
 */
describe('admin console: documented answers match the real ones', () => {
  let t: TestApp;
  const admin = () => `Bearer ${t.admin.token}`;
  const get = async <S extends z.ZodType>(url: string, schema: S): Promise<z.infer<S>> => {
    const res = await t.http().get(url).set('Authorization', admin());
    expect(res.status).toBe(200);
    return schema.parse(res.body);
  };
  const send = async <S extends z.ZodType>(method: 'post' | 'patch', url: string, body: object, status: number, schema: S): Promise<z.infer<S>> => {
    const res = await t.http()[method](url).set('Authorization', admin()).send(body);
    expect(res.status).toBe(status);
    return schema.parse(res.body);
  };

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('R-IT-PERMS: organisation routes (list, create, get, rename, move)', async () => {
    const d = await send('post', '/api/v1/departments', { code: 'ADMD1', name: 'Admin console dept' }, 201, departmentSchema);
    expect(d.code).toBe('ADMD1');
    await get('/api/v1/departments', departmentsSchema);
    await get('/api/v1/departments/ADMD1', departmentSchema);
    expect((await send('patch', '/api/v1/departments/ADMD1', { name: 'Renamed' }, 200, departmentSchema)).name).toBe('Renamed');
    const p = await send('post', '/api/v1/projects', { code: 'ADMP1', name: 'Admin console project', departmentCode: 'ADMD1' }, 201, projectSchema);
    expect(p.departmentCode).toBe('ADMD1');
    await get('/api/v1/projects', projectsSchema);
    await get('/api/v1/projects/ADMP1', projectSchema);
    expect((await send('patch', '/api/v1/projects/ADMP1', { departmentCode: null }, 200, projectSchema)).departmentCode).toBeNull();
  });

  test('R-ONBOARD, R-IT-PERMS: users, roles, assignments, permissions, explain, policy', async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const u = await send('post', '/api/v1/users', { username: 'console.newcomer', displayName: '新同事 Newcomer', password: 'a-long-password-1', departmentCode: d.code }, 201, userViewSchema);
    expect(u).toMatchObject({ status: 'pending_agreement', departmentCode: d.code, agreementSignedAt: null });
    await get(`/api/v1/users/${u.id}`, userViewSchema);
    await send('patch', `/api/v1/users/${u.id}`, { displayName: 'Newcomer' }, 200, userViewSchema);
    await get('/api/v1/users?limit=5&offset=0', userPageSchema);
    await get('/api/v1/roles', rolesSchema);
    const a = await send('post', '/api/v1/role-assignments', { userId: u.id, role: 'staff', scope: `project:${p.code}` }, 201, assignmentSchema);
    expect((await get(`/api/v1/role-assignments?userId=${u.id}`, assignmentsSchema)).items).toEqual([a]);
    const eff = await get(`/api/v1/users/${u.id}/permissions`, effectivePermissionsSchema);
    expect(eff.permissions.length).toBeGreaterThan(0);
    // Not signed yet: the account gate refuses first, the policy alone would allow (R-ONBOARD).
    const ex = await get(`/api/v1/authz/explain?user=console.newcomer&scope=project:${p.code}&object=customer&action=read`, explanationSchema);
    expect(ex).toMatchObject({ allowed: false, refusedBy: 'account' });
    const policy = await get('/api/v1/policy', policySchema);
    expect(policy.lines.length).toBeGreaterThan(0);
    const line = await send('post', '/api/v1/policy/lines', { role: 'auditor', scope: `project:${p.code}`, object: 'customer', action: 'read', effect: 'deny' }, 201, policyLineSchema);
    expect(line.effect).toBe('deny');
    const viewer = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
    const people = await t.http().get(`/api/v1/people?permission=print_request:approve&scope=project:${p.code}`).set('Authorization', viewer.auth);
    expect(people.status).toBe(200);
    peopleSchema.parse(people.body);
  });

  test('R-IT-PERMS: the permission vocabulary lists every object with its actions, each one a line may name', async () => {
    const cat = await get('/api/v1/permissions', catalogueSchema);
    const user = cat.items.find((i) => i.object === 'user');
    expect(user?.actions).toEqual(expect.arrayContaining(['read', 'manage', 'offboard', 'pick']));
    // What it offers is accepted as a policy line (and a name outside it is refused: 400).
    const ok = await t.http().post('/api/v1/policy/lines').set('Authorization', admin()).send({ role: 'auditor', scope: '*', object: 'job', action: cat.items.find((i) => i.object === 'job')!.actions[0], effect: 'allow' });
    expect([201, 409]).toContain(ok.status);
    const bad = await t.http().post('/api/v1/policy/lines').set('Authorization', admin()).send({ role: 'auditor', scope: '*', object: 'job', action: 'fly', effect: 'allow' });
    expect(bad.status).toBe(400);
  });

  test('R-IT-PERMS: the user search matches part of the username or of the display name, with the status filter', async () => {
    const a = await makeUser(t, { username: 'zz.findme' });
    await t.ctx.users.update({ id: t.admin.id, username: 'admin' }, a.id, { displayName: 'Qiang Harbourside' });
    const b = await makeUser(t, { signed: false });
    await t.ctx.users.update({ id: t.admin.id, username: 'admin' }, b.id, { displayName: 'Mei Harbourside' });
    const byName = await get('/api/v1/users?q=harbourside&limit=20', userPageSchema);
    expect(byName.items.map((i) => i.id).sort()).toEqual([a.id, b.id].sort());
    expect(byName.total).toBe(2);
    const active = await get('/api/v1/users?q=harbourside&status=active', userPageSchema);
    expect(active.items.map((i) => i.id)).toEqual([a.id]);
    expect((await get('/api/v1/users?q=findme', userPageSchema)).items.map((i) => i.id)).toEqual([a.id]);
    // Paged: one per page, the total stays.
    const page2 = await get('/api/v1/users?q=harbourside&limit=1&offset=1', userPageSchema);
    expect(page2.items).toHaveLength(1);
    expect(page2.total).toBe(2);
  });

  test('R-OFFBOARD: holdings list the copy a leaver still holds; the refusal names the same items', async () => {
    const o = await makePaperOrg(t);
    const { serial } = await makeCopy(t, o.staff, o.pm, o.project);
    const h = await get(`/api/v1/users/${o.staff.id}/holdings`, holdingsSchema);
    expect(h.items).toEqual([expect.objectContaining({ kind: 'controlled_copy', id: serial })]);
    const res = await t.http().post(`/api/v1/users/${o.staff.id}/offboard`).set('Authorization', admin()).send({});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('holdings_outstanding');
    expect(holdingsSchema.shape.items.parse(res.body.error.details.holdings)).toEqual(h.items);
    const clean = await makeUser(t);
    const off = await send('post', `/api/v1/users/${clean.id}/offboard`, { reason: 'left the company' }, 200, userViewSchema);
    expect(off.status).toBe('offboarded');
    expect(off.offboardedAt).not.toBeNull();
  });
});
