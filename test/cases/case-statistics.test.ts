/**
 * R-CASE-STATS (complaint procedure 第九條(九)): the monthly case table, run by those whose work
 * it is (the general manager's office, the quality department, the auditors) for a past month or
 * the month under way; the month to date is computed on request and never stored as final;
 * `computedAt` is when the table was computed.
 */
import ExcelJS from 'exceljs';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { CaseStatistics } from '../../src/entities/CaseStatistics';
import { JobRun } from '../../src/entities/JobRun';
import { caseStatsJob } from '../../src/features/cases/case.job';
import { periodFromKey, periodUnderWay } from '../../src/jobs/period';
import { advanceCase, CaseOrg, makeCaseOrg, registerCase } from '../helpers/case-factories';
import { makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let org: CaseOrg;
let auditor: MadeUser;
let qi: MadeUser;

beforeAll(async () => {
  t = await startTestApp();
  org = await makeCaseOrg(t);
  auditor = await makeUser(t, { roles: [['auditor', '*']] });
  qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
});
afterAll(async () => {
  await t?.close();
});

const m = () => t.ctx.db.manager;
const month = () => periodUnderWay(caseStatsJob, new Date(), t.ctx.config.timezone)!;
/** A case of the org closed now (this month). */
async function closedNow(): Promise<string> {
  const c = await registerCase(t, org.staff, org.project, org.customerId);
  await advanceCase(t, org, c.id, 'closed');
  return c.caseNo;
}
const run = (auth: string, period?: string) =>
  t
    .http()
    .post('/api/v1/jobs/case-statistics/run')
    .set('Authorization', auth)
    .send(period === undefined ? {} : { period });

describe('R-CASE-STATS: who runs the table, the month to date, computedAt', () => {
  test('R-CASE-STATS: computedAt is when the table was computed, not when its run was scheduled (a run days after the 1st says so)', async () => {
    const before = Date.now();
    const res = await run(`Bearer ${t.admin.token}`, '2025-07');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ period: '2025-07', status: 'succeeded', result: { created: true } });
    const stored = await t.ctx.caseStatistics.get('2025-07');
    const computedAt = new Date(stored.computedAt).getTime();
    expect(computedAt).not.toBe(periodFromKey(caseStatsJob, '2025-07', t.ctx.config.timezone)!.dueAt.getTime());
    expect(computedAt).toBeGreaterThanOrEqual(before);
    expect(computedAt).toBeLessThanOrEqual(Date.now());
    expect(stored.final).toBe(true);
    // The clock is injectable: the stored time is the computation's.
    const at = new Date('2031-05-04T03:02:01.000Z');
    await t.ctx.caseStatistics.computeForPeriod(periodFromKey(caseStatsJob, '2025-08', t.ctx.config.timezone)!, at);
    expect((await m().getRepository(CaseStatistics).findOneByOrFail({ period: '2025-08' })).computedAt).toEqual(at);
  });

  test('R-CASE-STATS: the month to date: GET /api/v1/case-statistics/current (or its key) counts the cases closed so far, computed now, final: false, stored nowhere; exported too (audited)', async () => {
    const caseNo = await closedNow();
    const key = month().key;
    const before = Date.now();
    const res = await t.http().get('/api/v1/case-statistics/current').set('Authorization', auditor.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ period: key, final: false });
    expect(res.body.cases.map((c: { caseNo: string }) => c.caseNo)).toContain(caseNo);
    expect(res.body.caseCount).toBe(res.body.cases.length);
    expect(new Date(res.body.computedAt).getTime()).toBeGreaterThanOrEqual(before);
    expect(new Date(res.body.computedAt).getTime()).toBeLessThanOrEqual(Date.now());
    expect(JSON.stringify(res.body)).not.toContain('陳大文');
    const byKey = await t.http().get(`/api/v1/case-statistics/${key}`).set('Authorization', qi.auth);
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({ period: key, final: false, caseCount: res.body.caseCount });
    expect(await m().getRepository(CaseStatistics).countBy({ period: key })).toBe(0);
    const list = await t.http().get('/api/v1/case-statistics').set('Authorization', qi.auth);
    expect(list.body.items.map((s: { period: string }) => s.period)).not.toContain(key);

    const xlsx = await t.http().get('/api/v1/case-statistics/current').query({ format: 'xlsx' }).set('Authorization', qi.auth).responseType('blob');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-disposition']).toContain(`case-statistics_${key}_to-date.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value)))));
    expect(cells.join('\n')).toContain(caseNo);
    expect(cells.join('\n')).toContain('month to date');
    const exported = await m().getRepository(AuditEvent).findBy({ action: 'case_stats.exported', objectId: key });
    expect(exported.map((e) => [e.actorId, (e.after as { final: boolean }).final])).toEqual([[qi.id, false]]);

    // A future month: 400 naming the path parameter; 'currently' is no month: 400.
    const year = Number(key.slice(0, 4));
    const future = await t.http().get(`/api/v1/case-statistics/${year + 1}-01`).set('Authorization', qi.auth);
    expect(future.status).toBe(400);
    expect(future.body.error.details).toEqual([expect.objectContaining({ path: 'params.period' })]);
    expect((await t.http().get('/api/v1/case-statistics/currently').set('Authorization', qi.auth)).status).toBe(400);
    // Still case_stats:read: a project's staff is refused.
    const refused = await t.http().get('/api/v1/case-statistics/current').set('Authorization', org.staff.auth);
    expect({ status: refused.status, permission: refused.body.error?.details?.permission }).toEqual({ status: 403, permission: 'case_stats:read' });
  });

  test("R-CASE-STATS: the general manager, the quality department and the auditors run the table themselves (past month or to date); a run to date stores nothing and leaves the month's run to store the whole month", async () => {
    const key = month().key;
    const first = await closedNow();
    const toDate = await run(auditor.auth, key);
    expect(toDate.status).toBe(200);
    expect(toDate.body).toMatchObject({ job: 'case-statistics', period: `${key}~to-date`, status: 'succeeded', requestedById: auditor.id, result: { period: key, toDate: true, created: false } });
    const soFar = toDate.body.result.caseCount as number;
    expect(soFar).toBeGreaterThanOrEqual(1);
    expect(await m().getRepository(CaseStatistics).countBy({ period: key })).toBe(0);

    // Later in the month another case closes; the month's own run after it ends (clock injected) stores the whole month.
    const second = await closedNow();
    const due = periodFromKey(caseStatsJob, key, t.ctx.config.timezone)!.dueAt;
    const before = Date.now();
    const scheduled = await t.ctx.jobs.runDue(t.ctx.jobs.find(caseStatsJob.name), 'schedule', new Date(due.getTime() + 60_000));
    expect(scheduled).toMatchObject({ ran: true, run: { period: key, status: 'succeeded', result: { created: true } } });
    const stored = await m().getRepository(CaseStatistics).findOneByOrFail({ period: key });
    expect(stored.caseCount).toBe(soFar + 1);
    expect(stored.computedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(stored.computedAt.getTime()).toBeLessThan(due.getTime());
    const stats = await t.ctx.caseStatistics.compute(stored.periodStart, stored.periodEnd);
    expect(stats.cases.map((c) => c.caseNo)).toEqual(expect.arrayContaining([first, second]));
    const runs = await m().getRepository(JobRun).find({ where: { job: 'case-statistics' } });
    expect(runs.filter((r) => r.period.startsWith(key)).map((r) => r.period).sort()).toEqual([key, `${key}~to-date`]);

    // The general manager and the quality department run a past month; others are refused (403 naming case_stats:run), nothing runs.
    expect((await run(org.gm.auth, '2025-02')).body).toMatchObject({ period: '2025-02', status: 'succeeded', requestedById: org.gm.id });
    expect((await run(qi.auth, '2025-02')).body).toMatchObject({ period: '2025-02', status: 'succeeded', attempts: 2 });
    const count = await m().getRepository(JobRun).count();
    for (const u of [org.staff, org.pm, org.head]) {
      const res = await run(u.auth, '2025-03');
      expect({ status: res.status, permission: res.body.error?.details?.permission }).toEqual({ status: 403, permission: 'case_stats:run' });
    }
    expect(await m().getRepository(JobRun).count()).toBe(count);
    expect(await m().getRepository(CaseStatistics).countBy({ period: '2025-03' })).toBe(0);
  });
});
