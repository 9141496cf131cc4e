import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { Inspection } from '../../src/entities/Inspection';
import { InspectionFinding } from '../../src/entities/InspectionFinding';
import { InspectionItem } from '../../src/entities/InspectionItem';
import { InspectionRectification } from '../../src/entities/InspectionRectification';
import { Notice } from '../../src/entities/Notice';
import { Notification } from '../../src/entities/Notification';
import { Rectification } from '../../src/entities/Rectification';
import { CHECKLIST, projectChecklist } from '../../src/features/inspections/checklist';
import { inspectionsJob } from '../../src/features/inspections/inspection.job';
import { onlyJobs } from '../helpers/jobs';
import { pdfText } from '../../src/lib/documents';
import { makeProject, makeUser, MadeUser } from '../helpers/factories';
import { blockKeys, makeInspectedProject, makeInspection, period } from '../helpers/inspections-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const binary = (r: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

/**
 * R-INSPECT (§5.3.2): the quality department inspects every project every two months; a project
 * with a major hidden hazard is publicly criticized (通報批評), and that notice is recorded.
 * R-AUDIT: every step is audited in its transaction; auditors read and change nothing.
 */
describe('bimonthly project inspections', () => {
  let t: TestApp;
  let qi: MadeUser;
  let auditor: MadeUser;
  let gm: MadeUser;
  const actorOf = (u: MadeUser) => ({ id: u.id, username: u.username });

  beforeAll(async () => {
    t = await startTestApp();
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    gm = await makeUser(t, { roles: [['general_manager', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const m = () => t.ctx.db.manager;
  const get = (path: string, auth: string, query: Record<string, string> = {}) => t.http().get(path).query(query).set('Authorization', auth);
  const patchItem = (id: number, itemId: number, auth: string, body: unknown) =>
    t.http().patch(`/api/v1/inspections/${id}/items/${itemId}`).set('Authorization', auth).send(body as object);
  const addFinding = (id: number, auth: string, body: unknown) => t.http().post(`/api/v1/inspections/${id}/findings`).set('Authorization', auth).send(body as object);
  const assign = (id: number, auth: string, body: unknown) => t.http().post(`/api/v1/inspections/${id}/rectifications`).set('Authorization', auth).send(body as object);
  const complete = (id: number, auth: string, body?: unknown) => {
    const call = t.http().post(`/api/v1/inspections/${id}/complete`).set('Authorization', auth);
    return body === undefined ? call : call.send(body as object);
  };
  const events = (action: string, objectId: number | string) =>
    m().getRepository(AuditEvent).find({ where: { action, objectId: String(objectId) }, order: { seq: 'ASC' } });
  const seq = async () => (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;
  /** Everything a refused change to an inspection could have touched. */
  const snapshot = async (inspectionId: number) => ({
    inspection: await m().getRepository(Inspection).findOneByOrFail({ id: inspectionId }),
    items: await m().getRepository(InspectionItem).find({ where: { inspectionId }, order: { id: 'ASC' } }),
    findings: await m().getRepository(InspectionFinding).find({ where: { inspectionId }, order: { id: 'ASC' } }),
    links: await m().getRepository(InspectionRectification).find({ where: { inspectionId } }),
    rectifications: await m().getRepository(Rectification).find({ where: { sourceType: 'inspection', sourceId: inspectionId } }),
    notices: await m().getRepository(Notice).find({ where: { inspectionId } }),
    seq: await seq(),
  });
  /** Records every item not named in `except` as pass (as the inspector, through the service). */
  const passAll = async (inspectionId: number, items: InspectionItem[], except: number[] = []) => {
    for (const it of items) if (!except.includes(it.id)) await t.ctx.inspections.recordItem(actorOf(qi), inspectionId, it.id, { result: 'pass' });
  };
  /** An inspection of a fresh project with every item recorded, one failed and rated `severity`. */
  const readyWithFinding = async (severity: 'minor' | 'major_hazard') => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    const failed = items[3];
    await passAll(inspection.id, items, [failed.id]);
    await t.ctx.inspections.recordItem(actorOf(qi), inspection.id, failed.id, { result: 'fail', notes: 'copies found on a desk' });
    const finding = await t.ctx.inspections.addFinding(actorOf(qi), inspection.id, { itemId: failed.id, severity, description: 'Three uncontrolled printouts of owner lists at the front desk' });
    return { o, inspection, items, failed, finding };
  };

  // ---- the bimonthly job ---------------------------------------------------------------------

  test('R-INSPECT: the bimonthly job creates one inspection per project with the checklist of the requirements; a second run creates nothing twice', async () => {
    const a = await makeInspectedProject(t);
    const b = await makeInspectedProject(t);
    const key = blockKeys(t).current;
    const p = period(t, key);
    const jobs = onlyJobs(t.ctx, inspectionsJob.name);
    // Run as of (at least) the period's due time, whatever the day the suite runs.
    const now = new Date(Math.max(Date.now(), p.dueAt.getTime() + 60_000));
    const first = await jobs.runManual(actorOf(qi), 'inspections', key, now);
    expect(first.status).toBe('succeeded');
    const second = await jobs.runManual(actorOf(qi), 'inspections', key, now);
    expect(second.status).toBe('succeeded');
    expect(second.result).toEqual(expect.objectContaining({ period: key, created: 0 }));

    const lines = projectChecklist();
    for (const o of [a, b]) {
      const rows = await m().getRepository(Inspection).find({ where: { projectId: o.projectId } });
      expect(rows.map((r) => [r.period, r.status, r.createdById])).toEqual([[key, 'in_progress', null]]);
      expect(rows[0].periodStart).toEqual(p.start);
      expect(rows[0].periodEnd).toEqual(p.end);
      const items = await m().getRepository(InspectionItem).find({ where: { inspectionId: rows[0].id }, order: { position: 'ASC' } });
      expect(items.map((i) => [i.requirementId, i.clause, i.result])).toEqual(lines.map((l) => [l.requirementId, l.clause, 'pending']));
      expect(await events('inspection.created', rows[0].id)).toHaveLength(1);
    }
    // The quality department hears of the period's inspections once.
    const notes = await m().getRepository(Notification).find({ where: { recipientId: qi.id, kind: 'inspection.created' } });
    expect(notes.filter((n) => n.objectId === key)).toHaveLength(1);
  });

  test('R-INSPECT: a job run for a period that is not due yet is refused (400) and creates nothing', async () => {
    await makeInspectedProject(t);
    const year = Number(blockKeys(t).current.slice(0, 4));
    const future = `${year + 1}-B6`;
    const jobs = onlyJobs(t.ctx, inspectionsJob.name);
    await expect(jobs.runManual(actorOf(qi), 'inspections', future)).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
    await expect(jobs.runManual(actorOf(qi), 'inspections', '2026-B7')).rejects.toMatchObject({ status: 400 });
    expect(await m().getRepository(Inspection).countBy({ period: future })).toBe(0);
  });

  test('R-INSPECT: each item shows the figures the service knows for the project over the two months before the period', async () => {
    const o = await makeInspectedProject(t);
    // One refused attempt on the project now: counted for the next period's inspection.
    const staff = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    expect((await get(`/api/v1/projects/${o.project}/history`, staff.auth)).status).toBe(403);

    const keys = blockKeys(t);
    const { inspection, items } = await makeInspection(t, o.projectId, keys.next);
    const next = period(t, keys.next);
    expect(inspection.figuresFrom).toEqual(period(t, keys.current).start);
    expect(inspection.figuresTo).toEqual(next.start);

    const project = await t.ctx.org.getProject(o.project);
    const deptId = (await m().getRepository(Inspection).findOneByOrFail({ id: inspection.id })).departmentId;
    expect(deptId).not.toBeNull();
    const figures = await t.ctx.indicators.compute({ departmentId: deptId, projectIds: [project.id] }, inspection.figuresFrom, inspection.figuresTo, next.dueAt);
    expect(figures.find((f) => f.key === 'access_denied')?.value).toBe(1);
    expect(figures.length).toBeGreaterThan(5);
    for (const f of figures) {
      // Every figure is shown on some item, with its value.
      const on = items.filter((i) => i.figures.some((g) => g.key === f.key));
      expect({ key: f.key, shown: on.length > 0 }).toEqual({ key: f.key, shown: true });
      for (const i of on) expect(i.figures.find((g) => g.key === f.key)?.value).toBe(f.value);
      // And on the item of the requirement it belongs to, when that requirement is inspected in projects.
      const entry = CHECKLIST[f.requirement];
      if (entry?.applies) expect(items.find((i) => i.requirementId === f.requirement)?.figures.map((g) => g.key)).toContain(f.key);
    }
    // The API shows them too.
    const res = await get(`/api/v1/inspections/${inspection.id}`, qi.auth);
    expect(res.status).toBe(200);
    const denied = (res.body.items as Array<{ figures: Array<{ key: string; value: number; labelEn: string }> }>).flatMap((i) => i.figures).filter((f) => f.key === 'access_denied');
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((f) => f.value === 1 && f.labelEn.length > 0)).toBe(true);
  });

  // ---- recording ---------------------------------------------------------------------------

  test('R-INSPECT: the inspector records pass / fail / not applicable with notes and evidence; each record is audited', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    const r1 = await patchItem(inspection.id, items[0].id, qi.auth, { result: 'pass', notes: 'Checked 5 accounts against the role list', evidence: 'role list printout, p.1' });
    expect(r1.status).toBe(200);
    expect(r1.body).toEqual(expect.objectContaining({ id: items[0].id, result: 'pass', notes: 'Checked 5 accounts against the role list', evidence: 'role list printout, p.1', recordedById: qi.id }));
    expect((await patchItem(inspection.id, items[1].id, qi.auth, { result: 'fail', notes: 'Inventory not reviewed since spring' })).status).toBe(200);
    expect((await patchItem(inspection.id, items[2].id, qi.auth, { result: 'na', notes: 'No handover files in this project' })).status).toBe(200);
    // Notes alone, later: the result stays.
    const r4 = await patchItem(inspection.id, items[0].id, qi.auth, { evidence: null });
    expect(r4.body).toEqual(expect.objectContaining({ result: 'pass', evidence: null }));

    const recorded = await events('inspection.item_recorded', inspection.id);
    expect(recorded).toHaveLength(4);
    expect(recorded[0].after).toEqual(expect.objectContaining({ itemId: items[0].id, result: 'pass' }));
    expect(recorded[0].before).toEqual(expect.objectContaining({ result: 'pending' }));
    expect(recorded[0].scope).toBe(`project:${o.project}`);

    const view = await get(`/api/v1/inspections/${inspection.id}`, qi.auth);
    expect(view.body.counts).toEqual({ pass: 1, fail: 1, na: 1, pending: items.length - 3 });
  });

  test('R-INSPECT: a result that is not pass, fail or na is refused (400) and nothing changes', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    const before = await snapshot(inspection.id);
    for (const result of ['pending', 'ok', 'PASS', 1, null, '']) {
      const res = await patchItem(inspection.id, items[0].id, qi.auth, { result });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'body.result' })]));
    }
    expect((await patchItem(inspection.id, items[0].id, qi.auth, {})).status).toBe(400);
    expect((await patchItem(inspection.id, items[0].id, qi.auth, { result: 'pass', verdict: 'fine' })).status).toBe(400);
    // An item of no inspection, or of another one: 404.
    expect((await patchItem(inspection.id, 99999999, qi.auth, { result: 'pass' })).status).toBe(404);
    expect(await snapshot(inspection.id)).toEqual(before);
  });

  test('R-INSPECT: a finding is rated only on a failed item: on a passed (or unrecorded) item it is refused with 409 item_not_failed, nothing changes', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    await t.ctx.inspections.recordItem(actorOf(qi), inspection.id, items[0].id, { result: 'pass' });
    const before = await snapshot(inspection.id);
    const onPassed = await addFinding(inspection.id, qi.auth, { itemId: items[0].id, severity: 'minor', description: 'something' });
    expect(onPassed.status).toBe(409);
    expect(onPassed.body.error.code).toBe('item_not_failed');
    const onPending = await addFinding(inspection.id, qi.auth, { itemId: items[1].id, severity: 'major_hazard', description: 'something' });
    expect(onPending.status).toBe(409);
    // Bad severity, and an item of another inspection: 400.
    await t.ctx.inspections.recordItem(actorOf(qi), inspection.id, items[2].id, { result: 'fail' });
    const other = await makeInspection(t, (await makeInspectedProject(t)).projectId);
    const mid = await snapshot(inspection.id);
    expect((await addFinding(inspection.id, qi.auth, { itemId: items[2].id, severity: 'critical', description: 'x' })).status).toBe(400);
    const foreign = await addFinding(inspection.id, qi.auth, { itemId: other.items[0].id, severity: 'minor', description: 'x' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details).toEqual([expect.objectContaining({ path: 'body.itemId' })]);
    expect(await snapshot(inspection.id)).toEqual(mid);
    expect(before.findings).toEqual([]);

    // A failed item with a finding stays failed: turning it into a pass is refused.
    const ok = await addFinding(inspection.id, qi.auth, { itemId: items[2].id, severity: 'minor', description: 'Inventory entry missing its keeper' });
    expect(ok.status).toBe(201);
    expect(ok.body).toEqual(expect.objectContaining({ itemId: items[2].id, severity: 'minor', requirementId: items[2].requirementId }));
    const flip = await patchItem(inspection.id, items[2].id, qi.auth, { result: 'pass' });
    expect(flip.status).toBe(409);
    expect(flip.body.error.code).toBe('item_has_findings');
    expect(await events('inspection.finding_recorded', inspection.id)).toHaveLength(1);
  });

  test('R-INSPECT: rectifications get an owner and a due date; a due date in the past is refused (400) and nothing changes', async () => {
    const { o, inspection, finding } = await readyWithFinding('minor');
    const before = await snapshot(inspection.id);
    const past = await assign(inspection.id, qi.auth, { findingId: finding.id, description: 'Shred the printouts', ownerUserId: o.pm.id, dueDate: '2020-01-01' });
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([expect.objectContaining({ path: 'body.dueDate' })]);
    for (const dueDate of ['2099-13-01', '2099-02-30', 'tomorrow', '']) {
      expect((await assign(inspection.id, qi.auth, { findingId: finding.id, description: 'x', ownerUserId: o.pm.id, dueDate })).status).toBe(400);
    }
    // An owner who is not an active user, a finding of no inspection: 400.
    expect((await assign(inspection.id, qi.auth, { findingId: finding.id, description: 'x', ownerUserId: 99999999, dueDate: '2099-12-31' })).status).toBe(400);
    expect((await assign(inspection.id, qi.auth, { findingId: 99999999, description: 'x', ownerUserId: o.pm.id, dueDate: '2099-12-31' })).status).toBe(400);
    expect(await snapshot(inspection.id)).toEqual(before);

    const res = await assign(inspection.id, qi.auth, { findingId: finding.id, description: 'Shred the printouts before a witness', ownerUserId: o.pm.id, dueDate: '2099-12-31' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual(
      expect.objectContaining({ findingId: finding.id, sourceType: 'inspection', sourceId: inspection.id, ownerUserId: o.pm.id, dueDate: '2099-12-31', status: 'open', project: o.project }),
    );
    expect(await events('inspection.rectification_assigned', inspection.id)).toHaveLength(1);
    expect(await events('rectification.opened', res.body.id)).toHaveLength(1);
    const view = await get(`/api/v1/inspections/${inspection.id}`, qi.auth);
    expect(view.body.findings[0].rectificationIds).toEqual([res.body.id]);
    expect(view.body.rectifications.map((r: { id: number; findingId: number }) => [r.id, r.findingId])).toEqual([[res.body.id, finding.id]]);
  });

  test('R-INSPECT: completion needs every item recorded and every failed item rated (409), then in_progress → completed; twice is 409 and nothing changes afterwards', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    await passAll(inspection.id, items.slice(0, 5));
    let before = await snapshot(inspection.id);
    const pending = await complete(inspection.id, qi.auth);
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('items_pending');
    expect(pending.body.error.details.itemIds).toHaveLength(items.length - 5);
    expect(await snapshot(inspection.id)).toEqual(before);

    await passAll(inspection.id, items.slice(5), [items[6].id]);
    await t.ctx.inspections.recordItem(actorOf(qi), inspection.id, items[6].id, { result: 'fail' });
    before = await snapshot(inspection.id);
    const unrated = await complete(inspection.id, qi.auth);
    expect(unrated.status).toBe(409);
    expect(unrated.body.error.code).toBe('findings_missing');
    expect(await snapshot(inspection.id)).toEqual(before);

    await t.ctx.inspections.recordItem(actorOf(qi), inspection.id, items[6].id, { result: 'na', notes: 'No survey this period' });
    const done = await complete(inspection.id, qi.auth, { conclusion: 'Satisfactory' });
    expect(done.status).toBe(200);
    expect(done.body).toEqual(expect.objectContaining({ status: 'completed', completedById: qi.id, conclusion: 'Satisfactory', notices: [] }));
    expect(done.body.counts).toEqual({ pass: items.length - 1, fail: 0, na: 1, pending: 0 });

    const after = await snapshot(inspection.id);
    const again = await complete(inspection.id, qi.auth);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_completed');
    const change = await patchItem(inspection.id, items[0].id, qi.auth, { result: 'fail' });
    expect(change.status).toBe(409);
    expect(change.body.error.code).toBe('inspection_completed');
    expect((await addFinding(inspection.id, qi.auth, { itemId: items[0].id, severity: 'minor', description: 'late' })).status).toBe(409);
    expect(await snapshot(inspection.id)).toEqual(after);
    const completed = await events('inspection.completed', inspection.id);
    expect(completed).toHaveLength(1);
    expect(completed[0].reason).toBe('Satisfactory');
  });

  test('R-INSPECT: rectification progress is recorded after completion; assigning new ones is not (409)', async () => {
    const { o, inspection, finding } = await readyWithFinding('minor');
    const r = await assign(inspection.id, qi.auth, { findingId: finding.id, description: 'Move the archive into the locked cabinet', ownerUserId: o.pm.id, dueDate: '2099-12-31' });
    expect(r.status).toBe(201);
    expect((await complete(inspection.id, qi.auth)).status).toBe(200);

    const progress = await t
      .http()
      .patch(`/api/v1/inspections/${inspection.id}/rectifications/${r.body.id}`)
      .set('Authorization', qi.auth)
      .send({ status: 'done', evidenceNotes: 'Cabinet 3 locked; photo IMG-204' });
    expect(progress.status).toBe(200);
    expect(progress.body).toEqual(expect.objectContaining({ id: r.body.id, status: 'done', evidenceNotes: 'Cabinet 3 locked; photo IMG-204', findingId: finding.id }));
    expect(await events('rectification.updated', r.body.id)).toHaveLength(1);

    // A rectification of another inspection is not this inspection's: 404.
    const other = await readyWithFinding('minor');
    const foreign = await assign(other.inspection.id, qi.auth, { findingId: other.finding.id, description: 'x', ownerUserId: other.o.pm.id, dueDate: '2099-12-31' });
    const wrong = await t.http().patch(`/api/v1/inspections/${inspection.id}/rectifications/${foreign.body.id}`).set('Authorization', qi.auth).send({ status: 'done' });
    expect(wrong.status).toBe(404);
    expect((await t.http().patch(`/api/v1/inspections/${inspection.id}/rectifications/${r.body.id}`).set('Authorization', qi.auth).send({ status: 'closed' })).status).toBe(400);

    const late = await assign(inspection.id, qi.auth, { findingId: finding.id, description: 'Another one', ownerUserId: o.pm.id, dueDate: '2099-12-31' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('inspection_completed');
  });

  // ---- public criticism ------------------------------------------------------------------------

  test('R-INSPECT: completing an inspection with a major hazard publishes one public criticism (通報批評) in the same transaction; every signed-in user reads it; it stays in the project history', async () => {
    const { o, inspection, finding } = await readyWithFinding('major_hazard');
    const res = await complete(inspection.id, qi.auth);
    expect(res.status).toBe(200);
    expect(res.body.notices).toHaveLength(1);
    const notice = res.body.notices[0];
    expect(notice).toEqual(expect.objectContaining({ kind: 'public_criticism', project: o.project, inspectionId: inspection.id, automatic: true }));
    expect(notice.title).toContain('通報批評');
    expect(notice.title).toContain(o.project);
    expect(notice.body).toContain(finding.description);

    const rows = await m().getRepository(Notice).find({ where: { inspectionId: inspection.id } });
    expect(rows.map((n) => [n.kind, n.sourceKey, n.publishedById])).toEqual([['public_criticism', `inspection:${inspection.id}`, qi.id]]);
    // One transaction: the completion and the publication are consecutive events of the chain.
    const [completed] = await events('inspection.completed', inspection.id);
    const [published] = await events('notice.published', rows[0].id);
    expect(Number(published.seq)).toBe(Number(completed.seq) + 1);
    expect(published.scope).toBe(`project:${o.project}`);

    // Published to the whole company: a signed-in user with no role reads it.
    const nobody = await makeUser(t);
    const list = await get('/api/v1/notices', nobody.auth, { project: o.project });
    expect(list.status).toBe(200);
    expect(list.body.items.map((n: { id: number }) => n.id)).toEqual([rows[0].id]);
    expect((await get(`/api/v1/notices/${rows[0].id}`, nobody.auth)).body.title).toBe(notice.title);
    // The project's manager hears of it.
    expect(await m().getRepository(Notification).countBy({ recipientId: o.pm.id, kind: 'notice.public_criticism' })).toBe(1);

    // The project's history keeps the inspection and the notice.
    const history = await get(`/api/v1/projects/${o.project}/history`, o.pm.auth);
    expect(history.status).toBe(200);
    expect(history.body.inspections.map((i: { id: number; status: string; findingCounts: { majorHazard: number } }) => [i.id, i.status, i.findingCounts.majorHazard])).toEqual([
      [inspection.id, 'completed', 1],
    ]);
    expect(history.body.notices.map((n: { id: number }) => n.id)).toEqual([rows[0].id]);
  });

  test('R-INSPECT: no public criticism when the findings are minor', async () => {
    const { inspection } = await readyWithFinding('minor');
    const res = await complete(inspection.id, qi.auth);
    expect(res.status).toBe(200);
    expect(res.body.notices).toEqual([]);
    expect(await m().getRepository(Notice).countBy({ inspectionId: inspection.id })).toBe(0);
  });

  test('R-INSPECT: two simultaneous completions of an inspection with a major hazard: one 200, one 409, exactly one notice', async () => {
    const { inspection } = await readyWithFinding('major_hazard');
    const results = await Promise.all([complete(inspection.id, qi.auth), complete(inspection.id, qi.auth)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('already_completed');
    expect(await m().getRepository(Notice).countBy({ inspectionId: inspection.id })).toBe(1);
    expect(await events('inspection.completed', inspection.id)).toHaveLength(1);
  });

  // ---- who reads, who conducts -----------------------------------------------------------------

  test("R-INSPECT: a project manager reads their project's inspections and history, not another project's (403); listing shows only theirs", async () => {
    const mine = await makeInspectedProject(t);
    const theirs = await makeInspectedProject(t);
    const a = await makeInspection(t, mine.projectId);
    const b = await makeInspection(t, theirs.projectId);
    expect((await get(`/api/v1/inspections/${a.inspection.id}`, mine.pm.auth)).status).toBe(200);
    const denied = await get(`/api/v1/inspections/${b.inspection.id}`, mine.pm.auth);
    expect(denied.status).toBe(403);
    expect(denied.body.error.details.permission).toBe('inspection:read');
    expect((await get(`/api/v1/projects/${theirs.project}/history`, mine.pm.auth)).status).toBe(403);
    expect((await get(`/api/v1/inspections/${a.inspection.id}/report`, mine.pm.auth).buffer(true).parse(binary)).status).toBe(200);

    const listed = await get('/api/v1/inspections', mine.pm.auth, { period: a.inspection.period, limit: '500' });
    expect(listed.status).toBe(200);
    expect(new Set(listed.body.items.map((i: { project: string }) => i.project))).toEqual(new Set([mine.project]));
    const named = await get('/api/v1/inspections', mine.pm.auth, { project: theirs.project });
    expect(named.status).toBe(403);
    // The project manager conducts nothing.
    const conduct = await patchItem(a.inspection.id, a.items[0].id, mine.pm.auth, { result: 'pass' });
    expect(conduct.status).toBe(403);
    expect(conduct.body.error.details.permission).toBe('inspection:conduct');
    // A company summary is not theirs to read.
    expect((await get('/api/v1/inspections/summary', mine.pm.auth, { period: a.inspection.period })).status).toBe(403);
  });

  test('R-INSPECT: auditors and the general manager read every inspection and change nothing (403)', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    for (const reader of [auditor, gm]) {
      expect((await get(`/api/v1/inspections/${inspection.id}`, reader.auth)).status).toBe(200);
      const listed = await get('/api/v1/inspections', reader.auth, { project: o.project });
      expect(listed.body.items.map((i: { id: number }) => i.id)).toEqual([inspection.id]);
    }
    const before = await snapshot(inspection.id);
    const attempts = [
      await patchItem(inspection.id, items[0].id, auditor.auth, { result: 'pass' }),
      await addFinding(inspection.id, auditor.auth, { itemId: items[0].id, severity: 'minor', description: 'x' }),
      await complete(inspection.id, auditor.auth),
      await t.http().post('/api/v1/notices').set('Authorization', auditor.auth).send({ project: o.project, title: 'Criticism', body: 'Criticism text' }),
    ];
    expect(attempts.map((r) => [r.status, r.body.error.details.permission])).toEqual([
      [403, 'inspection:conduct'],
      [403, 'inspection:conduct'],
      [403, 'inspection:conduct'],
      [403, 'notice:publish'],
    ]);
    // The refusals are in the trail; nothing else changed.
    const after = await snapshot(inspection.id);
    expect(after.seq).toBe(before.seq + attempts.length);
    expect({ ...after, seq: 0 }).toEqual({ ...before, seq: 0 });
  });

  test('R-INSPECT: listing filters by period, project and status; bad filters are 400', async () => {
    const o = await makeInspectedProject(t);
    const keys = blockKeys(t);
    const cur = await makeInspection(t, o.projectId, keys.current);
    const nxt = await makeInspection(t, o.projectId, keys.next);
    const all = await get('/api/v1/inspections', qi.auth, { project: o.project });
    // Newest period first.
    expect(all.body.items.map((i: { id: number }) => i.id)).toEqual([nxt.inspection.id, cur.inspection.id]);
    const one = await get('/api/v1/inspections', qi.auth, { project: o.project, period: keys.current, status: 'in_progress' });
    expect(one.body.items.map((i: { id: number; period: string }) => [i.id, i.period])).toEqual([[cur.inspection.id, keys.current]]);
    expect((await get('/api/v1/inspections', qi.auth, { project: o.project, status: 'completed' })).body.items).toEqual([]);
    const bad: Array<Record<string, string>> = [{ period: '2026-B7' }, { period: '2026-11' }, { status: 'open' }, { project: 'no such project!' }, { project: 'NOPE-404' }, { color: 'red' }];
    for (const query of bad) {
      expect({ query, status: (await get('/api/v1/inspections', qi.auth, query)).status }).toEqual({ query, status: 400 });
    }
    expect((await get('/api/v1/inspections/99999999', qi.auth)).status).toBe(404);
  });

  // ---- reports ---------------------------------------------------------------------------------

  test('R-INSPECT: the inspection report of a project as PDF and XLSX, and the company summary for auditors as JSON, PDF and XLSX', async () => {
    const { o, inspection } = await readyWithFinding('major_hazard');
    expect((await complete(inspection.id, qi.auth)).status).toBe(200);
    const idle = await makeProject(t);

    const pdf = await get(`/api/v1/inspections/${inspection.id}/report`, auditor.auth, { format: 'pdf' }).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(pdf.body as Buffer)).join('\n');
    expect(text).toContain(o.project);
    expect(text).toContain(inspection.period);
    expect(text).toContain('Three uncontrolled printouts');
    const xlsx = await get(`/api/v1/inspections/${inspection.id}/report`, auditor.auth, { format: 'xlsx' }).buffer(true).parse(binary);
    expect(xlsx.status).toBe(200);
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    expect(await events('inspection.report_produced', inspection.id)).toHaveLength(2);
    expect((await get(`/api/v1/inspections/${inspection.id}/report`, auditor.auth, { format: 'docx' })).status).toBe(400);

    const summary = await get('/api/v1/inspections/summary', auditor.auth, { period: inspection.period });
    expect(summary.status).toBe(200);
    const line = summary.body.projects.find((p: { project: string }) => p.project === o.project);
    expect(line).toEqual(
      expect.objectContaining({ inspection: inspection.id, status: 'completed', pass: projectChecklist().length - 1, fail: 1, na: 0, pending: 0, majorHazard: 1, notices: 1 }),
    );
    expect(summary.body.projects.find((p: { project: string }) => p.project === idle.code)).toEqual(expect.objectContaining({ inspection: null, status: 'not_created' }));

    const sPdf = await get('/api/v1/inspections/summary', auditor.auth, { period: inspection.period, format: 'pdf' }).buffer(true).parse(binary);
    expect(sPdf.status).toBe(200);
    expect((await pdfText(sPdf.body as Buffer)).join('\n')).toContain(o.project);
    const sXlsx = await get('/api/v1/inspections/summary', auditor.auth, { period: inspection.period, format: 'xlsx' }).buffer(true).parse(binary);
    expect((sXlsx.body as Buffer).subarray(0, 2).toString()).toBe('PK');
    expect((await get('/api/v1/inspections/summary', auditor.auth, { period: 'B6' })).status).toBe(400);
    expect((await get('/api/v1/inspections/summary', auditor.auth)).status).toBe(400);
  });
});
