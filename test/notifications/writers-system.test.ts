/**
 * Issue 13: the messages of the system, each written by the real flow: a customer import or
 * export (HTTP) tells who started it; a failed job and a broken audit chain (the jobs) tell the
 * IT admins. No message carries the customer's name, phone, ID number or unit, though the file
 * name, the purpose and the job's error all quote them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CustomerImport } from '../../src/entities/CustomerImport';
import { Notification } from '../../src/entities/Notification';
import type { JobDef } from '../../src/jobs/job';
import { periodFromKey } from '../../src/jobs/period';
import { makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { jobServiceOf } from '../helpers/jobs';
import { startTestApp, TestApp } from '../helpers/test-app';

const uid = () => crypto.randomBytes(3).toString('hex');

let t: TestApp;
let P: string;
let itadm: MadeUser;
const importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-imports-'));
/** The customer, with values no message may carry. */
const cust = { name: `龍傲天${uid()}`, phone: makePhone(), idNumber: makeIdNumber(), unit: `${uid()}棟8808室` };

beforeAll(async () => {
  t = await startTestApp({ env: { IMPORT_INLINE_ROWS: '40', IMPORT_DIR: importDir } });
  t.ctx.imports.stopSweeping();
  P = (await makeProject(t)).code;
  itadm = await makeUser(t, { roles: [['it_admin', '*']] });
});
afterAll(async () => {
  await t?.close();
  fs.rmSync(importDir, { recursive: true, force: true });
});

const repo = () => t.ctx.db.manager.getRepository(Notification);
const notes = (kind: string, objectId: string | number) => repo().find({ where: { kind, objectId: String(objectId) }, order: { recipientId: 'ASC', id: 'ASC' } });
const paramsOf = (n: Notification) => JSON.parse(n.params ?? '{}') as Record<string, unknown>;
const admins = () => [t.admin.id, itadm.id].sort((a, b) => a - b);

function expectRecipients(rows: Notification[], recipients: number[], link: string, scope: string | null) {
  expect(rows.map((r) => r.recipientId)).toEqual([...recipients].sort((a, b) => a - b));
  for (const r of rows) expect({ link: r.link, action: Boolean(r.action), scope: r.scope }).toEqual({ link, action: false, scope });
}

const HEADER = 'name,unit,nationality,phones,idNumber,employer,email,emergencyContact,notes';
const row = (name = `陳${uid()}`, unit = '3棟1204室', phone = makePhone(), id = makeIdNumber()) => [name, unit, 'domestic', phone, id, '', '', '', ''].join(',');
const importCsv = (u: { auth: string }, rows: string[], query: Record<string, string> = {}) =>
  t
    .http()
    .post(`/api/v1/customers/import?${new URLSearchParams({ project: P, fileName: `${cust.name}.csv`, ...query })}`)
    .set('Authorization', u.auth)
    .set('Content-Type', 'text/csv')
    .send(Buffer.from([HEADER, ...rows].join('\n') + '\n'));

describe('issue 13, system: who is told what, once', () => {
  test('a customer import, inline or in the background, dry run, succeeded, failed or interrupted, tells who started it', async () => {
    const scope = `project:${P}`;
    const ok = await importCsv(itadm, [row(cust.name, cust.unit, cust.phone, cust.idNumber), row()]);
    expect(ok.status).toBe(201);
    const done = await notes('customer_import.finished', ok.body.id);
    expectRecipients(done, [itadm.id], '/admin/imports', scope);
    expect(paramsOf(done[0])).toEqual({ importId: ok.body.id, project: P, status: 'succeeded', dryRun: 0, rows: 2, created: 2, updated: 0, skipped: 0, errors: 0 });

    const dry = await importCsv({ auth: `Bearer ${t.admin.token}` }, [row()], { dryRun: 'true' });
    expect(dry.status).toBe(200);
    const checked = await notes('customer_import.finished', dry.body.id);
    expectRecipients(checked, [t.admin.id], '/admin/imports', scope);
    expect(paramsOf(checked[0])).toMatchObject({ status: 'succeeded', dryRun: 1 });

    // In the background, all or nothing, a bad row: failed, told once.
    const rows = Array.from({ length: 45 }, () => row());
    rows[40] = row(undefined, undefined, undefined, '110105194912310021');
    const bg = await importCsv(itadm, rows);
    expect(bg.status).toBe(202);
    await t.ctx.imports.whenSettled(bg.body.id);
    const failed = await notes('customer_import.finished', bg.body.id);
    expectRecipients(failed, [itadm.id], '/admin/imports', scope);
    expect(paramsOf(failed[0])).toMatchObject({ status: 'failed', dryRun: 0, created: 0, errors: 1 });

    // Left running by a process that stopped: the sweep that marks it interrupted tells who started it.
    const project = await t.ctx.customers.projectByCode(P);
    const id = crypto.randomUUID();
    await t.ctx.db.manager.getRepository(CustomerImport).insert({
      id,
      projectId: project.id,
      status: 'running',
      dryRun: false,
      onError: 'abort',
      format: 'csv',
      fileName: `${cust.name}.csv`,
      byteSize: 10,
      totalRows: 5000,
      processedRows: 1500,
      errors: [],
      createdById: itadm.id,
      runnerId: `${os.hostname().slice(0, 40)}/${process.pid}/0000deadbeef`,
      createdAt: new Date(Date.now() - 3_600_000),
      startedAt: new Date(Date.now() - 3_600_000),
    });
    expect(await t.ctx.imports.recoverInterrupted()).toBe(1);
    expect(await t.ctx.imports.recoverInterrupted()).toBe(0);
    const interrupted = await notes('customer_import.finished', id);
    expectRecipients(interrupted, [itadm.id], '/admin/imports', scope);
    expect(paramsOf(interrupted[0])).toMatchObject({ status: 'interrupted', rows: 5000, created: 0 });
  });

  test('a customer export tells the exporter', async () => {
    const res = await t.http().get('/api/v1/customers/export').query({ project: P, purpose: `reconcile ${cust.name} ${cust.phone}` }).set('Authorization', itadm.auth);
    expect(res.status).toBe(200);
    const id = res.headers['x-export-id'];
    const told = await notes('customer_export.finished', id);
    expectRecipients(told, [itadm.id], '/customers', `project:${P}`);
    expect(paramsOf(told[0])).toEqual({ exportId: id, project: P, format: 'csv', rows: expect.any(Number) });
  });

  test('a failed job tells every IT admin once per job and period, however often its retries fail', async () => {
    const name = `test-fails-${uid()}`;
    const def: JobDef = {
      name,
      description: 'fails',
      cadence: 'daily',
      at: { hour: 3, minute: 0 },
      covers: 'current',
      async run() {
        throw new Error(`could not reach the CRM for ${cust.name} (${cust.phone})`);
      },
    };
    const jobs = jobServiceOf(t.ctx, [def]);
    const first = await jobs.runManual({ id: t.admin.id, username: 'admin' }, name, '2026-12-01');
    expect(first.status).toBe('failed');
    await jobs.runManual({ id: t.admin.id, username: 'admin' }, name, '2026-12-01');
    const told = await notes('job.failed', name);
    expectRecipients(told, admins(), '/admin/jobs', null);
    expect(paramsOf(told[0])).toEqual({ job: name, period: '2026-12-01', attempts: 1 });
    // Another period is another message; a job that succeeds tells nobody.
    await jobs.runManual({ id: t.admin.id, username: 'admin' }, name, '2026-12-02');
    expect(await notes('job.failed', name)).toHaveLength(2 * admins().length);
  });

  test('R-AUDIT: the nightly verify tells the IT admins when the audit chain is broken, once a night', async () => {
    const verify = t.ctx.jobs.find('audit-verify');
    const day = periodFromKey(verify, '2026-12-03', t.ctx.config.timezone)!;
    await verify.run(day);
    expect(await repo().countBy({ kind: 'audit.chain_broken' })).toBe(0);
    const q = (c: string) => t.ctx.db.ds.driver.escape(c);
    const seq = 3;
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${q('reason')} = ? WHERE ${q('seq')} = ?`, ['nothing to see here', seq]);
    await verify.run(day);
    await verify.run(day);
    const told = await notes('audit.chain_broken', seq);
    expectRecipients(told, admins(), '/audit', null);
    expect(paramsOf(told[0])).toEqual({ seq, day: '2026-12-03' });
    await verify.run(periodFromKey(verify, '2026-12-04', t.ctx.config.timezone)!);
    expect(await notes('audit.chain_broken', seq)).toHaveLength(2 * admins().length);
  });

  test('issue 13: no notification written above carries the customer name, phone, ID number or unit (subject, body, params, link)', async () => {
    const rows = await repo().find();
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['customer_import.finished', 'customer_export.finished', 'job.failed', 'audit.chain_broken']));
    for (const r of rows) {
      const text = [r.subject, r.body, r.params ?? '', r.link ?? ''].join('\n');
      for (const value of Object.values(cust)) expect({ kind: r.kind, leaks: text.includes(value) }).toEqual({ kind: r.kind, leaks: false });
    }
  });
});
