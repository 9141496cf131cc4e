import { JobRun } from '../../src/entities/JobRun';
import { makeDepartment, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Who runs which job by hand: each role the jobs of its own work (R-RISK-MONTHLY, R-INSPECT: the
 * quality department; R-CASE-STATS: the general manager's office, the quality department, the
 * auditors), the IT admin every job (R-IT-PERMS). GET /api/v1/jobs lists each caller the jobs
 * they may run.
 */
describe('jobs run by the roles whose work they are', () => {
  let t: TestApp;
  let qi: MadeUser;
  let auditor: MadeUser;
  let gm: MadeUser;
  let head: MadeUser;
  let staff: MadeUser;
  const admin = () => `Bearer ${t.admin.token}`;

  beforeAll(async () => {
    t = await startTestApp();
    const d = await makeDepartment(t);
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    gm = await makeUser(t, { roles: [['general_manager', '*']] });
    head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
    staff = await makeUser(t, { roles: [['staff', `dept:${d.code}`]] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (auth: string) => t.http().get('/api/v1/jobs').set('Authorization', auth);
  const names = (res: { body: Array<{ name: string }> }) => res.body.map((j) => j.name);
  const denial = (res: { status: number; body: { error?: { details?: { permission?: string } } } }) => ({ status: res.status, permission: res.body.error?.details?.permission });

  test('R-RISK-MONTHLY R-INSPECT R-CASE-STATS jobs API: each caller sees the jobs they may run, with the permission that runs each and the period under way a run to date covers; the IT admin sees every job', async () => {
    const quality = await list(qi.auth);
    expect(quality.status).toBe(200);
    expect(names(quality)).toEqual(['risk-assessment', 'inspections', 'case-statistics']);
    expect(quality.body.map((j: { runPermission: string }) => j.runPermission)).toEqual(['risk_assessment:run', 'inspection:run', 'case_stats:run']);
    const stats = quality.body.find((j: { name: string }) => j.name === 'case-statistics');
    expect(stats.periodUnderWay).toMatch(/^\d{4}-\d{2}$/);
    expect(stats.duePeriod).not.toBe(stats.periodUnderWay);
    for (const u of [auditor, gm]) expect(names(await list(u.auth))).toEqual(['case-statistics']);
    const all = await list(admin());
    expect(names(all)).toEqual(t.ctx.jobs.jobs.map((j) => j.name));
    expect(all.body.find((j: { name: string }) => j.name === 'audit-verify')).toMatchObject({ runPermission: 'job:run', periodUnderWay: null });
    for (const u of [head, staff]) expect(denial(await list(u.auth))).toEqual({ status: 403, permission: 'job:read' });
  });

  test("R-RISK-MONTHLY R-INSPECT R-CASE-STATS jobs API: a role runs only its own jobs (403 naming the job's permission, nothing runs); the IT admin keeps every job", async () => {
    const runs = () => t.ctx.db.manager.getRepository(JobRun).count();
    const post = (auth: string, job: string, body: object = {}) => t.http().post(`/api/v1/jobs/${job}/run`).set('Authorization', auth).send(body);
    const before = await runs();
    expect(denial(await post(auditor.auth, 'risk-assessment'))).toEqual({ status: 403, permission: 'risk_assessment:run' });
    expect(denial(await post(gm.auth, 'inspections'))).toEqual({ status: 403, permission: 'inspection:run' });
    expect(denial(await post(head.auth, 'case-statistics'))).toEqual({ status: 403, permission: 'case_stats:run' });
    for (const job of ['audit-verify', 'case-chase', 'copies-overdue']) expect(denial(await post(qi.auth, job))).toEqual({ status: 403, permission: 'job:run' });
    // The generic route does not open a job with its own permission (an encoded name reaches it).
    expect(denial(await post(auditor.auth, 'risk%2Dassessment'))).toEqual({ status: 403, permission: 'job:run' });
    expect(await runs()).toBe(before);

    const quality = await post(qi.auth, 'inspections');
    expect(quality.status).toBe(200);
    expect(quality.body).toMatchObject({ job: 'inspections', status: 'succeeded', requestedById: qi.id });
    const byAdmin = await post(admin(), 'risk-assessment', { period: '2024-02' });
    expect(byAdmin.body).toMatchObject({ job: 'risk-assessment', period: '2024-02', status: 'succeeded', requestedById: t.admin.id });
    expect((await post(admin(), 'risk%2Dassessment', { period: '2024-02' })).body).toMatchObject({ period: '2024-02', attempts: 2 });
    expect((await post(admin(), 'audit-verify')).body).toMatchObject({ status: 'succeeded' });
    // Unknown job: 404; a period in the future: 400 naming body.period.
    expect((await post(admin(), 'no-such-job')).status).toBe(404);
    const future = await post(qi.auth, 'risk-assessment', { period: '2999-01' });
    expect(future.status).toBe(400);
    expect(future.body.error.details).toEqual([expect.objectContaining({ path: 'body.period' })]);
  });

  test('R-RISK-MONTHLY R-CASE-STATS jobs API: the runs of a job are shown to those who may run it', async () => {
    await t.http().post('/api/v1/jobs/case-statistics/run').set('Authorization', auditor.auth).send({ period: '2024-03' });
    const mine = await t.http().get('/api/v1/jobs/case-statistics/runs').set('Authorization', auditor.auth);
    expect(mine.status).toBe(200);
    expect(mine.body.find((r: { period: string }) => r.period === '2024-03')).toMatchObject({ requestedById: auditor.id, status: 'succeeded' });
    expect(denial(await t.http().get('/api/v1/jobs/risk-assessment/runs').set('Authorization', auditor.auth))).toEqual({ status: 403, permission: 'risk_assessment:run' });
    expect(denial(await t.http().get('/api/v1/jobs/audit-verify/runs').set('Authorization', qi.auth))).toEqual({ status: 403, permission: 'job:run' });
    expect((await t.http().get('/api/v1/jobs/risk-assessment/runs').set('Authorization', qi.auth)).status).toBe(200);
    expect((await t.http().get('/api/v1/jobs/audit-verify/runs').set('Authorization', admin())).status).toBe(200);
  });
});
