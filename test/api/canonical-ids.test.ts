/**
 * Issue 11, item 7: numeric path ids were read loosely (Number()): /customers/0x1, /customers/1e0
 * and /customers/%201%20 all answered customer 1. Only canonical decimal ids are ids: anything
 * else is a 400 naming the parameter, before any record is read or changed, on every route
 * (idParam, and the routes that declare their own numeric params).
 */
import { AuditHead } from '../../src/entities/AuditHead';
import { PolicyRule } from '../../src/entities/PolicyRule';
import { makeDepartment, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { makeInspection } from '../helpers/inspections-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await startTestApp();
  admin = `Bearer ${t.admin.token}`;
});
afterAll(async () => {
  await t?.close();
});

/** Ways Number() reads as `n` that are not the canonical decimal id (URL-encoded where needed). */
const loose = (n: number): string[] => [
  `0x${n.toString(16)}`,
  `0X${n.toString(16).toUpperCase()}`,
  `0b${n.toString(2)}`,
  `0o${n.toString(8)}`,
  `${n}e0`,
  `${n * 10}e-1`,
  `${n}.0`,
  `${n}.`,
  `0${n}`,
  `00${n}`,
  `+${n}`,
  `%20${n}%20`,
  `%20${n}`,
  `${n}%20`,
  `%09${n}`,
  `${n}%0A`,
];
/** Never an id at all. */
const NOT_IDS = ['0', '-0', '-1', '9007199254740993', '99999999999999999', '1e21', 'Infinity', 'NaN', '1,0'];

const seq = async () => (await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;

function expectIdRefused(res: { status: number; body: { error?: { code?: string; details?: Array<{ path: string }> } } }, param: string, label: string) {
  expect({ label, status: res.status, code: res.body.error?.code, paths: res.body.error?.details?.map((d) => d.path) }).toEqual({
    label,
    status: 400,
    code: 'validation_failed',
    paths: [`params.${param}`],
  });
}

describe('canonical decimal ids in paths', () => {
  test('GET /customers/:id: 0x…, …e0, " … ", leading zeros, a sign or a fraction are 400 naming params.id, not the customer; the decimal id still answers', async () => {
    const p = await makeProject(t);
    const c = await t.ctx.customers.create({ id: t.admin.id, username: t.admin.username }, p.code, { name: 'Canonical', unit: '1棟1室', nationality: 'domestic', phones: [makePhone()] });
    const ok = await t.http().get(`/api/v1/customers/${c.id}`).set('Authorization', admin);
    expect(ok.status).toBe(200);
    expect(ok.body.id).toBe(c.id);
    for (const raw of [...loose(c.id), ...NOT_IDS]) {
      const res = await t.http().get(`/api/v1/customers/${raw}`).set('Authorization', admin);
      expectIdRefused(res, 'id', raw);
      expect(JSON.stringify(res.body)).not.toContain('Canonical');
    }
  });

  test('a change named by a loose id changes nothing (DELETE /role-assignments/:id, PATCH /users/:id)', async () => {
    const u = await makeUser(t, { roles: [['auditor', '*']] });
    const assignment = await t.ctx.db.manager.getRepository(PolicyRule).findOneByOrFail({ ptype: 'g', v0: `user:${u.id}` });
    const before = await seq();
    for (const raw of loose(assignment.id)) {
      expectIdRefused(await t.http().delete(`/api/v1/role-assignments/${raw}`).set('Authorization', admin), 'id', raw);
    }
    for (const raw of loose(u.id)) {
      expectIdRefused(await t.http().patch(`/api/v1/users/${raw}`).set('Authorization', admin).send({ displayName: 'Renamed' }), 'id', raw);
    }
    expect(await seq()).toBe(before);
    expect(await t.ctx.db.manager.getRepository(PolicyRule).existsBy({ id: assignment.id })).toBe(true);
    expect((await t.http().get(`/api/v1/users/${u.id}`).set('Authorization', admin)).body.displayName).not.toBe('Renamed');
  });

  test('routes that declare their own numeric params read them canonically too (inspection :id/:itemId, survey note, print request)', async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const qi: MadeUser = await makeUser(t, { roles: [['quality_inspector', '*']] });
    const { inspection, items } = await makeInspection(t, p.id);
    const before = await seq();
    for (const raw of loose(items[0].id)) {
      expectIdRefused(await t.http().patch(`/api/v1/inspections/${inspection.id}/items/${raw}`).set('Authorization', qi.auth).send({ result: 'pass' }), 'itemId', raw);
    }
    for (const raw of loose(inspection.id)) {
      expectIdRefused(await t.http().patch(`/api/v1/inspections/${raw}/items/${items[0].id}`).set('Authorization', qi.auth).send({ result: 'pass' }), 'id', raw);
      expectIdRefused(await t.http().get(`/api/v1/inspections/${raw}`).set('Authorization', qi.auth), 'id', raw);
    }
    expect(await seq()).toBe(before);
    for (const raw of ['0x1', '1e0', '%201%20']) {
      expectIdRefused(await t.http().get(`/api/v1/survey-notes/${raw}`).set('Authorization', admin), 'id', raw);
      expectIdRefused(await t.http().get(`/api/v1/print-requests/${raw}`).set('Authorization', admin), 'id', raw);
    }
    // Canonical ids are still ids.
    expect((await t.http().get(`/api/v1/inspections/${inspection.id}`).set('Authorization', qi.auth)).status).toBe(200);
  });
});
