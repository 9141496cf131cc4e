import { In } from 'typeorm';
import { CustomerAccess } from '../../src/entities/CustomerAccess';
import { makeDepartment, makeProject, makeUser } from '../helpers/factories';
import { makeCustomers } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { ACCESS_LOG_UNUSUAL_DAILY: '3' } });
});

afterAll(async () => {
  await t?.close();
});

describe('the monthly indicators count unusual reading', () => {
  test('R-SECRET: user-days with more distinct customers read than ACCESS_LOG_UNUSUAL_DAILY count, by local day, in the department only', async () => {
    const dept = await makeDepartment(t);
    const project = await makeProject(t, { departmentCode: dept.code });
    const elsewhere = await makeProject(t);
    const [heavy, light] = [await makeUser(t), await makeUser(t)];
    const cs = await makeCustomers(t, project.code, 5);
    const others = await makeCustomers(t, elsewhere.code, 5);
    const read = (userId: number, customers: Array<{ id: number }>, projectId: number, at: string) =>
      customers.map((c) => ({ userId, customerId: c.id, projectId, at: new Date(at) }));
    const planned = [
      // 4 distinct customers on 3 Nov (local, Asia/Shanghai), one of them twice: unusual (> 3).
      ...read(heavy.id, cs.slice(0, 4), project.id, '2026-11-03T02:00:00Z'),
      ...read(heavy.id, cs.slice(0, 1), project.id, '2026-11-03T03:00:00Z'),
      // 2 + 2 around local midnight (23:30 on 4 Nov and 00:30 on 5 Nov, both on 4 Nov in UTC): two ordinary days.
      ...read(heavy.id, cs.slice(0, 2), project.id, '2026-11-04T15:30:00Z'),
      ...read(heavy.id, cs.slice(2, 4), project.id, '2026-11-04T16:30:00Z'),
      // Exactly the threshold: not unusual.
      ...read(light.id, cs.slice(0, 3), project.id, '2026-11-03T02:00:00Z'),
      // Another department's project: not this department's indicator.
      ...read(light.id, others, elsewhere.id, '2026-11-06T02:00:00Z'),
      // Outside the month.
      ...read(heavy.id, cs, project.id, '2026-10-31T02:00:00Z'),
    ];
    const reader = (userId: number) => ({ userId, requestId: null, route: 'GET /api/v1/customers/:id' });
    for (const p of planned) t.ctx.accessLog.record(reader(p.userId), 'open', [{ customerId: p.customerId, projectId: p.projectId }], { revealed: false });
    await t.ctx.accessLog.flush();
    const rows = await t.ctx.db.manager.getRepository(CustomerAccess).find({ where: { userId: In([heavy.id, light.id]) }, order: { id: 'ASC' } });
    expect(rows).toHaveLength(planned.length);
    for (let i = 0; i < rows.length; i++) await t.ctx.db.manager.getRepository(CustomerAccess).update({ id: rows[i].id }, { at: planned[i].at });

    const from = new Date('2026-10-31T16:00:00Z'); // 1 Nov 00:00 local
    const to = new Date('2026-11-30T16:00:00Z');
    const value = async (scope: Promise<{ departmentId?: number | null; projectIds: number[] }>) =>
      (await t.ctx.indicators.compute(await scope, from, to, to)).find((i) => i.key === 'unusual_reading');
    expect(await value(t.ctx.indicators.departmentScope(dept.id))).toEqual({ key: 'unusual_reading', labelZh: expect.any(String), labelEn: expect.any(String), value: 1, requirement: 'R-SECRET' });
    expect((await value(Promise.resolve({ projectIds: [elsewhere.id] })))!.value).toBe(1);
    expect((await value(Promise.resolve({ projectIds: [] })))!.value).toBe(0);
  });
});
