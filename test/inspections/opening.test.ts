import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { Inspection } from '../../src/entities/Inspection';
import { InspectionItem } from '../../src/entities/InspectionItem';
import { JobRun } from '../../src/entities/JobRun';
import { projectChecklist } from '../../src/features/inspections/checklist';
import { inspectionsJob } from '../../src/features/inspections/inspection.job';
import { makeUser, MadeUser } from '../helpers/factories';
import { blockKeys, makeInspectedProject, period } from '../helpers/inspections-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-INSPECT (§5.3.2) for a project created during a two-month period and on a new installation:
 * the job covers every project that exists when it runs, the quality department opens a
 * project's inspection by hand, and runs the job before the period's run is due without
 * consuming that run.
 */
describe('opening the bimonthly inspection by hand', () => {
  let t: TestApp;
  let qi: MadeUser;
  const actorOf = (u: MadeUser) => ({ id: u.id, username: u.username });

  beforeAll(async () => {
    t = await startTestApp();
    qi = await makeUser(t, { roles: [['quality_inspector', '*']] });
  });
  afterAll(async () => {
    await t?.close();
  });

  const m = () => t.ctx.db.manager;
  const open = (auth: string, body: unknown) => t.http().post('/api/v1/inspections').set('Authorization', auth).send(body as object);
  const inspectionsOf = (projectId: number, key: string) => m().getRepository(Inspection).find({ where: { projectId, period: key } });
  const seq = async () => (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;

  test('R-INSPECT: the job covers every project that exists when it runs, one created after the period ended included', async () => {
    const o = await makeInspectedProject(t);
    const key = blockKeys(t).previous;
    const p = period(t, key);
    expect(p.end.getTime()).toBeLessThan(Date.now());
    const run = await t.http().post('/api/v1/jobs/inspections/run').set('Authorization', qi.auth).send({ period: key });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ period: key, status: 'succeeded', requestedById: qi.id });
    const rows = await inspectionsOf(o.projectId, key);
    expect(rows.map((r) => [r.period, r.status, r.periodStart, r.periodEnd])).toEqual([[key, 'in_progress', p.start, p.end]]);
  });

  test("R-INSPECT: the quality department opens the current period's inspection of a project created during it: 201 with the checklist, audited under its name", async () => {
    const o = await makeInspectedProject(t);
    const key = blockKeys(t).current;
    const res = await open(qi.auth, { project: o.project, period: key });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ project: o.project, period: key, status: 'in_progress', createdById: qi.id });
    expect(res.body.items.map((i: { requirementId: string }) => i.requirementId)).toEqual(projectChecklist().map((l) => l.requirementId));
    const created = await m().getRepository(AuditEvent).find({ where: { action: 'inspection.created', objectId: String(res.body.id) } });
    expect(created.map((e) => [e.actorId, e.scope])).toEqual([[qi.id, `project:${o.project}`]]);
    // The inspector records it as any other.
    const item = await t.http().patch(`/api/v1/inspections/${res.body.id}/items/${res.body.items[0].id}`).set('Authorization', qi.auth).send({ result: 'pass' });
    expect(item.status).toBe(200);
    // The project manager reads it.
    expect((await t.http().get(`/api/v1/inspections/${res.body.id}`).set('Authorization', o.pm.auth)).status).toBe(200);
  });

  test('R-INSPECT: opening one that exists is 409, a future period or an unknown project is 400 naming the field; nothing changes', async () => {
    const o = await makeInspectedProject(t);
    const keys = blockKeys(t);
    expect((await open(qi.auth, { project: o.project, period: keys.current })).status).toBe(201);
    const mark = await seq();
    const again = await open(qi.auth, { project: o.project, period: keys.current });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('inspection_exists');
    const future = await open(qi.auth, { project: o.project, period: keys.next });
    expect(future.status).toBe(400);
    expect(future.body.error.details).toEqual([expect.objectContaining({ path: 'body.period' })]);
    const unknown = await open(qi.auth, { project: 'NO-SUCH-PROJECT', period: keys.current });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'body.project' })]);
    for (const body of [{ project: o.project, period: '2026-B7' }, { period: keys.current }, { project: o.project, period: keys.current, status: 'completed' }]) {
      expect((await open(qi.auth, body)).status).toBe(400);
    }
    expect(await seq()).toBe(mark);
    expect(await m().getRepository(Inspection).countBy({ projectId: o.projectId })).toBe(1);
    // Two openings at once: one 201, one 409, one inspection with one checklist.
    const other = await makeInspectedProject(t);
    const both = await Promise.all([open(qi.auth, { project: other.project, period: keys.current }), open(qi.auth, { project: other.project, period: keys.current })]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const [only] = await inspectionsOf(other.projectId, keys.current);
    expect(await m().getRepository(InspectionItem).countBy({ inspectionId: only.id })).toBe(projectChecklist().length);
  });

  test('R-INSPECT: only the quality department opens one by hand: the project manager, the general manager, the auditor and the IT admin are refused (403 naming inspection:create)', async () => {
    const o = await makeInspectedProject(t);
    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    for (const auth of [o.pm.auth, gm.auth, auditor.auth, `Bearer ${t.admin.token}`]) {
      const res = await open(auth, { project: o.project, period: blockKeys(t).current });
      expect({ status: res.status, permission: res.body.error?.details?.permission }).toEqual({ status: 403, permission: 'inspection:create' });
    }
    expect(await m().getRepository(Inspection).countBy({ projectId: o.projectId })).toBe(0);
  });

  test("R-INSPECT: a run before the period's run is due (its first morning) is a run to date under its own claim: the scheduled run at 07:00 still runs and covers projects created meanwhile", async () => {
    const first = await makeInspectedProject(t);
    // A period of this process alone, far ahead; the clock is injected.
    const key = '2400-B3';
    const p = period(t, key);
    const early = new Date(p.start.getTime() + 3 * 3_600_000);
    expect(early.getTime()).toBeLessThan(p.dueAt.getTime());
    const toDate = await t.ctx.jobs.runManual(actorOf(qi), 'inspections', key, early);
    expect(toDate).toMatchObject({ period: `${key}~to-date`, status: 'succeeded', result: { toDate: true } });
    expect(await inspectionsOf(first.projectId, key)).toHaveLength(1);
    // Before the period begins: still refused.
    await expect(t.ctx.jobs.runManual(actorOf(qi), 'inspections', key, new Date(p.start.getTime() - 60_000))).rejects.toMatchObject({ status: 400 });

    const second = await makeInspectedProject(t);
    const scheduled = await t.ctx.jobs.runDue(t.ctx.jobs.find(inspectionsJob.name), 'schedule', new Date(p.dueAt.getTime() + 60_000));
    expect(scheduled).toMatchObject({ ran: true, run: { period: key, status: 'succeeded', result: { toDate: false } } });
    expect(await inspectionsOf(second.projectId, key)).toHaveLength(1);
    expect(await inspectionsOf(first.projectId, key)).toHaveLength(1);
    const runs = await m().getRepository(JobRun).find({ where: { job: 'inspections' } });
    expect(runs.filter((r) => r.period.startsWith(key)).map((r) => r.period).sort()).toEqual([key, `${key}~to-date`]);
  });
});
