import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { InventoryItem } from '../../src/entities/InventoryItem';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-INVENTORY (§3.2, §3.3): each department keeps a customer-information inventory; the
 * department head maintains it; auditors and the quality department read every department's
 * list. R-CLASSES (§5.1): every item is paper archive, electronic or control data.
 * R-SECRET (§4): nobody else reads or changes it.
 */
describe('customer-information inventory', () => {
  let t: TestApp;
  let D: string;
  let E: string;
  let P: string;
  let headD: MadeUser;
  let headE: MadeUser;
  let auditor: MadeUser;
  let quality: MadeUser;
  let keeper: MadeUser;
  const adminAuth = () => `Bearer ${t.admin.token}`;

  beforeAll(async () => {
    t = await startTestApp();
    D = (await makeDepartment(t)).code;
    E = (await makeDepartment(t)).code;
    P = (await makeProject(t, { departmentCode: D })).code;
    headD = await makeUser(t, { roles: [['dept_head', `dept:${D}`]] });
    headE = await makeUser(t, { roles: [['dept_head', `dept:${E}`]] });
    auditor = await makeUser(t, { roles: [['auditor', '*']] });
    quality = await makeUser(t, { roles: [['quality_inspector', '*']] });
    keeper = await makeUser(t, { departmentCode: D });
  });
  afterAll(async () => {
    await t?.close();
  });

  const itemBody = (over: Record<string, unknown> = {}) => ({
    infoClass: 'paper_archive',
    description: 'Owner archives of building 3',
    keeperUserId: keeper.id,
    location: 'Archive room 2, cabinet B',
    approxCount: 120,
    ...over,
  });
  const listDept = (code: string, auth: string, query: Record<string, string> = {}) =>
    t.http().get(`/api/v1/departments/${code}/inventory`).query(query).set('Authorization', auth);
  const listAll = (auth: string, query: Record<string, string> = {}) => t.http().get('/api/v1/inventory').query(query).set('Authorization', auth);
  const create = (code: string, auth: string, body: unknown) => t.http().post(`/api/v1/departments/${code}/inventory`).set('Authorization', auth).send(body as object);
  const patch = (id: number | string, auth: string, body: unknown) => t.http().patch(`/api/v1/inventory/${id}`).set('Authorization', auth).send(body as object);
  const remove = (id: number | string, auth: string) => t.http().delete(`/api/v1/inventory/${id}`).set('Authorization', auth);
  const review = (id: number | string, auth: string, body?: unknown) => {
    const call = t.http().post(`/api/v1/inventory/${id}/review`).set('Authorization', auth);
    return body === undefined ? call : call.send(body as object);
  };
  /** An item of department `code`, made by its head (or the admin). */
  const made = async (code: string, over: Record<string, unknown> = {}) => {
    const auth = code === D ? headD.auth : code === E ? headE.auth : adminAuth();
    const res = await create(code, auth, itemBody(over));
    expect(res.status).toBe(201);
    return res.body as { id: number; departmentCode: string; infoClass: string; approxCount: number; lastReviewedAt: string | null };
  };
  const events = (action: string, objectId: number) =>
    t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action, objectId: String(objectId) }, order: { seq: 'ASC' } });
  const row = (id: number) => t.ctx.db.manager.getRepository(InventoryItem).findOneBy({ id });
  /** Everything a refused write could have touched. */
  const snapshot = async () => ({
    items: await t.ctx.db.manager.getRepository(InventoryItem).find({ order: { id: 'ASC' } }),
    seq: (await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
  });
  const expectValidation = (res: request.Response, path: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  };
  const expectForbidden = (res: request.Response, permission: string) => {
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(res.body.error.details).toEqual(expect.objectContaining({ permission }));
  };

  describe('the department head maintains the inventory (R-INVENTORY)', () => {
    it('R-INVENTORY R-CLASSES: the dept_head of D adds an item of each class: 201, listed, audited inventory.item_created with scope dept:D', async () => {
      const before = (await listDept(D, headD.auth)).body.items.length;
      const paper = await create(D, headD.auth, itemBody());
      expect(paper.status).toBe(201);
      expect(paper.body).toEqual({
        id: expect.any(Number),
        departmentCode: D,
        infoClass: 'paper_archive',
        description: 'Owner archives of building 3',
        keeperUserId: keeper.id,
        keeperUsername: keeper.username,
        keeperName: null,
        location: 'Archive room 2, cabinet B',
        approxCount: 120,
        lastReviewedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        createdById: headD.id,
      });
      const electronic = await create(D, headD.auth, itemBody({ infoClass: 'electronic', keeperUserId: undefined, keeperName: 'Developer liaison (no account)', approxCount: 0 }));
      expect(electronic.status).toBe(201);
      expect(electronic.body).toEqual(expect.objectContaining({ infoClass: 'electronic', keeperUserId: null, keeperUsername: null, keeperName: 'Developer liaison (no account)', approxCount: 0 }));
      const control = await create(D, headD.auth, itemBody({ infoClass: 'control_data', location: 'Customer system, project ' + P }));
      expect(control.status).toBe(201);

      const list = await listDept(D, headD.auth);
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(before + 3);
      expect(list.body.items).toEqual(expect.arrayContaining([paper.body, electronic.body, control.body]));
      const onlyElectronic = await listDept(D, headD.auth, { infoClass: 'electronic' });
      expect(onlyElectronic.body.items.map((i: { infoClass: string }) => i.infoClass)).toEqual(onlyElectronic.body.items.map(() => 'electronic'));
      expect(onlyElectronic.body.items).toEqual(expect.arrayContaining([electronic.body]));

      const ev = await events('inventory.item_created', paper.body.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(
        expect.objectContaining({
          actorId: headD.id,
          objectType: 'inventory_item',
          objectId: String(paper.body.id),
          scope: `dept:${D}`,
          before: null,
          after: {
            departmentCode: D,
            infoClass: 'paper_archive',
            description: 'Owner archives of building 3',
            keeperUserId: keeper.id,
            keeperName: null,
            location: 'Archive room 2, cabinet B',
            approxCount: 120,
            lastReviewedAt: null,
          },
        }),
      );
    });

    it('R-INVENTORY: the dept_head updates an item: 200, naming a keeper without an account clears the keeper user, audited with before/after', async () => {
      const item = await made(D);
      const res = await patch(item.id, headD.auth, { approxCount: 150, keeperName: 'Ms. Li (temporary clerk)', infoClass: 'electronic' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.objectContaining({ id: item.id, departmentCode: D, approxCount: 150, infoClass: 'electronic', keeperUserId: null, keeperUsername: null, keeperName: 'Ms. Li (temporary clerk)' }),
      );
      expect(await row(item.id)).toEqual(expect.objectContaining({ approxCount: 150, infoClass: 'electronic', keeperUserId: null, keeperName: 'Ms. Li (temporary clerk)' }));

      const ev = await events('inventory.item_updated', item.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(
        expect.objectContaining({
          actorId: headD.id,
          objectType: 'inventory_item',
          scope: `dept:${D}`,
          before: expect.objectContaining({ approxCount: 120, infoClass: 'paper_archive', keeperUserId: keeper.id, keeperName: null }),
          after: expect.objectContaining({ approxCount: 150, infoClass: 'electronic', keeperUserId: null, keeperName: 'Ms. Li (temporary clerk)' }),
        }),
      );

      // And back to a keeper with an account: the free-text name is cleared.
      const back = await patch(item.id, headD.auth, { keeperUserId: keeper.id });
      expect(back.status).toBe(200);
      expect(back.body).toEqual(expect.objectContaining({ keeperUserId: keeper.id, keeperUsername: keeper.username, keeperName: null }));
    });

    it('R-INVENTORY: reviewing sets lastReviewedAt to now; the note is recorded; audited inventory.item_reviewed', async () => {
      const item = await made(D);
      const start = Date.now();
      const res = await review(item.id, headD.auth, { note: 'Counted on site, matches' });
      expect(res.status).toBe(200);
      const reviewedAt = new Date(res.body.lastReviewedAt).getTime();
      expect(reviewedAt).toBeGreaterThanOrEqual(start - 1000);
      expect(reviewedAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect((await row(item.id))!.lastReviewedAt).toEqual(new Date(res.body.lastReviewedAt));

      const ev = await events('inventory.item_reviewed', item.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(
        expect.objectContaining({
          actorId: headD.id,
          objectType: 'inventory_item',
          scope: `dept:${D}`,
          reason: 'Counted on site, matches',
          before: expect.objectContaining({ lastReviewedAt: null }),
          after: expect.objectContaining({ lastReviewedAt: res.body.lastReviewedAt }),
        }),
      );

      // The note is optional.
      const again = await review(item.id, headD.auth);
      expect(again.status).toBe(200);
      expect(await events('inventory.item_reviewed', item.id)).toHaveLength(2);
    });

    it('R-INVENTORY: deleting answers 204, the item is gone, audited inventory.item_deleted with what it was', async () => {
      const item = await made(D, { infoClass: 'control_data' });
      const res = await remove(item.id, headD.auth);
      expect(res.status).toBe(204);
      expect(await row(item.id)).toBeNull();
      expect((await listDept(D, headD.auth)).body.items.map((i: { id: number }) => i.id)).not.toContain(item.id);

      const ev = await events('inventory.item_deleted', item.id);
      expect(ev).toHaveLength(1);
      expect(ev[0]).toEqual(
        expect.objectContaining({
          actorId: headD.id,
          objectType: 'inventory_item',
          scope: `dept:${D}`,
          before: expect.objectContaining({ departmentCode: D, infoClass: 'control_data', approxCount: 120 }),
          after: null,
        }),
      );
      expect((await remove(item.id, headD.auth)).status).toBe(404);
    });
  });

  describe('who may read and change it (R-INVENTORY, R-SECRET)', () => {
    it("R-INVENTORY R-SECRET: the dept_head of E is denied D's list and D's items (403), nothing changes, the denial is audited", async () => {
      const item = await made(D);
      const before = await snapshot();

      expectForbidden(await listDept(D, headE.auth), 'inventory:read');
      expectForbidden(await create(D, headE.auth, itemBody()), 'inventory:manage');
      expectForbidden(await patch(item.id, headE.auth, { approxCount: 1 }), 'inventory:manage');
      expectForbidden(await remove(item.id, headE.auth), 'inventory:manage');
      expectForbidden(await review(item.id, headE.auth), 'inventory:manage');

      const after = await snapshot();
      expect(after.items).toEqual(before.items);
      const denials = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'access.denied', actorId: headE.id, scope: `dept:${D}` } });
      expect(denials).toHaveLength(5);
    });

    it('R-INVENTORY R-SECRET: a dept_head of D covers only D: reads and changes D, not E, and not the company-wide list', async () => {
      const inE = await made(E);
      expect((await listDept(D, headD.auth)).status).toBe(200);
      expectForbidden(await listDept(E, headD.auth), 'inventory:read');
      expectForbidden(await create(E, headD.auth, itemBody()), 'inventory:manage');
      expectForbidden(await patch(inE.id, headD.auth, { approxCount: 1 }), 'inventory:manage');
      expectForbidden(await review(inE.id, headD.auth), 'inventory:manage');
      expectForbidden(await remove(inE.id, headD.auth), 'inventory:manage');
      expectForbidden(await listAll(headD.auth), 'inventory:read');
      expect(await row(inE.id)).toEqual(expect.objectContaining({ approxCount: 120, lastReviewedAt: null }));
    });

    it.each([
      ['staff', (p: string) => `project:${p}`],
      ['info_clerk', (p: string) => `project:${p}`],
      ['project_manager', (p: string) => `project:${p}`],
      ['customer_manager', (p: string) => `project:${p}`],
      ['general_manager', () => '*'],
      ['it_admin', () => '*'],
    ])('R-SECRET R-INVENTORY: %s cannot manage the inventory (403), nothing changes', async (role, scopeOf) => {
      const u = await makeUser(t, { roles: [[role, scopeOf(P)]] });
      const item = await made(D);
      const before = await snapshot();
      expectForbidden(await create(D, u.auth, itemBody()), 'inventory:manage');
      expectForbidden(await patch(item.id, u.auth, { approxCount: 1 }), 'inventory:manage');
      expectForbidden(await review(item.id, u.auth), 'inventory:manage');
      expectForbidden(await remove(item.id, u.auth), 'inventory:manage');
      expect((await snapshot()).items).toEqual(before.items);
    });

    it('R-SECRET: staff of a project, staff of the department and a user with no role cannot read the inventory either (403)', async () => {
      const staffP = await makeUser(t, { roles: [['staff', `project:${P}`]] });
      const staffD = await makeUser(t, { roles: [['staff', `dept:${D}`]] });
      const noRole = await makeUser(t);
      for (const u of [staffP, staffD, noRole]) {
        expectForbidden(await listDept(D, u.auth), 'inventory:read');
        expectForbidden(await listAll(u.auth), 'inventory:read');
      }
      expect((await listDept(D, staffD.auth)).status).toBe(403);
      expect((await t.http().get(`/api/v1/departments/${D}/inventory`)).status).toBe(401);
    });

    it("R-INVENTORY: the auditor and the quality inspector read every department's list and the company-wide list, with filters", async () => {
      const inD = await made(D, { infoClass: 'electronic' });
      const inE = await made(E, { infoClass: 'control_data' });
      for (const reader of [auditor, quality]) {
        const d = await listDept(D, reader.auth);
        expect(d.status).toBe(200);
        expect(d.body.items.map((i: { id: number }) => i.id)).toContain(inD.id);
        expect(d.body.items.map((i: { id: number }) => i.id)).not.toContain(inE.id);
        const e = await listDept(E, reader.auth);
        expect(e.status).toBe(200);
        expect(e.body.items.map((i: { id: number }) => i.id)).toContain(inE.id);

        const all = await listAll(reader.auth, { limit: '500' });
        expect(all.status).toBe(200);
        expect(all.body.total).toBe(await t.ctx.db.manager.getRepository(InventoryItem).count());
        expect(all.body.items.map((i: { id: number }) => i.id)).toEqual(expect.arrayContaining([inD.id, inE.id]));

        const onlyE = await listAll(reader.auth, { department: E, limit: '500' });
        expect(onlyE.status).toBe(200);
        expect(new Set(onlyE.body.items.map((i: { departmentCode: string }) => i.departmentCode))).toEqual(new Set([E]));
        expect(onlyE.body.items.map((i: { id: number }) => i.id)).toContain(inE.id);

        const control = await listAll(reader.auth, { infoClass: 'control_data', limit: '500' });
        expect(control.status).toBe(200);
        expect(new Set(control.body.items.map((i: { infoClass: string }) => i.infoClass))).toEqual(new Set(['control_data']));
        expect(control.body.items.map((i: { id: number }) => i.id)).toContain(inE.id);

        const both = await listAll(reader.auth, { infoClass: 'electronic', department: D });
        expect(both.body.items.map((i: { id: number }) => i.id)).toContain(inD.id);
        expect(both.body.items.every((i: { infoClass: string; departmentCode: string }) => i.infoClass === 'electronic' && i.departmentCode === D)).toBe(true);

        const page = await listAll(reader.auth, { limit: '1', offset: '0' });
        expect(page.body.items).toHaveLength(1);
      }
    });

    it('R-INVENTORY R-SECRET: the auditor and the quality inspector cannot change the inventory (403), nothing changes', async () => {
      const item = await made(D);
      const before = await snapshot();
      for (const reader of [auditor, quality]) {
        expectForbidden(await create(D, reader.auth, itemBody()), 'inventory:manage');
        expectForbidden(await patch(item.id, reader.auth, { approxCount: 1 }), 'inventory:manage');
        expectForbidden(await review(item.id, reader.auth), 'inventory:manage');
        expectForbidden(await remove(item.id, reader.auth), 'inventory:manage');
      }
      expect((await snapshot()).items).toEqual(before.items);
    });
  });

  describe('bad input and missing records', () => {
    it.each([
      ['an unknown class (R-CLASSES)', { infoClass: 'microfilm' }, 'body.infoClass'],
      ['a negative count', { approxCount: -1 }, 'body.approxCount'],
      ['a fractional count', { approxCount: 1.5 }, 'body.approxCount'],
      ['a count that is a string', { approxCount: '12' }, 'body.approxCount'],
      ['an unknown field', { extra: true }, 'body.extra'],
      ['a department field', { departmentId: 1 }, 'body.departmentId'],
      ['no keeper', { keeperUserId: undefined }, 'body.keeperUserId'],
      ['two keepers', { keeperName: 'Someone else' }, 'body.keeperName'],
      ['an empty description', { description: '   ' }, 'body.description'],
      ['no location', { location: undefined }, 'body.location'],
    ])('R-INVENTORY: creating with %s → 400 on the field, nothing written', async (_label, over, path) => {
      const before = await snapshot();
      expectValidation(await create(D, headD.auth, itemBody(over)), path);
      expect(await snapshot()).toEqual(before);
    });

    it('R-INVENTORY: a keeper that is not an active user (unknown, pending agreement, offboarded) → 400 on body.keeperUserId, nothing written', async () => {
      const pending = await makeUser(t, { signed: false });
      const leaver = await makeUser(t);
      expect((await t.http().post(`/api/v1/users/${leaver.id}/offboard`).set('Authorization', adminAuth()).send({ reason: 'left' })).status).toBe(200);
      const item = await made(D);
      const before = await snapshot();
      for (const id of [987654, pending.id, leaver.id]) {
        expectValidation(await create(D, headD.auth, itemBody({ keeperUserId: id })), 'body.keeperUserId');
        expectValidation(await patch(item.id, headD.auth, { keeperUserId: id }), 'body.keeperUserId');
      }
      expect(await snapshot()).toEqual(before);
    });

    it.each([
      ['an unknown field', { approxCount: 3, colour: 'red' }, 'body.colour'],
      ['moving it to another department', { departmentCode: 'X' }, 'body.departmentCode'],
      ['a negative count', { approxCount: -5 }, 'body.approxCount'],
      ['an unknown class', { infoClass: 'oral' }, 'body.infoClass'],
      ['removing the only keeper', { keeperUserId: null }, 'body.keeperUserId'],
      ['two keepers', { keeperUserId: 1, keeperName: 'Both' }, 'body.keeperName'],
      ['nothing to change', {}, 'body'],
    ])('R-INVENTORY: updating with %s → 400 on the field, nothing written', async (_label, body, path) => {
      const item = await made(D);
      const before = await snapshot();
      expectValidation(await patch(item.id, headD.auth, body), path);
      expect(await snapshot()).toEqual(before);
    });

    it('R-INVENTORY: bad review body, query or path → 400 with the field path, nothing written', async () => {
      const item = await made(D);
      const before = await snapshot();
      expectValidation(await review(item.id, headD.auth, { note: 'ok', reviewedAt: '2020-01-01' }), 'body.reviewedAt');
      expectValidation(await patch('abc', headD.auth, { approxCount: 1 }), 'params.id');
      expectValidation(await remove('0', headD.auth), 'params.id');
      expectValidation(await listDept(D, headD.auth, { infoClass: 'paper' }), 'query.infoClass');
      expectValidation(await listDept(D, headD.auth, { foo: '1' }), 'query.foo');
      expectValidation(await listAll(auditor.auth, { foo: '1' }), 'query.foo');
      expectValidation(await listAll(auditor.auth, { department: 'NOSUCHDEPT' }), 'query.department');
      expectValidation(await listAll(auditor.auth, { limit: '-1' }), 'query.limit');
      expectValidation(await listDept('-bad!', headD.auth), 'params.code');
      expect(await snapshot()).toEqual(before);
    });

    it('R-INVENTORY: the API document lists the inventory routes with the permission each needs', async () => {
      const doc = (await t.http().get('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, { 'x-access': unknown }>> };
      expect(doc.paths['/api/v1/departments/{code}/inventory'].get['x-access']).toEqual({ permission: 'inventory:read', scope: 'record' });
      expect(doc.paths['/api/v1/departments/{code}/inventory'].post['x-access']).toEqual({ permission: 'inventory:manage', scope: 'record' });
      expect(doc.paths['/api/v1/inventory'].get['x-access']).toEqual({ permission: 'inventory:read', scope: 'company' });
      expect(doc.paths['/api/v1/inventory/{id}'].patch['x-access']).toEqual({ permission: 'inventory:manage', scope: 'record' });
      expect(doc.paths['/api/v1/inventory/{id}'].delete['x-access']).toEqual({ permission: 'inventory:manage', scope: 'record' });
      expect(doc.paths['/api/v1/inventory/{id}/review'].post['x-access']).toEqual({ permission: 'inventory:manage', scope: 'record' });
    });

    it('R-INVENTORY: a department or an item that does not exist → 404, nothing written', async () => {
      const before = await snapshot();
      for (const res of [
        await listDept('NOSUCHDEPT', auditor.auth),
        await create('NOSUCHDEPT', headD.auth, itemBody()),
        await patch(999999, headD.auth, { approxCount: 1 }),
        await remove(999999, headD.auth),
        await review(999999, headD.auth, { note: 'x' }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('not_found');
      }
      expect(await snapshot()).toEqual(before);
    });
  });
});

describe('R-OFFBOARD: inventory keepers hand over before leaving', () => {
  it('R-OFFBOARD: a user who keeps an inventory set cannot be offboarded until another keeper is named', async () => {
    const t = await startTestApp();
    try {
      const d = await makeDepartment(t);
      const head = await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
      const keeper = await makeUser(t);
      const created = await t.http().post(`/api/v1/departments/${d.code}/inventory`).set('Authorization', head.auth)
        .send({ infoClass: 'paper_archive', description: 'Owner files', keeperUserId: keeper.id, location: 'Cabinet 3', approxCount: 40 });
      expect(created.status).toBe(201);
      const refused = await t.http().post(`/api/v1/users/${keeper.id}/offboard`).set('Authorization', `Bearer ${t.admin.token}`).send({});
      expect(refused.status).toBe(409);
      expect(refused.body.error.details.holdings).toEqual([expect.objectContaining({ kind: 'inventory_keeper', id: String(created.body.id) })]);
      const moved = await t.http().patch(`/api/v1/inventory/${created.body.id}`).set('Authorization', head.auth).send({ keeperName: 'Archive room' });
      expect(moved.status).toBe(200);
      expect((await t.http().post(`/api/v1/users/${keeper.id}/offboard`).set('Authorization', `Bearer ${t.admin.token}`).send({})).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
