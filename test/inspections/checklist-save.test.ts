import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { Inspection } from '../../src/entities/Inspection';
import { InspectionFinding } from '../../src/entities/InspectionFinding';
import { InspectionItem } from '../../src/entities/InspectionItem';
import { makeUser, MadeUser } from '../helpers/factories';
import { makeInspectedProject, makeInspection } from '../helpers/inspections-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-INSPECT (§5.3.2): the inspector saves the whole bimonthly checklist in one request
 * (PUT /api/v1/inspections/:id/checklist), all or nothing, with the access and the audit events
 * of the single-item route (R-AUDIT).
 */
describe('saving a whole inspection checklist', () => {
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
  const put = (id: number, auth: string, body: unknown) => t.http().put(`/api/v1/inspections/${id}/checklist`).set('Authorization', auth).send(body as object);
  const events = (objectId: number) => m().getRepository(AuditEvent).find({ where: { action: 'inspection.item_recorded', objectId: String(objectId) }, order: { seq: 'ASC' } });
  /** Everything a refused save could have touched. */
  const snapshot = async (inspectionId: number) => ({
    inspection: await m().getRepository(Inspection).findOneByOrFail({ id: inspectionId }),
    items: await m().getRepository(InspectionItem).find({ where: { inspectionId }, order: { id: 'ASC' } }),
    seq: (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
  });
  const allPass = (items: InspectionItem[]) => items.map((it) => ({ itemId: it.id, result: 'pass' }));

  test('R-INSPECT: the inspector saves every item in one request; each recorded item is audited as the single-item route does; saving it again unchanged records nothing', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    const body = {
      items: [
        { itemId: items[0].id, result: 'fail', notes: 'Two uncontrolled printouts at the desk', evidence: 'photo 1' },
        { itemId: items[1].id, result: 'na', notes: 'No handover files this period' },
        ...allPass(items.slice(2)),
      ],
    };
    const res = await put(inspection.id, qi.auth, body);
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ pending: 0, pass: items.length - 2, fail: 1, na: 1 });
    expect(res.body.items[0]).toEqual(expect.objectContaining({ id: items[0].id, result: 'fail', notes: 'Two uncontrolled printouts at the desk', evidence: 'photo 1', recordedById: qi.id }));
    const stored = await m().getRepository(InspectionItem).find({ where: { inspectionId: inspection.id } });
    expect(stored.every((it) => it.result !== 'pending' && it.recordedById === qi.id)).toBe(true);

    const recorded = await events(inspection.id);
    expect(recorded).toHaveLength(items.length);
    expect(recorded[0].before).toEqual(expect.objectContaining({ result: 'pending' }));
    expect(recorded[0].after).toEqual(expect.objectContaining({ itemId: items[0].id, result: 'fail', evidence: 'photo 1' }));
    expect(recorded[0].scope).toBe(`project:${o.project}`);

    // The console sends the whole list on every save: what did not change is not recorded again.
    const before = await snapshot(inspection.id);
    const again = await put(inspection.id, qi.auth, body);
    expect(again.status).toBe(200);
    expect(await snapshot(inspection.id)).toEqual(before);
    // One change among unchanged entries: one event; absent notes stay, null clears them.
    const one = await put(inspection.id, qi.auth, { items: [{ itemId: items[1].id, result: 'pass', evidence: null }, { itemId: items[0].id, result: 'fail' }] });
    expect(one.status).toBe(200);
    expect(await events(inspection.id)).toHaveLength(items.length + 1);
    const item1 = await m().getRepository(InspectionItem).findOneByOrFail({ id: items[1].id });
    expect([item1.result, item1.notes, item1.evidence]).toEqual(['pass', 'No handover files this period', null]);
  });

  test('R-INSPECT: an unknown item (or one of another inspection) is 400 naming body.items.N.itemId, and nothing of the save is kept', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    const other = await makeInspection(t, (await makeInspectedProject(t)).projectId);
    const before = await snapshot(inspection.id);
    const res = await put(inspection.id, qi.auth, { items: [...allPass(items.slice(0, 3)), { itemId: 99999999, result: 'pass' }, { itemId: other.items[0].id, result: 'na' }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.items.3.itemId', 'body.items.4.itemId']);
    expect(await snapshot(inspection.id)).toEqual(before);

    // The entry rules of the single-item route, per entry: a bad result, an unknown field, an item twice.
    const bad = [
      [{ items: [{ itemId: items[0].id, result: 'pending' }] }, 'body.items.0.result'],
      [{ items: [{ itemId: items[0].id, result: 'pass' }, { itemId: items[1].id }] }, 'body.items.1.result'],
      [{ items: [{ itemId: items[0].id, result: 'pass', verdict: 'fine' }] }, 'body.items.0.verdict'],
      [{ items: [{ itemId: items[0].id, result: 'pass', notes: '' }] }, 'body.items.0.notes'],
      [{ items: [{ itemId: items[0].id, result: 'pass' }, { itemId: items[0].id, result: 'fail' }] }, 'body.items.1.itemId'],
      [{ items: [] }, 'body.items'],
    ] as const;
    for (const [body, path] of bad) {
      const r = await put(inspection.id, qi.auth, body);
      expect({ status: r.status, paths: r.body.error.details.map((d: { path: string }) => d.path) }).toEqual({ status: 400, paths: expect.arrayContaining([path]) });
    }
    expect(await snapshot(inspection.id)).toEqual(before);
  });

  test('R-INSPECT: an item with a finding stays failed: a save that passes it is 409 item_has_findings and keeps none of its entries', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    await t.ctx.inspections.recordItem(actorOf(qi), inspection.id, items[2].id, { result: 'fail' });
    await t.ctx.inspections.addFinding(actorOf(qi), inspection.id, { itemId: items[2].id, severity: 'minor', description: 'Inventory entry missing its keeper' });
    const before = await snapshot(inspection.id);
    const res = await put(inspection.id, qi.auth, { items: allPass(items) });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('item_has_findings');
    expect(res.body.error.details.itemIds).toEqual([items[2].id]);
    expect(await snapshot(inspection.id)).toEqual(before);
    expect(await m().getRepository(InspectionFinding).countBy({ inspectionId: inspection.id })).toBe(1);
  });

  test('R-INSPECT: a completed inspection is 409 inspection_completed, as on the single-item route, and nothing changes', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    expect((await put(inspection.id, qi.auth, { items: allPass(items) })).status).toBe(200);
    expect((await t.http().post(`/api/v1/inspections/${inspection.id}/complete`).set('Authorization', qi.auth)).status).toBe(200);
    const before = await snapshot(inspection.id);
    const res = await put(inspection.id, qi.auth, { items: [{ itemId: items[0].id, result: 'fail' }] });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('inspection_completed');
    expect(await snapshot(inspection.id)).toEqual(before);
  });

  test('R-INSPECT: only the quality department saves a checklist: the project manager, staff, an auditor, the general manager and the manager of another project are refused (403 naming inspection:conduct), nothing changes; an unknown inspection is 404', async () => {
    const o = await makeInspectedProject(t);
    const { inspection, items } = await makeInspection(t, o.projectId);
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const staff = await makeUser(t, { roles: [['staff', `project:${o.project}`]] });
    // The manager of another project: out of scope as well.
    const elsewhere = await makeInspectedProject(t);
    const before = await snapshot(inspection.id);
    for (const u of [o.pm, staff, auditor, gm, elsewhere.pm]) {
      const res = await put(inspection.id, u.auth, { items: allPass(items) });
      expect({ status: res.status, permission: res.body.error.details.permission }).toEqual({ status: 403, permission: 'inspection:conduct' });
    }
    expect(await snapshot(inspection.id)).toEqual({ ...before, seq: expect.any(Number) });
    expect((await snapshot(inspection.id)).items).toEqual(before.items);
    expect((await put(99999999, qi.auth, { items: allPass(items) })).status).toBe(404);
  });
});
