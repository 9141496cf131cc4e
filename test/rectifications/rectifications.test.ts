import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { Notification } from '../../src/entities/Notification';
import { Rectification } from '../../src/entities/Rectification';
import { rectificationsOverdueJob } from '../../src/features/rectifications/rectification.job';
import { periodFromKey } from '../../src/jobs/period';
import { ValidationError } from '../../src/errors';
import { actorOf, dayFromNow, freshMonth, monthPeriod } from '../helpers/assessments-factories';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-RISK-MONTHLY (§5.3.1 "及時整改"): what an assessment finds is rectified by an owner before a
 * due date; the department head records progress and evidence; rectifications past due are
 * reminded daily (owner and department head) and count in the next assessment. The same
 * rectifications serve the inspections (R-INSPECT), updated on the inspection's own route.
 */
describe('rectification actions', () => {
  let t: TestApp;
  let quality: MadeUser;
  let auditor: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    quality = await makeUser(t, { roles: [['quality_inspector', '*']] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function makeOrg() {
    const dept = await makeDepartment(t);
    const project = await makeProject(t, { departmentCode: dept.code });
    const head = await makeUser(t, { roles: [['dept_head', `dept:${dept.code}`]] });
    const owner = await makeUser(t, { departmentCode: dept.code });
    const assessment = (await t.ctx.assessments.ensureFor(dept.id, monthPeriod(t, freshMonth()))).assessment;
    const open = (dueDate = dayFromNow(t, 7)) =>
      t.ctx.assessments.addRectification(actorOf(head), assessment.id, { description: 'Lock the archive cabinet', ownerUserId: owner.id, dueDate });
    return { dept, project, head, owner, assessment, open };
  }
  const patch = (id: number, u: { auth: string }, body: unknown) => t.http().patch(`/api/v1/rectifications/${id}`).set('Authorization', u.auth).send(body as object);
  const ownPatch = (id: number, u: { auth: string }, body: unknown) => t.http().patch(`/api/v1/me/rectifications/${id}`).set('Authorization', u.auth).send(body as object);
  const row = (id: number) => t.ctx.db.manager.getRepository(Rectification).findOneByOrFail({ id });
  const seq = async () => (await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;
  const events = (action: string, id: number) => t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action, objectId: String(id) }, order: { seq: 'ASC' } });
  const expectValidation = (res: request.Response, path: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  };
  const reminders = (rectificationId: number) =>
    t.ctx.db.manager.getRepository(Notification).find({ where: { kind: 'rectification.overdue', objectId: String(rectificationId) }, order: { id: 'ASC' } });
  const dayPeriod = (days: number) => periodFromKey(rectificationsOverdueJob, dayFromNow(t, days), t.ctx.config.timezone)!;

  test('R-RISK-MONTHLY: the department head records progress: in progress, then done with evidence notes (doneAt set); each change audited with before and after', async () => {
    const o = await makeOrg();
    const r = await o.open();
    const started = await patch(r.id, o.head, { status: 'in_progress' });
    expect(started.status).toBe(200);
    expect(started.body).toEqual(expect.objectContaining({ id: r.id, status: 'in_progress', doneAt: null, overdue: false }));
    const done = await patch(r.id, o.head, { status: 'done', evidenceNotes: 'Cabinet lock fitted; photo in the department file' });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ status: 'done', evidenceNotes: 'Cabinet lock fitted; photo in the department file', doneAt: expect.any(String) }));
    const ev = await events('rectification.updated', r.id);
    expect(ev).toHaveLength(2);
    expect(ev[1]).toEqual(expect.objectContaining({ actorId: o.head.id, scope: `dept:${o.dept.code}` }));
    expect(ev[1].before).toEqual(expect.objectContaining({ status: 'in_progress', evidenceNotes: null }));
    expect(ev[1].after).toEqual(expect.objectContaining({ status: 'done', evidenceNotes: 'Cabinet lock fitted; photo in the department file' }));
    // Reassigning to another active owner; reopening clears doneAt.
    const other = await makeUser(t);
    const reopened = await patch(r.id, o.head, { status: 'open', ownerUserId: other.id });
    expect(reopened.body).toEqual(expect.objectContaining({ status: 'open', doneAt: null, ownerUserId: other.id, ownerUsername: other.username }));
    // Rectifying goes on after the assessment was submitted (its own edits are closed).
    await t.ctx.assessments.submit(actorOf(o.head), o.assessment.id);
    expect((await patch(r.id, o.head, { status: 'in_progress' })).status).toBe(200);
  });

  test('R-RISK-MONTHLY: bad changes are 400 with field-level details and change nothing', async () => {
    const o = await makeOrg();
    const r = await o.open();
    const pending = await makeUser(t, { signed: false });
    const before = { row: await row(r.id), seq: await seq() };
    expectValidation(await patch(r.id, o.head, {}), 'body');
    expectValidation(await patch(r.id, o.head, { status: 'closed' }), 'body.status');
    expectValidation(await patch(r.id, o.head, { dueDate: dayFromNow(t, 30) }), 'body.dueDate');
    expectValidation(await patch(r.id, o.head, { ownerUserId: pending.id }), 'body.ownerUserId');
    expectValidation(await patch(r.id, o.head, { evidenceNotes: '' }), 'body.evidenceNotes');
    expect({ row: await row(r.id), seq: await seq() }).toEqual(before);
    expect((await patch(99999999, o.head, { status: 'done' })).status).toBe(404);
  });

  test('R-RISK-MONTHLY: rectifications.open refuses a due date in the past (400) and writes nothing; today is allowed', async () => {
    const o = await makeOrg();
    const before = await seq();
    const input = { sourceType: 'inspection' as const, sourceId: 1, departmentId: null, projectId: o.project.id, description: 'Shred the old list', ownerUserId: o.owner.id };
    const past = t.ctx.db.tx((m) => t.ctx.rectifications.open(m, actorOf(quality), { ...input, dueDate: dayFromNow(t, -1) }));
    await expect(past).rejects.toBeInstanceOf(ValidationError);
    await expect(t.ctx.db.tx((m) => t.ctx.rectifications.open(m, actorOf(quality), { ...input, dueDate: '2031-13-01' }))).rejects.toBeInstanceOf(ValidationError);
    await expect(t.ctx.db.tx((m) => t.ctx.rectifications.open(m, actorOf(quality), { ...input, dueDate: dayFromNow(t, 1), ownerUserId: 99999999 }))).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await seq()).toBe(before);
    expect(await t.ctx.db.manager.getRepository(Rectification).countBy({ projectId: o.project.id })).toBe(0);
    const today = await t.ctx.db.tx((m) => t.ctx.rectifications.open(m, actorOf(quality), { ...input, dueDate: dayFromNow(t, 0) }));
    expect(today).toEqual(expect.objectContaining({ sourceType: 'inspection', project: o.project.code, department: null, status: 'open' }));
    expect((await events('rectification.opened', today.id))[0]).toEqual(expect.objectContaining({ scope: `project:${o.project.code}`, actorId: quality.id }));
    expect(await t.ctx.rectifications.listFor('inspection', 1)).toEqual(expect.arrayContaining([today]));
  });

  test("R-RISK-MONTHLY R-INSPECT: an inspection's rectification is not updated on the assessment route (404); the inspection route decides who updates it", async () => {
    const o = await makeOrg();
    const r = await t.ctx.db.tx((m) =>
      t.ctx.rectifications.open(m, actorOf(quality), { sourceType: 'inspection', sourceId: 7, departmentId: o.dept.id, projectId: o.project.id, description: 'Remove the list from the notice board', ownerUserId: o.owner.id, dueDate: dayFromNow(t, 3) }),
    );
    // An inspection is of a project: its rectification is the project's.
    expect((await events('rectification.opened', r.id))[0].scope).toBe(`project:${o.project.code}`);
    const before = await row(r.id);
    expect((await patch(r.id, o.head, { status: 'done' })).status).toBe(404);
    expect((await patch(r.id, quality, { status: 'done' })).status).toBe(404);
    expect(await row(r.id)).toEqual(before);
  });

  test('R-RISK-MONTHLY R-SECRET: only the head of the rectification’s department updates it on this route; quality, auditors, other heads and staff get 403', async () => {
    const o = await makeOrg();
    const other = await makeOrg();
    const staff = await makeUser(t, { roles: [['staff', `project:${o.project.code}`]] });
    const r = await o.open();
    const before = await row(r.id);
    for (const u of [other.head, quality, auditor, staff, o.owner]) {
      const res = await patch(r.id, u, { status: 'done' });
      expect(res.status).toBe(403);
      expect(res.body.error.details.permission).toBe('risk_assessment:edit');
    }
    expect(await row(r.id)).toEqual(before);
  });

  test("R-RISK-MONTHLY R-INSPECT: the owner records the progress and evidence of their own rectification on PATCH /api/v1/me/rectifications/:id, for an assessment's and an inspection's; audited as theirs", async () => {
    const o = await makeOrg();
    const r = await o.open();
    const started = await ownPatch(r.id, o.owner, { status: 'in_progress' });
    expect(started.status).toBe(200);
    expect(started.body).toEqual(expect.objectContaining({ id: r.id, status: 'in_progress', ownerUserId: o.owner.id, doneAt: null }));
    const done = await ownPatch(r.id, o.owner, { status: 'done', evidenceNotes: 'Lock fitted; photo sent to the head' });
    expect(done.body).toEqual(expect.objectContaining({ status: 'done', evidenceNotes: 'Lock fitted; photo sent to the head', doneAt: expect.any(String) }));
    const ev = await events('rectification.updated', r.id);
    expect(ev).toHaveLength(2);
    expect(ev[1]).toEqual(expect.objectContaining({ actorId: o.owner.id, scope: `dept:${o.dept.code}` }));
    expect(ev[1].after).toEqual(expect.objectContaining({ status: 'done', ownerUserId: o.owner.id }));
    // An inspection's rectification: its owner records progress the same way (the inspection route stays the inspector's).
    const ir = await t.ctx.db.tx((m) =>
      t.ctx.rectifications.open(m, actorOf(quality), { sourceType: 'inspection', sourceId: 11, departmentId: null, projectId: o.project.id, description: 'Take the list off the board', ownerUserId: o.owner.id, dueDate: dayFromNow(t, 2) }),
    );
    const ires = await ownPatch(ir.id, o.owner, { evidenceNotes: 'Removed on the day of the inspection' });
    expect(ires.status).toBe(200);
    expect(ires.body).toEqual(expect.objectContaining({ id: ir.id, sourceType: 'inspection', evidenceNotes: 'Removed on the day of the inspection', status: 'open' }));
    expect((await events('rectification.updated', ir.id))[0]).toEqual(expect.objectContaining({ actorId: o.owner.id, scope: `project:${o.project.code}` }));
  });

  test("R-RISK-MONTHLY R-SECRET: on the owner's route anyone but the owner gets 403 not_owner (recorded as a refusal) and nothing changes; the owner cannot reassign the action (400)", async () => {
    const o = await makeOrg();
    const r = await o.open();
    const stranger = await makeUser(t);
    const before = await row(r.id);
    for (const u of [o.head, quality, auditor, stranger, { auth: `Bearer ${t.admin.token}` }]) {
      const res = await ownPatch(r.id, u, { status: 'done' });
      expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 403, code: 'not_owner' });
    }
    expect(await row(r.id)).toEqual(before);
    const refusals = await events('rectification.update_refused', r.id);
    expect(refusals).toHaveLength(5);
    expect(refusals[0]).toEqual(expect.objectContaining({ actorId: o.head.id, decision: 'deny', scope: `dept:${o.dept.code}` }));
    // The owner changes progress and evidence only: no owner field, no due date; nothing changes.
    const seqBefore = await seq();
    expectValidation(await ownPatch(r.id, o.owner, { ownerUserId: stranger.id }), 'body.ownerUserId');
    expectValidation(await ownPatch(r.id, o.owner, { dueDate: dayFromNow(t, 30) }), 'body.dueDate');
    expectValidation(await ownPatch(r.id, o.owner, {}), 'body');
    expectValidation(await ownPatch(r.id, o.owner, { status: 'closed' }), 'body.status');
    expect({ row: await row(r.id), seq: await seq() }).toEqual({ row: before, seq: seqBefore });
    expect((await ownPatch(99999999, o.owner, { status: 'done' })).status).toBe(404);
    // Once the head reassigns it, the former owner is refused and the new one records.
    await patch(r.id, o.head, { ownerUserId: stranger.id });
    expect((await ownPatch(r.id, o.owner, { status: 'in_progress' })).status).toBe(403);
    expect((await ownPatch(r.id, stranger, { status: 'in_progress' })).status).toBe(200);
  });

  test('R-RISK-MONTHLY: the daily job reminds the owner and the department head of each rectification past its due date, once per day, until it is done', async () => {
    expect(rectificationsOverdueJob).toEqual(expect.objectContaining({ cadence: 'daily', covers: 'current' }));
    const o = await makeOrg();
    const r = await o.open(dayFromNow(t, 0));
    const later = await o.open(dayFromNow(t, 5));
    // Due today: not overdue today.
    await t.ctx.jobs.find(rectificationsOverdueJob.name).run(dayPeriod(0));
    expect(await reminders(r.id)).toHaveLength(0);
    // Tomorrow it is: one reminder to the owner, one to the head; a rerun of the day adds nothing.
    const tomorrow = await t.ctx.jobs.find(rectificationsOverdueJob.name).run(dayPeriod(1));
    expect(tomorrow).toEqual(expect.objectContaining({ overdue: expect.any(Number), reminders: expect.any(Number) }));
    await t.ctx.jobs.find(rectificationsOverdueJob.name).run(dayPeriod(1));
    const first = await reminders(r.id);
    expect(first.map((n) => n.recipientId).sort()).toEqual([o.owner.id, o.head.id].sort());
    expect(first[0].subject).toContain(`${r.id}`);
    // The owner is sent to their own rectifications page; the head to follow it up with the owner.
    const toOwner = first.find((n) => n.recipientId === o.owner.id)!;
    const toHead = first.find((n) => n.recipientId === o.head.id)!;
    expect(toOwner.link).toBe(`/supervision/my-rectifications?rectification=${r.id}`);
    expect(toOwner.body).toContain('我的整改');
    expect(toHead.body).toContain(o.owner.username);
    expect(toHead.link).toBe(`/supervision/assessments/${o.assessment.id}`);
    expect(await reminders(later.id)).toHaveLength(0);
    // The next day reminds again.
    await t.ctx.jobs.find(rectificationsOverdueJob.name).run(dayPeriod(2));
    expect(await reminders(r.id)).toHaveLength(4);
    // Once done, no more reminders.
    await t.ctx.db.tx((m) => t.ctx.rectifications.update(m, actorOf(o.head), r.id, { status: 'done', evidenceNotes: 'done' }));
    await t.ctx.jobs.find(rectificationsOverdueJob.name).run(dayPeriod(3));
    expect(await reminders(r.id)).toHaveLength(4);

    // An inspection's rectification of a project: its department's head is reminded.
    const ir = await t.ctx.db.tx((m) =>
      t.ctx.rectifications.open(m, actorOf(quality), { sourceType: 'inspection', sourceId: 9, departmentId: null, projectId: o.project.id, description: 'x', ownerUserId: o.owner.id, dueDate: dayFromNow(t, 0) }),
    );
    // A head who owns the action gets one reminder a day, not two.
    const own = await t.ctx.assessments.addRectification(actorOf(o.head), o.assessment.id, { description: 'y', ownerUserId: o.head.id, dueDate: dayFromNow(t, 0) });
    await t.ctx.jobs.find(rectificationsOverdueJob.name).run(dayPeriod(4));
    expect((await reminders(ir.id)).map((n) => n.recipientId).sort()).toEqual([o.owner.id, o.head.id].sort());
    expect((await reminders(own.id)).map((n) => n.recipientId)).toEqual([o.head.id]);
  });

  test('R-RISK-MONTHLY: countOverdue counts the open rectifications of the department and of its projects past the date, not done ones, not other departments', async () => {
    const o = await makeOrg();
    const other = await makeOrg();
    await o.open(dayFromNow(t, 0));
    await o.open(dayFromNow(t, 1));
    const done = await o.open(dayFromNow(t, 0));
    await t.ctx.db.tx((m) => t.ctx.rectifications.update(m, actorOf(o.head), done.id, { status: 'done' }));
    await other.open(dayFromNow(t, 0));
    await t.ctx.db.tx((m) =>
      t.ctx.rectifications.open(m, actorOf(quality), { sourceType: 'inspection', sourceId: 3, departmentId: null, projectId: o.project.id, description: 'x', ownerUserId: o.owner.id, dueDate: dayFromNow(t, 0) }),
    );
    const scope = await t.ctx.indicators.departmentScope(o.dept.id);
    expect(await t.ctx.rectifications.countOverdue(scope, dayFromNow(t, 0))).toBe(0);
    expect(await t.ctx.rectifications.countOverdue(scope, dayFromNow(t, 1))).toBe(2);
    expect(await t.ctx.rectifications.countOverdue(scope, dayFromNow(t, 2))).toBe(3);
    expect(await t.ctx.rectifications.countOverdue({ projectIds: [o.project.id] }, dayFromNow(t, 1))).toBe(1);
    expect(await t.ctx.rectifications.countOverdue({ projectIds: [] }, dayFromNow(t, 1))).toBe(0);
  });
});
