import { Inspection } from '../../src/entities/Inspection';
import { InspectionItem } from '../../src/entities/InspectionItem';
import { Notification } from '../../src/entities/Notification';
import { NotificationDelivery } from '../../src/entities/NotificationDelivery';
import { NotificationRobot } from '../../src/entities/NotificationRobot';
import { rectificationsOverdueJob } from '../../src/features/rectifications/rectification.job';
import { periodFromKey } from '../../src/jobs/period';
import { dayFromNow } from '../helpers/assessments-factories';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { blockKeys } from '../helpers/inspections-factories';
import { makeIncident } from '../helpers/sanctions-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Issue 13: the steps of supervision that wait on someone write a message, in the transaction of
 * the change, to the right people, once, with the link to the console page: the monthly
 * self-assessment (R-RISK-MONTHLY), the bimonthly inspection and its public criticism (R-INSPECT),
 * rectifications (整改), incidents and the reward/penalty register (R-REWARD, R-PENALTY).
 * Driven through the HTTP API (and the daily job for the reminders).
 */
describe('issue 13: the writers of supervision', () => {
  let t: TestApp;
  let qi: MadeUser;
  let gm: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    gm = await makeUser(t, { roles: [['general_manager', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const m = () => t.ctx.db.manager;
  const post = (path: string, u: { auth: string }, body: object = {}) => t.http().post(path).set('Authorization', u.auth).send(body);
  const patch = (path: string, u: { auth: string }, body: object) => t.http().patch(path).set('Authorization', u.auth).send(body);
  const byId = (a: number, b: number) => a - b;
  const notes = (kind: string, objectId: number | string) => m().getRepository(Notification).find({ where: { kind, objectId: String(objectId) }, order: { id: 'ASC' } });
  const paramsOf = (n: Notification) => JSON.parse(n.params ?? 'null') as Record<string, string | number>;
  /** Exactly one row of `kind` about the object per recipient named, none to anyone else, each with the link. */
  /** A rectification's owner is sent to their own page (監督檢查 → 我的整改), whatever they may read. */
  const mine = (id: number) => `/supervision/my-rectifications?rectification=${id}`;
  async function expectSent(kind: string, objectId: number | string, recipients: number[], link: string): Promise<Notification[]> {
    const rows = await notes(kind, objectId);
    expect(rows.map((n) => n.recipientId).sort(byId)).toEqual([...recipients].sort(byId));
    for (const n of rows) expect(n.link).toBe(link);
    return rows;
  }
  const dayPeriod = (days: number) => periodFromKey(rectificationsOverdueJob, dayFromNow(t, days), t.ctx.config.timezone)!;

  async function makeDeptOrg() {
    const dept = await makeDepartment(t);
    const project = await makeProject(t, { departmentCode: dept.code });
    const head = await makeUser(t, { roles: [['dept_head', `dept:${dept.code}`]] });
    const owner = await makeUser(t, { departmentCode: dept.code });
    return { dept, project, head, owner };
  }

  test('issue 13 R-RISK-MONTHLY: an assessment opened → its department head; submitted → the quality department (action); returned → the head; one message per event, never the return reason', async () => {
    const o = await makeDeptOrg();
    const otherHead = await makeUser(t, { roles: [['dept_head', `dept:${(await makeDepartment(t)).code}`]] });
    const opened = await post('/api/v1/risk-assessments', qi, { department: o.dept.code, period: '2025-06' });
    expect(opened.status).toBe(201);
    const id = opened.body.id as number;
    const link = `/supervision/assessments/${id}`;
    const [due] = await expectSent('risk_assessment.due', id, [o.head.id], link);
    expect(paramsOf(due)).toEqual({ assessmentId: id, department: o.dept.code, period: '2025-06' });
    expect(due.scope).toBe(`dept:${o.dept.code}`);
    expect(due.subject).toContain('月度風險自評');
    expect(Boolean(due.action)).toBe(false);

    expect((await post(`/api/v1/risk-assessments/${id}/items`, o.head, { description: 'Cabinet unlocked at night', likelihood: 3, impact: 4 })).status).toBe(201);
    expect((await post(`/api/v1/risk-assessments/${id}/submit`, o.head)).status).toBe(200);
    const [submitted] = await expectSent('risk_assessment.submitted', id, [qi.id], link);
    expect(Boolean(submitted.action)).toBe(true);
    expect(paramsOf(submitted)).toEqual({ assessmentId: id, department: o.dept.code, period: '2025-06', items: 1 });

    const reason = 'The open USB port of 王小明 has no rectification';
    expect((await post(`/api/v1/risk-assessments/${id}/return`, qi, { reason })).status).toBe(200);
    const [returned] = await expectSent('risk_assessment.returned', id, [o.head.id], link);
    expect(JSON.stringify([returned.subject, returned.body, returned.params])).not.toContain('王小明');
    // Submitted again: a second request to review (one per submission), nothing to the other department.
    expect((await post(`/api/v1/risk-assessments/${id}/submit`, o.head)).status).toBe(200);
    expect((await notes('risk_assessment.submitted', id)).map((n) => n.recipientId)).toEqual([qi.id, qi.id]);
    expect(await m().getRepository(Notification).countBy({ recipientId: otherHead.id })).toBe(0);
  });

  test('issue 13 R-RISK-MONTHLY: a rectification assigned → its owner, reassigned → the new owner; due in 3 days → the owner once; overdue → the owner and the head, daily (job)', async () => {
    const o = await makeDeptOrg();
    const owner2 = await makeUser(t, { departmentCode: o.dept.code });
    const opened = await post('/api/v1/risk-assessments', qi, { department: o.dept.code, period: '2025-07' });
    const aid = opened.body.id as number;
    const add = (dueDate: string, ownerUserId = o.owner.id) =>
      post(`/api/v1/risk-assessments/${aid}/rectifications`, o.head, { description: 'Lock the archive cabinet of 陳大文', ownerUserId, dueDate });

    const soon = await add(dayFromNow(t, 2));
    expect(soon.status).toBe(201);
    const [assigned] = await expectSent('rectification.assigned', soon.body.id, [o.owner.id], mine(soon.body.id));
    expect(paramsOf(assigned)).toEqual({ rectificationId: soon.body.id, sourceType: 'risk_assessment', sourceId: aid, dueDate: dayFromNow(t, 2) });
    expect(assigned.scope).toBe(`dept:${o.dept.code}`);
    // Reassigned: the new owner is told; a change of status tells nobody.
    expect((await patch(`/api/v1/rectifications/${soon.body.id}`, o.head, { ownerUserId: owner2.id })).status).toBe(200);
    expect((await patch(`/api/v1/rectifications/${soon.body.id}`, o.head, { status: 'in_progress' })).status).toBe(200);
    await expectSent('rectification.assigned', soon.body.id, [o.owner.id, owner2.id], mine(soon.body.id));

    const late = await add(dayFromNow(t, 0));
    const far = await add(dayFromNow(t, 10));
    const job = t.ctx.jobs.find(rectificationsOverdueJob.name);
    const today = await job.run(dayPeriod(0));
    expect(today).toEqual(expect.objectContaining({ dueSoon: expect.any(Number), dueSoonReminders: expect.any(Number) }));
    await job.run(dayPeriod(0));
    await job.run(dayPeriod(1));
    // Due within 3 days: its (new) owner once, whatever the reruns; due today too; not the one due in 10 days.
    await expectSent('rectification.due_soon', soon.body.id, [owner2.id], mine(soon.body.id));
    await expectSent('rectification.due_soon', late.body.id, [o.owner.id], mine(late.body.id));
    expect(await notes('rectification.due_soon', far.body.id)).toHaveLength(0);
    // Overdue from the day after: the owner (to their rectifications) and the head (to the assessment).
    const overdue = await notes('rectification.overdue', late.body.id);
    expect(overdue.map((n) => n.recipientId).sort(byId)).toEqual([o.owner.id, o.head.id].sort(byId));
    expect(overdue.find((n) => n.recipientId === o.owner.id)!.link).toBe(mine(late.body.id));
    expect(overdue.find((n) => n.recipientId === o.head.id)!.link).toBe(`/supervision/assessments/${aid}`);
    expect(paramsOf(overdue.find((n) => n.recipientId === o.head.id)!)).toMatchObject({ owner: o.owner.username, to: 'head', dueDate: dayFromNow(t, 0) });
    await job.run(dayPeriod(2));
    expect(await notes('rectification.overdue', late.body.id)).toHaveLength(4);
    expect(await notes('rectification.overdue', soon.body.id)).toHaveLength(0);
    // The free text of the action is never in a message.
    for (const n of await m().getRepository(Notification).find({ where: { objectType: 'rectification' } })) {
      expect(JSON.stringify([n.subject, n.body, n.params])).not.toContain('陳大文');
    }
  });

  test('issue 13 R-INSPECT: inspections due → the quality department (job); an inspection rectification → its owner; a 通報批評 → every role holder of the project and the department head, the project\'s robot once', async () => {
    const o = await makeDeptOrg();
    const p = o.project.code;
    const [pm, clerk, staff, custMgr] = await Promise.all(
      ['project_manager', 'info_clerk', 'staff', 'customer_manager'].map((role) => makeUser(t, { roles: [[role, `project:${p}`]] })),
    );
    const elsewhere = await makeUser(t, { roles: [['project_manager', `project:${(await makeProject(t)).code}`]] });
    const now = new Date();
    await m().getRepository(NotificationRobot).insert({ name: 'Project group', platform: 'wecom', scope: `project:${p}`, webhookUrl: 'x', secret: null, kinds: null, language: 'zh-Hant', enabled: true, createdAt: now, updatedAt: now });
    const robot = await m().getRepository(NotificationRobot).findOneByOrFail({ scope: `project:${p}` });

    const key = blockKeys(t).previous;
    const run = await post('/api/v1/jobs/inspections/run', qi, { period: key });
    expect(run.status).toBe(200);
    const [due] = await expectSent('inspection.created', key, [qi.id], `/supervision/inspections?period=${encodeURIComponent(key)}`);
    expect(paramsOf(due)).toEqual({ period: key, count: run.body.result.created });
    // A rerun creates nothing and tells nobody again.
    await post('/api/v1/jobs/inspections/run', qi, { period: key });
    expect(await notes('inspection.created', key)).toHaveLength(1);

    const inspection = await m().getRepository(Inspection).findOneByOrFail({ projectId: o.project.id, period: key });
    const items = await m().getRepository(InspectionItem).find({ where: { inspectionId: inspection.id }, order: { position: 'ASC' } });
    const base = `/api/v1/inspections/${inspection.id}`;
    for (const [i, it] of items.entries()) expect((await patch(`${base}/items/${it.id}`, qi, { result: i === 0 ? 'fail' : 'pass' })).status).toBe(200);
    const finding = await post(`${base}/findings`, qi, { itemId: items[0].id, severity: 'major_hazard', description: 'Owner list of 陳大文 on the front desk' });
    expect(finding.status).toBe(201);
    const rect = await post(`${base}/rectifications`, qi, { findingId: finding.body.id, description: 'Shred the list', ownerUserId: pm.id, dueDate: dayFromNow(t, 5) });
    expect(rect.status).toBe(201);
    const [assigned] = await expectSent('rectification.assigned', rect.body.id, [pm.id], mine(rect.body.id));
    expect(assigned.scope).toBe(`project:${p}`);

    const done = await post(`${base}/complete`, qi, { conclusion: 'Major hazard at the front desk' });
    expect(done.status).toBe(200);
    const noticeId = done.body.notices[0].id as number;
    const rows = await expectSent('notice.public_criticism', noticeId, [pm.id, clerk.id, staff.id, custMgr.id, o.head.id], '/supervision/notices');
    expect(paramsOf(rows[0])).toEqual({ noticeId, project: p });
    expect(rows[0].subject).toContain('通報批評');
    expect(await m().getRepository(Notification).countBy({ recipientId: elsewhere.id })).toBe(0);
    // The project's group robot gets the event once, not once per recipient.
    const robotRows = await m().getRepository(NotificationDelivery).findBy({ target: `robot:${robot.id}` });
    const ofNotice = robotRows.filter((d) => rows.some((n) => n.id === d.notificationId));
    expect(ofNotice).toHaveLength(1);
    expect(ofNotice[0].channel).toBe('wecom');
  });

  test('issue 13 R-PENALTY: an incident reported → the quality department, no description, no robot', async () => {
    const o = await makeDeptOrg();
    const reporter = await makeUser(t);
    const res = await post('/api/v1/incidents', reporter, { type: 'lost_written_list', description: 'The list with 陳大文 13912345678 went missing', project: o.project.code });
    expect(res.status).toBe(201);
    const [n] = await expectSent('incident.reported', res.body.id, [qi.id], '/supervision/incidents');
    expect(paramsOf(n)).toEqual({ incidentId: res.body.id, type: 'lost_written_list', where: `project:${o.project.code}` });
    expect(n.scope).toBeNull();
    expect(JSON.stringify([n.subject, n.body, n.params])).not.toMatch(/陳大文|13912345678/);
  });

  test('issue 13 R-REWARD R-PENALTY: a sanction proposed → the general manager (action); approved → the person concerned; rejected → nobody', async () => {
    const o = await makeDeptOrg();
    const culprit = await makeUser(t);
    const incident = await makeIncident(t, { project: o.project.code, concludedWith: [culprit.id] });
    const propose = (ground: string, fine: number) =>
      post('/api/v1/sanctions', qi, { source: { type: 'incident', id: incident.id }, userId: culprit.id, kind: 'penalty', ground, fine, reason: 'Left the list of 陳大文 on the printer' });
    const s = await propose('negligent_leak', 500);
    expect(s.status).toBe(201);
    const [asked] = await expectSent('sanction.proposed', s.body.id, [gm.id], '/supervision/sanctions');
    expect(Boolean(asked.action)).toBe(true);
    expect(paramsOf(asked)).toEqual({ sanctionId: s.body.id, kind: 'penalty', ground: 'negligent_leak', person: culprit.username });
    expect(asked.scope).toBeNull();
    expect(await notes('sanction.approved', s.body.id)).toHaveLength(0);

    expect((await post(`/api/v1/sanctions/${s.body.id}/approve`, gm, {})).status).toBe(200);
    const [told] = await expectSent('sanction.approved', s.body.id, [culprit.id], '/supervision/sanctions');
    expect(told.subject).toContain('處罰');

    const other = await propose('lost_written_list', 300);
    expect(other.status).toBe(201);
    expect((await post(`/api/v1/sanctions/${other.body.id}/reject`, gm, { reason: 'Not proven' })).status).toBe(200);
    expect(await notes('sanction.approved', other.body.id)).toHaveLength(0);
    for (const n of await m().getRepository(Notification).find({ where: { objectType: 'sanction' } })) {
      expect(JSON.stringify([n.subject, n.body, n.params])).not.toContain('陳大文');
    }
  });
});
