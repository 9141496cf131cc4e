import crypto from 'node:crypto';
import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { PortRecord } from '../../src/entities/PortRecord';
import { freshMonth, monthPeriod } from '../helpers/assessments-factories';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * R-PORTS (§5.2.4): each department records, from its risk assessment, whether the USB ports and
 * disc burners of its computers are sealed: the decision, who approved it, the assessment, the
 * last verification. The department head keeps the register; the quality department and
 * auditors read it (R-AUDIT: auditors change nothing); open ports count in the monthly
 * indicators (R-RISK-MONTHLY).
 */
describe('port register', () => {
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
    const clerk = await makeUser(t, { roles: [['info_clerk', `project:${project.code}`]] });
    return { dept, project, head, clerk };
  }
  const tag = () => `PC-${crypto.randomBytes(4).toString('hex')}`;
  const body = (o: Record<string, unknown>) => ({
    assetTag: tag(),
    userName: 'Reception desk',
    location: 'Service center lobby',
    usbStatus: 'sealed',
    burnerStatus: 'sealed',
    decision: 'Seal both: the desk handles owner records',
    ...o,
  });
  const create = (code: string, u: { auth: string }, b: unknown) => t.http().post(`/api/v1/departments/${code}/ports`).set('Authorization', u.auth).send(b as object);
  const list = (code: string, u: { auth: string }, query: Record<string, string> = {}) => t.http().get(`/api/v1/departments/${code}/ports`).query(query).set('Authorization', u.auth);
  const patch = (id: number, u: { auth: string }, b: unknown) => t.http().patch(`/api/v1/ports/${id}`).set('Authorization', u.auth).send(b as object);
  const verify = (id: number, u: { auth: string }, b?: unknown) => {
    const call = t.http().post(`/api/v1/ports/${id}/verify`).set('Authorization', u.auth);
    return b === undefined ? call : call.send(b as object);
  };
  const snapshot = async () => ({
    rows: await t.ctx.db.manager.getRepository(PortRecord).find({ order: { id: 'ASC' } }),
    seq: (await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq,
  });
  const events = (action: string, id: number) => t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action, objectId: String(id) }, order: { seq: 'ASC' } });
  const expectValidation = (res: request.Response, path: string) => {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  };
  const expectForbidden = (res: request.Response, permission: string) => {
    expect(res.status).toBe(403);
    expect(res.body.error.details).toEqual(expect.objectContaining({ permission }));
  };

  test('R-PORTS: the department head records a computer (asset tag, user, location, USB and burner status, decision, approver, assessment) and lists it; audited port.recorded', async () => {
    const o = await makeOrg();
    const assessment = (await t.ctx.assessments.ensureFor(o.dept.id, monthPeriod(t, freshMonth()))).assessment;
    const b = body({ userName: undefined, userId: o.clerk.id, usbStatus: 'open', burnerStatus: 'none', decision: 'USB open for the ID card reader', approvedById: o.head.id, riskAssessmentId: assessment.id });
    const res = await create(o.dept.code, o.head, b);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      department: o.dept.code,
      assetTag: b.assetTag,
      userId: o.clerk.id,
      username: o.clerk.username,
      userName: null,
      location: 'Service center lobby',
      usbStatus: 'open',
      burnerStatus: 'none',
      sealed: false,
      decision: 'USB open for the ID card reader',
      approvedById: o.head.id,
      approvedBy: o.head.username,
      riskAssessmentId: assessment.id,
      lastVerifiedAt: null,
      lastVerifiedById: null,
      createdById: o.head.id,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const sealed = await create(o.dept.code, o.head, body({ approvedById: o.head.id }));
    expect(sealed.status).toBe(201);
    expect(sealed.body.sealed).toBe(true);

    const all = await list(o.dept.code, o.head);
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { id: number }) => i.id).sort()).toEqual([res.body.id, sealed.body.id].sort());
    expect((await list(o.dept.code, o.head, { open: 'true' })).body.items.map((i: { id: number }) => i.id)).toEqual([res.body.id]);
    expect((await list(o.dept.code, o.head, { open: 'false' })).body.items.map((i: { id: number }) => i.id)).toEqual([sealed.body.id]);

    const ev = await events('port.recorded', res.body.id);
    expect(ev).toHaveLength(1);
    expect(ev[0]).toEqual(expect.objectContaining({ actorId: o.head.id, objectType: 'port_record', scope: `dept:${o.dept.code}` }));
    expect(ev[0].after).toEqual(expect.objectContaining({ assetTag: b.assetTag, usbStatus: 'open', burnerStatus: 'none', approvedById: o.head.id, riskAssessmentId: assessment.id }));
  });

  test('R-PORTS: a duplicate asset tag is a 409 (on create and on change) and changes nothing', async () => {
    const o = await makeOrg();
    const other = await makeOrg();
    const first = (await create(o.dept.code, o.head, body({ approvedById: o.head.id }))).body;
    const second = (await create(o.dept.code, o.head, body({ approvedById: o.head.id }))).body;
    const before = await snapshot();
    const dup = await create(o.dept.code, o.head, body({ assetTag: first.assetTag, approvedById: o.head.id }));
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('duplicate_asset_tag');
    // Unique across the company, not per department.
    expect((await create(other.dept.code, other.head, body({ assetTag: first.assetTag, approvedById: other.head.id }))).status).toBe(409);
    expect((await patch(second.id, o.head, { assetTag: first.assetTag })).status).toBe(409);
    expect(await snapshot()).toEqual(before);
    // Its own tag is no conflict.
    expect((await patch(first.id, o.head, { assetTag: first.assetTag, location: 'Back office' })).status).toBe(200);
  });

  test('R-PORTS: two simultaneous records of one asset tag: one 201, one 409', async () => {
    const o = await makeOrg();
    const b = body({ approvedById: o.head.id });
    const [x, y] = await Promise.all([create(o.dept.code, o.head, b), create(o.dept.code, o.head, b)]);
    expect([x.status, y.status].sort()).toEqual([201, 409]);
    expect(await t.ctx.db.manager.getRepository(PortRecord).countBy({ assetTag: b.assetTag })).toBe(1);
  });

  test('R-PORTS: bad input is 400 with field-level details and records nothing', async () => {
    const o = await makeOrg();
    const other = await makeOrg();
    const pending = await makeUser(t, { signed: false });
    const theirs = (await t.ctx.assessments.ensureFor(other.dept.id, monthPeriod(t, freshMonth()))).assessment;
    const before = await snapshot();
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, usbStatus: 'taped' })), 'body.usbStatus');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, burnerStatus: 'half' })), 'body.burnerStatus');
    expectValidation(await create(o.dept.code, o.head, body({})), 'body.approvedById');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, userId: o.clerk.id })), 'body.userName');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, userName: undefined })), 'body.userId');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, assetTag: '' })), 'body.assetTag');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, decision: ' ' })), 'body.decision');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: pending.id })), 'body.approvedById');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, userName: undefined, userId: pending.id })), 'body.userId');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, riskAssessmentId: theirs.id })), 'body.riskAssessmentId');
    expectValidation(await create(o.dept.code, o.head, body({ approvedById: o.head.id, sealed: true })), 'body.sealed');
    expect((await create('NO-SUCH-DEPT', o.head, body({ approvedById: o.head.id }))).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('R-PORTS: opening or sealing a port is a new decision: without the decision and its approver 400; with them 200, audited with before and after', async () => {
    const o = await makeOrg();
    const p = (await create(o.dept.code, o.head, body({ approvedById: o.head.id }))).body;
    const before = await snapshot();
    const bare = await patch(p.id, o.head, { usbStatus: 'open' });
    expectValidation(bare, 'body.decision');
    expectValidation(bare, 'body.approvedById');
    expectValidation(await patch(p.id, o.head, { burnerStatus: 'open', decision: 'burner needed' }), 'body.approvedById');
    expectValidation(await patch(p.id, o.head, {}), 'body');
    expect(await snapshot()).toEqual(before);

    const opened = await patch(p.id, o.head, { usbStatus: 'open', decision: 'Open for the card reader (assessment of the month)', approvedById: o.head.id });
    expect(opened.status).toBe(200);
    expect(opened.body).toEqual(expect.objectContaining({ usbStatus: 'open', sealed: false, decision: 'Open for the card reader (assessment of the month)' }));
    const ev = await events('port.updated', p.id);
    expect(ev).toHaveLength(1);
    expect(ev[0].before).toEqual(expect.objectContaining({ usbStatus: 'sealed' }));
    expect(ev[0].after).toEqual(expect.objectContaining({ usbStatus: 'open' }));
    // Changing who uses it: a user replaces the free-text name.
    const moved = await patch(p.id, o.head, { userId: o.clerk.id });
    expect(moved.body).toEqual(expect.objectContaining({ userId: o.clerk.id, userName: null }));
  });

  test('R-PORTS: verifying the machine records who and when (lastVerifiedAt), audited port.verified with the note', async () => {
    const o = await makeOrg();
    const p = (await create(o.dept.code, o.head, body({ approvedById: o.head.id }))).body;
    const t0 = Date.now();
    const res = await verify(p.id, o.head, { note: 'Seals intact' });
    expect(res.status).toBe(200);
    expect(new Date(res.body.lastVerifiedAt).getTime()).toBeGreaterThanOrEqual(t0 - 5);
    expect(res.body.lastVerifiedById).toBe(o.head.id);
    expect((await events('port.verified', p.id))[0]).toEqual(expect.objectContaining({ actorId: o.head.id, reason: 'Seals intact', scope: `dept:${o.dept.code}` }));
    expect((await verify(p.id, o.head)).status).toBe(200);
    expect((await verify(99999999, o.head)).status).toBe(404);
  });

  test('R-PORTS R-SECRET: the head of another department neither reads nor changes the register; quality and auditors read but change nothing; project roles are refused', async () => {
    const o = await makeOrg();
    const other = await makeOrg();
    const p = (await create(o.dept.code, o.head, body({ approvedById: o.head.id }))).body;
    const before = await t.ctx.db.manager.getRepository(PortRecord).findOneByOrFail({ id: p.id });
    expectForbidden(await list(o.dept.code, other.head), 'port_register:read');
    expectForbidden(await create(o.dept.code, other.head, body({ approvedById: other.head.id })), 'port_register:manage');
    expectForbidden(await patch(p.id, other.head, { location: 'x' }), 'port_register:manage');
    expectForbidden(await verify(p.id, other.head), 'port_register:manage');
    for (const reader of [quality, auditor]) {
      expect((await list(o.dept.code, reader)).status).toBe(200);
      expectForbidden(await create(o.dept.code, reader, body({ approvedById: reader.id })), 'port_register:manage');
      expectForbidden(await patch(p.id, reader, { location: 'x' }), 'port_register:manage');
      expectForbidden(await verify(p.id, reader), 'port_register:manage');
    }
    expectForbidden(await list(o.dept.code, o.clerk), 'port_register:read');
    expectForbidden(await patch(p.id, o.clerk, { location: 'x' }), 'port_register:manage');
    expect(await t.ctx.db.manager.getRepository(PortRecord).findOneByOrFail({ id: p.id })).toEqual(before);
  });

  test('R-PORTS R-RISK-MONTHLY: computers with USB or burner open count in the monthly indicators (ports_unsealed)', async () => {
    const o = await makeOrg();
    const open1 = (await create(o.dept.code, o.head, body({ approvedById: o.head.id, usbStatus: 'open', decision: 'reader' }))).body;
    await create(o.dept.code, o.head, body({ approvedById: o.head.id, burnerStatus: 'open', decision: 'archive burning' }));
    await create(o.dept.code, o.head, body({ approvedById: o.head.id }));
    const count = async () => {
      const list = await t.ctx.indicators.compute(await t.ctx.indicators.departmentScope(o.dept.id), new Date(0), new Date(), new Date());
      return list.find((i) => i.key === 'ports_unsealed')?.value;
    };
    expect(await count()).toBe(2);
    await patch(open1.id, o.head, { usbStatus: 'sealed', decision: 'reader replaced', approvedById: o.head.id });
    expect(await count()).toBe(1);
    const a = (await t.ctx.assessments.ensureFor(o.dept.id, monthPeriod(t, freshMonth()))).assessment;
    expect(a.indicators.find((i) => i.key === 'ports_unsealed')?.value).toBe(1);
  });
});
