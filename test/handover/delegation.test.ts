import fs from 'node:fs';
import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { HandoverDelegation } from '../../src/entities/HandoverDelegation';
import { pdfText } from '../../src/lib/documents';
import { makeUser, MadeUser } from '../helpers/factories';
import { actorOf, delegatedFile, handoverEnv, handoverPdf, HandoverSetup, handoverSetup, heldFile, ownersCsv, ownersXlsx } from '../helpers/handover-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const binary = (r: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  r.on('data', (c: Buffer) => chunks.push(c));
  r.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('R-HANDOVER-HOLD: view-only delegation to the information clerk, for a set time', () => {
  let t: TestApp;
  let s: HandoverSetup;
  let it: MadeUser;
  let storageDir: string;

  beforeAll(async () => {
    const env = handoverEnv();
    storageDir = env.HANDOVER_STORAGE_DIR;
    t = await startTestApp({ env });
    s = await handoverSetup(t);
    it = await makeUser(t, { roles: [['it_admin', '*']] });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  const views = (fileId: number) => t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'handover_file.viewed', objectId: String(fileId) });
  const delegate = (u: MadeUser, fileId: number, body: unknown) => t.http().post(`/api/v1/handover-files/${fileId}/delegations`).set('Authorization', u.auth).send(body as object);
  const view = (u: MadeUser, fileId: number, query: Record<string, string> = {}) => t.http().get(`/api/v1/handover-files/${fileId}/view`).query(query).set('Authorization', u.auth);

  test('R-HANDOVER-HOLD: the lead delegates to a clerk of the project; the clerk views CSV rows page by page, stamped, no-store, one audit event per view', async () => {
    const f = await heldFile(t, s, s.lead, 'owners.csv', ownersCsv(7));
    const d = await delegate(s.lead, f.id, { clerkUserId: s.clerk.id, days: 3 });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ fileId: f.id, clerkId: s.clerk.id, grantedById: s.lead.id, state: 'active' });
    expect(new Date(d.body.expiresAt).getTime() - new Date(d.body.grantedAt).getTime()).toBe(3 * 86_400_000);

    const p1 = await view(s.clerk, f.id, { page: '1', pageSize: '3' });
    expect(p1.status).toBe(200);
    expect(p1.headers['cache-control']).toBe('no-store');
    expect(p1.body).toMatchObject({ id: f.id, format: 'csv', page: 1, pageSize: 3, totalRows: 8 });
    expect(p1.body.rows).toEqual([
      { row: 1, cells: ['name', 'unit', 'phone'] },
      { row: 2, cells: ['業主1', '1棟101室', '13900000001'] },
      { row: 3, cells: ['業主2', '2棟101室', '13900000002'] },
    ]);
    expect(p1.body.stamp).toEqual({ viewer: s.clerk.username, viewedAt: expect.any(String), notice: 'view only' });
    const p3 = await view(s.clerk, f.id, { page: '3', pageSize: '3' });
    expect(p3.body.rows.map((r: { row: number }) => r.row)).toEqual([7, 8]);
    expect(await views(f.id)).toBe(2);
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneOrFail({ where: { action: 'handover_file.viewed', objectId: String(f.id) }, order: { seq: 'DESC' } });
    expect(ev.actorId).toBe(s.clerk.id);
    expect(ev.after).toMatchObject({ page: 3, pageSize: 3, delegationId: d.body.id });

    // The clerk finds what is delegated to them.
    const mine = await t.http().get('/api/v1/handover-delegations').set('Authorization', s.clerk.auth);
    expect(mine.status).toBe(200);
    expect(mine.body.items.map((i: { fileId: number }) => i.fileId)).toContain(f.id);
    // The lead views the same way (recorded too).
    const lead = await view(s.lead, f.id);
    expect(lead.status).toBe(200);
    expect(lead.body.stamp.viewer).toBe(s.lead.username);
    expect(await views(f.id)).toBe(3);
  });

  test('R-HANDOVER-HOLD: an XLSX is shown as rows of the chosen worksheet; a sheet that does not exist → 400', async () => {
    const { file } = await delegatedFile(t, s, s.lead, s.clerk, 2, 'owners.xlsx', await ownersXlsx(4, true));
    const r = await view(s.clerk, file.id, { pageSize: '2', page: '2' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ format: 'xlsx', sheet: 1, sheetCount: 2, totalRows: 5, page: 2 });
    expect(r.body.rows).toEqual([
      { row: 3, cells: ['業主2', '2棟101室', '13900000002'] },
      { row: 4, cells: ['業主3', '3棟101室', '13900000003'] },
    ]);
    const second = await view(s.clerk, file.id, { sheet: '2' });
    expect(second.body.rows).toEqual([{ row: 1, cells: ['bay', 'owner'] }]);
    const none = await view(s.clerk, file.id, { sheet: '3' });
    expect({ status: none.status, code: none.body.error.code }).toEqual({ status: 400, code: 'no_such_sheet' });
    const bad = await view(s.clerk, file.id, { pageSize: '5000' });
    expect(bad.status).toBe(400);
  });

  test('R-HANDOVER-HOLD: a PDF is shown inline, no-store, stamped with the viewer and the time on every page', async () => {
    const pdf = await handoverPdf();
    const original = await pdfText(pdf);
    expect(original.length).toBeGreaterThan(1);
    const { file } = await delegatedFile(t, s, s.lead, s.clerk, 2, 'handover.pdf', pdf);
    const r = await view(s.clerk, file.id).buffer(true).parse(binary);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(r.headers['content-disposition']).toMatch(/^inline; filename="handover.pdf"/);
    expect(r.headers['cache-control']).toBe('no-store');
    const pages = await pdfText(r.body as Buffer);
    expect(pages.length).toBe(original.length);
    for (const page of pages) {
      expect(page).toContain('VIEW ONLY');
      expect(page).toContain(s.clerk.username);
      expect(page).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    }
    expect(await views(file.id)).toBe(1);
  });

  test('R-HANDOVER-HOLD: the clerk never downloads (403 handover_file:hold) and nobody forwards (403 handover_file:forward); each attempt is recorded', async () => {
    const { file } = await delegatedFile(t, s, s.lead, s.clerk);
    const dl = await t.http().get(`/api/v1/handover-files/${file.id}/download`).set('Authorization', s.clerk.auth);
    expect({ status: dl.status, permission: dl.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:hold' });
    for (const u of [s.clerk, s.lead, it]) {
      const fw = await t.http().post(`/api/v1/handover-files/${file.id}/forward`).set('Authorization', u.auth).send({ to: 'someone@example.com' });
      expect({ status: fw.status, permission: fw.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:forward' });
    }
    const denied = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'access.denied', actorId: s.clerk.id } });
    expect(denied.map((e) => e.reason!.split(' ')[0])).toEqual(expect.arrayContaining(['handover_file:hold', 'handover_file:forward']));
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'access.denied', actorId: s.lead.id, reason: 'handover_file:forward default' })).toBe(1);
    // And policy lines can never grant forwarding: the permission is not in the vocabulary.
    const line = await t.http().post('/api/v1/policy/lines').set('Authorization', `Bearer ${t.admin.token}`).send({ role: 'info_clerk', scope: '*', object: 'handover_file', action: 'forward', effect: 'allow' });
    expect(line.status).toBe(400);
  });

  test('R-HANDOVER-HOLD: a delegation to someone who is not a clerk of the project → 400 not_project_clerk; nothing recorded', async () => {
    const f = await heldFile(t, s, s.lead);
    const other = await handoverSetup(t);
    for (const u of [s.staff, s.lead2, other.clerk, it]) {
      const r = await delegate(s.lead, f.id, { clerkUserId: u.id, days: 2 });
      expect({ status: r.status, code: r.body.error.code }).toEqual({ status: 400, code: 'not_project_clerk' });
    }
    const unknown = await delegate(s.lead, f.id, { clerkUserId: 99_999_999, days: 2 });
    expect(unknown.status).toBe(400);
    expect(await t.ctx.db.manager.getRepository(HandoverDelegation).countBy({ fileId: f.id })).toBe(0);
  });

  test('R-HANDOVER-HOLD: a delegation longer than HANDOVER_MAX_DELEGATION_DAYS → 400 naming the maximum; nothing recorded', async () => {
    const f = await heldFile(t, s, s.lead);
    const r = await delegate(s.lead, f.id, { clerkUserId: s.clerk.id, days: 15 });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details).toEqual([{ path: 'body.days', message: expect.stringContaining('14') }]);
    for (const body of [{ clerkUserId: s.clerk.id, days: 0 }, { clerkUserId: s.clerk.id }, { clerkUserId: s.clerk.id, days: 2, extra: 1 }]) {
      expect((await delegate(s.lead, f.id, body)).status).toBe(400);
    }
    expect(await t.ctx.db.manager.getRepository(HandoverDelegation).countBy({ fileId: f.id })).toBe(0);
  });

  test('R-HANDOVER-HOLD: only the holder delegates (another lead → 403 not_holder, a clerk → 403 handover_file:delegate); one open delegation per clerk (409)', async () => {
    const f = await heldFile(t, s, s.lead);
    const r2 = await delegate(s.lead2, f.id, { clerkUserId: s.clerk.id, days: 2 });
    expect({ status: r2.status, code: r2.body.error.code }).toEqual({ status: 403, code: 'not_holder' });
    const rc = await delegate(s.clerk, f.id, { clerkUserId: s.clerk.id, days: 2 });
    expect({ status: rc.status, permission: rc.body.error.details.permission }).toEqual({ status: 403, permission: 'handover_file:delegate' });
    expect((await delegate(s.lead, f.id, { clerkUserId: s.clerk.id, days: 2 })).status).toBe(201);
    const again = await delegate(s.lead, f.id, { clerkUserId: s.clerk.id, days: 5 });
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: 'already_delegated' });
  });

  test('R-HANDOVER-HOLD: a view after expiry or revocation → 403 (recorded); a clerk without a delegation → 403 no_delegation', async () => {
    const { file, delegation } = await delegatedFile(t, s, s.lead, s.clerk, 1);
    expect((await view(s.clerk, file.id)).status).toBe(200);
    // Expiry: the set time has passed.
    await t.ctx.db.manager.getRepository(HandoverDelegation).update({ id: delegation.id }, { expiresAt: new Date(Date.now() - 1000) });
    const expired = await view(s.clerk, file.id);
    expect({ status: expired.status, code: expired.body.error.code }).toEqual({ status: 403, code: 'delegation_expired' });
    expect(await views(file.id)).toBe(1);
    const rec = await t.ctx.db.manager.getRepository(AuditEvent).findOneOrFail({ where: { action: 'handover_file.denied', actorId: s.clerk.id, objectId: String(file.id) }, order: { seq: 'DESC' } });
    expect(rec).toMatchObject({ decision: 'deny', reason: expect.stringContaining('delegation_expired') });
    // An entry report after expiry is refused the same way.
    const entry = await t.http().post(`/api/v1/handover-files/${file.id}/entry-confirmation`).set('Authorization', s.clerk.auth).send({ records: 3 });
    expect({ status: entry.status, code: entry.body.error.code }).toEqual({ status: 403, code: 'delegation_expired' });

    // Revocation: a fresh delegation, revoked early by the lead.
    const d2 = await t.ctx.handover.delegate(actorOf(s.lead), file, { clerkUserId: s.clerk.id, days: 5 });
    expect((await view(s.clerk, file.id)).status).toBe(200);
    const rv = await t.http().delete(`/api/v1/handover-files/${file.id}/delegations/${d2.id}`).set('Authorization', s.lead.auth);
    expect(rv.status).toBe(200);
    expect(rv.body).toMatchObject({ id: d2.id, state: 'revoked', endedById: s.lead.id });
    const revoked = await view(s.clerk, file.id);
    expect({ status: revoked.status, code: revoked.body.error.code }).toEqual({ status: 403, code: 'delegation_revoked' });
    const twice = await t.http().delete(`/api/v1/handover-files/${file.id}/delegations/${d2.id}`).set('Authorization', s.lead.auth);
    expect({ status: twice.status, code: twice.body.error.code }).toEqual({ status: 409, code: 'delegation_ended' });
    const missing = await t.http().delete(`/api/v1/handover-files/${file.id}/delegations/99999999`).set('Authorization', s.lead.auth);
    expect(missing.status).toBe(404);
    // The expired one can still be revoked, recording its end.
    expect((await t.http().delete(`/api/v1/handover-files/${file.id}/delegations/${delegation.id}`).set('Authorization', s.lead.auth)).body.state).toBe('revoked');
    const list = await t.http().get(`/api/v1/handover-files/${file.id}/delegations`).set('Authorization', s.lead.auth);
    expect(list.body.items.map((d: { state: string }) => d.state)).toEqual(['revoked', 'revoked']);

    // Another clerk of the project, never delegated to.
    const nod = await view(s.clerk2, file.id);
    expect({ status: nod.status, code: nod.body.error.code }).toEqual({ status: 403, code: 'no_delegation' });
    // The clerk no longer lists it.
    const mine = await t.http().get('/api/v1/handover-delegations').set('Authorization', s.clerk.auth);
    expect(mine.body.items.map((i: { fileId: number }) => i.fileId)).not.toContain(file.id);
  });
});
