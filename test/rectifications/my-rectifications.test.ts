import { Rectification } from '../../src/entities/Rectification';
import { actorOf, dayFromNow, freshMonth, monthPeriod } from '../helpers/assessments-factories';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { blockKeys, makeInspection } from '../helpers/inspections-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-RISK-MONTHLY (§5.3.1 "及時整改"), R-INSPECT (§5.3.2): the owner of a rectification is often
 * staff, a clerk or a project manager who may not read the assessment or the inspection it came
 * from. GET /api/v1/me/rectifications lists their own (and only theirs), not done first, so they
 * find and record what is theirs to put right on PATCH /api/v1/me/rectifications/:id.
 */
describe('my rectifications', () => {
  let t: TestApp;
  let quality: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    quality = await makeUser(t, { roles: [['quality_inspector', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function makeOrg() {
    const dept = await makeDepartment(t);
    const project = await makeProject(t, { departmentCode: dept.code });
    const head = await makeUser(t, { roles: [['dept_head', `dept:${dept.code}`]] });
    // Staff: no risk_assessment:read, no inspection:read (R-CTRL-STAFF).
    const owner = await makeUser(t, { roles: [['staff', `project:${project.code}`]], departmentCode: dept.code });
    const month = freshMonth();
    const assessment = (await t.ctx.assessments.ensureFor(dept.id, monthPeriod(t, month))).assessment;
    const open = (description: string, dueDate: string, ownerUserId = owner.id) =>
      t.ctx.assessments.addRectification(actorOf(head), assessment.id, { description, ownerUserId, dueDate });
    return { dept, project, head, owner, month, assessment, open };
  }
  const mine = (u: { auth: string }, query: Record<string, string> = {}) => t.http().get('/api/v1/me/rectifications').query(query).set('Authorization', u.auth);
  const ownPatch = (id: number, u: { auth: string }, body: unknown) => t.http().patch(`/api/v1/me/rectifications/${id}`).set('Authorization', u.auth).send(body as object);
  const ids = (res: { body: { items: Array<{ id: number }> } }) => res.body.items.map((r) => r.id);

  test("R-RISK-MONTHLY R-INSPECT: GET /api/v1/me/rectifications lists only the caller's own, assessment's and inspection's, not done first (overdue, then soonest due), with the source's period, the total and server-side pages; status filters", async () => {
    const o = await makeOrg();
    const later = await o.open('Lock the archive cabinet', dayFromNow(t, 10));
    const soon = await o.open('Shred the old list', dayFromNow(t, 2));
    const finished = await o.open('Seal the USB port', dayFromNow(t, 1));
    const late = await o.open('Collect the printed list', dayFromNow(t, 20));
    const colleague = await makeUser(t, { departmentCode: o.dept.code });
    const theirs = await o.open('Not yours', dayFromNow(t, 1), colleague.id);
    const { inspection } = await makeInspection(t, o.project.id);
    const fromInspection = await t.ctx.db.tx((m) =>
      t.ctx.rectifications.open(m, actorOf(quality), {
        sourceType: 'inspection',
        sourceId: inspection.id,
        departmentId: null,
        projectId: o.project.id,
        description: 'Take the list off the notice board',
        ownerUserId: o.owner.id,
        dueDate: dayFromNow(t, 7),
      }),
    );
    expect((await ownPatch(finished.id, o.owner, { status: 'done', evidenceNotes: 'Port sealed' })).status).toBe(200);
    // A due date that has passed (opening refuses one in the past, so it is set on the row).
    await t.ctx.db.manager.getRepository(Rectification).update({ id: late.id }, { dueDate: dayFromNow(t, -3) });

    const all = await mine(o.owner);
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(5);
    expect(ids(all)).toEqual([late.id, soon.id, fromInspection.id, later.id, finished.id]);
    expect(ids(all)).not.toContain(theirs.id);
    expect(all.body.items.every((r: { ownerUserId: number }) => r.ownerUserId === o.owner.id)).toBe(true);
    const byId = new Map(all.body.items.map((r: { id: number }) => [r.id, r]));
    expect(byId.get(late.id)).toEqual(expect.objectContaining({ overdue: true, status: 'open', sourceType: 'risk_assessment', sourcePeriod: o.month, department: o.dept.code }));
    expect(byId.get(fromInspection.id)).toEqual(expect.objectContaining({ overdue: false, sourceType: 'inspection', sourceId: inspection.id, sourcePeriod: blockKeys(t).current, project: o.project.code }));
    expect(byId.get(finished.id)).toEqual(expect.objectContaining({ status: 'done', evidenceNotes: 'Port sealed', doneAt: expect.any(String), overdue: false }));

    // Server-side pages: the total stays the filter's, whatever the page.
    const first = await mine(o.owner, { limit: '2' });
    const second = await mine(o.owner, { limit: '2', offset: '2' });
    const third = await mine(o.owner, { limit: '2', offset: '4' });
    expect([first.body.total, second.body.total, third.body.total]).toEqual([5, 5, 5]);
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(ids(all));

    // Status filters: not_done is open and in progress together.
    expect((await ownPatch(soon.id, o.owner, { status: 'in_progress' })).status).toBe(200);
    const notDone = await mine(o.owner, { status: 'not_done' });
    expect({ ids: ids(notDone), total: notDone.body.total }).toEqual({ ids: [late.id, soon.id, fromInspection.id, later.id], total: 4 });
    expect(ids(await mine(o.owner, { status: 'in_progress' }))).toEqual([soon.id]);
    expect(ids(await mine(o.owner, { status: 'open' }))).toEqual([late.id, fromInspection.id, later.id]);
    const done = await mine(o.owner, { status: 'done' });
    expect({ ids: ids(done), total: done.body.total }).toEqual({ ids: [finished.id], total: 1 });

    // The colleague sees theirs only; someone who owns none gets an empty page, never another's.
    expect(ids(await mine(colleague))).toEqual([theirs.id]);
    const stranger = await makeUser(t);
    expect((await mine(stranger)).body).toEqual({ items: [], total: 0 });
    expect((await mine(o.head)).body).toEqual({ items: [], total: 0 });

    // Bad filters are 400 with the field named; no session is 401.
    for (const [query, path] of [
      [{ status: 'closed' }, 'query.status'],
      [{ limit: '0' }, 'query.limit'],
      [{ offset: '-1' }, 'query.offset'],
      [{ owner: String(colleague.id) }, 'query'],
    ] as const) {
      const res = await mine(o.owner, query);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining(path) })]));
    }
    expect((await t.http().get('/api/v1/me/rectifications')).status).toBe(401);
  });

  test('R-RISK-MONTHLY R-INSPECT: a staff member and a project manager who may not read the assessment find their rectification on the list and record it done from there; it moves behind the open ones', async () => {
    const o = await makeOrg();
    const pm = await makeUser(t, { roles: [['project_manager', `project:${o.project.code}`]] });
    const rect = await o.open('Return the paper copy of the owners list', dayFromNow(t, 5));
    const other = await o.open('Lock the drawer', dayFromNow(t, 9));
    // The source stays closed to them (this list is their way in).
    expect((await t.http().get(`/api/v1/risk-assessments/${o.assessment.id}`).set('Authorization', o.owner.auth)).status).toBe(403);

    const listed = (await mine(o.owner, { status: 'not_done' })).body.items.find((r: { id: number }) => r.id === rect.id);
    expect(listed).toEqual(expect.objectContaining({ status: 'open', description: 'Return the paper copy of the owners list', sourcePeriod: o.month }));
    const done = await ownPatch(listed.id, o.owner, { status: 'done', evidenceNotes: 'Copy returned to the keeper' });
    expect(done.status).toBe(200);
    const after = await mine(o.owner);
    expect(ids(after)).toEqual([other.id, rect.id]);
    expect(after.body.items[1]).toEqual(expect.objectContaining({ status: 'done', evidenceNotes: 'Copy returned to the keeper', doneAt: expect.any(String) }));
    expect(ids(await mine(o.owner, { status: 'not_done' }))).toEqual([other.id]);

    // A project manager owning an inspection's rectification: the same way in.
    const { inspection } = await makeInspection(t, o.project.id);
    const ir = await t.ctx.db.tx((m) =>
      t.ctx.rectifications.open(m, actorOf(quality), { sourceType: 'inspection', sourceId: inspection.id, departmentId: null, projectId: o.project.id, description: 'Seal the desk USB port', ownerUserId: pm.id, dueDate: dayFromNow(t, 4) }),
    );
    const pmList = await mine(pm);
    expect(pmList.body).toEqual({ items: [expect.objectContaining({ id: ir.id, sourceType: 'inspection', sourcePeriod: inspection.period, status: 'open' })], total: 1 });
    expect((await ownPatch(ir.id, pm, { status: 'in_progress', evidenceNotes: 'Port lock ordered' })).status).toBe(200);
    expect((await mine(pm)).body.items[0]).toEqual(expect.objectContaining({ status: 'in_progress', evidenceNotes: 'Port lock ordered' }));
    // Still the owner's alone: the project manager cannot record the staff member's.
    expect((await ownPatch(other.id, pm, { status: 'done' })).status).toBe(403);
  });
});
