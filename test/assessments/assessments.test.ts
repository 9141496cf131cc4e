import ExcelJS from 'exceljs';
import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { Rectification } from '../../src/entities/Rectification';
import { RiskAssessment } from '../../src/entities/RiskAssessment';
import { RiskItem } from '../../src/entities/RiskItem';
import { pdfText } from '../../src/lib/documents';
import { actorOf, binary, dayFromNow, freshMonth, monthPeriod } from '../helpers/assessments-factories';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-RISK-MONTHLY (§5.3.1, §7): every department assesses its customer-information
 * confidentiality risk each month on the Risk Assessment Form and rectifies what it finds, with
 * owners and due dates. The department head fills and submits; the quality department reviews
 * or returns; auditors and the general manager read and change nothing (R-AUDIT).
 */
describe('monthly risk self-assessment', () => {
  let t: TestApp;
  let quality: MadeUser;
  let auditor: MadeUser;
  let gm: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    quality = await makeUser(t, { roles: [['quality_inspector', '*']] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    gm = await makeUser(t, { roles: [['general_manager', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  interface Org {
    dept: { id: number; code: string };
    project: { id: number; code: string };
    head: MadeUser;
    /** A draft assessment of the department for a fresh month. */
    id: number;
    period: string;
  }
  /** A fresh department with one project, its head, and a draft assessment created as the monthly job does. */
  async function makeOrg(): Promise<Org> {
    const dept = await makeDepartment(t);
    const project = await makeProject(t, { departmentCode: dept.code });
    const head = await makeUser(t, { roles: [['dept_head', `dept:${dept.code}`]] });
    const period = freshMonth();
    const { assessment } = await t.ctx.assessments.ensureFor(dept.id, monthPeriod(t, period));
    return { dept, project, head, id: assessment.id, period };
  }

  const base = '/api/v1/risk-assessments';
  const get = (id: number, u: { auth: string }) => t.http().get(`${base}/${id}`).set('Authorization', u.auth);
  const post = (path: string, u: { auth: string }, body?: unknown) => {
    const call = t.http().post(path).set('Authorization', u.auth);
    return body === undefined ? call : call.send(body as object);
  };
  const addItem = (id: number, u: { auth: string }, body: unknown) => post(`${base}/${id}/items`, u, body);
  const addRect = (id: number, u: { auth: string }, body: unknown) => post(`${base}/${id}/rectifications`, u, body);
  const events = (action: string, objectId: number | string) =>
    t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action, objectId: String(objectId) }, order: { seq: 'ASC' } });
  /** Everything a refused request could have touched. */
  const snapshot = async (id: number) => ({
    assessment: await t.ctx.db.manager.getRepository(RiskAssessment).findOneByOrFail({ id }),
    items: await t.ctx.db.manager.getRepository(RiskItem).find({ where: { assessmentId: id }, order: { id: 'ASC' } }),
    rectifications: await t.ctx.db.manager.getRepository(Rectification).find({ where: { sourceType: 'risk_assessment', sourceId: id }, order: { id: 'ASC' } }),
    seq: (await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
  });
  const expectValidation = (res: request.Response, path: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  };
  const expectForbidden = (res: request.Response, permission: string) => {
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual(expect.objectContaining({ code: 'forbidden', details: expect.objectContaining({ permission }) }));
  };
  const rectBody = (o: Record<string, unknown> = {}) => ({ description: 'Lock the archive cabinet of the service desk', dueDate: dayFromNow(t, 14), ...o });

  describe('the department head fills the draft', () => {
    test('R-RISK-MONTHLY: risk items get their level from likelihood × impact (1–4 low, 5–9 medium, 10–16 high, 20–25 critical) and the 5×5 matrix counts them per cell', async () => {
      const o = await makeOrg();
      const cases: Array<[number, number, number, string]> = [
        [1, 4, 4, 'low'],
        [1, 5, 5, 'medium'],
        [3, 3, 9, 'medium'],
        [2, 5, 10, 'high'],
        [4, 4, 16, 'high'],
        [4, 5, 20, 'critical'],
        [5, 5, 25, 'critical'],
        [5, 5, 25, 'critical'],
      ];
      for (const [likelihood, impact, score, level] of cases) {
        const res = await addItem(o.id, o.head, { description: `Risk ${likelihood}×${impact}`, likelihood, impact });
        expect(res.status).toBe(201);
        expect(res.body).toEqual(expect.objectContaining({ likelihood, impact, score, level, createdById: o.head.id }));
      }
      const view = await get(o.id, o.head);
      expect(view.status).toBe(200);
      expect(view.body).toEqual(expect.objectContaining({ id: o.id, department: o.dept.code, period: o.period, status: 'draft' }));
      expect(view.body.items).toHaveLength(cases.length);
      expect(view.body.levelCounts).toEqual({ low: 1, medium: 2, high: 2, critical: 3 });
      const expected = Array.from({ length: 5 }, () => [0, 0, 0, 0, 0]);
      for (const [l, i] of cases) expected[l - 1][i - 1]++;
      expect(view.body.matrix).toEqual(expected);
      expect(view.body.matrix[4][4]).toBe(2);

      const ev = await events('risk_assessment.item_added', view.body.items[0].id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(expect.objectContaining({ actorId: o.head.id, objectType: 'risk_item', scope: `dept:${o.dept.code}` }));
      expect(ev[0].after).toEqual(expect.objectContaining({ assessmentId: o.id, likelihood: 1, impact: 4, score: 4, level: 'low' }));
    });

    test('R-RISK-MONTHLY: changing a risk item recomputes its level; removing it leaves the audit trail with what it was', async () => {
      const o = await makeOrg();
      const item = (await addItem(o.id, o.head, { description: 'Customer list on a desk', likelihood: 2, impact: 2 })).body;
      const patched = await t.http().patch(`${base}/${o.id}/items/${item.id}`).set('Authorization', o.head.auth).send({ likelihood: 5, impact: 4 });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual(expect.objectContaining({ id: item.id, likelihood: 5, impact: 4, score: 20, level: 'critical', description: 'Customer list on a desk' }));
      const upd = await events('risk_assessment.item_updated', item.id);
      expect(upd).toHaveLength(1);
      expect(upd[0].before).toEqual(expect.objectContaining({ level: 'low', score: 4 }));
      expect(upd[0].after).toEqual(expect.objectContaining({ level: 'critical', score: 20 }));

      const removed = await t.http().delete(`${base}/${o.id}/items/${item.id}`).set('Authorization', o.head.auth);
      expect(removed.status).toBe(204);
      expect((await get(o.id, o.head)).body.items).toEqual([]);
      const del = await events('risk_assessment.item_removed', item.id);
      expect(del).toHaveLength(1);
      expect(del[0].before).toEqual(expect.objectContaining({ description: 'Customer list on a desk', level: 'critical' }));

      // An item of another assessment is not found under this one.
      const other = await makeOrg();
      const foreign = (await addItem(other.id, other.head, { description: 'x', likelihood: 1, impact: 1 })).body;
      const wrong = await t.http().patch(`${base}/${o.id}/items/${foreign.id}`).set('Authorization', o.head.auth).send({ impact: 2 });
      expect(wrong.status).toBe(404);
    });

    test('R-RISK-MONTHLY: likelihood 0 or 6 and impact 6 are 400 with field-level details; nothing changes', async () => {
      const o = await makeOrg();
      const ok = (await addItem(o.id, o.head, { description: 'Open USB port', likelihood: 3, impact: 3 })).body;
      const before = await snapshot(o.id);
      expectValidation(await addItem(o.id, o.head, { description: 'x', likelihood: 0, impact: 3 }), 'body.likelihood');
      expectValidation(await addItem(o.id, o.head, { description: 'x', likelihood: 6, impact: 3 }), 'body.likelihood');
      expectValidation(await addItem(o.id, o.head, { description: 'x', likelihood: 3, impact: 6 }), 'body.impact');
      expectValidation(await addItem(o.id, o.head, { description: 'x', likelihood: 2.5, impact: 3 }), 'body.likelihood');
      expectValidation(await addItem(o.id, o.head, { description: 'x', likelihood: '3', impact: 3 }), 'body.likelihood');
      expectValidation(await addItem(o.id, o.head, { description: '', likelihood: 3, impact: 3 }), 'body.description');
      expectValidation(await addItem(o.id, o.head, { description: 'x', likelihood: 3, impact: 3, level: 'low' }), 'body.level');
      expectValidation(await t.http().patch(`${base}/${o.id}/items/${ok.id}`).set('Authorization', o.head.auth).send({ likelihood: 0 }), 'body.likelihood');
      expectValidation(await t.http().patch(`${base}/${o.id}/items/${ok.id}`).set('Authorization', o.head.auth).send({ impact: 6 }), 'body.impact');
      expect(await snapshot(o.id)).toEqual(before);
    });

    test('R-RISK-MONTHLY: a rectification action (owner, due date) is opened for the draft and shown with it; audited in the same transaction', async () => {
      const o = await makeOrg();
      const owner = await makeUser(t, { departmentCode: o.dept.code });
      const res = await addRect(o.id, o.head, rectBody({ ownerUserId: owner.id, project: o.project.code }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          sourceType: 'risk_assessment',
          sourceId: o.id,
          department: o.dept.code,
          project: o.project.code,
          ownerUserId: owner.id,
          ownerUsername: owner.username,
          dueDate: dayFromNow(t, 14),
          status: 'open',
          overdue: false,
          evidenceNotes: null,
        }),
      );
      const view = await get(o.id, o.head);
      expect(view.body.rectifications).toEqual([res.body]);
      const ev = await events('rectification.opened', res.body.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(expect.objectContaining({ actorId: o.head.id, scope: `dept:${o.dept.code}` }));
      // A due date of today is not in the past.
      expect((await addRect(o.id, o.head, rectBody({ ownerUserId: owner.id, dueDate: dayFromNow(t, 0) }))).status).toBe(201);
    });

    test('R-RISK-MONTHLY: a due date in the past, an owner who is not an active user, a project of another department: 400; nothing changes', async () => {
      const o = await makeOrg();
      const owner = await makeUser(t);
      const pending = await makeUser(t, { signed: false });
      const elsewhere = await makeProject(t, { departmentCode: (await makeDepartment(t)).code });
      const before = await snapshot(o.id);
      const past = await addRect(o.id, o.head, rectBody({ ownerUserId: owner.id, dueDate: dayFromNow(t, -1) }));
      expectValidation(past, 'body.dueDate');
      expect(past.body.error.details[0].message).toMatch(/due date in the past/);
      expectValidation(await addRect(o.id, o.head, rectBody({ ownerUserId: owner.id, dueDate: '2031-02-30' })), 'body.dueDate');
      expectValidation(await addRect(o.id, o.head, rectBody({ ownerUserId: owner.id, dueDate: 'next week' })), 'body.dueDate');
      expectValidation(await addRect(o.id, o.head, rectBody({ ownerUserId: pending.id })), 'body.ownerUserId');
      expectValidation(await addRect(o.id, o.head, rectBody({ ownerUserId: 99999999 })), 'body.ownerUserId');
      expectValidation(await addRect(o.id, o.head, rectBody({ ownerUserId: owner.id, project: elsewhere.code })), 'body.project');
      expectValidation(await addRect(o.id, o.head, rectBody({})), 'body.ownerUserId');
      expect(await snapshot(o.id)).toEqual(before);
    });
  });

  describe('submission and review', () => {
    test('R-RISK-MONTHLY: submitting moves draft → submitted; submitting twice is 409; edits after submission are 409 and change nothing', async () => {
      const o = await makeOrg();
      const item = (await addItem(o.id, o.head, { description: 'Burner drive open', likelihood: 2, impact: 3 })).body;
      const sub = await post(`${base}/${o.id}/submit`, o.head);
      expect(sub.status).toBe(200);
      expect(sub.body).toEqual(expect.objectContaining({ status: 'submitted', submittedById: o.head.id, submittedBy: o.head.username, submittedAt: expect.any(String) }));
      const ev = await events('risk_assessment.submitted', o.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(expect.objectContaining({ actorId: o.head.id, scope: `dept:${o.dept.code}` }));

      const before = await snapshot(o.id);
      const again = await post(`${base}/${o.id}/submit`, o.head);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('assessment_not_draft');
      const edits = [
        await addItem(o.id, o.head, { description: 'late', likelihood: 1, impact: 1 }),
        await t.http().patch(`${base}/${o.id}/items/${item.id}`).set('Authorization', o.head.auth).send({ impact: 5 }),
        await t.http().delete(`${base}/${o.id}/items/${item.id}`).set('Authorization', o.head.auth),
        await addRect(o.id, o.head, rectBody({ ownerUserId: o.head.id })),
        await post(`${base}/${o.id}/refresh`, o.head),
      ];
      for (const res of edits) {
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('assessment_not_draft');
      }
      expect(await snapshot(o.id)).toEqual(before);
    });

    test('R-RISK-MONTHLY: the quality department returns it with a reason (→ draft), the head corrects and resubmits, quality reviews with a comment (→ reviewed, final)', async () => {
      const o = await makeOrg();
      await addItem(o.id, o.head, { description: 'Clerk PC USB open', likelihood: 3, impact: 4 });
      expect((await post(`${base}/${o.id}/submit`, o.head)).status).toBe(200);

      // Return needs a reason; review needs a comment.
      expectValidation(await post(`${base}/${o.id}/return`, quality, {}), 'body.reason');
      expectValidation(await post(`${base}/${o.id}/review`, quality, { comment: '  ' }), 'body.comment');

      const ret = await post(`${base}/${o.id}/return`, quality, { reason: 'The open USB port has no rectification' });
      expect(ret.status).toBe(200);
      expect(ret.body).toEqual(
        expect.objectContaining({ status: 'draft', submittedAt: null, returnedById: quality.id, returnedBy: quality.username, returnReason: 'The open USB port has no rectification' }),
      );
      expect((await events('risk_assessment.returned', o.id))[0]).toEqual(expect.objectContaining({ actorId: quality.id, reason: 'The open USB port has no rectification' }));
      // A draft cannot be reviewed or returned.
      expect((await post(`${base}/${o.id}/review`, quality, { comment: 'ok' })).status).toBe(409);
      expect((await post(`${base}/${o.id}/return`, quality, { reason: 'again' })).status).toBe(409);

      // The head completes it and submits again.
      expect((await addRect(o.id, o.head, rectBody({ ownerUserId: o.head.id }))).status).toBe(201);
      expect((await post(`${base}/${o.id}/submit`, o.head)).status).toBe(200);
      const rev = await post(`${base}/${o.id}/review`, quality, { comment: 'Complete; rectification adequate' });
      expect(rev.status).toBe(200);
      expect(rev.body).toEqual(
        expect.objectContaining({ status: 'reviewed', reviewedById: quality.id, reviewedBy: quality.username, reviewedAt: expect.any(String), reviewComment: 'Complete; rectification adequate' }),
      );
      expect(await events('risk_assessment.reviewed', o.id)).toHaveLength(1);
      expect(await events('risk_assessment.submitted', o.id)).toHaveLength(2);

      const before = await snapshot(o.id);
      expect((await post(`${base}/${o.id}/review`, quality, { comment: 'twice' })).body.error.code).toBe('assessment_not_submitted');
      expect((await post(`${base}/${o.id}/return`, quality, { reason: 'too late' })).status).toBe(409);
      expect((await post(`${base}/${o.id}/submit`, o.head)).status).toBe(409);
      expect((await addItem(o.id, o.head, { description: 'late', likelihood: 1, impact: 1 })).status).toBe(409);
      expect(await snapshot(o.id)).toEqual(before);
    });

    test('R-RISK-MONTHLY: two simultaneous submissions: exactly one succeeds, the other is 409', async () => {
      const o = await makeOrg();
      const [a, b] = await Promise.all([post(`${base}/${o.id}/submit`, o.head), post(`${base}/${o.id}/submit`, o.head)]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      expect(await events('risk_assessment.submitted', o.id)).toHaveLength(1);
    });

    test('R-RISK-MONTHLY: two simultaneous reviews of one submission: exactly one succeeds, the other is 409', async () => {
      const o = await makeOrg();
      expect((await post(`${base}/${o.id}/submit`, o.head)).status).toBe(200);
      const [a, b] = await Promise.all([post(`${base}/${o.id}/review`, quality, { comment: 'one' }), post(`${base}/${o.id}/return`, quality, { reason: 'two' })]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const row = await t.ctx.db.manager.getRepository(RiskAssessment).findOneByOrFail({ id: o.id });
      expect(row.status).toBe(a.status === 200 ? 'reviewed' : 'draft');
    });

    test('R-RISK-MONTHLY: nobody reviews an assessment they submitted themselves (403 own_assessment, recorded as a denial)', async () => {
      const o = await makeOrg();
      const both = await makeUser(t, { roles: [['dept_head', `dept:${o.dept.code}`], ['quality_inspector', '*']] });
      expect((await post(`${base}/${o.id}/submit`, both)).status).toBe(200);
      const before = await snapshot(o.id);
      const res = await post(`${base}/${o.id}/review`, both, { comment: 'fine by me' });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('own_assessment');
      const denied = await events('risk_assessment.review_refused', o.id);
      expect(denied).toHaveLength(1);
      expect(denied[0]).toEqual(expect.objectContaining({ actorId: both.id, decision: 'deny' }));
      const after = await snapshot(o.id);
      expect(after.assessment).toEqual(before.assessment);
      expect((await post(`${base}/${o.id}/review`, quality, { comment: 'reviewed by someone else' })).status).toBe(200);
    });
  });

  describe('who reads and who changes (R-SECRET, R-AUDIT)', () => {
    test('R-RISK-MONTHLY R-SECRET: the head of another department neither reads nor edits; the head does not review; quality, the general manager and auditors read but do not edit', async () => {
      const o = await makeOrg();
      const other = await makeOrg();
      const before = await snapshot(o.id);
      expectForbidden(await get(o.id, other.head), 'risk_assessment:read');
      expectForbidden(await t.http().get(`${base}/${o.id}/export`).set('Authorization', other.head.auth), 'risk_assessment:read');
      expectForbidden(await addItem(o.id, other.head, { description: 'x', likelihood: 1, impact: 1 }), 'risk_assessment:edit');
      expectForbidden(await post(`${base}/${o.id}/submit`, other.head), 'risk_assessment:edit');
      for (const reader of [quality, gm, auditor]) {
        expect((await get(o.id, reader)).status).toBe(200);
        expectForbidden(await addItem(o.id, reader, { description: 'x', likelihood: 1, impact: 1 }), 'risk_assessment:edit');
        expectForbidden(await post(`${base}/${o.id}/submit`, reader), 'risk_assessment:edit');
        expectForbidden(await post(`${base}/${o.id}/refresh`, reader), 'risk_assessment:edit');
      }
      const staff = await makeUser(t, { roles: [['staff', `project:${o.project.code}`]] });
      expectForbidden(await get(o.id, staff), 'risk_assessment:read');
      expect((await snapshot(o.id)).items).toEqual(before.items);

      expect((await post(`${base}/${o.id}/submit`, o.head)).status).toBe(200);
      expectForbidden(await post(`${base}/${o.id}/review`, o.head, { comment: 'self' }), 'risk_assessment:review');
      expectForbidden(await post(`${base}/${o.id}/review`, auditor, { comment: 'auditors change nothing' }), 'risk_assessment:review');
      expectForbidden(await post(`${base}/${o.id}/return`, gm, { reason: 'x' }), 'risk_assessment:review');
      expect((await t.ctx.db.manager.getRepository(RiskAssessment).findOneByOrFail({ id: o.id })).status).toBe('submitted');
      // Each refusal is in the audit trail.
      const denials = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'access.denied', actorId: auditor.id } });
      expect(denials.map((d) => d.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^risk_assessment:edit /), expect.stringMatching(/^risk_assessment:review /)]));
    });

    test("R-RISK-MONTHLY: the listing shows a department head their department's assessments only, company readers every department's; filters by department, period, status", async () => {
      const a = await makeOrg();
      const b = await makeOrg();
      const mine = await t.http().get(base).query({ limit: '500' }).set('Authorization', a.head.auth);
      expect(mine.status).toBe(200);
      expect(mine.body.items.length).toBeGreaterThan(0);
      expect(new Set(mine.body.items.map((i: { department: string }) => i.department))).toEqual(new Set([a.dept.code]));
      expect(mine.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: a.id, period: a.period, status: 'draft', itemCount: 0 })]));

      expectForbidden(await t.http().get(base).query({ department: b.dept.code }).set('Authorization', a.head.auth), 'risk_assessment:read');

      for (const reader of [quality, auditor, gm]) {
        const all = await t.http().get(base).query({ limit: '500' }).set('Authorization', reader.auth);
        expect(all.status).toBe(200);
        const ids = all.body.items.map((i: { id: number }) => i.id);
        expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
      }
      await addItem(b.id, b.head, { description: 'x', likelihood: 1, impact: 1 });
      await post(`${base}/${b.id}/submit`, b.head);
      const filtered = await t.http().get(base).query({ department: b.dept.code, period: b.period, status: 'submitted' }).set('Authorization', quality.auth);
      expect(filtered.body).toEqual({ items: [expect.objectContaining({ id: b.id, department: b.dept.code, status: 'submitted', itemCount: 1 })], total: 1 });
      const none = await t.http().get(base).query({ department: b.dept.code, status: 'draft' }).set('Authorization', quality.auth);
      expect(none.body).toEqual({ items: [], total: 0 });

      expectValidation(await t.http().get(base).query({ period: '2031-13' }).set('Authorization', quality.auth), 'query.period');
      expectValidation(await t.http().get(base).query({ status: 'approved' }).set('Authorization', quality.auth), 'query.status');
      expectValidation(await t.http().get(base).query({ department: 'NO-SUCH-DEPT' }).set('Authorization', quality.auth), 'query.department');
      const staff = await makeUser(t, { roles: [['staff', `project:${a.project.code}`]] });
      expectForbidden(await t.http().get(base).set('Authorization', staff.auth), 'risk_assessment:read');
    });
  });

  describe('indicators and the form', () => {
    test('R-RISK-MONTHLY R-PORTS: refresh recomputes the indicator snapshot of a draft (as of now) and is audited', async () => {
      const o = await makeOrg();
      const before = (await get(o.id, o.head)).body;
      expect(before.indicators.find((i: { key: string }) => i.key === 'ports_unsealed')).toEqual(expect.objectContaining({ value: 0, requirement: 'R-PORTS' }));
      await t.ctx.ports.create(actorOf(o.head), o.dept.code, {
        assetTag: `PC-R-${o.id}`,
        userName: 'Front desk',
        location: 'Lobby',
        usbStatus: 'open',
        burnerStatus: 'sealed',
        decision: 'USB needed for the card reader',
        approvedById: o.head.id,
      });
      const t0 = Date.now();
      const res = await post(`${base}/${o.id}/refresh`, o.head);
      expect(res.status).toBe(200);
      expect(res.body.indicators.find((i: { key: string }) => i.key === 'ports_unsealed').value).toBe(1);
      // The snapshot at creation was as of the job's due time; a refresh is as of now.
      expect(before.indicatorsAsOf).toBe(monthPeriod(t, o.period).dueAt.toISOString());
      expect(new Date(res.body.indicatorsAsOf).getTime()).toBeGreaterThanOrEqual(t0);
      expect(new Date(res.body.indicatorsAsOf).getTime()).toBeLessThanOrEqual(Date.now());
      const ev = await events('risk_assessment.refreshed', o.id);
      expect(ev).toHaveLength(1);
      expect(ev[0].before).toEqual(expect.objectContaining({ indicators: expect.objectContaining({ ports_unsealed: 0 }) }));
      expect(ev[0].after).toEqual(expect.objectContaining({ indicators: expect.objectContaining({ ports_unsealed: 1 }) }));
    });

    test('R-RISK-MONTHLY: the Risk Assessment Form as PDF and XLSX: title, department, period, status, submitter and reviewer, indicators, risk items with level, the 5×5 matrix, rectifications', async () => {
      const o = await makeOrg();
      await addItem(o.id, o.head, { description: 'Customer list printed without approval', likelihood: 4, impact: 5 });
      await addRect(o.id, o.head, rectBody({ ownerUserId: o.head.id, description: 'Shred the unapproved printout' }));
      await post(`${base}/${o.id}/submit`, o.head);
      await post(`${base}/${o.id}/review`, quality, { comment: 'Reviewed on site' });

      const pdf = await t.http().get(`${base}/${o.id}/export`).query({ format: 'pdf' }).set('Authorization', auditor.auth).buffer(true).parse(binary as never);
      expect(pdf.status).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['content-disposition']).toBe(`attachment; filename="risk-assessment-${o.dept.code}-${o.period}.pdf"`);
      const text = (await pdfText(pdf.body as Buffer)).join('\n');
      for (const s of [
        '客戶信息保密風險評估表',
        'Customer Information Confidentiality Risk Assessment Form',
        o.dept.code,
        o.period,
        'reviewed',
        o.head.username,
        quality.username,
        'Reviewed on site',
        'Controlled copies issued',
        'Customer list printed without approval',
        'critical',
        'Impact 5',
        'Shred the unapproved printout',
      ]) {
        expect(text).toContain(s);
      }

      const xlsx = await t.http().get(`${base}/${o.id}/export`).query({ format: 'xlsx' }).set('Authorization', gm.auth).buffer(true).parse(binary as never);
      expect(xlsx.status).toBe(200);
      expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as never);
      const cells: string[] = [];
      wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(String(c.value)))));
      const all = cells.join('\n');
      for (const s of ['客戶信息保密風險評估表', o.period, 'Customer list printed without approval', 'Shred the unapproved printout', 'R-RISK-MONTHLY']) expect(all).toContain(s);

      expectValidation(await t.http().get(`${base}/${o.id}/export`).query({ format: 'docx' }).set('Authorization', gm.auth), 'query.format');
      const ev = await events('risk_assessment.exported', o.id);
      expect(ev.map((e) => e.actorId)).toEqual([auditor.id, gm.id]);
    });
  });
});
