import { startTestApp, TestApp } from '../helpers/test-app';
import { makeUser, makeProject, makeDepartment } from '../helpers/factories';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves /me for the admin', async () => {
    const res = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${t.admin.token}`);
    expect(res.status).toBe(200);
    expect(res.body.assignments).toEqual([expect.objectContaining({ role: 'it_admin', scope: '*' })]);
  });

  it('R-CTRL-STAFF: staff create and read, nothing else', async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const staff = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
    const ask = (action: string) => t.ctx.authz.decide(staff.id, `project:${p.code}`, { object: 'customer', action });
    expect(ask('read').allowed).toBe(true);
    expect(ask('update').allowed).toBe(false);
  });
});
