import { AuditEvent } from '../../src/entities/AuditEvent';
import { Customer } from '../../src/entities/Customer';
import { Department } from '../../src/entities/Department';
import { Notification } from '../../src/entities/Notification';
import { RiskAssessment } from '../../src/entities/RiskAssessment';
import { riskAssessmentJob } from '../../src/features/assessments/assessment.job';
import { onlyJobs } from '../helpers/jobs';
import { SYSTEM_ACTOR } from '../../src/audit/audit-writer';
import { actorOf, dayFromNow, freshMonth, makeCopy, makeExport, makeHandoverFile, makeImport, monthPeriod } from '../helpers/assessments-factories';
import { makeDepartment, makePhone, makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-RISK-MONTHLY (§5.3.1): on the 1st of each month one assessment per department is created
 * for the previous month, pre-filled with indicators computed from the ledgers; reruns and
 * catch-ups after downtime create nothing twice.
 */
describe('the monthly assessment job and the indicators', () => {
  let t: TestApp;
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function makeOrg() {
    const dept = await makeDepartment(t);
    const project = await makeProject(t, { departmentCode: dept.code });
    const head = await makeUser(t, { roles: [['dept_head', `dept:${dept.code}`]] });
    return { dept, project, head };
  }
  const assessmentsOf = (departmentId: number, period: string) => t.ctx.db.manager.getRepository(RiskAssessment).find({ where: { departmentId, period } });
  const value = (list: Array<{ key: string; value: number }>, key: string) => list.find((i) => i.key === key)?.value;

  test('R-RISK-MONTHLY: the monthly job creates one draft per department for the previous month, with the indicators as of the 1st 06:00, and tells the department head', async () => {
    expect(riskAssessmentJob).toEqual(expect.objectContaining({ cadence: 'monthly', at: { day: 1, hour: 6, minute: 0 }, covers: 'previous' }));
    const a = await makeOrg();
    const b = await makeOrg();
    const key = freshMonth();
    const period = monthPeriod(t, key);
    const result = await t.ctx.jobs.find(riskAssessmentJob.name).run(period);
    const departments = await t.ctx.db.manager.getRepository(Department).count();
    expect(result).toEqual({ period: key, toDate: false, created: departments, existing: 0, completed: 0 });

    for (const o of [a, b]) {
      const rows = await assessmentsOf(o.dept.id, key);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toEqual(expect.objectContaining({ status: 'draft', indicatorsAsOf: period.dueAt, submittedAt: null }));
      expect(rows[0].indicators.map((i) => i.key)).toEqual([
        'copies_issued',
        'copies_overdue',
        'copies_lost',
        'copy_confirmations_expired',
        'handover_pending_destruction',
        'handover_past_deadline',
        'handover_delegations_expired',
        'handover_confirmations_expired',
        'imports',
        'exports',
        'reveals',
        'access_denied',
        'offboarded_with_holdings',
        'ports_unsealed',
        'unusual_reading',
        'rectifications_overdue',
      ]);
      for (const i of rows[0].indicators) expect(i).toEqual({ key: expect.any(String), labelZh: expect.any(String), labelEn: expect.any(String), value: 0, requirement: expect.stringMatching(/^R-/) });
      const created = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'risk_assessment.created', objectId: String(rows[0].id) } });
      expect(created).toHaveLength(1);
      expect(created[0]).toEqual(expect.objectContaining({ actorId: null, actorName: SYSTEM_ACTOR.username, scope: `dept:${o.dept.code}` }));
      const notes = await t.ctx.db.manager.getRepository(Notification).find({ where: { kind: 'risk_assessment.due', objectId: String(rows[0].id) } });
      expect(notes.map((n) => n.recipientId)).toEqual([o.head.id]);
    }
  });

  test('R-RISK-MONTHLY: an assessment job run twice for the same month leaves one assessment per department', async () => {
    const o = await makeOrg();
    const key = freshMonth();
    const period = monthPeriod(t, key);
    const first = await t.ctx.jobs.find(riskAssessmentJob.name).run(period);
    const second = await t.ctx.jobs.find(riskAssessmentJob.name).run(period);
    const departments = await t.ctx.db.manager.getRepository(Department).count();
    expect(first).toEqual({ period: key, toDate: false, created: departments, existing: 0, completed: 0 });
    expect(second).toEqual({ period: key, toDate: false, created: 0, existing: departments, completed: 0 });
    expect(await assessmentsOf(o.dept.id, key)).toHaveLength(1);
    expect(await t.ctx.db.manager.getRepository(RiskAssessment).countBy({ period: key })).toBe(departments);
    // Two runs at once (two instances): still one per department.
    const key2 = freshMonth();
    await Promise.all([t.ctx.jobs.find(riskAssessmentJob.name).run(monthPeriod(t, key2)), t.ctx.jobs.find(riskAssessmentJob.name).run(monthPeriod(t, key2))]);
    expect(await t.ctx.db.manager.getRepository(RiskAssessment).countBy({ period: key2 })).toBe(departments);
    const notes = await t.ctx.db.manager.getRepository(Notification).find({ where: { kind: 'risk_assessment.due', recipientId: o.head.id } });
    expect(notes).toHaveLength(2);
  });

  test('R-RISK-MONTHLY: a job run when the service was down across the 1st catches up the previous month once', async () => {
    const o = await makeOrg();
    const key = freshMonth();
    const period = monthPeriod(t, key);
    const jobs = onlyJobs(t.ctx, riskAssessmentJob.name);
    // Down from the 30th until the 4th at 10:00: the start-up catch-up runs the month before the 1st.
    const now = new Date(period.dueAt.getTime() + 3 * DAY + 4 * HOUR);
    const outcomes = await jobs.catchUp(now);
    expect(outcomes[riskAssessmentJob.name]).toEqual(
      expect.objectContaining({ ran: true, run: expect.objectContaining({ period: key, status: 'succeeded', trigger: 'catch_up' }) }),
    );
    const rows = await assessmentsOf(o.dept.id, key);
    expect(rows).toHaveLength(1);
    // "Now" of the run is the due time, not the late start.
    expect(rows[0].indicatorsAsOf).toEqual(period.dueAt);
    // A second start (or the schedule firing) the same month: already done, nothing new.
    expect((await jobs.catchUp(new Date(now.getTime() + HOUR)))[riskAssessmentJob.name]).toEqual(expect.objectContaining({ ran: false, reason: 'already_done' }));
    expect((await jobs.runDue(jobs.find(riskAssessmentJob.name), 'schedule', new Date(now.getTime() + 2 * HOUR))).ran).toBe(false);
    expect(await assessmentsOf(o.dept.id, key)).toHaveLength(1);
  });

  test('R-RISK-MONTHLY: the job covers every department that exists when it runs, one created after the month ended included (a rerun, a new installation)', async () => {
    const o = await makeOrg();
    const past = monthPeriod(t, '2020-01');
    expect(o.dept.createdAt.getTime()).toBeGreaterThan(past.end.getTime());
    await t.ctx.jobs.find(riskAssessmentJob.name).run(past);
    const rows = await assessmentsOf(o.dept.id, '2020-01');
    expect(rows.map((r) => [r.period, r.status, r.indicatorsAsOf])).toEqual([['2020-01', 'draft', past.dueAt]]);
    // Through the API as the IT admin, for the previous month: a department made just now is covered.
    const later = await makeOrg();
    const run = await t.http().post('/api/v1/jobs/risk-assessment/run').set('Authorization', `Bearer ${t.admin.token}`).send({});
    expect(run.status).toBe(200);
    expect(await assessmentsOf(later.dept.id, run.body.period)).toHaveLength(1);
  });

  test("R-RISK-MONTHLY: the indicators count the department's ledgers in the period (and as of asOf), and nothing of other departments", async () => {
    const o = await makeOrg();
    const other = await makeOrg();
    const clerk = await makeUser(t, { roles: [['info_clerk', `project:${o.project.code}`]] });
    const staff = await makeUser(t, { roles: [['staff', `project:${o.project.code}`]] });
    const now = Date.now();
    const from = new Date(now - HOUR);
    const to = new Date(now + HOUR);
    const asOf = new Date(now + 3 * DAY);
    const at = (ms: number) => new Date(now + ms);

    let held: { id: number } | null = null;
    for (const p of [o.project.id, other.project.id]) {
      // Issued in the period; the first is past its usage period as of asOf, the second is not.
      await makeCopy(t, p, staff.id, { status: 'issued', issuedAt: at(-10 * 60_000), expiresAt: at(DAY) });
      await makeCopy(t, p, staff.id, { status: 'awaiting_signature', issuedAt: at(-5 * 60_000), expiresAt: at(10 * DAY) });
      // Issued before the period, lost in it.
      await makeCopy(t, p, staff.id, { status: 'lost', issuedAt: at(-10 * DAY), expiresAt: at(-9 * DAY), lostAt: at(-60_000) });
      // Confirmed, deadline passes before asOf, not destroyed; another destroyed before asOf.
      const file = await makeHandoverFile(t, p, o.head.id, { confirmedAt: at(-2 * HOUR), deadline: at(DAY) });
      if (p === o.project.id) held = file;
      await makeHandoverFile(t, p, o.head.id, { confirmedAt: at(-2 * HOUR), deadline: at(DAY), destroyedAt: at(-HOUR / 2) });
      await makeImport(t, p, { finishedAt: at(-60_000), dryRun: false });
      await makeImport(t, p, { finishedAt: at(-60_000), dryRun: true });
      await makeImport(t, p, { finishedAt: at(-2 * HOUR), dryRun: false });
      await makeExport(t, p, t.admin.id, { createdAt: at(-60_000) });
      await makeExport(t, p, t.admin.id, { createdAt: at(-30_000), releaseId: 1 });
      await makeExport(t, p, t.admin.id, { createdAt: at(2 * HOUR) });
    }
    // One reveal of a customer's phone by the clerk.
    const c = await t.ctx.customers.create(actorOf(clerk), o.project.code, { name: 'Indicator customer', unit: '1棟101室', nationality: 'domestic', phones: [makePhone()] });
    await t.ctx.customers.reveal(actorOf(clerk), await t.ctx.db.manager.getRepository(Customer).findOneByOrFail({ id: c.id }), ['phones'], 'call back about a repair');
    // Two refusals: one in the project (staff may not reveal), one in the department (staff may not read its inventory).
    expect((await t.http().post(`/api/v1/customers/${c.id}/reveal`).set('Authorization', staff.auth).send({ fields: ['phones'], reason: 'curious' })).status).toBe(403);
    expect((await t.http().get(`/api/v1/departments/${o.dept.code}/inventory`).set('Authorization', staff.auth)).status).toBe(403);
    // A record-level refusal counts too (decision "deny", the record's scope): a second lead of the project opens a file they do not hold.
    const otherLead = await makeUser(t, { roles: [['project_manager', `project:${o.project.code}`]] });
    const notHolder = await t.http().get(`/api/v1/handover-files/${held!.id}`).set('Authorization', otherLead.auth);
    expect({ status: notHolder.status, code: notHolder.body.error.code }).toEqual({ status: 403, code: 'not_holder' });
    // R-OFFBOARD: a leaver of the department who still keeps an inventory item is refused, twice (a retry): one leaver.
    const offboard = (id: number) => t.http().post(`/api/v1/users/${id}/offboard`).set('Authorization', `Bearer ${t.admin.token}`).send({ reason: 'left the company' });
    const leaver = await makeUser(t, { departmentCode: o.dept.code });
    await t.ctx.inventory.create(actorOf(t.admin), o.dept.code, { infoClass: 'paper_archive', description: 'Owner files', keeperUserId: leaver.id, location: 'Room 1', approxCount: 10 });
    expect((await offboard(leaver.id)).status).toBe(409);
    expect((await offboard(leaver.id)).status).toBe(409);
    // A leaver with no department who still holds a controlled copy of the department's project: the department's risk too.
    const drifter = await makeUser(t);
    await makeCopy(t, o.project.id, drifter.id, { status: 'issued', issuedAt: at(-10 * DAY), expiresAt: at(30 * DAY) });
    expect((await offboard(drifter.id)).status).toBe(409);
    // The port register: one computer with USB open, one with the burner open, one sealed.
    for (const [tag, usbStatus, burnerStatus] of [
      ['A', 'open', 'sealed'],
      ['B', 'sealed', 'open'],
      ['C', 'sealed', 'none'],
    ] as const) {
      await t.ctx.ports.create(actorOf(o.head), o.dept.code, { assetTag: `PC-I-${o.dept.code}-${tag}`, userName: 'Desk', location: 'Office', usbStatus, burnerStatus, decision: 'as assessed', approvedById: o.head.id });
    }
    // Rectifications: one due today (overdue as of asOf), one due later, one done.
    const assessment = (await t.ctx.assessments.ensureFor(o.dept.id, monthPeriod(t, freshMonth()))).assessment;
    const rect = (dueDate: string) => t.ctx.assessments.addRectification(actorOf(o.head), assessment.id, { description: 'fix', ownerUserId: o.head.id, dueDate });
    await rect(dayFromNow(t, 0));
    await rect(dayFromNow(t, 10));
    const done = await rect(dayFromNow(t, 0));
    await t.ctx.db.tx((m) => t.ctx.rectifications.update(m, actorOf(o.head), done.id, { status: 'done', evidenceNotes: 'cabinet locked' }));

    const list = await t.ctx.indicators.compute(await t.ctx.indicators.departmentScope(o.dept.id), from, to, asOf);
    expect(Object.fromEntries(list.map((i) => [i.key, i.value]))).toEqual({
      copies_issued: 2,
      copies_overdue: 1,
      copies_lost: 1,
      copy_confirmations_expired: 0,
      handover_pending_destruction: 1,
      handover_past_deadline: 1,
      handover_delegations_expired: 0,
      handover_confirmations_expired: 0,
      imports: 1,
      exports: 2,
      reveals: 1,
      access_denied: 3,
      offboarded_with_holdings: 2,
      ports_unsealed: 2,
      unusual_reading: 0,
      rectifications_overdue: 1,
    });
    expect(list.find((i) => i.key === 'ports_unsealed')).toEqual({ key: 'ports_unsealed', labelZh: expect.stringContaining('USB'), labelEn: expect.any(String), value: 2, requirement: 'R-PORTS' });

    // One project: the same project figures (its two refusals); the port register is the department's, so it is not shown; the department's own refusal is not the project's.
    const project = await t.ctx.indicators.compute({ projectIds: [o.project.id] }, from, to, asOf);
    expect(project.map((i) => i.key)).not.toContain('ports_unsealed');
    expect(value(project, 'copies_issued')).toBe(2);
    expect(value(project, 'access_denied')).toBe(2);
    expect(value(project, 'reveals')).toBe(1);
    // The overdue rectification belongs to the department (no project named): not the project's.
    expect(value(project, 'rectifications_overdue')).toBe(0);

    // As of now, nothing is overdue yet; the other department saw no reveals or refusals.
    const today = await t.ctx.indicators.compute(await t.ctx.indicators.departmentScope(o.dept.id), from, to, new Date(now));
    expect(value(today, 'copies_overdue')).toBe(0);
    expect(value(today, 'rectifications_overdue')).toBe(0);
    const theirs = await t.ctx.indicators.compute(await t.ctx.indicators.departmentScope(other.dept.id), from, to, asOf);
    expect(value(theirs, 'reveals')).toBe(0);
    expect(value(theirs, 'access_denied')).toBe(0);
    expect(value(theirs, 'offboarded_with_holdings')).toBe(0);
    expect(value(theirs, 'ports_unsealed')).toBe(0);
    expect(value(theirs, 'copies_issued')).toBe(2);
  });

  test('R-RISK-MONTHLY: rectifications past their due date count in the next monthly assessment', async () => {
    const o = await makeOrg();
    const current = (await t.ctx.assessments.ensureFor(o.dept.id, monthPeriod(t, freshMonth()))).assessment;
    await t.ctx.assessments.addRectification(actorOf(o.head), current.id, { description: 'Seal the burner', ownerUserId: o.head.id, dueDate: dayFromNow(t, 1) });
    // The next month's assessment (created by the job well after the due date) counts it.
    const key = freshMonth();
    await t.ctx.jobs.find(riskAssessmentJob.name).run(monthPeriod(t, key));
    const [next] = await assessmentsOf(o.dept.id, key);
    expect(value(next.indicators, 'rectifications_overdue')).toBe(1);
  });
});
