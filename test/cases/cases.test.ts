/**
 * Complaint cases (the complaint procedure 第八條–第十四條) as customer information under the
 * Rules: intake, numbering, deadlines, the workflow with its approval limits, lateness, reopening,
 * confidentiality of the case text and of the internal form. Every test runs on SQLite and on
 * MariaDB (jest projects).
 */
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { CaseEvent } from '../../src/entities/CaseEvent';
import { CaseNumberCounter } from '../../src/entities/CaseNumberCounter';
import { ComplaintCase } from '../../src/entities/ComplaintCase';
import { caseMonth } from '../../src/features/cases/case-numbering';
import { deadlineFor } from '../../src/features/cases/deadlines';
import { advanceCase, CaseOrg, intake, makeCaseOrg, makeCustomer, makeOverdue, registerCase, setCaseTimes } from '../helpers/case-factories';
import { makeDepartment, makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let org: CaseOrg;

beforeAll(async () => {
  t = await startTestApp();
  org = await makeCaseOrg(t);
});
afterAll(async () => {
  await t?.close();
});

const TZ = 'Asia/Shanghai';
const post = (u: MadeUser, path: string, body?: object) => {
  const r = t.http().post(path).set('Authorization', u.auth);
  return body === undefined ? r : r.send(body);
};
const get = (u: MadeUser, path: string, query: Record<string, string> = {}) => t.http().get(path).query(query).set('Authorization', u.auth);

/** Everything a refused case request could have touched. */
async function snapshot() {
  const m = t.ctx.db.manager;
  const head = await m.getRepository(AuditHead).findOneByOrFail({ id: 1 });
  return {
    cases: await m.getRepository(ComplaintCase).count(),
    events: await m.getRepository(CaseEvent).count(),
    counters: (await m.getRepository(CaseNumberCounter).find({ order: { month: 'ASC' } })).map((c) => [c.month, c.lastSerial]),
    auditSeq: head.seq,
    statuses: (await m.getRepository(ComplaintCase).find({ order: { id: 'ASC' } })).map((c) => [c.id, c.status, c.proposal, c.amountFen, c.closedAt?.toISOString() ?? null]),
  };
}

async function rejected(send: () => Promise<{ status: number; body: { error?: { code: string; details?: unknown } } }>, status: number, code: string) {
  const before = await snapshot();
  const res = await send();
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(await snapshot()).toEqual(before);
  return res;
}

const auditOf = async (caseId: number) =>
  (await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'case', objectId: String(caseId) }, order: { seq: 'ASC' } }));

describe('intake, numbering and deadlines', () => {
  test('R-CASE-NO R-CASE-DEADLINE: registration numbers the case YYMM-NNN (configured timezone), accepts it now and shows a due date 15 days later (domestic)', async () => {
    const res = await post(org.staff, '/api/v1/cases', {
      project: org.project,
      customerId: org.customerId,
      channel: 'visit',
      type: 'repair_request',
      request: 'The entrance door does not lock',
      items: [{ product: 'Door lock', quantity: 1 }],
    });
    expect(res.status).toBe(201);
    const accepted = new Date(res.body.acceptedAt);
    expect(res.body.caseNo).toMatch(new RegExp(`^${caseMonth(accepted, TZ)}-\\d{3,}$`));
    const expected = deadlineFor(accepted, 'domestic', TZ);
    expect(res.body).toMatchObject({
      status: 'registered',
      project: org.project,
      channel: 'visit',
      type: 'repair_request',
      deadlineDays: 15,
      dueDate: expected.dueDate,
      dueAt: expected.dueAt.toISOString(),
      overdue: false,
      customerId: org.customerId,
    });
    const one = await get(org.staff, `/api/v1/cases/${res.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ caseNo: res.body.caseNo, dueDate: expected.dueDate, deadlineDays: 15 });
    expect(one.body.history).toEqual([expect.objectContaining({ step: 'registered', byUserId: org.staff.id, byUsername: org.staff.username })]);
    const events = await auditOf(res.body.id);
    expect(events.map((e) => e.action)).toEqual(['case.registered']);
    expect(events[0].after).toMatchObject({ caseNo: res.body.caseNo, dueDate: expected.dueDate, deadlineDays: 15 });
  });

  test('R-CASE-DEADLINE: a foreign customer\'s case is due 20 days after acceptance; the deadline is fixed at acceptance', async () => {
    const foreign = await makeCustomer(t, org.project, { nationality: 'foreign', name: 'John Smith' });
    const c = await registerCase(t, org.staff, org.project, foreign.id);
    expect(c.deadlineDays).toBe(20);
    expect(c.dueDate).toBe(deadlineFor(c.acceptedAt, 'foreign', TZ).dueDate);
    // Five calendar days more than a domestic customer's case accepted at the same moment.
    expect((Date.parse(c.dueDate) - Date.parse(deadlineFor(c.acceptedAt, 'domestic', TZ).dueDate)) / 86_400_000).toBe(5);
    // A later change of the customer's class does not move the deadline set at acceptance.
    await t.ctx.customers.update({ id: t.admin.id, username: t.admin.username }, await t.ctx.customers.load(foreign.id), { nationality: 'domestic', idNumber: null });
    expect((await t.ctx.cases.view(await t.ctx.cases.load(c.id))).dueDate).toBe(c.dueDate);
  });

  test('R-CASE-DEADLINE: days are counted from the local day of acceptance in the configured timezone (15 domestic, 20 foreign)', () => {
    // 3 November 23:30 in Shanghai (15:30 UTC): due 18 November, overdue from 19 November 00:00 Shanghai.
    const late = deadlineFor(new Date('2026-11-03T23:30:00+08:00'), 'domestic', TZ);
    expect(late).toEqual({ days: 15, dueDate: '2026-11-18', dueAt: new Date('2026-11-18T16:00:00.000Z') });
    // 4 November 00:30 in Shanghai is still 3 November in UTC: the local day counts.
    expect(deadlineFor(new Date('2026-11-03T16:30:00Z'), 'domestic', TZ).dueDate).toBe('2026-11-19');
    expect(deadlineFor(new Date('2026-11-03T10:00:00+08:00'), 'foreign', TZ)).toEqual({ days: 20, dueDate: '2026-11-23', dueAt: new Date('2026-11-23T16:00:00.000Z') });
    // Across a month and a year end.
    expect(deadlineFor(new Date('2026-12-20T09:00:00+08:00'), 'domestic', TZ).dueDate).toBe('2027-01-04');
    // The case month is the local month: 1 November 01:00 in Shanghai is 31 October in UTC.
    expect(caseMonth(new Date('2026-10-31T17:00:00Z'), TZ)).toBe('2611');
    expect(caseMonth(new Date('2026-10-31T15:59:00Z'), TZ)).toBe('2610');
  });

  test('R-CASE-CONFIDENTIAL: a case for a customer of another project is refused with 400 naming body.customerId (same answer for an unknown id), and nothing is written', async () => {
    const other = await makeProject(t);
    const stranger = await makeCustomer(t, other.code);
    const res = await rejected(() => post(org.staff, '/api/v1/cases', intake(org.project, stranger.id)), 400, 'validation_failed');
    expect(res.body.error!.details).toEqual([{ path: 'body.customerId', message: `customer ${stranger.id} is not a customer of project ${org.project}` }]);
    const unknown = await rejected(() => post(org.staff, '/api/v1/cases', intake(org.project, 99_999_999)), 400, 'validation_failed');
    expect(unknown.body.error!.details).toEqual([{ path: 'body.customerId', message: `customer 99999999 is not a customer of project ${org.project}` }]);
    // Registering the case in the other project instead: the staff member has no role there.
    // (The refusal itself is recorded: one access.denied event, nothing else.)
    const elsewhere = await rejectedButAudited(() => post(org.staff, '/api/v1/cases', intake(other.code, stranger.id)));
    expect(elsewhere.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'case:create' } });
  });

  test('R-CASE-CONFIDENTIAL: bad intake input is a 400 with one detail per field, and nothing is written', async () => {
    const bad = await rejected(
      () =>
        post(org.staff, '/api/v1/cases', {
          project: org.project,
          customerId: org.customerId,
          channel: 'pigeon',
          type: 'quality_complaint',
          request: '',
          items: [{ quantity: 3, defectiveQuantity: 4 }],
          extra: 1,
        }),
      400,
      'validation_failed',
    );
    const paths = (bad.body.error!.details as Array<{ path: string }>).map((d) => d.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['body.channel', 'body.request', 'body.items.0.product', 'body.items.0.defectiveQuantity', 'body.extra']));
    await rejected(() => post(org.staff, '/api/v1/cases', { customerId: org.customerId }), 400, 'validation_failed');
  });
});

describe('confidentiality of case data (R-CASE-CONFIDENTIAL)', () => {
  test('R-CASE-CONFIDENTIAL: phone and ID numbers in the case text are shown redacted in every view, the customer masked, and the audit trail holds none of it', async () => {
    const phone = makePhone();
    const id = makeIdNumber();
    const res = await post(org.staff, '/api/v1/cases', {
      ...intake(org.project, org.customerId),
      request: `業主要求換貨，回電 ${phone}，身份證 ${id}`,
      notes: `email the son at son.chan@example.com, or ${phone}`,
      items: [{ product: `Tile, ask ${phone}`, orderNo: 'SO-77' }],
    });
    expect(res.status).toBe(201);
    const caseId = res.body.id;
    const pm = { id: org.pm.id, username: org.pm.username };
    await t.ctx.cases.investigate(pm, caseId, { department: org.dept, cause: 'non_quality', findings: `the installer (mobile ${phone}) chipped them` });
    const views = [
      res.body,
      (await get(org.staff, `/api/v1/cases/${caseId}`)).body,
      (await get(org.pm, '/api/v1/cases', { project: org.project })).body.items.find((c: { id: number }) => c.id === caseId),
      (await get(org.head, '/api/v1/cases', { department: org.dept })).body.items.find((c: { id: number }) => c.id === caseId),
    ];
    for (const v of views) {
      expect(v).toBeDefined();
      const text = JSON.stringify(v);
      expect(text).not.toContain(phone);
      expect(text).not.toContain(id);
      expect(text).not.toContain('son.chan@example.com');
      expect(v.redacted).toBe(true);
      expect(v.customer.masked).toBe(true);
      expect(v.customer.phones[0]).toMatch(/^\d{3}\*{4}\d{4}$/);
      expect(v.request).toContain('[手機已刪除]');
      expect(v.request).toContain('[證件號已刪除]');
      expect(v.request).toContain('業主要求換貨');
    }
    expect(views[1].notes).toContain('[郵箱已刪除]');
    expect(views[1].items[0]).toEqual({ product: 'Tile, ask [手機已刪除]', orderNo: 'SO-77' });
    expect(views[1].findings).toBe('the installer (mobile [手機已刪除]) chipped them');
    const trail = JSON.stringify(await auditOf(caseId));
    for (const secret of [phone, id, 'son.chan', '業主要求換貨', 'chipped']) expect(trail).not.toContain(secret);
  });

  test('R-CASE-CONFIDENTIAL: only the case roles where the case is may read it; staff of another project, another department\'s head, the IT admin and the auditor are refused (403)', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    const otherProject = await makeProject(t);
    const otherDept = await makeDepartment(t);
    const outsiders = await Promise.all([
      makeUser(t, { roles: [['staff', `project:${otherProject.code}`]] }),
      makeUser(t, { roles: [['dept_head', `dept:${otherDept.code}`]] }),
      makeUser(t, { roles: [['it_admin', '*']] }),
      makeUser(t, { roles: [['auditor', '*']] }),
    ]);
    for (const u of outsiders) {
      const res = await get(u, `/api/v1/cases/${c.id}`);
      expect({ status: res.status, permission: res.body.error?.details?.permission }).toEqual({ status: 403, permission: 'case:read' });
      const list = await get(u, '/api/v1/cases', { project: org.project });
      expect(list.status).toBe(403);
    }
    const insiders = [org.staff, org.pm, org.head, org.gm, await makeUser(t, { roles: [['customer_manager', `project:${org.project}`]] })];
    for (const u of insiders) expect((await get(u, `/api/v1/cases/${c.id}`)).status).toBe(200);
    // The company-wide listing is for company-wide readers only.
    expect((await get(org.staff, '/api/v1/cases')).status).toBe(403);
    const all = await get(org.gm, '/api/v1/cases', { limit: '500' });
    expect(all.status).toBe(200);
    expect(all.body.items.some((x: { id: number }) => x.id === c.id)).toBe(true);
  });

  test('R-CASE-CONFIDENTIAL: the internal case form is never part of an external release: the released file holds no case field, and a release cannot ask for one', async () => {
    const itAdmin = await makeUser(t, { roles: [['it_admin', '*']] });
    const gm2 = await makeUser(t, { roles: [['general_manager', '*']] });
    const c = await registerCase(t, org.staff, org.project, org.customerId, { request: 'UNIQUE-CASE-TEXT-4711 wants a refund', notes: 'CASE-NOTE-0815' });
    const asked = await post(itAdmin, '/api/v1/external-releases', { project: org.project, recipient: 'City Gas Co.', purpose: 'gas meter safety inspection', fields: ['phones', 'cases'] });
    expect(asked.status).toBe(400);
    expect(asked.body.error.details[0].path).toMatch(/^body\.fields/);
    const req = await post(itAdmin, '/api/v1/external-releases', {
      project: org.project,
      recipient: 'City Gas Co.',
      purpose: 'gas meter safety inspection',
      fields: ['phones', 'idNumber', 'employer', 'email', 'emergencyContact'],
    });
    expect(req.status).toBe(201);
    expect((await post(gm2, `/api/v1/external-releases/${req.body.id}/approve`, {})).status).toBe(200);
    const dl = await t.http().get(`/api/v1/external-releases/${req.body.id}/download`).set('Authorization', itAdmin.auth);
    expect(dl.status).toBe(200);
    expect(dl.text).toContain('陳大文');
    for (const caseField of [c.caseNo, 'UNIQUE-CASE-TEXT-4711', 'CASE-NOTE-0815', 'caseNo', 'dueDate', 'quality_complaint', '客訴']) {
      expect(dl.text).not.toContain(caseField);
    }
    // And no code path: the release and export code never reads case data.
    const fs = await import('node:fs');
    const path = await import('node:path');
    const root = path.resolve(__dirname, '../../src/features');
    for (const dir of ['releases', 'customers/export']) {
      for (const f of fs.readdirSync(path.join(root, dir))) {
        const src = fs.readFileSync(path.join(root, dir, f), 'utf8');
        expect(src).not.toMatch(/ComplaintCase|features\/cases|CaseEvent|CaseStatistics|complaint_case/);
      }
    }
  });
});

describe('workflow', () => {
  test('R-CASE-CONFIDENTIAL R-AUDIT: registered → investigating → proposed → decided → communicated → closed, each step audited with the case', async () => {
    const responsible = await makeUser(t);
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    const steps: Array<[MadeUser, string, object]> = [
      [org.pm, 'investigate', { department: org.dept, cause: 'quality', findings: 'glaze defect in batch 7', responsibleUserIds: [responsible.id] }],
      [org.pm, 'propose', { proposal: 'replacement', amount: 320.5, note: 'replace 6 tiles' }],
      [org.head, 'decide', { note: 'agreed' }],
      [org.pm, 'communicate', { result: 'Told the customer by letter: 6 tiles replaced next week' }],
      [org.pm, 'close', {}],
    ];
    const statuses: string[] = [];
    for (const [u, step, body] of steps) {
      const res = await post(u, `/api/v1/cases/${c.id}/${step}`, body);
      expect(res.status).toBe(200);
      statuses.push(res.body.status);
    }
    expect(statuses).toEqual(['investigating', 'proposed', 'decided', 'communicated', 'closed']);
    const final = (await get(org.pm, `/api/v1/cases/${c.id}`)).body;
    expect(final).toMatchObject({
      department: org.dept,
      cause: 'quality',
      responsibleUserIds: [responsible.id],
      proposal: 'replacement',
      amount: 320.5,
      decidedById: org.head.id,
      decidedAs: 'dept_head (5000.00)',
      result: 'Told the customer by letter: 6 tiles replaced next week',
      late: false,
      lateReason: null,
      overdue: false,
      closedById: org.pm.id,
    });
    expect(final.history.map((h: { step: string }) => h.step)).toEqual(['registered', 'investigated', 'proposed', 'decided', 'communicated', 'closed']);
    const events = await auditOf(c.id);
    expect(events.map((e) => e.action)).toEqual(['case.registered', 'case.investigated', 'case.proposed', 'case.decided', 'case.communicated', 'case.closed']);
    expect(events.map((e) => e.actorId)).toEqual([org.staff.id, org.pm.id, org.pm.id, org.head.id, org.pm.id, org.pm.id]);
    expect(events.every((e) => e.scope === `project:${org.project}`)).toBe(true);
    expect(events[3].after).toMatchObject({ status: 'decided', amount: 320.5, decidedAs: 'dept_head (5000.00)' });
  });

  test('R-CASE-DEADLINE (第九條 steps): a case reaches "closed" only through every step in order: skipping one, or doing one twice, is 409 naming the expected state, and nothing changes', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    const skip = await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'return' }), 409, 'invalid_case_state');
    expect(skip.body.error!.details).toEqual({ caseNo: c.caseNo, status: 'registered', expected: ['investigating'] });
    expect((await rejected(() => post(org.gm, `/api/v1/cases/${c.id}/decide`, {}), 409, 'invalid_case_state')).body.error!.details).toMatchObject({ expected: ['proposed'] });
    expect((await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/communicate`, { result: 'x' }), 409, 'invalid_case_state')).body.error!.details).toMatchObject({ expected: ['decided'] });
    expect((await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/close`, {}), 409, 'invalid_case_state')).body.error!.details).toMatchObject({ expected: ['communicated'] });
    expect((await rejected(() => post(org.staff, `/api/v1/cases/${c.id}/reopen`, { request: 'not happy' }), 409, 'invalid_case_state')).body.error!.details).toMatchObject({ expected: ['communicated', 'closed'] });
    // A step done twice is a skipped step too.
    await advanceCase(t, org, c.id, 'investigating');
    expect((await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/investigate`, { department: org.dept, cause: 'quality' }), 409, 'invalid_case_state')).body.error!.details).toMatchObject({ status: 'investigating', expected: ['registered'] });
  });

  test('R-CASE-DEADLINE (第九條(四),(七)): a case is closed only after the result is communicated to the customer: closing before it is 409, communicating without a result is 400; nothing changes', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c.id, 'decided');
    const close = await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/close`, {}), 409, 'invalid_case_state');
    expect(close.body.error!.details).toMatchObject({ status: 'decided', expected: ['communicated'] });
    const empty = await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/communicate`, {}), 400, 'validation_failed');
    expect(empty.body.error!.details).toEqual([expect.objectContaining({ path: 'body.result' })]);
    await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/communicate`, { result: '   ' }), 400, 'validation_failed');
  });

  test('R-CASE-CHASE: closing after the due date without the reason is 400 naming body.lateReason and changes nothing; with it the case closes late and keeps the reason', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c.id, 'communicated');
    await makeOverdue(t, c.id);
    const view = (await get(org.pm, `/api/v1/cases/${c.id}`)).body;
    expect(view.overdue).toBe(true);
    const res = await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/close`, {}), 400, 'validation_failed');
    expect(res.body.error!.details).toEqual([{ path: 'body.lateReason', message: expect.stringContaining('R-CASE-CHASE') }]);
    const ok = await post(org.pm, `/api/v1/cases/${c.id}/close`, { lateReason: 'Supplier delivered the replacement tiles late; call 13912345678' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'closed', late: true, overdue: false, lateReason: 'Supplier delivered the replacement tiles late; call [手機已刪除]' });
    const closed = (await auditOf(c.id)).pop()!;
    expect(closed.action).toBe('case.closed');
    expect(closed.after).toMatchObject({ late: true, lateReasonGiven: true });
    // On time needs no reason.
    const c2 = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c2.id, 'communicated');
    expect((await post(org.pm, `/api/v1/cases/${c2.id}/close`)).body).toMatchObject({ status: 'closed', late: false });
  });

  test('R-AUDIT (第十一條 approval authority): an amount above the approver\'s authority is refused with 403 naming the limit and the refusal is recorded in the audit trail; the case stays proposed; a higher approver decides', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c.id, 'investigating');
    expect((await post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'compensation', amount: 800 })).status).toBe(200);
    const refused = await rejectedButAudited(() => post(org.pm, `/api/v1/cases/${c.id}/decide`, {}));
    expect(refused.body.error.code).toBe('approval_limit_exceeded');
    expect(refused.body.error.message).toContain('800.00');
    expect(refused.body.error.message).toContain('project_manager (500.00)');
    expect(refused.body.error.details).toEqual({ amount: 800, limit: 500, role: 'project_manager', requires: ['dept_head', 'general_manager'] });
    const denial = (await auditOf(c.id)).pop()!;
    expect(denial).toMatchObject({ action: 'case.decide_refused', decision: 'deny', actorId: org.pm.id });
    expect(denial.reason).toContain('approval_limit_exceeded');
    const ok = await post(org.head, `/api/v1/cases/${c.id}/decide`, {});
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'decided', decidedById: org.head.id, decidedAs: 'dept_head (5000.00)' });

    // 6000 yuan: above the department head's 5000, within the general manager's (no limit).
    const big = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, big.id, 'investigating');
    await post(org.pm, `/api/v1/cases/${big.id}/propose`, { proposal: 'discount', amount: 6000 });
    const headRefused = await rejectedButAudited(() => post(org.head, `/api/v1/cases/${big.id}/decide`, {}));
    expect(headRefused.body.error.details).toMatchObject({ amount: 6000, limit: 5000, role: 'dept_head', requires: ['general_manager'] });
    expect((await post(org.gm, `/api/v1/cases/${big.id}/decide`, {})).body).toMatchObject({ status: 'decided', decidedAs: 'general_manager (no limit)' });
    // Staff have no case:decide at all: the route refuses before any amount is looked at.
    const small = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, small.id, 'proposed');
    const staff = await post(org.staff, `/api/v1/cases/${small.id}/decide`, {});
    expect({ status: staff.status, permission: staff.body.error.details.permission }).toEqual({ status: 403, permission: 'case:decide' });
  });

  test('R-AUDIT (第十一條 approval): two approvers deciding at once: exactly one decision stands and is recorded once in the audit trail and the history, the other gets 409', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c.id, 'proposed', { amount: 100 });
    const [a, b] = await Promise.all([post(org.pm, `/api/v1/cases/${c.id}/decide`, {}), post(org.gm, `/api/v1/cases/${c.id}/decide`, {})]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const decided = (await auditOf(c.id)).filter((e) => e.action === 'case.decided');
    expect(decided).toHaveLength(1);
    const events = await t.ctx.db.manager.getRepository(CaseEvent).countBy({ caseId: c.id, step: 'decided' });
    expect(events).toBe(1);
  });

  test('R-AUDIT (第九條(五) decision): the approver may send a proposal back with a note, recorded in the history and the audit trail (what was sent back), to be proposed again; proposals are checked (400, nothing changes)', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c.id, 'investigating');
    await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'discount' }), 400, 'validation_failed');
    await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'rejected', amount: 50 }), 400, 'validation_failed');
    await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'compensation', amount: 10.555 }), 400, 'validation_failed');
    await rejected(() => post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'compensation', amount: -1 }), 400, 'validation_failed');
    expect((await post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'compensation', amount: 300 })).status).toBe(200);
    await rejected(() => post(org.gm, `/api/v1/cases/${c.id}/decide`, { approve: false }), 400, 'validation_failed');
    const back = await post(org.gm, `/api/v1/cases/${c.id}/decide`, { approve: false, note: 'the customer caused it: reject the complaint' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'investigating', proposal: null, amount: null });
    expect(back.body.history.pop()).toMatchObject({ step: 'returned', note: 'the customer caused it: reject the complaint' });
    expect((await auditOf(c.id)).pop()).toMatchObject({
      action: 'case.returned',
      actorId: org.gm.id,
      before: expect.objectContaining({ status: 'proposed', proposal: 'compensation', amount: 300 }),
      after: expect.objectContaining({ status: 'investigating', proposal: null, returnedProposal: 'compensation', returnedAmount: 300 }),
    });
    expect((await post(org.pm, `/api/v1/cases/${c.id}/propose`, { proposal: 'rejected' })).body).toMatchObject({ status: 'proposed', proposal: 'rejected', amount: null });
    expect((await post(org.pm, `/api/v1/cases/${c.id}/decide`, {})).body).toMatchObject({ status: 'decided', decidedAs: 'project_manager (500.00)' });
  });

  test('R-CASE-DEADLINE R-CASE-CHASE (第九條(八) reopening): a customer who does not accept the decision gets a new case with its own number and its own deadline from its acceptance, linked both ways; the original is closed by it (late: only with the reason for lateness); a second reopen is 409', async () => {
    // Reopening a "communicated" case closes it: the caller both registers (case:create) and handles (case:handle) cases there.
    const handler = await makeUser(t, { roles: [['staff', `project:${org.project}`], ['project_manager', `project:${org.project}`]] });
    const c = await registerCase(t, org.staff, org.project, org.customerId, { type: 'non_quality_complaint' });
    await advanceCase(t, org, c.id, 'communicated');
    const res = await post(handler, `/api/v1/cases/${c.id}/reopen`, { request: 'The customer does not accept a 100 yuan discount' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'registered', type: 'non_quality_complaint', customerId: org.customerId, reopenedFrom: { id: c.id, caseNo: c.caseNo }, reopenedTo: null });
    expect(res.body.caseNo).not.toBe(c.caseNo);
    expect(res.body.caseNo).toMatch(/^\d{4}-\d{3,}$/);
    expect(res.body.dueDate).toBe(deadlineFor(new Date(res.body.acceptedAt), 'domestic', TZ).dueDate);
    const orig = (await get(org.staff, `/api/v1/cases/${c.id}`)).body;
    expect(orig).toMatchObject({ status: 'closed', late: false, reopenedTo: { id: res.body.id, caseNo: res.body.caseNo } });
    expect(orig.history.slice(-2).map((h: { step: string }) => h.step)).toEqual(['closed', 'reopened']);
    expect((await auditOf(c.id)).pop()).toMatchObject({ action: 'case.reopened', after: expect.objectContaining({ reopenedAs: res.body.caseNo, closedByReopening: true }) });
    expect((await auditOf(res.body.id)).map((e) => e.action)).toEqual(['case.registered']);
    const again = await rejected(() => post(handler, `/api/v1/cases/${c.id}/reopen`, { request: 'again' }), 409, 'already_reopened');
    expect(again.body.error!.details).toEqual({ reopenedTo: res.body.caseNo });
    // A late original needs the reason when reopening closes it (400 naming body.lateReason, nothing changes); with it, it closes late.
    const late = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, late.id, 'communicated');
    await makeOverdue(t, late.id);
    const noReason = await rejected(() => post(handler, `/api/v1/cases/${late.id}/reopen`, { request: 'not accepted' }), 400, 'validation_failed');
    expect(noReason.body.error!.details).toEqual([expect.objectContaining({ path: 'body.lateReason' })]);
    expect((await post(handler, `/api/v1/cases/${late.id}/reopen`, { request: 'not accepted', lateReason: 'waited for the customer' })).status).toBe(200);
    expect(await t.ctx.cases.load(late.id)).toMatchObject({ status: 'closed', late: true, lateReason: 'waited for the customer' });
  });

  test('R-SECRET R-AUDIT (第九條(七),(八)): staff (case:create, no case:handle) cannot close a case by reopening it: reopening a still "communicated" case is 403 naming case:handle, the denial audited once, nothing changes; a closed case they reopen', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c.id, 'communicated');
    const refused = await rejectedButAudited(() => post(org.staff, `/api/v1/cases/${c.id}/reopen`, { request: 'The customer does not accept the decision' }));
    expect(refused.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'case:handle', scope: `project:${org.project}` } });
    expect(refused.body.error.message).toContain('case:handle');
    const denial = (await auditOf(c.id)).pop()!;
    expect(denial).toMatchObject({ action: 'access.denied', decision: 'deny', actorId: org.staff.id, scope: `project:${org.project}` });
    expect(denial.reason).toContain('case:handle');
    expect(await t.ctx.cases.load(c.id)).toMatchObject({ status: 'communicated', closedAt: null, reopenedToId: null });
    // Once a handler has closed it (第九條(七)), reopening it is a registration only (case:create): staff may.
    await advanceCase(t, org, c.id, 'closed');
    const ok = await post(org.staff, `/api/v1/cases/${c.id}/reopen`, { request: 'The customer does not accept the decision' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'registered', reopenedFrom: { id: c.id, caseNo: c.caseNo } });
    expect((await auditOf(c.id)).pop()).toMatchObject({ action: 'case.reopened', actorId: org.staff.id, after: expect.objectContaining({ closedByReopening: false }) });
  });

  test('R-CASE-NO (第九條(八) reopening): two reopenings of the same case at once: exactly one new case and one number taken (the month\'s serial advances by one), the other gets 409', async () => {
    const c = await registerCase(t, org.staff, org.project, org.customerId);
    await advanceCase(t, org, c.id, 'communicated');
    // Both callers register and handle cases in the project (reopening a "communicated" case closes it).
    const [one, two] = await Promise.all([
      makeUser(t, { roles: [['staff', `project:${org.project}`], ['project_manager', `project:${org.project}`]] }),
      makeUser(t, { roles: [['info_clerk', `project:${org.project}`], ['project_manager', `project:${org.project}`]] }),
    ]);
    const before = await t.ctx.db.manager.getRepository(ComplaintCase).count();
    const serials = async () => new Map((await t.ctx.db.manager.getRepository(CaseNumberCounter).find()).map((k) => [k.month, k.lastSerial]));
    const serialsBefore = await serials();
    const [x, y] = await Promise.all([
      post(one, `/api/v1/cases/${c.id}/reopen`, { request: 'not accepted (phone call)' }),
      post(two, `/api/v1/cases/${c.id}/reopen`, { request: 'not accepted (letter)' }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    expect(['invalid_case_state', 'already_reopened']).toContain((x.status === 409 ? x : y).body.error.code);
    expect(await t.ctx.db.manager.getRepository(ComplaintCase).count()).toBe(before + 1);
    const winner = x.status === 200 ? x : y;
    expect((await t.ctx.cases.load(c.id)).reopenedToId).toBe(winner.body.id);
    expect((await auditOf(c.id)).filter((e) => e.action === 'case.reopened')).toHaveLength(1);
    const month = caseMonth(new Date(winner.body.acceptedAt), TZ);
    const serial = (await serials()).get(month)!;
    expect(serial).toBe((serialsBefore.get(month) ?? 0) + 1);
    expect(winner.body.caseNo).toBe(`${month}-${String(serial).padStart(3, '0')}`);
  });

  test('R-CASE-DEADLINE: the listing filters by status and overdue, and each case shows its due date', async () => {
    const fresh = await makeCaseOrg(t);
    const open = await registerCase(t, fresh.staff, fresh.project, fresh.customerId);
    const overdue = await registerCase(t, fresh.staff, fresh.project, fresh.customerId);
    await makeOverdue(t, overdue.id);
    const closedLate = await registerCase(t, fresh.staff, fresh.project, fresh.customerId);
    await advanceCase(t, fresh, closedLate.id, 'communicated');
    await setCaseTimes(t, closedLate.id, { dueAt: new Date(Date.now() - 1000) });
    await t.ctx.cases.close({ id: fresh.pm.id, username: fresh.pm.username }, closedLate.id, { lateReason: 'holidays' });
    const ids = async (q: Record<string, string>) => (await get(fresh.pm, '/api/v1/cases', { project: fresh.project, ...q })).body.items.map((c: { id: number }) => c.id).sort();
    expect(await ids({})).toEqual([open.id, overdue.id, closedLate.id].sort());
    expect(await ids({ overdue: 'true' })).toEqual([overdue.id]);
    expect(await ids({ overdue: 'false' })).toEqual([open.id, closedLate.id].sort());
    expect(await ids({ status: 'closed' })).toEqual([closedLate.id]);
    expect(await ids({ status: 'registered', overdue: 'false' })).toEqual([open.id]);
    expect(await ids({ status: 'closed', overdue: 'true' })).toEqual([]);
    const list = (await get(fresh.pm, '/api/v1/cases', { project: fresh.project })).body;
    expect(list.total).toBe(3);
    for (const c of list.items) expect(c.dueDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const bad = await get(fresh.pm, '/api/v1/cases', { project: fresh.project, department: fresh.dept });
    expect(bad.status).toBe(400);
    expect((await get(fresh.pm, '/api/v1/cases', { project: fresh.project, overdue: 'maybe' })).status).toBe(400);
  });
});

/** A 403 refusal that is recorded: the case is unchanged, the only new audit event is the denial. */
async function rejectedButAudited(send: () => Promise<{ status: number; body: { error: { code: string; message: string; details: Record<string, unknown> } } }>) {
  const before = await snapshot();
  const res = await send();
  expect(res.status).toBe(403);
  const after = await snapshot();
  expect({ ...after, auditSeq: 0 }).toEqual({ ...before, auditSeq: 0 });
  expect(after.auditSeq).toBe(before.auditSeq + 1);
  return res;
}
