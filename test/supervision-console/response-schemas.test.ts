import { assessmentListSchema, assessmentSchema, riskItemSchema } from '../../src/features/assessments/assessment.schemas';
import { findingSchema, inspectionListSchema, inspectionSchema } from '../../src/features/inspections/inspection.schemas';
import { noticeListSchema, noticeSchema } from '../../src/features/notices/notice.views';
import { rectificationSchema } from '../../src/features/rectifications/rectification.views';
import { wallClock } from '../../src/lib/time';
import { dayFromNow } from '../helpers/assessments-factories';
import { makeDepartment, makeUser, MadeUser } from '../helpers/factories';
import { makeInspectedProject, makeInspection } from '../helpers/inspections-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * The response schemas the supervision routes document (the console is typed from them) match
 * what the routes really answer, along the console's own flows: the monthly risk assessment
 * (R-RISK-MONTHLY) filled, submitted and reviewed, and the bimonthly inspection (R-INSPECT) saved
 * in one request and completed with a major hazard, whose notice every user reads.
 */
describe('supervision response schemas (console contract)', () => {
  let t: TestApp;
  let qi: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const http = () => t.http();
  /** 2xx, then the body parsed by the documented schema (a strict parse: no undocumented field). */
  const ok = <T>(res: { status: number; body: unknown }, schema: { parse: (v: unknown) => T }, status = 200): T => {
    expect(res.status).toBe(status);
    return schema.parse(res.body);
  };

  test('R-RISK-MONTHLY: open, add a risk item and a rectification, submit, review: every answer as documented', async () => {
    const d = await makeDepartment(t);
    const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
    const z = wallClock(new Date(), t.ctx.config.timezone);
    const period = `${z.y}-${String(z.m).padStart(2, '0')}`;

    const opened = ok(await http().post('/api/v1/risk-assessments').set('Authorization', qi.auth).send({ department: d.code, period }), assessmentSchema, 201);
    expect(opened).toEqual(expect.objectContaining({ department: d.code, period, status: 'draft' }));
    const id = opened.id;

    const item = ok(
      await http().post(`/api/v1/risk-assessments/${id}/items`).set('Authorization', head.auth).send({ description: 'USB ports open', likelihood: 5, impact: 4 }),
      riskItemSchema,
      201,
    );
    expect(item).toEqual(expect.objectContaining({ score: 20, level: 'critical' }));
    const changed = ok(await http().patch(`/api/v1/risk-assessments/${id}/items/${item.id}`).set('Authorization', head.auth).send({ impact: 3 }), riskItemSchema);
    expect(changed.level).toBe('high');

    // The console's owner picker: the department's supervisors, the head among them.
    const people = await http().get('/api/v1/people').query({ permission: 'controlled_copy:witness', scope: `dept:${d.code}` }).set('Authorization', head.auth);
    expect(people.status).toBe(200);
    expect(people.body.items.map((p: { id: number }) => p.id)).toContain(head.id);

    const rect = ok(
      await http().post(`/api/v1/risk-assessments/${id}/rectifications`).set('Authorization', head.auth).send({ description: 'Seal the ports', ownerUserId: head.id, dueDate: dayFromNow(t, 7) }),
      rectificationSchema,
      201,
    );
    expect(rect).toEqual(expect.objectContaining({ ownerUserId: head.id, status: 'open', overdue: false }));

    const view = ok(await http().get(`/api/v1/risk-assessments/${id}`).set('Authorization', head.auth), assessmentSchema);
    expect(view.matrix[4][2]).toBe(1);
    expect(view.levelCounts).toEqual({ low: 0, medium: 0, high: 1, critical: 0 });
    expect(view.rectifications).toHaveLength(1);

    const list = ok(await http().get('/api/v1/risk-assessments').query({ department: d.code }).set('Authorization', head.auth), assessmentListSchema);
    expect(list.items.map((a) => [a.id, a.itemCount])).toEqual([[id, 1]]);

    ok(await http().post(`/api/v1/risk-assessments/${id}/refresh`).set('Authorization', head.auth), assessmentSchema);
    expect(ok(await http().post(`/api/v1/risk-assessments/${id}/submit`).set('Authorization', head.auth), assessmentSchema).status).toBe('submitted');
    const returned = ok(await http().post(`/api/v1/risk-assessments/${id}/return`).set('Authorization', qi.auth).send({ reason: 'Add the printer risk' }), assessmentSchema);
    expect(returned).toEqual(expect.objectContaining({ status: 'draft', returnReason: 'Add the printer risk' }));
    ok(await http().post(`/api/v1/risk-assessments/${id}/submit`).set('Authorization', head.auth), assessmentSchema);
    const reviewed = ok(await http().post(`/api/v1/risk-assessments/${id}/review`).set('Authorization', qi.auth).send({ comment: 'Complete' }), assessmentSchema);
    expect(reviewed).toEqual(expect.objectContaining({ status: 'reviewed', reviewedBy: qi.username, reviewComment: 'Complete' }));

    // Progress after the review: the department's editor, then the owner on their own action.
    const moving = ok(await http().patch(`/api/v1/rectifications/${rect.id}`).set('Authorization', head.auth).send({ status: 'in_progress' }), rectificationSchema);
    expect(moving.status).toBe('in_progress');
    const mine = ok(await http().patch(`/api/v1/me/rectifications/${rect.id}`).set('Authorization', head.auth).send({ status: 'done', evidenceNotes: 'Ports sealed' }), rectificationSchema);
    expect(mine).toEqual(expect.objectContaining({ status: 'done', evidenceNotes: 'Ports sealed' }));
  });

  test('R-INSPECT: list, view, whole-checklist save, finding, rectification, completion with a major hazard, the notice board: every answer as documented', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    const id = inspection.id;

    const list = ok(await http().get('/api/v1/inspections').query({ project: o.project }).set('Authorization', o.pm.auth), inspectionListSchema);
    expect(list.items.map((i) => i.id)).toEqual([id]);
    const before = ok(await http().get(`/api/v1/inspections/${id}`).set('Authorization', qi.auth), inspectionSchema);
    expect(before.items).toHaveLength(items.length);

    const saved = ok(
      await http()
        .put(`/api/v1/inspections/${id}/checklist`)
        .set('Authorization', qi.auth)
        .send({ items: items.map((it, n) => ({ itemId: it.id, result: n === 0 ? 'fail' : 'pass', notes: n === 0 ? 'Paper copies kept after leaving' : null })) }),
      inspectionSchema,
    );
    expect(saved.counts).toEqual({ pending: 0, pass: items.length - 1, fail: 1, na: 0 });

    const finding = ok(
      await http().post(`/api/v1/inspections/${id}/findings`).set('Authorization', qi.auth).send({ itemId: items[0].id, severity: 'major_hazard', description: 'Copies not returned' }),
      findingSchema,
      201,
    );
    const rect = ok(
      await http()
        .post(`/api/v1/inspections/${id}/rectifications`)
        .set('Authorization', qi.auth)
        .send({ findingId: finding.id, description: 'Return and destroy the copies', ownerUserId: o.pm.id, dueDate: dayFromNow(t, 3) }),
      rectificationSchema.extend({ findingId: findingSchema.shape.id.nullable() }),
      201,
    );
    expect(rect.findingId).toBe(finding.id);

    const done = ok(await http().post(`/api/v1/inspections/${id}/complete`).set('Authorization', qi.auth).send({ conclusion: 'One major hazard' }), inspectionSchema);
    expect(done.status).toBe('completed');
    expect(done.notices).toHaveLength(1);
    expect(done.rectifications.map((r) => r.findingId)).toEqual([finding.id]);
    const progressed = ok(
      await http().patch(`/api/v1/inspections/${id}/rectifications/${rect.id}`).set('Authorization', qi.auth).send({ status: 'in_progress', evidenceNotes: 'Two copies returned' }),
      rectificationSchema.extend({ findingId: findingSchema.shape.id.nullable() }),
    );
    expect(progressed).toEqual(expect.objectContaining({ status: 'in_progress', findingId: finding.id }));

    // The board: any signed-in user.
    const anyone = await makeUser(t);
    const board = ok(await http().get('/api/v1/notices').query({ project: o.project }).set('Authorization', anyone.auth), noticeListSchema);
    expect(board.items.map((n) => n.id)).toEqual([done.notices[0].id]);
    const notice = ok(await http().get(`/api/v1/notices/${board.items[0].id}`).set('Authorization', anyone.auth), noticeSchema);
    expect(notice).toEqual(expect.objectContaining({ kind: 'public_criticism', project: o.project, inspectionId: id, automatic: true }));
  });
});
