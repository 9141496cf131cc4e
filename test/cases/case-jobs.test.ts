/**
 * The procedure's schedule runs itself: the daily chase of overdue cases (R-CASE-CHASE, 第十四條)
 * and the monthly statistics table by the 10th (R-CASE-STATS, 第九條(九)). Jobs are run for a
 * given period; timestamps the workflow would need real days for are set in the test setup.
 */
import ExcelJS from 'exceljs';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { CaseStatistics } from '../../src/entities/CaseStatistics';
import { Notification } from '../../src/entities/Notification';
import { casesChaseJob, caseStatsJob } from '../../src/features/cases/case.job';
import { pdfText } from '../../src/lib/documents';
import { periodFromKey } from '../../src/jobs/period';
import { advanceCase, CaseOrg, makeCaseOrg, registerCase, setCaseTimes } from '../helpers/case-factories';
import { makeDepartment, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
const TZ = 'Asia/Shanghai';
const sh = (iso: string) => new Date(`${iso}+08:00`);

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const chasesOf = (recipientId: number) => t.ctx.db.manager.getRepository(Notification).find({ where: { kind: 'case.chase', recipientId }, order: { id: 'ASC' } });

describe('R-CASE-CHASE: the daily chase of overdue cases', () => {
  test('R-CASE-CHASE: an overdue open case gets a reminder (催辦單) to the responsible department\'s head, or to the project manager before one is assigned; once per case per day', async () => {
    const org = await makeCaseOrg(t);
    const period = periodFromKey(casesChaseJob, '2026-12-10', TZ)!;
    expect(period.dueAt).toEqual(sh('2026-12-10T08:30:00'));
    const day = 86_400_000;
    const overdueAt = { acceptedAt: new Date(period.dueAt.getTime() - 20 * day), dueAt: new Date(period.dueAt.getTime() - day), dueDate: '2026-12-08' };

    // No department yet: the project's manager is reminded.
    const unassigned = await registerCase(t, org.staff, org.project, org.customerId);
    await setCaseTimes(t, unassigned.id, overdueAt);
    // Department assigned: its head is reminded.
    const assigned = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, assigned.id, 'proposed');
    await setCaseTimes(t, assigned.id, overdueAt);
    // Due exactly at the run (dueAt = now): overdue from that instant.
    const dueNow = await registerCase(t, org.staff, org.project, org.customerId);
    await setCaseTimes(t, dueNow.id, { ...overdueAt, dueAt: period.dueAt });
    // Not yet due, and closed (even if late): no reminder.
    const notDue = await registerCase(t, org.staff, org.project, org.customerId);
    await setCaseTimes(t, notDue.id, { ...overdueAt, dueAt: new Date(period.dueAt.getTime() + 1000) });
    const closed = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, closed.id, 'closed');
    await setCaseTimes(t, closed.id, overdueAt);

    const first = await t.ctx.jobs.find(casesChaseJob.name).run(period);
    expect(first).toMatchObject({ overdue: expect.any(Number), reminders: expect.any(Number) });
    const toPm = await chasesOf(org.pm.id);
    const toHead = await chasesOf(org.head.id);
    expect(toPm.map((n) => n.objectId).sort()).toEqual([String(unassigned.id), String(dueNow.id)].sort());
    expect(toHead.map((n) => n.objectId)).toEqual([String(assigned.id)]);
    const msg = toHead[0];
    expect(msg.subject).toBe(`催辦單：客訴案件 ${assigned.caseNo} 已逾期`);
    expect(msg.link).toBe(`/cases/${assigned.id}`);
    expect(msg.body).toContain(assigned.caseNo);
    expect(msg.body).toContain('2026-12-08');
    expect(msg.objectType).toBe('case');
    expect(msg.dedupeKey).toBe(`case.chase:${assigned.caseNo}:2026-12-10:user:${org.head.id}`);
    // The reminder names the case, never the customer or the case's text.
    for (const n of [...toPm, ...toHead]) {
      expect(n.body).not.toContain('陳大文');
      expect(n.body).not.toContain('tiles');
    }
    // Each reminder is audited once.
    const chased = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ action: 'case.chased', objectId: String(assigned.id) });
    expect(chased).toHaveLength(1);
    expect(chased[0].after).toMatchObject({ caseNo: assigned.caseNo, to: `dept_head in dept:${org.dept}`, day: '2026-12-10' });

    // A rerun of the same day adds nothing; the next day reminds again.
    await t.ctx.jobs.find(casesChaseJob.name).run(period);
    expect(await chasesOf(org.pm.id)).toHaveLength(2);
    expect(await chasesOf(org.head.id)).toHaveLength(1);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'case.chased', objectId: String(assigned.id) })).toBe(1);
    await t.ctx.jobs.find(casesChaseJob.name).run(periodFromKey(casesChaseJob, '2026-12-11', TZ)!);
    // 11 December: the two again, and the case that was not due on the 10th is now overdue too.
    const nextDay = (await chasesOf(org.pm.id)).slice(2).map((n) => n.objectId).sort();
    expect(nextDay).toEqual([String(unassigned.id), String(dueNow.id), String(notDue.id)].sort());
    expect(await chasesOf(org.head.id)).toHaveLength(2);
  });

  test('R-CASE-CHASE: every head of the responsible department is reminded, and a case nobody can be reminded of is reported by the run', async () => {
    const org = await makeCaseOrg(t);
    const otherDept = await makeDepartment(t);
    const heads = await Promise.all([0, 1].map(() => makeUser(t, { roles: [['dept_head', `dept:${otherDept.code}`]] })));
    const period = periodFromKey(casesChaseJob, '2026-12-20', TZ)!;
    const overdueAt = { dueAt: new Date(period.dueAt.getTime() - 1000), dueDate: '2026-12-19' };
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await t.ctx.cases.investigate({ id: org.pm.id, username: org.pm.username }, c.id, { department: otherDept.code, cause: 'non_quality' });
    await setCaseTimes(t, c.id, overdueAt);
    // A project without a project manager and a case without a department: nobody to remind.
    const lonely = await makeCaseOrg(t);
    await t.ctx.access.revoke({ id: t.admin.id, username: t.admin.username }, await assignmentId(lonely.pm, `project:${lonely.project}`));
    await t.ctx.policy.reload();
    const orphan = await registerCase(t, lonely.staff, lonely.project, lonely.customerId);
    await setCaseTimes(t, orphan.id, overdueAt);
    const result = await t.ctx.jobs.find(casesChaseJob.name).run(period);
    for (const h of heads) expect((await chasesOf(h.id)).map((n) => n.objectId)).toEqual([String(c.id)]);
    expect(await chasesOf(org.head.id)).toHaveLength(0);
    expect(result.unreached).toContain(orphan.caseNo);
    expect(result.unreached).not.toContain(c.caseNo);
  });

  test('R-CASE-CHASE: the head of the responsible department, chased for a case of another department\'s project, can open, find and handle it; a head of an unrelated department is refused (403 naming the permission, audited)', async () => {
    const org = await makeCaseOrg(t);
    const responsible = await makeDepartment(t);
    const head = await makeUser(t, { roles: [['dept_head', `dept:${responsible.code}`]] });
    const unrelatedDept = await makeDepartment(t);
    const stranger = await makeUser(t, { roles: [['dept_head', `dept:${unrelatedDept.code}`]] });
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    const asUser = (u: MadeUser) => ({ get: (path: string, q: Record<string, string> = {}) => t.http().get(path).query(q).set('Authorization', u.auth), post: (path: string, body: object) => t.http().post(path).set('Authorization', u.auth).send(body) });

    // Before a department is assigned, the case is only where its project is.
    expect((await asUser(head).get(`/api/v1/cases/${c.id}`)).status).toBe(403);
    await t.ctx.cases.investigate({ id: org.pm.id, username: org.pm.username }, c.id, { department: responsible.code, cause: 'quality' });
    const period = periodFromKey(casesChaseJob, '2026-12-21', TZ)!;
    await setCaseTimes(t, c.id, { dueAt: new Date(period.dueAt.getTime() - 1000), dueDate: '2026-12-20' });
    await t.ctx.jobs.find(casesChaseJob.name).run(period);
    expect((await chasesOf(head.id)).map((n) => n.objectId)).toEqual([String(c.id)]);

    // The reminded head opens the case, finds it in the department's list, and handles it.
    const opened = await asUser(head).get(`/api/v1/cases/${c.id}`);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ caseNo: c.caseNo, project: org.project, department: responsible.code, status: 'investigating' });
    const listed = await asUser(head).get('/api/v1/cases', { department: responsible.code });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i: { id: number }) => i.id)).toContain(c.id);
    const proposed = await asUser(head).post(`/api/v1/cases/${c.id}/propose`, { proposal: 'replacement', amount: 200 });
    expect(proposed.status).toBe(200);
    expect(proposed.body).toMatchObject({ status: 'proposed', proposal: 'replacement', amount: 200 });
    // The project's own department still reads it; the decision stays with the approvers where the case is (第十一條).
    expect((await asUser(org.head).get(`/api/v1/cases/${c.id}`)).status).toBe(200);
    expect((await asUser(head).post(`/api/v1/cases/${c.id}/decide`, {})).body.error).toMatchObject({ code: 'forbidden', details: { permission: 'case:decide' } });

    // A head of an unrelated department: refused to read, list or handle, each refusal audited once.
    const denials = () => t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'access.denied', actorId: stranger.id });
    const read = await asUser(stranger).get(`/api/v1/cases/${c.id}`);
    expect({ status: read.status, permission: read.body.error?.details?.permission, scope: read.body.error?.details?.scope }).toEqual({ status: 403, permission: 'case:read', scope: `project:${org.project}` });
    expect(await denials()).toBe(1);
    const list = await asUser(stranger).get('/api/v1/cases', { department: responsible.code });
    expect({ status: list.status, permission: list.body.error?.details?.permission }).toEqual({ status: 403, permission: 'case:read' });
    expect(await denials()).toBe(2);
    const handle = await asUser(stranger).post(`/api/v1/cases/${c.id}/propose`, { proposal: 'return' });
    expect({ status: handle.status, permission: handle.body.error?.details?.permission }).toEqual({ status: 403, permission: 'case:handle' });
    expect(await denials()).toBe(3);
    const ownList = await asUser(stranger).get('/api/v1/cases', { department: unrelatedDept.code });
    expect(ownList.body.items).toEqual([]);
    expect((await t.ctx.cases.load(c.id)).status).toBe('proposed');
  });
});

async function assignmentId(u: MadeUser, scope: string): Promise<number> {
  const list = await t.ctx.access.listAssignments({ userId: u.id });
  return list.find((a) => a.scope === scope)!.id;
}

describe('R-CASE-STATS: the monthly statistics table', () => {
  let org: CaseOrg;
  let second: CaseOrg;
  const inOctober: string[] = [];

  /** A case closed at `closed` (accepted `days` earlier), late or not, investigated by `o` (its department). */
  async function closedCase(o: CaseOrg, closed: Date, days: number, opts: { late?: boolean; type?: 'quality_complaint' | 'non_quality_complaint' | 'repair_request' | 'other'; cause?: 'quality' | 'non_quality' } = {}) {
    const c = await registerCase(t, o.staff, o.project, o.customerId, { type: opts.type ?? 'quality_complaint' });
    await t.ctx.cases.investigate({ id: o.pm.id, username: o.pm.username }, c.id, { department: o.dept, cause: opts.cause ?? 'quality' });
    await advanceCase(t, o, c.id, 'closed');
    const acceptedAt = new Date(closed.getTime() - days * 86_400_000);
    await setCaseTimes(t, c.id, { acceptedAt, closedAt: closed, late: !!opts.late, dueAt: new Date(acceptedAt.getTime() + 15 * 86_400_000) });
    return c;
  }

  beforeAll(async () => {
    org = await makeCaseOrg(t);
    second = await makeCaseOrg(t);
    // October 2026 (Shanghai): four closed cases in two departments; one just before and one just after the month.
    inOctober.push((await closedCase(org, sh('2026-10-01T00:00:00'), 10)).caseNo);
    inOctober.push((await closedCase(org, sh('2026-10-15T12:00:00'), 20, { late: true, cause: 'non_quality', type: 'non_quality_complaint' })).caseNo);
    inOctober.push((await closedCase(second, sh('2026-10-20T09:00:00'), 5, { type: 'repair_request' })).caseNo);
    inOctober.push((await closedCase(second, sh('2026-10-31T23:59:59'), 3)).caseNo);
    await closedCase(org, sh('2026-09-30T23:59:59'), 4);
    await closedCase(org, sh('2026-11-01T00:00:00'), 4);
  });

  test('R-CASE-STATS: the job (the 1st at 07:00, previous month) stores the table of the cases closed that month: by type, cause and department, on time vs late, average days', async () => {
    expect(caseStatsJob).toMatchObject({ cadence: 'monthly', covers: 'previous', at: { day: 1, hour: 7, minute: 0 } });
    const period = periodFromKey(caseStatsJob, '2026-10', TZ)!;
    expect(period.dueAt).toEqual(sh('2026-11-01T07:00:00'));
    const result = await t.ctx.jobs.find(caseStatsJob.name).run(period);
    expect(result).toEqual({ period: '2026-10', created: true, caseCount: 4 });
    const stored = await t.ctx.caseStatistics.get('2026-10');
    expect(stored).toMatchObject({
      period: '2026-10',
      caseCount: 4,
      onTime: 3,
      late: 1,
      averageDays: 9.5,
      byType: { quality_complaint: 2, non_quality_complaint: 1, repair_request: 1, other: 0 },
      byCause: { quality: 3, non_quality: 1, none: 0 },
    });
    // computedAt is when it was computed (this run), not the run's due time (test/cases/case-statistics.test.ts).
    expect(new Date(stored.computedAt).getTime()).toBeGreaterThan(period.dueAt.getTime());
    expect(stored.byDepartment).toEqual(
      [
        { department: org.dept, departmentName: `Department ${org.dept}`, cases: 2, onTime: 1, late: 1, averageDays: 15 },
        { department: second.dept, departmentName: `Department ${second.dept}`, cases: 2, onTime: 2, late: 0, averageDays: 4 },
      ].sort((x, y) => x.department.localeCompare(y.department)),
    );
    expect(stored.cases.map((c) => c.caseNo).sort()).toEqual([...inOctober].sort());
    const audit = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ action: 'case_stats.computed', objectId: '2026-10' });
    expect(audit).toHaveLength(1);
  });

  test('R-CASE-STATS: a rerun for the same month creates nothing and replaces nothing', async () => {
    const period = periodFromKey(caseStatsJob, '2026-10', TZ)!;
    await t.ctx.jobs.find(caseStatsJob.name).run(period);
    const before = await t.ctx.db.manager.getRepository(CaseStatistics).findBy({ period: '2026-10' });
    // A case closed in October that appears later (data fixed by hand) does not rewrite the stored table.
    await closedCase(org, sh('2026-10-10T10:00:00'), 2);
    const [again, parallel] = await Promise.all([t.ctx.jobs.find(caseStatsJob.name).run(period), t.ctx.jobs.find(caseStatsJob.name).run({ ...period, dueAt: new Date(period.dueAt.getTime() + 60_000) })]);
    expect(again).toMatchObject({ created: false, caseCount: 4 });
    expect(parallel).toMatchObject({ created: false });
    const after = await t.ctx.db.manager.getRepository(CaseStatistics).findBy({ period: '2026-10' });
    expect(after).toEqual(before);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'case_stats.computed', objectId: '2026-10' })).toBe(1);
  });

  test('R-CASE-STATS: an empty month is stored as an empty table', async () => {
    const r = await t.ctx.jobs.find(caseStatsJob.name).run(periodFromKey(caseStatsJob, '2026-06', TZ)!);
    expect(r).toEqual({ period: '2026-06', created: true, caseCount: 0 });
    expect(await t.ctx.caseStatistics.get('2026-06')).toMatchObject({ caseCount: 0, onTime: 0, late: 0, averageDays: null, byDepartment: [], cases: [] });
  });

  test('R-CASE-STATS: listed and read by the quality department and auditors, exported as XLSX and PDF (audited), with no customer data; others are refused', async () => {
    await t.ctx.jobs.find(caseStatsJob.name).run(periodFromKey(caseStatsJob, '2026-10', TZ)!);
    const qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    const list = await t.http().get('/api/v1/case-statistics').set('Authorization', qi.auth);
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { period: string }) => s.period)).toEqual(expect.arrayContaining(['2026-10']));
    expect(list.body.items.find((s: { period: string }) => s.period === '2026-10')).toMatchObject({ caseCount: 4, onTime: 3, late: 1, averageDays: 9.5 });
    const one = await t.http().get('/api/v1/case-statistics/2026-10').set('Authorization', auditor.auth);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ period: '2026-10', caseCount: 4 });
    expect(JSON.stringify(one.body)).not.toContain('陳大文');

    const xlsx = await t.http().get('/api/v1/case-statistics/2026-10').query({ format: 'xlsx' }).set('Authorization', qi.auth).responseType('blob');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toContain('case-statistics_2026-10.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value)))));
    const sheet = cells.join('\n');
    expect(sheet).toContain('客訴案件統計表');
    for (const no of inOctober) expect(sheet).toContain(no);
    expect(sheet).toContain(org.dept);
    expect(sheet).not.toContain('陳大文');

    const pdf = await t.http().get('/api/v1/case-statistics/2026-10').query({ format: 'pdf' }).set('Authorization', auditor.auth).responseType('blob');
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(pdf.body as Buffer)).join('\n');
    expect(text).toContain('客訴案件統計表');
    for (const no of inOctober) expect(text).toContain(no);
    expect(text).not.toContain('陳大文');
    const exported = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ action: 'case_stats.exported', objectId: '2026-10' });
    expect(exported.map((e) => [e.actorId, (e.after as { format: string }).format])).toEqual([
      [qi.id, 'xlsx'],
      [auditor.id, 'pdf'],
    ]);

    // Not computed yet: 404 saying so; a malformed month: 400; no case_stats:read: 403.
    const missing = await t.http().get('/api/v1/case-statistics/2025-01').set('Authorization', qi.auth);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/not been computed/);
    expect((await t.http().get('/api/v1/case-statistics/2026-13').set('Authorization', qi.auth)).status).toBe(400);
    expect((await t.http().get('/api/v1/case-statistics/2026-10').query({ format: 'doc' }).set('Authorization', qi.auth)).status).toBe(400);
    for (const u of [org.staff, org.pm, org.head]) {
      const res = await t.http().get('/api/v1/case-statistics/2026-10').set('Authorization', u.auth);
      expect({ status: res.status, permission: res.body.error?.details?.permission }).toEqual({ status: 403, permission: 'case_stats:read' });
    }
  });
});
