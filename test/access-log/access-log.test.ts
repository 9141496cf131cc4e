import { CustomerAccess } from '../../src/entities/CustomerAccess';
import { CustomerAccessBatch } from '../../src/entities/CustomerAccessBatch';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { makeUser, makePhone, MadeUser } from '../helpers/factories';
import { binary, makeCustomers, makeIssuedCopies, makePaperOrg, PaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-db';

/** Issue 14 §2: who viewed which customer. Real HTTP against a real instance, on both databases. */
let t: TestApp;
let org: PaperOrg;
let auditor: MadeUser;

const bearer = (auth: string) => ({ Authorization: auth });
const admin = () => `Bearer ${t.admin.token}`;

async function readsOf(customerId: number): Promise<CustomerAccess[]> {
  await t.ctx.accessLog.flush();
  return t.ctx.db.manager.getRepository(CustomerAccess).find({ where: { customerId }, order: { id: 'ASC' } });
}

beforeAll(async () => {
  t = await startTestApp();
  org = await makePaperOrg(t);
  auditor = await makeUser(t, { roles: [['auditor', '*']] });
});

afterAll(async () => {
  await t?.close();
});

describe('recording every read', () => {
  test('R-SECRET: opening a customer records one access: who, when, which customer, masked, the route and the request id', async () => {
    const [c] = await makeCustomers(t, org.project, 1);
    const before = Date.now();
    const res = await t.http().get(`/api/v1/customers/${c.id}`).set(bearer(org.staff.auth));
    expect(res.status).toBe(200);
    const reads = await readsOf(c.id);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ userId: org.staff.id, customerId: c.id, kind: 'open', revealed: false, route: 'GET /api/v1/customers/:id', requestId: res.headers['x-request-id'] });
    expect(reads[0].at.getTime()).toBeGreaterThanOrEqual(before - 5);
    // Ids only: nothing of the customer's data is in the row (R-SECRET).
    expect(JSON.stringify(reads[0])).not.toContain(c.phone);
    expect(JSON.stringify(reads[0])).not.toContain(c.name);
  });

  test('R-SECRET: a reveal is recorded as a revealed read of the record', async () => {
    const [c] = await makeCustomers(t, org.project, 1);
    const res = await t.http().post(`/api/v1/customers/${c.id}/reveal`).set(bearer(org.clerk.auth)).send({ fields: ['phones'], reason: 'calling the owner back' });
    expect(res.status).toBe(200);
    expect((await readsOf(c.id)).map((r) => [r.userId, r.kind, r.revealed])).toEqual([[org.clerk.id, 'open', true]]);
  });

  test('R-SECRET: each list row shown and each search hit is a read; the searched phone is in no log row', async () => {
    const cs = await makeCustomers(t, org.project, 3, '列');
    const list = await t.http().get('/api/v1/customers').query({ project: org.project, q: '列', limit: '2' }).set(bearer(org.staff.auth));
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(2);
    const shown = list.body.items.map((i: { id: number }) => i.id);
    for (const id of shown) expect((await readsOf(id)).map((r) => r.kind)).toEqual(['list']);
    const notShown = cs.map((c) => c.id).find((id) => !shown.includes(id))!;
    expect(await readsOf(notShown)).toEqual([]);

    const hit = cs[2];
    const search = await t.http().post('/api/v1/customers/search').set(bearer(org.staff.auth)).send({ project: org.project, phone: hit.phone });
    expect(search.status).toBe(200);
    const reads = (await readsOf(hit.id)).filter((r) => r.kind === 'search');
    expect(reads).toHaveLength(1);
    expect(reads[0].route).toBe('POST /api/v1/customers/search');
    const all = await t.ctx.db.manager.getRepository(CustomerAccess).find();
    expect(JSON.stringify(all)).not.toContain(hit.phone);
  });

  test('R-SECRET: every row of an export is a read, revealed when personal fields are written, linked by the export id', async () => {
    const cs = await makeCustomers(t, org.project, 2, '導');
    const res = await t.http().get('/api/v1/customers/export').query({ project: org.project, purpose: 'annual owner census', fields: 'phones' }).set('Authorization', admin());
    expect(res.status).toBe(200);
    const exportId = res.headers['x-export-id'];
    for (const c of cs) {
      const reads = (await readsOf(c.id)).filter((r) => r.kind === 'export');
      expect(reads).toEqual([expect.objectContaining({ userId: t.admin.id, revealed: true, ref: exportId, route: 'GET /api/v1/customers/export' })]);
    }
  });

  test("R-SECRET: a survey note's original is a revealed read of the customer it names", async () => {
    const [c] = await makeCustomers(t, org.project, 1);
    const note = await t.ctx.surveys.create({ id: t.admin.id, username: 'admin' }, org.project, { source: 'interview', customerId: c.id, text: `業主手機 ${makePhone()}` });
    const res = await t.http().post(`/api/v1/survey-notes/${note.id}/original`).set(bearer(org.clerk.auth)).send({ reason: 'reconciling the interview' });
    expect(res.status).toBe(200);
    expect((await readsOf(c.id)).map((r) => [r.userId, r.kind, r.revealed, r.ref])).toEqual([[org.clerk.id, 'survey_original', true, `survey_note:${note.id}`]]);
  });

  test('R-SECRET: every record printed on a controlled copy is a read of its recipient, linked by the serial', async () => {
    const cs = await makeCustomers(t, org.project, 2, '印');
    const { copies } = await makeIssuedCopies(t, org.staff, org.pm, org.project, { customerIds: cs.map((c) => c.id), signed: true });
    const res = await t.http().get(`/api/v1/copies/${copies[0].serial}/pdf`).set(bearer(org.staff.auth)).buffer(true).parse(binary as never);
    expect(res.status).toBe(200);
    for (const c of cs) {
      expect((await readsOf(c.id)).map((r) => [r.userId, r.kind, r.revealed, r.ref])).toEqual([[org.staff.id, 'print', false, copies[0].serial]]);
    }
  });
});

describe('batches', () => {
  test('R-AUDIT: 500 reads are written in a few hash-linked batches, and the chain verifies', async () => {
    const batchesBefore = await t.ctx.db.manager.getRepository(CustomerAccessBatch).count();
    await t.ctx.accessLog.flush();
    const [c] = await makeCustomers(t, org.project, 1);
    const reader = { userId: org.staff.id, requestId: 'bench', route: 'GET /api/v1/customers/:id' };
    for (let i = 0; i < 480; i++) t.ctx.accessLog.record(reader, 'open', [{ customerId: c.id, projectId: null }], { revealed: false });
    await Promise.all(Array.from({ length: 20 }, () => t.http().get(`/api/v1/customers/${c.id}`).set(bearer(org.staff.auth)).expect(200)));
    expect(await readsOf(c.id)).toHaveLength(500);
    const batches = (await t.ctx.db.manager.getRepository(CustomerAccessBatch).count()) - batchesBefore;
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThanOrEqual(4);
    const v = await t.ctx.accessLog.verify();
    expect(v).toMatchObject({ ok: true });
  });

  test('R-AUDIT: a changed or deleted read breaks the batch chain at its batch', async () => {
    const [c] = await makeCustomers(t, org.project, 1);
    await t.http().get(`/api/v1/customers/${c.id}`).set(bearer(org.staff.auth)).expect(200);
    const [read] = await readsOf(c.id);
    const repo = t.ctx.db.manager.getRepository(CustomerAccess);
    await repo.update({ id: read.id }, { userId: auditor.id });
    expect(await t.ctx.accessLog.verify()).toMatchObject({ ok: false, brokenAtSeq: read.batchSeq });
    await repo.update({ id: read.id }, { userId: org.staff.id });
    expect(await t.ctx.accessLog.verify()).toMatchObject({ ok: true });
    await repo.delete({ id: read.id });
    expect(await t.ctx.accessLog.verify()).toMatchObject({ ok: false, brokenAtSeq: read.batchSeq });
    await repo.insert(read);
    expect(await t.ctx.accessLog.verify()).toMatchObject({ ok: true });
  });
});

describe('the auditor asks', () => {
  test("R-AUDIT: GET /customers/:id/access-log pages a customer's reads, newest first, with the total, within the period", async () => {
    const [c] = await makeCustomers(t, org.project, 1);
    for (let i = 0; i < 3; i++) await t.http().get(`/api/v1/customers/${c.id}`).set(bearer(org.staff.auth)).expect(200);
    await t.http().get(`/api/v1/customers/${c.id}`).set(bearer(org.clerk.auth)).expect(200);
    const page1 = await t.http().get(`/api/v1/customers/${c.id}/access-log`).query({ limit: '3' }).set(bearer(auditor.auth));
    expect(page1.status).toBe(200);
    expect(page1.body.total).toBe(4);
    expect(page1.body.items).toHaveLength(3);
    expect(page1.body.items[0]).toMatchObject({ userId: org.clerk.id, username: org.clerk.username, customerId: c.id, project: org.project, kind: 'open', revealed: false, route: 'GET /api/v1/customers/:id' });
    const page2 = await t.http().get(`/api/v1/customers/${c.id}/access-log`).query({ limit: '3', offset: '3' }).set(bearer(auditor.auth));
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.items[0].userId).toBe(org.staff.id);

    // The period [from, to): moving one read a day back puts it outside "since an hour ago".
    const [oldest] = await readsOf(c.id);
    await t.ctx.db.manager.getRepository(CustomerAccess).update({ id: oldest.id }, { at: new Date(Date.now() - 86_400_000) });
    const recent = await t.http().get(`/api/v1/customers/${c.id}/access-log`).query({ from: new Date(Date.now() - 3_600_000).toISOString() }).set(bearer(auditor.auth));
    expect(recent.body.total).toBe(3);
    const older = await t.http().get(`/api/v1/customers/${c.id}/access-log`).query({ to: new Date(Date.now() - 3_600_000).toISOString() }).set(bearer(auditor.auth));
    expect(older.body.items.map((i: { id: number }) => i.id)).toEqual([oldest.id]);
    await t.ctx.db.manager.getRepository(CustomerAccess).update({ id: oldest.id }, { at: oldest.at });
    const bad = await t.http().get(`/api/v1/customers/${c.id}/access-log`).query({ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }).set(bearer(auditor.auth));
    expect(bad.status).toBe(400);
  });

  test("R-AUDIT: GET /users/:id/access-log answers which customers a user read, and both export as CSV", async () => {
    const reader = await makeUser(t, { roles: [['staff', `project:${org.project}`]] });
    const cs = await makeCustomers(t, org.project, 2);
    for (const c of cs) await t.http().get(`/api/v1/customers/${c.id}`).set(bearer(reader.auth)).expect(200);
    const res = await t.http().get(`/api/v1/users/${reader.id}/access-log`).set('Authorization', admin());
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(2);
    expect(res.body.items.map((i: { customerId: number }) => i.customerId).sort()).toEqual(cs.map((c) => c.id).sort());

    const csv = await t.http().get(`/api/v1/users/${reader.id}/access-log/export`).set(bearer(auditor.auth));
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const lines = csv.text.replace(/^\ufeff/, '').trim().split('\n');
    expect(lines[0]).toBe('at,userId,username,customerId,project,kind,revealed,route,requestId,ref');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,${cs[0].id},${org.project},open,false,`);
    expect(csv.text).not.toContain(cs[0].name);
    const byCustomer = await t.http().get(`/api/v1/customers/${cs[1].id}/access-log/export`).set(bearer(auditor.auth));
    expect(byCustomer.text.trim().split('\n')).toHaveLength(2);
    // The export of the access log is itself in the audit trail.
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneBy({ action: 'access_log.exported', actorId: auditor.id, objectType: 'user', objectId: String(reader.id) });
    expect(ev).not.toBeNull();

    expect((await t.http().get('/api/v1/users/99999999/access-log').set(bearer(auditor.auth))).status).toBe(404);
  });

  test('R-AUDIT: nobody else reads the access log: the staff, the clerk and the project manager are refused 403', async () => {
    const [c] = await makeCustomers(t, org.project, 1);
    for (const u of [org.staff, org.clerk, org.pm]) {
      const res = await t.http().get(`/api/v1/customers/${c.id}/access-log`).set(bearer(u.auth));
      expect({ status: res.status, permission: res.body.error?.details?.permission }).toEqual({ status: 403, permission: 'access_log:read' });
      const own = await t.http().get(`/api/v1/users/${u.id}/access-log/export`).set(bearer(u.auth));
      expect(own.status).toBe(403);
    }
  });
});

describe('retention', () => {
  test('R-AUDIT: the purge deletes whole batches past the retention, leaves a summary audit event, and the chain verifies from the first kept batch', async () => {
    const [c] = await makeCustomers(t, org.project, 1);
    const reader = { userId: org.staff.id, requestId: null, route: 'GET /api/v1/customers/:id' };
    for (let i = 0; i < 3; i++) {
      t.ctx.accessLog.record(reader, 'open', [{ customerId: c.id, projectId: null }], { revealed: false });
      await t.ctx.accessLog.flush();
    }
    const batches = t.ctx.db.manager.getRepository(CustomerAccessBatch);
    const all = await batches.find({ order: { seq: 'ASC' } });
    // Every batch so far, but the last one, is made four years old (the hash covers the reads and the batch time, not "now": the chain still holds).
    const old = all.slice(0, -1);
    const fourYears = new Date(Date.now() - 4 * 365 * 86_400_000);
    const hashes = old.map((b) => b.hash);
    for (const b of old) await batches.update({ seq: b.seq }, { at: fourYears });
    // Rewriting `at` changes the batch hashes' input: recompute them as the writer would have, so only retention is under test.
    const { batchHash } = await import('../../src/features/access-log/access-log.chain');
    let prev = old[0].prevHash;
    for (const b of [...old, all[all.length - 1]]) {
      const rows = await t.ctx.db.manager.getRepository(CustomerAccess).find({ where: { batchSeq: b.seq }, order: { id: 'ASC' } });
      const at = b.seq === all[all.length - 1].seq ? b.at : fourYears;
      const hash = batchHash(prev, b.seq, at, rows);
      await batches.update({ seq: b.seq }, { prevHash: prev, hash });
      prev = hash;
    }
    await t.ctx.db.manager.query('UPDATE customer_access_head SET hash = ? WHERE id = 1', [prev]);
    expect(hashes.length).toBeGreaterThan(0);
    expect(await t.ctx.accessLog.verify()).toMatchObject({ ok: true, anchoredBy: 'genesis' });

    const summary = await t.ctx.accessLog.purge();
    expect(summary).toMatchObject({ removedBatches: old.length, toSeq: old[old.length - 1].seq });
    expect(summary.removedRows).toBeGreaterThan(0);
    expect(await batches.count()).toBe(1);
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOne({ where: { action: 'access_log.purged' }, order: { seq: 'DESC' } });
    expect(ev?.after).toMatchObject({ removedBatches: old.length, removedRows: summary.removedRows, toSeq: old[old.length - 1].seq, head: { seq: all[all.length - 1].seq } });
    expect(await t.ctx.accessLog.verify()).toMatchObject({ ok: true, anchoredBy: 'purge', firstSeq: all[all.length - 1].seq });
    // Nothing left to purge: a second run removes nothing and still records (anchors) the head.
    expect(await t.ctx.accessLog.purge()).toMatchObject({ removedBatches: 0, removedRows: 0 });
  });
});

describe('shutdown and several instances', () => {
  test('R-AUDIT: closing an app writes the reads still queued (a graceful shutdown loses none)', async () => {
    const a = await startTestApp({ keepDatabase: true, env: { ACCESS_LOG_FLUSH_MS: '600000' } });
    const own = await makePaperOrg(a);
    const [c] = await makeCustomers(a, own.project, 1);
    await a.http().get(`/api/v1/customers/${c.id}`).set(bearer(own.staff.auth)).expect(200);
    expect(a.ctx.accessLog.pending).toBe(1);
    await a.close();
    const b = await startTestApp({ dbUrl: a.dbUrl });
    try {
      const reads = await b.ctx.db.manager.getRepository(CustomerAccess).find({ where: { customerId: c.id } });
      expect(reads.map((r) => [r.userId, r.kind])).toEqual([[own.staff.id, 'open']]);
      expect(await b.ctx.accessLog.verify()).toMatchObject({ ok: true });
    } finally {
      await b.close();
    }
  });

  test('R-AUDIT: two instances writing at once form one unbroken batch chain', async () => {
    const a = await startTestApp({ keepDatabase: true, env: { ACCESS_LOG_BATCH: '7' } });
    // Several instances share one database on MySQL/MariaDB; SQLite is the one-instance embedded database (test/jobs/scheduler.test.ts).
    const b = testDbKind() === 'mysql' ? await startTestApp({ dbUrl: a.dbUrl, env: { ACCESS_LOG_BATCH: '7' } }) : a;
    try {
      const own = await makePaperOrg(a);
      const cs = await makeCustomers(a, own.project, 4);
      const calls = [];
      for (let i = 0; i < 60; i++) {
        const app = i % 2 ? b : a;
        calls.push(app.http().get(`/api/v1/customers/${cs[i % 4].id}`).set(bearer(own.staff.auth)).expect(200));
      }
      await Promise.all(calls);
      await Promise.all([a.ctx.accessLog.flush(), b.ctx.accessLog.flush()]);
      const batches = await a.ctx.db.manager.getRepository(CustomerAccessBatch).find({ order: { seq: 'ASC' } });
      expect(batches.map((x) => x.seq)).toEqual(batches.map((_, i) => i + 1));
      expect(batches.length).toBeGreaterThanOrEqual(60 / 7);
      expect(await a.ctx.db.manager.getRepository(CustomerAccess).count()).toBe(60);
      expect(await a.ctx.accessLog.verify()).toMatchObject({ ok: true, rows: 60 });
      if (b !== a) expect(b.ctx.accessLog.stats.batches).toBeGreaterThan(0);
    } finally {
      if (b !== a) await b.close();
      await a.close();
    }
  });
});
