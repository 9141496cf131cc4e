import { AuditEvent } from '../../src/entities/AuditEvent';
import { ExternalRelease } from '../../src/entities/ExternalRelease';
import { makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('R-EXTERNAL: releases outside the company', () => {
  let t: TestApp;
  let P: string;
  let admin: MadeUser;
  let admin2: MadeUser;
  let gm: MadeUser;
  let gm2: MadeUser;
  let staff: MadeUser;
  const phone = makePhone();

  beforeAll(async () => {
    t = await startTestApp();
    P = (await makeProject(t)).code;
    admin = await makeUser(t, { roles: [['it_admin', '*']] });
    admin2 = await makeUser(t, { roles: [['it_admin', '*']] });
    gm = await makeUser(t, { roles: [['general_manager', '*']] });
    gm2 = await makeUser(t, { roles: [['general_manager', '*']] });
    staff = await makeUser(t, { roles: [['staff', `project:${P}`]] });
    await t.ctx.customers.create({ id: admin.id, username: admin.username }, P, { name: '王五', unit: '1棟101室', nationality: 'domestic', phones: [phone], email: 'wang@example.com' });
  });
  afterAll(async () => {
    await t.close();
  });

  const requestRelease = (u: MadeUser, extra: Record<string, unknown> = {}) =>
    t.http().post('/api/v1/external-releases').set('Authorization', u.auth).send({ project: P, recipient: 'City Gas Co.', purpose: 'gas meter safety inspection', fields: ['phones'], ...extra });

  it('R-EXTERNAL: requested by IT, approved by the general manager, downloaded once by the requester with only the agreed fields', async () => {
    const req = await requestRelease(admin);
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({ status: 'pending', recipient: 'City Gas Co.', fields: ['phones'] });
    // Not downloadable before approval.
    expect((await t.http().get(`/api/v1/external-releases/${req.body.id}/download`).set('Authorization', admin.auth)).status).toBe(409);
    const ok = await t.http().post(`/api/v1/external-releases/${req.body.id}/approve`).set('Authorization', gm.auth).send({ note: 'safety first' });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('approved');
    expect(new Date(ok.body.availableUntil).getTime() - new Date(ok.body.decidedAt).getTime()).toBe(24 * 3600 * 1000);
    // Only the requester.
    const other = await t.http().get(`/api/v1/external-releases/${req.body.id}/download`).set('Authorization', admin2.auth);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('not_requester');
    const dl = await t.http().get(`/api/v1/external-releases/${req.body.id}/download`).set('Authorization', admin.auth);
    expect(dl.status).toBe(200);
    expect(dl.text).toContain(phone);
    expect(dl.text).not.toContain('wang@example.com');
    expect(dl.text).toContain('recipient: City Gas Co.');
    // Once.
    const again = await t.http().get(`/api/v1/external-releases/${req.body.id}/download`).set('Authorization', admin.auth);
    expect(again.status).toBe(409);
    const row = await t.ctx.db.manager.getRepository(ExternalRelease).findOneByOrFail({ id: req.body.id });
    expect(row.status).toBe('downloaded');
    expect(row.exportId).toBe(dl.headers['x-export-id']);
    const actions = (await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'external_release', objectId: String(req.body.id) }, order: { seq: 'ASC' } })).map((e) => e.action);
    expect(actions).toEqual(['release.requested', 'release.approved', 'release.downloaded']);
  });

  it('R-EXTERNAL: only the general manager decides; IT admin and staff cannot approve; staff cannot request', async () => {
    const req = await requestRelease(admin);
    expect((await t.http().post(`/api/v1/external-releases/${req.body.id}/approve`).set('Authorization', admin2.auth).send({})).status).toBe(403);
    expect((await t.http().post(`/api/v1/external-releases/${req.body.id}/approve`).set('Authorization', staff.auth).send({})).status).toBe(403);
    expect((await requestRelease(staff)).status).toBe(403);
  });

  it('R-EXTERNAL: two general managers deciding at once: exactly one decision stands, the other gets 409', async () => {
    const req = await requestRelease(admin);
    const [a, b] = await Promise.all([
      t.http().post(`/api/v1/external-releases/${req.body.id}/approve`).set('Authorization', gm.auth).send({}),
      t.http().post(`/api/v1/external-releases/${req.body.id}/reject`).set('Authorization', gm2.auth).send({ reason: 'not needed' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const decided = (await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'external_release', objectId: String(req.body.id) } })).filter((e) => e.action !== 'release.requested');
    expect(decided).toHaveLength(1);
  });

  it('R-EXTERNAL: a rejected release cannot be downloaded; an approval older than 24 hours has expired', async () => {
    const rej = await requestRelease(admin);
    await t.http().post(`/api/v1/external-releases/${rej.body.id}/reject`).set('Authorization', gm.auth).send({ reason: 'no legal basis' });
    expect((await t.http().get(`/api/v1/external-releases/${rej.body.id}/download`).set('Authorization', admin.auth)).status).toBe(409);

    const old = await requestRelease(admin);
    await t.http().post(`/api/v1/external-releases/${old.body.id}/approve`).set('Authorization', gm.auth).send({});
    await t.ctx.db.manager.getRepository(ExternalRelease).update({ id: old.body.id }, { availableUntil: new Date(Date.now() - 1000) });
    const dl = await t.http().get(`/api/v1/external-releases/${old.body.id}/download`).set('Authorization', admin.auth);
    expect(dl.status).toBe(409);
    expect(dl.body.error.code).toBe('release_expired');
    const view = await t.http().get(`/api/v1/external-releases/${old.body.id}`).set('Authorization', gm.auth);
    expect(view.body.status).toBe('expired');
  });

  it('R-EXTERNAL: a release request needs recipient and purpose (400 with field paths)', async () => {
    const res = await t.http().post('/api/v1/external-releases').set('Authorization', admin.auth).send({ project: P, fields: ['ssn'] });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.recipient', 'body.purpose', 'body.fields.0']));
  });
});
