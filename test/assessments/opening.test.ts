import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { JobRun } from '../../src/entities/JobRun';
import { Notification } from '../../src/entities/Notification';
import { RiskAssessment } from '../../src/entities/RiskAssessment';
import { riskAssessmentJob } from '../../src/features/assessments/assessment.job';
import { periodFromKey, periodUnderWay } from '../../src/jobs/period';
import { makeCopy } from '../helpers/assessments-factories';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-RISK-MONTHLY (§5.3.1) on a new installation and for a department created during a month:
 * the quality department opens the month's assessment by hand, or runs the monthly job for the
 * month under way (to date); the 1st's run of that month still does the whole month.
 */
describe('opening the monthly assessment before the month is over', () => {
  let t: TestApp;
  let qi: MadeUser;
  const HOUR = 3_600_000;

  beforeAll(async () => {
    t = await startTestApp();
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const m = () => t.ctx.db.manager;
  /** The month under way (e.g. 2026-11 on 28 November), run to date. */
  const underWay = () => periodUnderWay(riskAssessmentJob, new Date(), t.ctx.config.timezone)!;
  const open = (auth: string, body: unknown) => t.http().post('/api/v1/risk-assessments').set('Authorization', auth).send(body as object);
  const assessmentsOf = (departmentId: number, period: string) => m().getRepository(RiskAssessment).find({ where: { departmentId, period } });
  const seq = async () => (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;

  test("R-RISK-MONTHLY: the quality department opens the month's assessment of a department created during the month: 201, indicators to date, audited under its name, the head told", async () => {
    const dept = await makeDepartment(t);
    const head = await makeUser(t, { roles: [['dept_head', `dept:${dept.code}`]] });
    const month = underWay();
    const before = Date.now();
    const res = await open(qi.auth, { department: dept.code, period: month.key });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ department: dept.code, period: month.key, status: 'draft', items: [] });
    // Indicators as of the opening (the month so far), not of a due time still to come.
    const asOf = new Date(res.body.indicatorsAsOf).getTime();
    expect(asOf).toBeGreaterThanOrEqual(before);
    expect(asOf).toBeLessThanOrEqual(Date.now());
    expect(res.body.indicators.length).toBeGreaterThan(0);
    const created = await m().getRepository(AuditEvent).find({ where: { action: 'risk_assessment.created', objectId: String(res.body.id) } });
    expect(created.map((e) => [e.actorId, e.scope])).toEqual([[qi.id, `dept:${dept.code}`]]);
    const notes = await m().getRepository(Notification).find({ where: { kind: 'risk_assessment.due', objectId: String(res.body.id) } });
    expect(notes.map((n) => n.recipientId)).toEqual([head.id]);
    // The head fills it as any other draft.
    const item = await t
      .http()
      .post(`/api/v1/risk-assessments/${res.body.id}/items`)
      .set('Authorization', head.auth)
      .send({ description: 'New office: cabinets not yet locked', likelihood: 3, impact: 3 });
    expect(item.status).toBe(201);
  });

  test('R-RISK-MONTHLY: opening one that exists is 409, a future month or an unknown department is 400 naming the field; nothing changes', async () => {
    const dept = await makeDepartment(t);
    const month = underWay();
    expect((await open(qi.auth, { department: dept.code, period: month.key })).status).toBe(201);
    const mark = await seq();
    const again = await open(qi.auth, { department: dept.code, period: month.key });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('assessment_exists');
    const year = Number(month.key.slice(0, 4));
    const future = await open(qi.auth, { department: dept.code, period: `${year + 1}-01` });
    expect(future.status).toBe(400);
    expect(future.body.error.details).toEqual([expect.objectContaining({ path: 'body.period' })]);
    const unknown = await open(qi.auth, { department: 'NO-SUCH-DEPT', period: month.key });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'body.department' })]);
    for (const body of [{ department: dept.code, period: '2026-13' }, { period: month.key }, { department: dept.code, period: month.key, status: 'reviewed' }]) {
      const bad = await open(qi.auth, body);
      expect(bad.status).toBe(400);
    }
    expect(await seq()).toBe(mark);
    expect(await assessmentsOf(dept.id, month.key)).toHaveLength(1);
    expect(await m().getRepository(RiskAssessment).countBy({ departmentId: dept.id })).toBe(1);
    // Two openings at once: one 201, one 409.
    const other = await makeDepartment(t);
    const both = await Promise.all([open(qi.auth, { department: other.code, period: month.key }), open(qi.auth, { department: other.code, period: month.key })]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await assessmentsOf(other.id, month.key)).toHaveLength(1);
  });

  test('R-RISK-MONTHLY: a past month is opened as the job would have (indicators as of its due time)', async () => {
    const dept = await makeDepartment(t);
    const res = await open(qi.auth, { department: dept.code, period: '2021-03' });
    expect(res.status).toBe(201);
    expect(new Date(res.body.indicatorsAsOf)).toEqual(periodFromKey(riskAssessmentJob, '2021-03', t.ctx.config.timezone)!.dueAt);
  });

  test('R-RISK-MONTHLY: only the quality department opens one by hand: the head, the general manager, the auditor and the IT admin are refused (403 naming risk_assessment:create, recorded)', async () => {
    const dept = await makeDepartment(t);
    const head = await makeUser(t, { roles: [['dept_head', `dept:${dept.code}`]] });
    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    const month = underWay();
    for (const auth of [head.auth, gm.auth, auditor.auth, `Bearer ${t.admin.token}`]) {
      const res = await open(auth, { department: dept.code, period: month.key });
      expect({ status: res.status, permission: res.body.error?.details?.permission }).toEqual({ status: 403, permission: 'risk_assessment:create' });
    }
    expect(await assessmentsOf(dept.id, month.key)).toHaveLength(0);
    const denied = await m().getRepository(AuditEvent).find({ where: { action: 'access.denied', actorId: head.id } });
    expect(denied.map((e) => [e.scope, (e.reason ?? '').split(' ')[0]])).toEqual([[`dept:${dept.code}`, 'risk_assessment:create']]);
  });

  test("R-RISK-MONTHLY: a run to date of the month under way (a new installation) creates every department's draft without consuming the month's run: the scheduled run after the month ends still covers the whole month", async () => {
    const early = await makeDepartment(t);
    const project = await makeProject(t, { departmentCode: early.code });
    const month = underWay();
    const run = await t.http().post('/api/v1/jobs/risk-assessment/run').set('Authorization', qi.auth).send({ period: month.key });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ job: 'risk-assessment', period: `${month.key}~to-date`, status: 'succeeded', trigger: 'manual', requestedById: qi.id });
    expect(run.body.result).toMatchObject({ period: month.key, toDate: true });
    const [draft] = await assessmentsOf(early.id, month.key);
    expect(draft.indicatorsAsOf.getTime()).toBeLessThan(month.end.getTime());
    // Run again to date: nothing twice.
    const again = await t.http().post('/api/v1/jobs/risk-assessment/run').set('Authorization', qi.auth).send({ period: month.key });
    expect(again.body).toMatchObject({ status: 'succeeded', attempts: 2, result: { created: 0 } });
    expect(await assessmentsOf(early.id, month.key)).toHaveLength(1);

    // Later in the month: a department is created, and a copy is issued in the first one's project.
    const late = await makeDepartment(t);
    const holder = await makeUser(t);
    await makeCopy(t, project.id, holder.id, { status: 'issued', issuedAt: new Date(), expiresAt: new Date(Date.now() + 30 * 24 * HOUR) });

    // The month's own run on the 1st (the clock injected): its claim is untouched, it runs, and does the whole month.
    const due = new Date(periodFromKey(riskAssessmentJob, month.key, t.ctx.config.timezone)!.dueAt.getTime() + 60_000);
    const scheduled = await t.ctx.jobs.runDue(t.ctx.jobs.find(riskAssessmentJob.name), 'schedule', due);
    expect(scheduled).toMatchObject({ ran: true, run: { period: month.key, status: 'succeeded', trigger: 'schedule' } });
    expect(scheduled.run.result).toMatchObject({ toDate: false, created: expect.any(Number), completed: expect.any(Number) });
    expect(await assessmentsOf(late.id, month.key)).toHaveLength(1);
    const [completed] = await assessmentsOf(early.id, month.key);
    expect(completed.indicatorsAsOf).toEqual(new Date(due.getTime() - 60_000));
    expect(completed.indicators.find((i) => i.key === 'copies_issued')?.value).toBe(1);
    const refreshed = await m().getRepository(AuditEvent).find({ where: { action: 'risk_assessment.refreshed', objectId: String(completed.id) } });
    expect(refreshed.map((e) => e.actorId)).toEqual([null]);
    const runs = await m().getRepository(JobRun).find({ where: { job: 'risk-assessment' } });
    expect(runs.filter((r) => r.period.startsWith(month.key)).map((r) => [r.period, r.status]).sort()).toEqual([
      [month.key, 'succeeded'],
      [`${month.key}~to-date`, 'succeeded'],
    ]);
    // A rerun of the month finds every draft complete: nothing more changes.
    const rerun = await t.ctx.jobs.runManual({ id: qi.id, username: qi.username }, 'risk-assessment', month.key, due);
    expect(rerun.result).toMatchObject({ created: 0, completed: 0 });
  });
});
