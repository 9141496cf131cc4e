import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { Rectification } from '../../src/entities/Rectification';
import { MyWork, myWorkSchema, WorkKind } from '../../src/features/work/work.service';
import { dayFromNow, freshMonth, monthPeriod } from '../helpers/assessments-factories';
import { makeCaseOrg, makeCustomer, makeOverdue, registerCase, setCaseTimes } from '../helpers/case-factories';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { confirmedFile, delegatedFile, handoverSetup, heldFile } from '../helpers/handover-factories';
import { makeInspectedProject, makeInspection } from '../helpers/inspections-factories';
import { actorOf, makeCustomers, makeIssuedCopies, makePaperOrg, makePrintRequest } from '../helpers/paper-factories';
import { makeIncident } from '../helpers/sanctions-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const DAY = 86_400_000;

/**
 * "My work" (GET /api/v1/me/work, issue 12): what waits for the caller, only what they may act
 * on (R-SCOPE), as each feature decides it, and never customer information (R-SECRET).
 */
describe('my work', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The caller's work over real HTTP, checked against the documented shape. */
  const work = async (u: MadeUser): Promise<MyWork> => {
    const res = await t.http().get('/api/v1/me/work').set('Authorization', u.auth);
    expect(res.status).toBe(200);
    return myWorkSchema.parse(res.body);
  };
  const item = (w: MyWork, kind: WorkKind) => w.items.find((i) => i.kind === kind);
  const count = async (u: MadeUser, kind: WorkKind) => item(await work(u), kind)?.count ?? 0;
  /** A department and its head. */
  const makeAssessmentOrg = async () => {
    const d = await makeDepartment(t);
    const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
    return { dept: d.code, deptId: d.id, head };
  };

  test('R-SCOPE: a signed-in user with nothing waiting gets an empty list; without a token 401, before signing the agreement 403', async () => {
    const nobody = await makeUser(t);
    expect(await work(nobody)).toEqual({ items: [], total: 0 });
    const staff = await makeUser(t, { roles: [['staff', `project:${(await makeProject(t)).code}`]] });
    expect(await work(staff)).toEqual({ items: [], total: 0 });
    expect((await t.http().get('/api/v1/me/work')).status).toBe(401);
    const unsigned = await makeUser(t, { signed: false });
    const res = await t.http().get('/api/v1/me/work').set('Authorization', unsigned.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('agreement_required');
  });

  test("R-PRINT-APPROVE: a pending print request waits for the project's managers and the department head, never for its requester nor for another project's manager", async () => {
    const o = await makePaperOrg(t);
    const other = await makePaperOrg(t);
    const byStaff = await makePrintRequest(t, o.staff, o.project);
    const byPm = await makePrintRequest(t, o.pm, o.project);
    // Decided requests wait for nobody.
    const decided = await makePrintRequest(t, o.staff, o.project);
    await t.ctx.printRequests.reject(actorOf(o.pm2), await t.ctx.printRequests.load(decided.id), 'Not needed');

    const pm = item(await work(o.pm), 'print_approval');
    expect(pm).toEqual({ kind: 'print_approval', count: 1, refs: [{ id: byStaff.id, label: `${o.project} #${byStaff.id}` }] });
    expect(item(await work(o.pm2), 'print_approval')?.refs.map((r) => r.id)).toEqual([byStaff.id, byPm.id]);
    expect(await count(o.head, 'print_approval')).toBe(2);
    expect(await count(o.staff, 'print_approval')).toBe(0);
    expect(await count(other.pm, 'print_approval')).toBe(0);
    expect(await count(other.head, 'print_approval')).toBe(0);
  });

  test('R-NO-PAPER, R-HANDOVER-DESTROY: destructions to witness and returns to confirm wait for the person named, not for the holder', async () => {
    const o = await makePaperOrg(t);
    const { copies } = await makeIssuedCopies(t, o.staff, o.pm, o.project, { copies: 2, signed: true });
    await t.ctx.copies.destroy(actorOf(o.staff), await t.ctx.copies.loadBySerial(copies[0].serial), { method: 'shredding', place: 'Service centre', witnessUserId: o.pm2.id });
    await t.ctx.copies.returnCopy(actorOf(o.staff), await t.ctx.copies.loadBySerial(copies[1].serial), { keeperUserId: o.pm.id });
    const s = await handoverSetup(t);
    const f = await heldFile(t, s, s.lead);
    await t.ctx.handover.destroy(actorOf(s.lead), f, { witnessUserId: s.lead2.id, reason: 'The developer sent a corrected list' });

    const witness = await work(o.pm2);
    expect(item(witness, 'destruction_witness')).toEqual({ kind: 'destruction_witness', count: 1, refs: [{ id: copies[0].serial, label: copies[0].serial, due: expect.any(String) }] });
    expect(item(witness, 'return_confirmation')).toBeUndefined();
    expect(item(await work(o.pm), 'return_confirmation')).toEqual({ kind: 'return_confirmation', count: 1, refs: [{ id: copies[1].serial, label: copies[1].serial, due: expect.any(String) }] });
    expect(item(await work(s.lead2), 'destruction_witness')?.refs).toEqual([{ id: `HF-${f.id}`, label: `HF-${f.id}`, due: expect.any(String) }]);
    for (const holder of [o.staff, s.lead]) {
      const w = await work(holder);
      expect([item(w, 'destruction_witness'), item(w, 'return_confirmation')]).toEqual([undefined, undefined]);
    }
  });

  test('R-NO-PAPER: the copies a user holds, with those expiring within 2 days and those overdue; nobody else sees them', async () => {
    const o = await makePaperOrg(t);
    const { copies } = await makeIssuedCopies(t, o.staff, o.pm, o.project, { copies: 3, usageDays: 1 });
    const repo = t.ctx.db.manager.getRepository(ControlledCopy);
    await repo.update({ id: copies[0].id }, { expiresAt: new Date(Date.now() - DAY) });
    await repo.update({ id: copies[2].id }, { expiresAt: new Date(Date.now() + 10 * DAY) });
    const held = item(await work(o.staff), 'copies_held');
    expect(held).toEqual(expect.objectContaining({ count: 3, overdue: 1, dueSoon: 1 }));
    // Most urgent first.
    expect(held!.refs.map((r) => r.id)).toEqual([copies[0].serial, copies[1].serial, copies[2].serial]);
    expect(await count(o.pm, 'copies_held')).toBe(0);
  });

  test('R-HANDOVER-DESTROY, R-HANDOVER-HOLD: files due for destruction wait for their holder (overdue past the deadline); a delegation for the clerk it was given to', async () => {
    const s = await handoverSetup(t);
    const due = await confirmedFile(t, s, s.lead, s.clerk);
    const late = await confirmedFile(t, s, s.lead, s.clerk);
    await t.ctx.db.manager.getRepository(HandoverFile).update({ id: late.id }, { destructionDeadline: new Date(Date.now() - DAY) });
    // Held, not yet entered: not due for destruction.
    await heldFile(t, s, s.lead);
    const { file: viewed } = await delegatedFile(t, s, s.lead, s.clerk2, 2);

    const lead = item(await work(s.lead), 'handover_due');
    expect(lead).toEqual(expect.objectContaining({ kind: 'handover_due', count: 2, overdue: 1 }));
    expect(lead!.refs.map((r) => r.id)).toEqual([`HF-${late.id}`, `HF-${due.id}`]);
    expect(await count(s.lead2, 'handover_due')).toBe(0);
    expect(await count(s.clerk, 'handover_due')).toBe(0);

    expect(item(await work(s.clerk2), 'handover_delegation')).toEqual({ kind: 'handover_delegation', count: 1, refs: [{ id: `HF-${viewed.id}`, label: `HF-${viewed.id}`, due: expect.any(String) }] });
    expect(await count(s.lead2, 'handover_delegation')).toBe(0);
  });

  test('R-RISK-MONTHLY, R-INSPECT: the rectifications a user owns and has not done, with those due within 3 days and those overdue', async () => {
    const d = await makeDepartment(t);
    const owner = await makeUser(t);
    const other = await makeUser(t);
    const open = (dueDate: string) =>
      t.ctx.db.tx((m) =>
        t.ctx.rectifications.open(m, { id: t.admin.id, username: 'admin' }, { sourceType: 'risk_assessment', sourceId: 1, departmentId: d.id, projectId: null, description: 'Lock the archive', ownerUserId: owner.id, dueDate }),
      );
    const later = await open(dayFromNow(t, 20));
    const soon = await open(dayFromNow(t, 2));
    const overdue = await open(dayFromNow(t, 5));
    const done = await open(dayFromNow(t, 5));
    const repo = t.ctx.db.manager.getRepository(Rectification);
    await repo.update({ id: overdue.id }, { dueDate: dayFromNow(t, -1) });
    await repo.update({ id: done.id }, { status: 'done', doneAt: new Date() });

    const r = item(await work(owner), 'rectification');
    expect(r).toEqual({
      kind: 'rectification',
      count: 3,
      overdue: 1,
      dueSoon: 1,
      refs: [
        { id: overdue.id, label: `#${overdue.id}`, due: dayFromNow(t, -1) },
        { id: soon.id, label: `#${soon.id}`, due: dayFromNow(t, 2) },
        { id: later.id, label: `#${later.id}`, due: dayFromNow(t, 20) },
      ],
    });
    expect(await count(other, 'rectification')).toBe(0);
  });

  test("R-RISK-MONTHLY: the department head fills their department's draft (again once returned); the quality department reviews a submitted one; another department's head sees neither", async () => {
    const a = await makeAssessmentOrg();
    const b = await makeAssessmentOrg();
    const qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    const period = freshMonth();
    const { assessment } = await t.ctx.assessments.ensureFor(a.deptId, monthPeriod(t, period));
    const reviewBefore = await count(qi, 'assessment_review');

    expect(item(await work(a.head), 'assessment_fill')).toEqual({ kind: 'assessment_fill', count: 1, refs: [{ id: assessment.id, label: `${a.dept} ${period}` }] });
    expect(await count(b.head, 'assessment_fill')).toBe(0);
    expect(await count(qi, 'assessment_fill')).toBe(0);

    await t.ctx.assessments.submit(actorOf(a.head), assessment.id);
    expect(await count(a.head, 'assessment_fill')).toBe(0);
    expect(await count(a.head, 'assessment_review')).toBe(0);
    const review = item(await work(qi), 'assessment_review');
    expect(review?.count).toBe(reviewBefore + 1);
    expect(review?.refs).toContainEqual({ id: assessment.id, label: `${a.dept} ${period}` });

    await t.ctx.assessments.returnToDraft(actorOf(qi), assessment.id, 'Add the open ports of the service centre');
    expect(await count(a.head, 'assessment_fill')).toBe(1);
    expect(await count(qi, 'assessment_review')).toBe(reviewBefore);
  });

  test("R-INSPECT: an inspection in progress waits for the quality department (who conducts it), not for the project's manager who only reads it", async () => {
    const qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    const before = await count(qi, 'inspection_open');
    const o = await makeInspectedProject(t);
    const { inspection } = await makeInspection(t, o.projectId);
    const open = item(await work(qi), 'inspection_open');
    expect(open?.count).toBe(before + 1);
    expect(open?.refs).toContainEqual({ id: inspection.id, label: `${o.project} ${inspection.period}`, due: inspection.periodEnd.toISOString() });
    expect(await count(o.pm, 'inspection_open')).toBe(0);
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    expect(await count(auditor, 'inspection_open')).toBe(0);
  });

  test("R-CASE-DEADLINE: cases within 3 days of their deadline or past it, for those who may read them (the project, its department, the department responsible); not another project's manager", async () => {
    const o = await makeCaseOrg(t);
    const other = await makeCaseOrg(t);
    const gmBefore = await count(o.gm, 'case_deadline');
    const now = Date.now();
    const overdue = await registerCase(t, o.staff, o.project, o.customerId);
    await makeOverdue(t, overdue.id);
    const near = await registerCase(t, o.staff, o.project, o.customerId);
    await setCaseTimes(t, near.id, { dueAt: new Date(now + 2 * DAY), dueDate: new Date(now + DAY).toISOString().slice(0, 10) });
    // Due in 15 days: not yet.
    await registerCase(t, o.staff, o.project, o.customerId);
    // Past its deadline but closed: nothing to do.
    const closed = await registerCase(t, o.staff, o.project, o.customerId);
    await setCaseTimes(t, closed.id, { dueAt: new Date(now - DAY), closedAt: new Date(now - 2 * DAY) });
    await t.ctx.db.manager.query(`UPDATE complaint_case SET status = 'closed' WHERE id = ${closed.id}`);

    for (const u of [o.pm, o.head, o.staff]) {
      const c = item(await work(u), 'case_deadline');
      expect(c).toEqual(expect.objectContaining({ count: 2, overdue: 1, dueSoon: 1 }));
      expect(c!.refs.map((r) => r.label)).toEqual([overdue.caseNo, near.caseNo]);
    }
    expect(await count(o.gm, 'case_deadline')).toBe(gmBefore + 2);
    expect(await count(other.pm, 'case_deadline')).toBe(0);
    expect(await count(other.head, 'case_deadline')).toBe(0);

    // Assigned to another department as the responsible one: its head is chased for it too (R-CASE-CHASE).
    await t.ctx.cases.investigate(actorOf(o.pm), near.id, { department: other.dept, cause: 'quality' });
    expect(item(await work(other.head), 'case_deadline')?.refs).toEqual([{ id: near.id, label: near.caseNo, due: expect.any(String) }]);
    expect(await count(other.pm, 'case_deadline')).toBe(0);
  });

  test('R-EXTERNAL: a pending external release waits for the general manager, never for its requester; nobody else', async () => {
    const p = await makeProject(t);
    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const gm2 = await makeUser(t, { roles: [['general_manager', '*']] });
    const [before, before2] = [await count(gm, 'release_decision'), await count(gm2, 'release_decision')];
    const r = await t.ctx.releases.request({ id: gm.id, username: gm.username }, { project: p.code, recipient: 'Audit Ltd', purpose: 'annual audit sample', fields: [], format: 'csv' });
    expect(await count(gm, 'release_decision')).toBe(before);
    const theirs = item(await work(gm2), 'release_decision');
    expect(theirs?.count).toBe(before2 + 1);
    expect(theirs?.refs).toContainEqual({ id: r.id, label: `${p.code} #${r.id}` });
    const pm = await makeUser(t, { roles: [['project_manager', `project:${p.code}`]] });
    expect(await count(pm, 'release_decision')).toBe(0);
  });

  test('R-REWARD, R-PENALTY: a pending reward or penalty waits for the general manager, never for its proposer nor for the person it names', async () => {
    const p = await makeProject(t);
    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const gm2 = await makeUser(t, { roles: [['general_manager', '*']] });
    const qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    const [before, before2] = [await count(gm, 'sanction_decision'), await count(gm2, 'sanction_decision')];
    // A reward for reporting names the reporter: here the general manager himself.
    const i = await makeIncident(t, { project: p.code, reporterId: gm.id });
    const named = await t.ctx.sanctions.propose(actorOf(qi), { source: { type: 'incident', id: i.id }, userId: gm.id, kind: 'reward', ground: 'report', amount: 500, reason: 'Reported the list left on the printer' });
    // One proposed by the second general manager (through the service: the route lets only the quality department propose).
    const reporter = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
    const j = await makeIncident(t, { project: p.code, reporterId: reporter.id });
    const own = await t.ctx.sanctions.propose(actorOf(gm2), { source: { type: 'incident', id: j.id }, userId: reporter.id, kind: 'reward', ground: 'report', amount: 300, reason: 'Reported the open cabinet' });
    const mine = item(await work(gm), 'sanction_decision');
    expect(mine?.count).toBe(before + 1);
    expect(mine?.refs).toContainEqual({ id: own.id, label: `reward #${own.id}` });
    expect(mine?.refs.map((r) => r.id)).not.toContain(named.id);
    const theirs = item(await work(gm2), 'sanction_decision');
    expect(theirs?.count).toBe(before2 + 1);
    expect(theirs?.refs).toContainEqual({ id: named.id, label: `reward #${named.id}` });
    expect(theirs?.refs.map((r) => r.id)).not.toContain(own.id);
    expect(await count(qi, 'sanction_decision')).toBe(0);
  });

  test("R-SECRET: the response carries no customer information: names, phones, ID numbers and units of the customers behind the caller's work are absent", async () => {
    const o = await makePaperOrg(t);
    const customers = await makeCustomers(t, o.project, 2, '歐陽');
    await makePrintRequest(t, o.staff, o.project, { customerIds: customers.map((c) => c.id), purpose: `Call ${customers[0].name} on ${customers[0].phone}` });
    const { copies } = await makeIssuedCopies(t, o.staff, o.pm2, o.project, { customerIds: [customers[1].id], purpose: `Visit ${customers[1].name}`, signed: true });
    await t.ctx.copies.returnCopy(actorOf(o.staff), await t.ctx.copies.loadBySerial(copies[0].serial), { keeperUserId: o.pm.id, note: `handed back by ${customers[1].name}` });
    const caseCustomer = await makeCustomer(t, o.project, { name: '司徒美玲' });
    const c = await registerCase(t, o.staff, o.project, caseCustomer.id, { request: `Call 司徒美玲 back on ${customers[0].phone}` });
    await makeOverdue(t, c.id);

    const w = await work(o.pm);
    expect(w.items.map((i) => i.kind)).toEqual(['print_approval', 'return_confirmation', 'case_deadline']);
    expect(w.total).toBe(3);
    const text = JSON.stringify(w);
    for (const secret of [...customers.flatMap((x) => [x.name, x.phone, x.idNumber]), '司徒美玲', '歐陽', '棟']) expect(text).not.toContain(secret);
  });
});
