/**
 * Issue 12: committing a dry run without uploading the file again (R-CTRL-IT: the IT admin
 * imports; R-CTRL-CLERK: the clerk is refused), and the list of recorded exports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { Customer } from '../../src/entities/Customer';
import { CustomerImport } from '../../src/entities/CustomerImport';
import { DRY_RUN_KEEP_MS, sweepKeptDryRuns } from '../../src/features/customers/import/import-commit';
import { makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const HEADER = 'name,unit,nationality,phones,idNumber';
const BAD_ID = '110101199003070000';

describe('customer import: commit a dry run (issue 12)', () => {
  let t: TestApp;
  let P: string;
  let admin: MadeUser;
  let clerk: MadeUser;
  const importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-commit-'));

  beforeAll(async () => {
    t = await startTestApp({ env: { IMPORT_INLINE_ROWS: '20', IMPORT_DIR: importDir } });
    t.ctx.imports.stopSweeping();
    P = (await makeProject(t)).code;
    admin = await makeUser(t, { roles: [['it_admin', '*']] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(importDir, { recursive: true, force: true });
  });

  const row = (o: { phones?: string; id?: string } = {}) => ['陳大文', '3棟1204室', 'domestic', o.phones ?? makePhone(), o.id ?? makeIdNumber()].join(',');
  const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';
  const send = (u: MadeUser, body: string, query: Record<string, string> = {}) =>
    t
      .http()
      .post(`/api/v1/customers/import?${new URLSearchParams({ project: P, dryRun: 'true', ...query })}`)
      .set('Authorization', u.auth)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(body));
  const commit = (u: MadeUser, id: string) => t.http().post(`/api/v1/imports/${id}/commit`).set('Authorization', u.auth);
  const count = async () => t.ctx.db.manager.getRepository(Customer).countBy({ projectId: (await t.ctx.customers.projectByCode(P)).id });
  const kept = (id: string) => path.join(importDir, `${id}.dryrun`);

  it('R-CTRL-IT: the IT admin commits a dry run without uploading again; the import and its audit events are recorded, the dry run says what it became', async () => {
    const before = await count();
    const dry = await send(admin, csv(row(), row()), { fileName: 'list.csv' });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, status: 'succeeded', errorCount: 0, committedAs: null });
    expect(new Date(dry.body.commitUntil).getTime()).toBeGreaterThan(Date.now() + DRY_RUN_KEEP_MS - 60_000);
    expect(fs.existsSync(kept(dry.body.id))).toBe(true);
    expect(await count()).toBe(before);

    const res = await commit(admin, dry.body.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ dryRun: false, status: 'succeeded', project: P, fileName: 'list.csv', totalRows: 2, processedRows: 2, created: 2, errorCount: 0 });
    expect(res.body.id).not.toBe(dry.body.id);
    expect(await count()).toBe(before + 2);
    expect(fs.existsSync(kept(dry.body.id))).toBe(false);
    expect(fs.readdirSync(importDir)).toEqual([]);

    const after = await t.http().get(`/api/v1/imports/${dry.body.id}`).set('Authorization', admin.auth);
    expect(after.body).toMatchObject({ committedAs: res.body.id, commitUntil: null });
    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'customer_import' }, order: { seq: 'ASC' } });
    const mine = events.filter((e) => e.objectId === dry.body.id || e.objectId === res.body.id).map((e) => [e.action, e.objectId === dry.body.id ? 'dry' : 'import']);
    expect(mine).toEqual([
      ['customer.import_checked', 'dry'],
      ['customer.import_committed', 'dry'],
      ['customer.imported', 'import'],
    ]);
    const committed = events.find((e) => e.action === 'customer.import_committed' && e.objectId === dry.body.id)!;
    expect(committed.after).toMatchObject({ dryRunId: dry.body.id, importId: res.body.id });
    expect(committed.scope).toBe(`project:${P}`);
  });

  it('R-CTRL-IT: a dry run is committed once: a second commit, or two at once, leave one import (409 import_not_committable)', async () => {
    const before = await count();
    const dry = await send(admin, csv(row()));
    const [a, b] = await Promise.all([commit(admin, dry.body.id), commit(admin, dry.body.id)]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const refused = a.status === 409 ? a : b;
    expect(refused.body.error).toMatchObject({ code: 'import_not_committable', details: { reason: 'committed' } });
    const again = await commit(admin, dry.body.id);
    expect(again.status).toBe(409);
    expect(again.body.error.details).toMatchObject({ reason: 'committed', committedAs: (a.status === 201 ? a : b).body.id });
    expect(await count()).toBe(before + 1);
  });

  it('R-CTRL-IT: an all-or-nothing dry run with row errors cannot be committed; with onError=skip its valid rows can', async () => {
    const before = await count();
    const bad = await send(admin, csv(row(), row({ id: BAD_ID })));
    expect(bad.body).toMatchObject({ errorCount: 1, commitUntil: null });
    expect(fs.existsSync(kept(bad.body.id))).toBe(false);
    const res = await commit(admin, bad.body.id);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'import_not_committable', details: { reason: 'row_errors' } });

    const skip = await send(admin, csv(row(), row({ id: BAD_ID })), { onError: 'skip' });
    expect(skip.body.commitUntil).not.toBeNull();
    const ok = await commit(admin, skip.body.id);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ onError: 'skip', created: 1, skipped: 1, errorCount: 1 });
    expect(await count()).toBe(before + 1);
  });

  it('R-CTRL-IT: a dry run past its time is refused (409 expired) and its kept file is swept', async () => {
    const dry = await send(admin, csv(row()));
    // Older than DRY_RUN_KEEP_MS: the record and the file.
    const old = new Date(Date.now() - DRY_RUN_KEEP_MS - 1000);
    await t.ctx.db.tx((m) => m.getRepository(CustomerImport).update({ id: dry.body.id }, { finishedAt: old }));
    const res = await commit(admin, dry.body.id);
    expect(res.status).toBe(409);
    expect(res.body.error.details).toMatchObject({ reason: 'expired' });
    expect(fs.existsSync(kept(dry.body.id))).toBe(true);
    fs.utimesSync(kept(dry.body.id), old, old);
    const fresh = await send(admin, csv(row()));
    expect(await sweepKeptDryRuns(importDir)).toBe(1);
    expect(fs.existsSync(kept(dry.body.id))).toBe(false);
    expect(fs.existsSync(kept(fresh.body.id))).toBe(true);
    // The regular sweep does the same.
    fs.utimesSync(kept(fresh.body.id), old, old);
    await t.ctx.imports.recoverInterrupted();
    expect(fs.existsSync(kept(fresh.body.id))).toBe(false);
    // A file gone (swept, or removed by hand) while the record is still in time: expired too.
    const gone = await send(admin, csv(row()));
    fs.rmSync(kept(gone.body.id));
    const r2 = await commit(admin, gone.body.id);
    expect(r2.status).toBe(409);
    expect(r2.body.error.details).toMatchObject({ reason: 'expired' });
  });

  it('R-CTRL-IT: a dry run run on one instance is committed through another (IMPORT_DIR on a volume both mount, as behind a load balancer)', async () => {
    const other = await startTestApp({ dbUrl: t.dbUrl, keepDatabase: true, env: { IMPORT_INLINE_ROWS: '20', IMPORT_DIR: importDir } });
    try {
      other.ctx.imports.stopSweeping();
      const before = await count();
      const dry = await send(admin, csv(row(), row()));
      expect(dry.status).toBe(200);
      const res = await other.http().post(`/api/v1/imports/${dry.body.id}/commit`).set('Authorization', admin.auth);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ dryRun: false, status: 'succeeded', created: 2 });
      expect(await count()).toBe(before + 2);
      // Once: the first instance now finds it committed.
      const again = await commit(admin, dry.body.id);
      expect(again.status).toBe(409);
      expect(again.body.error.details).toMatchObject({ reason: 'committed', committedAs: res.body.id });
    } finally {
      await other.close();
    }
  });

  it('R-CTRL-IT: only a dry run is committed: a real import is refused (409 not_dry_run)', async () => {
    const real = await send(admin, csv(row()), { dryRun: 'false' });
    expect(real.status).toBe(201);
    const res = await commit(admin, real.body.id);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'import_not_committable', details: { reason: 'not_dry_run' } });
  });

  it('R-CTRL-CLERK: the information clerk may not commit a dry run (customer:import denied); the dry run stays committable', async () => {
    const dry = await send(admin, csv(row()));
    const res = await commit(clerk, dry.body.id);
    expect(res.status).toBe(403);
    expect(res.body.error.details.permission).toBe('customer:import');
    expect((await commit(admin, dry.body.id)).status).toBe(201);
  });

  it('R-CTRL-IT: a large committed dry run runs in the background (202) and its progress ends at done', async () => {
    const before = await count();
    const rows = Array.from({ length: 30 }, () => row());
    const dry = await send(admin, csv(...rows));
    expect(dry.status).toBe(202);
    await t.ctx.imports.whenSettled(dry.body.id);
    const checked = await t.http().get(`/api/v1/imports/${dry.body.id}`).set('Authorization', admin.auth);
    expect(checked.body).toMatchObject({ status: 'succeeded', totalRows: 30, processedRows: 30 });
    const res = await commit(admin, dry.body.id);
    expect(res.status).toBe(202);
    expect(['queued', 'running']).toContain(res.body.status);
    await t.ctx.imports.whenSettled(res.body.id);
    const done = await t.http().get(`/api/v1/imports/${res.body.id}`).set('Authorization', admin.auth);
    expect(done.body).toMatchObject({ status: 'succeeded', dryRun: false, totalRows: 30, processedRows: 30, created: 30 });
    expect(await count()).toBe(before + 30);
  });
});

describe('the list of customer exports (issue 12)', () => {
  let t: TestApp;
  let P: string;
  let Q: string;
  let admin: MadeUser;
  let clerk: MadeUser;

  beforeAll(async () => {
    t = await startTestApp();
    P = (await makeProject(t)).code;
    Q = (await makeProject(t)).code;
    admin = await makeUser(t, { roles: [['it_admin', '*']] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    await t.ctx.customers.create({ id: admin.id, username: admin.username }, P, { name: '陳大文', unit: '1棟101室', nationality: 'domestic', phones: [makePhone()] });
  });
  afterAll(() => t.close());

  const exportOf = (project: string, purpose: string, fields?: string) =>
    t.http().get('/api/v1/customers/export').query({ project, purpose, ...(fields ? { fields } : {}) }).set('Authorization', admin.auth);
  const list = (u: MadeUser, query: Record<string, string> = {}) => t.http().get('/api/v1/exports').query(query).set('Authorization', u.auth);

  it('R-CTRL-IT: the IT admin lists the recorded exports (who, when, project, purpose, fields, row count), newest first, paged with the total', async () => {
    const a = await exportOf(P, 'annual reconciliation', 'phones');
    const b = await exportOf(Q, 'move to the new CRM');
    const c = await exportOf(P, 'audit sample check', 'phones,email');
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    const res = await list(admin, { limit: '2' });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(res.body.items.map((e: { id: string }) => e.id)).toEqual([c.headers['x-export-id'], b.headers['x-export-id']]);
    expect(res.body.items[0]).toMatchObject({ project: P, purpose: 'audit sample check', fields: ['phones', 'email'], rowCount: 1, releaseId: null, format: 'csv', createdBy: { id: admin.id, username: admin.username } });
    const page2 = await list(admin, { limit: '2', offset: '2' });
    expect(page2.body.items.map((e: { id: string }) => e.id)).toEqual([a.headers['x-export-id']]);
    expect(page2.body.total).toBe(3);
  });

  it('R-CTRL-IT: the list filters by project and by period (from inclusive, to exclusive)', async () => {
    const inP = await list(admin, { project: P });
    expect(inP.body.total).toBe(2);
    expect(inP.body.items.every((e: { project: string }) => e.project === P)).toBe(true);
    const future = await list(admin, { from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.body).toEqual({ items: [], total: 0 });
    const past = await list(admin, { to: new Date(Date.now() - 3_600_000).toISOString() });
    expect(past.body.total).toBe(0);
    const now = await list(admin, { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString(), project: Q });
    expect(now.body.total).toBe(1);
    const bad = await list(admin, { from: 'yesterday' });
    expect(bad.status).toBe(400);
  });

  it('R-CTRL-CLERK: the information clerk may not read the exports (customer:export denied), in the project or company-wide', async () => {
    const inP = await list(clerk, { project: P });
    expect(inP.status).toBe(403);
    expect(inP.body.error.details.permission).toBe('customer:export');
    expect((await list(clerk)).status).toBe(403);
  });
});
