/**
 * Bulk import of customer records (control data): who may import (R-CTRL-IT, R-CTRL-CLERK,
 * R-CTRL-STAFF), all-or-nothing writes, per-row errors that never carry values (R-SECRET),
 * one audit event per import with counts only (R-AUDIT), and refusal of bad files.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { Customer } from '../../src/entities/Customer';
import { CustomerImport } from '../../src/entities/CustomerImport';
import { CustomerLookup } from '../../src/entities/CustomerLookup';
import { XLSX_TYPE } from '../../src/features/customers/import/upload';
import { makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { stored, workbookParts, zip } from '../helpers/zip';

const HEADER = 'name,unit,nationality,phones,idNumber,employer,email,emergencyContact,notes';

/** GB18030/GBK bytes of a string, from the decoder's own table (Node has no GBK encoder). */
function gbk(s: string): Buffer {
  const table = new Map<string, number[]>();
  const dec = new TextDecoder('gb18030');
  for (let a = 0x81; a <= 0xfe; a++) {
    for (let b = 0x40; b <= 0xfe; b++) {
      if (b === 0x7f) continue;
      const ch = dec.decode(Uint8Array.from([a, b]));
      if (ch.length === 1 && !table.has(ch)) table.set(ch, [a, b]);
    }
  }
  const out: number[] = [];
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80) out.push(ch.charCodeAt(0));
    else if (table.has(ch)) out.push(...table.get(ch)!);
    else throw new Error(`no GBK code for ${ch}`);
  }
  return Buffer.from(out);
}

describe('customer import', () => {
  let t: TestApp;
  let P: string;
  let admin: MadeUser;
  let clerk: MadeUser;
  let staff: MadeUser;
  const importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-imports-'));

  beforeAll(async () => {
    t = await startTestApp({ env: { IMPORT_INLINE_ROWS: '40', IMPORT_MAX_BYTES: '64kb', IMPORT_DIR: importDir } });
    // The recovery test below sweeps by hand (test/customers/import-recovery.test.ts tests the timer).
    t.ctx.imports.stopSweeping();
    P = (await makeProject(t)).code;
    admin = await makeUser(t, { roles: [['it_admin', '*']] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    staff = await makeUser(t, { roles: [['staff', `project:${P}`]] });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(importDir, { recursive: true, force: true });
  });

  const send = (u: MadeUser, body: Buffer | string, query: Record<string, string> = {}, type = 'text/csv') =>
    t
      .http()
      .post(`/api/v1/customers/import?${new URLSearchParams({ project: P, ...query })}`)
      .set('Authorization', u.auth)
      .set('Content-Type', type)
      .send(Buffer.isBuffer(body) ? body : Buffer.from(body));

  const row = (o: { name?: string; unit?: string; nat?: string; phones?: string; id?: string; employer?: string; email?: string; ec?: string; notes?: string } = {}) =>
    [o.name ?? '陳大文', o.unit ?? '3棟1204室', o.nat ?? 'domestic', o.phones ?? makePhone(), o.id ?? makeIdNumber(), o.employer ?? '華潤置地', o.email ?? 'chan@example.com', o.ec ?? '陳太', o.notes ?? ''].join(',');
  const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n';

  const customerCount = async (project = P) => {
    const p = await t.ctx.customers.projectByCode(project);
    return t.ctx.db.manager.getRepository(Customer).countBy({ projectId: p.id });
  };
  const auditSeq = async () => (await t.ctx.db.manager.getRepository(AuditEvent).maximum('seq')) ?? 0;
  const BAD_ID = '110105194912310021'; // valid date, wrong check digit (the right one is X)

  it('R-CTRL-IT: the IT admin imports a CSV; personal fields are encrypted (R-SECRET) and found through the blind index', async () => {
    const phone = makePhone();
    const id = makeIdNumber();
    const res = await send(admin, csv(row({ phones: `${phone};010-62345678`, id }), row()), { fileName: 'customers.csv' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ project: P, status: 'succeeded', dryRun: false, format: 'csv', fileName: 'customers.csv', totalRows: 2, processedRows: 2, created: 2, updated: 0, skipped: 0, errorCount: 0, errors: [] });
    const found = await t.http().get(`/api/v1/customers/search?project=${P}&phone=${phone}`).set('Authorization', admin.auth);
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({ name: '陳大文', unit: '3棟1204室', employer: '***' });
    const byId = await t.http().get(`/api/v1/customers/search?project=${P}&idNumber=${id}`).set('Authorization', admin.auth);
    expect(byId.body.items.map((c: { id: number }) => c.id)).toEqual(found.body.items.map((c: { id: number }) => c.id));
    const revealed = await t.http().post(`/api/v1/customers/${found.body.items[0].id}/reveal`).set('Authorization', admin.auth).send({ fields: ['phones', 'idNumber'], reason: 'check the import' });
    expect(revealed.body).toMatchObject({ phones: [phone, '01062345678'], idNumber: id });
    // At rest: no clear value in any column of the table.
    const rows = await t.ctx.db.manager.query('SELECT * FROM customer');
    const dump = JSON.stringify(rows);
    for (const secret of [phone, id, '華潤置地', 'chan@example.com']) expect(dump).not.toContain(secret);
  });

  it('R-AUDIT: one customer.imported event per import, with counts and no personal value', async () => {
    const phone = makePhone();
    const id = makeIdNumber();
    const res = await send(admin, csv(row({ phones: phone, id, employer: '萬科集團', email: 'secret.person@example.com' })));
    expect(res.status).toBe(201);
    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType: 'customer_import', objectId: res.body.id } });
    expect(events.map((e) => e.action)).toEqual(['customer.imported']);
    expect(events[0].scope).toBe(`project:${P}`);
    expect(events[0].after).toMatchObject({ importId: res.body.id, rows: 1, created: 1, updated: 0, skipped: 0, errorCount: 0, format: 'csv' });
    const all = JSON.stringify(events);
    for (const secret of [phone, id, '萬科集團', 'secret.person@example.com']) expect(all).not.toContain(secret);
  });

  it('R-CTRL-CLERK: the information clerk is refused by the deny line; R-CTRL-STAFF: staff are refused too', async () => {
    const before = await customerCount();
    const c = await send(clerk, csv(row()));
    expect(c.status).toBe(403);
    expect(c.body.error.details.permission).toBe('customer:import');
    expect(c.body.error.details.reason).toMatch(/denied by policy line/);
    expect(c.body.error.details.reason).toMatch(/deny/);
    const s = await send(staff, csv(row()));
    expect(s.status).toBe(403);
    expect(s.body.error.details.reason).toBe('no policy line allows it');
    expect(await customerCount()).toBe(before);
  });

  it('R-SECRET: dry run reports every bad row (row, column, message; never the value) and writes nothing', async () => {
    const before = await customerCount();
    const seqBefore = await auditSeq();
    const badPhone = '12345';
    const res = await send(admin, csv(row(), row({ id: BAD_ID }), row({ phones: badPhone }), row({ name: '' }), row({ nat: 'martian' })), { dryRun: 'true' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'succeeded', dryRun: true, totalRows: 5, created: 1, skipped: 4, errorCount: 4 });
    expect(res.body.errors).toEqual([
      { row: 3, column: 'idNumber', message: expect.stringMatching(/check digit/) },
      { row: 4, column: 'phones', message: expect.stringMatching(/not a valid phone number/) },
      { row: 5, column: 'name', message: 'required' },
      { row: 6, column: 'nationality', message: expect.any(String) },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(BAD_ID);
    expect(await customerCount()).toBe(before);
    // Only the dry run's own record of the check: no customer change.
    const events = await t.ctx.db.manager.getRepository(AuditEvent).createQueryBuilder('e').where('e.seq > :s', { s: seqBefore }).getMany();
    expect(events.map((e) => e.action)).toEqual(['customer.import_checked']);
  });

  it('all-or-nothing: one bad row (ID checksum or phone format) and nothing is written (422 import_failed)', async () => {
    const before = await customerCount();
    const bad = await send(admin, csv(row(), row(), row({ id: BAD_ID })));
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('import_failed');
    expect(bad.body.error.details).toMatchObject({ status: 'failed', created: 0, errorCount: 1, errors: [{ row: 4, column: 'idNumber' }] });
    const phone = await send(admin, csv(row({ phones: '139-1234' }), row()));
    expect(phone.status).toBe(422);
    expect(phone.body.error.details.errors).toEqual([{ row: 2, column: 'phones', message: expect.stringMatching(/phone/) }]);
    expect(await customerCount()).toBe(before);
    const rec = await t.http().get(`/api/v1/imports/${bad.body.error.details.id}`).set('Authorization', admin.auth);
    expect(rec.body).toMatchObject({ status: 'failed', errorCount: 1 });
  });

  it('onError=skip writes the good rows and reports the rest', async () => {
    const before = await customerCount();
    const res = await send(admin, csv(row(), row({ phones: 'abc' }), row()), { onError: 'skip' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'succeeded', created: 2, skipped: 1, errorCount: 1, errors: [{ row: 3, column: 'phones' }] });
    expect(await customerCount()).toBe(before + 2);
  });

  it('dedupe: an existing customer with the same ID number or phone is updated; a duplicate within the file is a row error', async () => {
    const phone = makePhone();
    const id = makeIdNumber();
    const first = await send(admin, csv(row({ phones: phone, unit: '1棟101室' }), row({ id, unit: '2棟202室' })));
    expect(first.body.created).toBe(2);
    const before = await customerCount();
    const newPhone = makePhone();
    const second = await send(admin, csv(row({ phones: phone, unit: '1棟999室' }), row({ id, phones: newPhone, unit: '2棟888室' }), row()));
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ created: 1, updated: 2, skipped: 0 });
    expect(await customerCount()).toBe(before + 1);
    const found = await t.http().get(`/api/v1/customers/search?project=${P}&idNumber=${id}`).set('Authorization', admin.auth);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0].unit).toBe('2棟888室');
    const byNew = await t.http().get(`/api/v1/customers/search?project=${P}&phone=${newPhone}`).set('Authorization', admin.auth);
    expect(byNew.body.items.map((c: { id: number }) => c.id)).toEqual([found.body.items[0].id]);
    // A row repeating an earlier row's phone: an error on that row; nothing written.
    const dupPhone = makePhone();
    const dup = await send(admin, csv(row({ phones: dupPhone }), row(), row({ phones: dupPhone })));
    expect(dup.status).toBe(422);
    expect(dup.body.error.details.errors).toEqual([{ row: 4, column: 'phones', message: 'the same phone number is on row 2 of this file' }]);
    expect(await customerCount()).toBe(before + 1);
    // Lookups: one per phone/ID of each customer, no orphan.
    const orphans = await t.ctx.db.manager.query('SELECT COUNT(*) AS n FROM customer_lookup l LEFT JOIN customer c ON c.id = l.customerId WHERE c.id IS NULL');
    expect(Number(orphans[0].n)).toBe(0);
  });

  it('a wrong header is a 400 naming the columns; nothing is written', async () => {
    const before = await customerCount();
    const res = await send(admin, 'name,flat,phones\nA,B,13900000000\n');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_header');
    expect(res.body.error.details).toMatchObject({ unknown: ['flat'], missing: ['unit'] });
    expect(res.body.error.message).toMatch(/flat/);
    expect(await customerCount()).toBe(before);
    expect(await t.ctx.db.manager.getRepository(CustomerImport).countBy({ status: 'queued' })).toBe(0);
  });

  it('a GBK-encoded CSV (Chinese headers) is detected and imported; bytes that are neither UTF-8 nor GB18030 are a clear 400', async () => {
    const phone = makePhone();
    const body = gbk(`姓名,房號,電話,身份證號,備註\n陳大文,三棟一二零四室,${phone},${makeIdNumber()},業主\n`);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(body)).toThrow();
    const res = await send(admin, body);
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(1);
    const found = await t.http().get(`/api/v1/customers/search?project=${P}&phone=${phone}`).set('Authorization', admin.auth);
    expect(found.body.items[0]).toMatchObject({ name: '陳大文', unit: '三棟一二零四室', notes: '業主' });
    const garbage = await send(admin, Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from([0xff, 0xff, 0x80, 0x0a])]));
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('bad_encoding');
  });

  it('an upload over the limit is a 413 and leaves no temp file', async () => {
    const before = await customerCount();
    const big = csv(...Array.from({ length: 1200 }, () => row({ notes: 'x'.repeat(40) })));
    expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
    const res = await send(admin, big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await customerCount()).toBe(before);
    expect(fs.readdirSync(importDir)).toEqual([]);
    // Streamed without a Content-Length (chunked): the bytes are counted as they arrive.
    const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${t.baseUrl}/api/v1/customers/import?project=${P}`, { method: 'POST', headers: { Authorization: admin.auth, 'Content-Type': 'text/csv' } }, (r) => {
        let data = '';
        r.on('data', (d) => (data += d));
        r.on('end', () => resolve({ status: r.statusCode!, body: data }));
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write(big.slice(i * 8000, (i + 1) * 8000));
      req.end();
    });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe('payload_too_large');
    expect(await customerCount()).toBe(before);
    expect(fs.readdirSync(importDir)).toEqual([]);
    // A JSON body is no file (400); another media type is a 415.
    const json = await t.http().post(`/api/v1/customers/import?project=${P}`).set('Authorization', admin.auth).send({ rows: [] });
    expect(json.status).toBe(400);
    const png = await send(admin, Buffer.from([0x89, 0x50, 0x4e, 0x47]), {}, 'image/png');
    expect(png.status).toBe(415);
    expect(png.body.error.code).toBe('unsupported_media_type');
  });

  it('an XLSX built with exceljs imports; a non-XLSX and a zip bomb are refused with 400', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客戶');
    ws.addRow(['Name', 'Unit', 'Phones', 'ID Number', 'Email']);
    const phone = makePhone();
    ws.addRow(['李小明', '5棟0801室', phone, makeIdNumber(), 'lee@example.com']);
    ws.addRow(['王芳', '6棟0101室', `${makePhone()}/${makePhone()}`, '', '']);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const ok = await send(admin, xlsx, {}, XLSX_TYPE);
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ format: 'xlsx', created: 2, errorCount: 0 });
    const found = await t.http().get(`/api/v1/customers/search?project=${P}&phone=${phone}`).set('Authorization', admin.auth);
    expect(found.body.items[0].name).toBe('李小明');

    const before = await customerCount();
    const notXlsx = await send(admin, 'this is not a workbook at all', {}, XLSX_TYPE);
    expect(notXlsx.status).toBe(400);
    expect(notXlsx.body.error.code).toBe('not_xlsx');
    expect(notXlsx.body.error.message).toMatch(/not an XLSX workbook/);
    const plainZip = await send(admin, zip([stored('readme.txt', 'hello')]), {}, XLSX_TYPE);
    expect(plainZip.status).toBe(400);
    expect(plainZip.body.error.code).toBe('not_xlsx');

    const zeros = zlib.deflateRawSync(Buffer.alloc(20 * 1024 * 1024), { level: 9 });
    const bomb = zip([
      ...workbookParts(),
      { name: 'xl/worksheets/sheet1.xml', data: zeros, uncompressed: 20 * 1024 * 1024, method: 8 },
    ]);
    const b = await send(admin, bomb, {}, XLSX_TYPE);
    expect(b.status).toBe(400);
    expect(b.body.error.code).toBe('unsafe_xlsx');
    expect(b.body.error.message).toMatch(/zip bomb|inflate/);
    // The same bomb with lying (small) declared sizes is caught while inflating.
    const liar = zip([
      ...workbookParts(),
      { name: 'xl/worksheets/sheet1.xml', data: zeros, uncompressed: 1000, method: 8 },
    ]);
    const l = await send(admin, liar, {}, XLSX_TYPE);
    expect(l.status).toBe(400);
    expect(l.body.error.code).toBe('unsafe_xlsx');
    expect(await customerCount()).toBe(before);
    expect(fs.readdirSync(importDir)).toEqual([]);
  });

  it('a large import runs in the background (202) and GET /imports/:id shows its status, progress and counts', async () => {
    const before = await customerCount();
    const rows = Array.from({ length: 120 }, () => row());
    const res = await send(admin, csv(...rows));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', totalRows: 120, processedRows: 0 });
    const during = await t.http().get(`/api/v1/imports/${res.body.id}`).set('Authorization', admin.auth);
    expect(during.status).toBe(200);
    expect(['queued', 'running', 'succeeded']).toContain(during.body.status);
    await t.ctx.imports.whenSettled(res.body.id);
    const done = await t.http().get(`/api/v1/imports/${res.body.id}`).set('Authorization', admin.auth);
    expect(done.body).toMatchObject({ status: 'succeeded', totalRows: 120, processedRows: 120, created: 120, updated: 0, errorCount: 0 });
    expect(done.body.finishedAt).toBeTruthy();
    expect(await customerCount()).toBe(before + 120);
    // The clerk may not follow an import either (customer:import); an unknown id is a 404.
    expect((await t.http().get(`/api/v1/imports/${res.body.id}`).set('Authorization', clerk.auth)).status).toBe(403);
    expect((await t.http().get('/api/v1/imports/00000000-0000-4000-8000-000000000000').set('Authorization', admin.auth)).status).toBe(404);
    expect(fs.readdirSync(importDir)).toEqual([]);
  });

  it('a background all-or-nothing import with a bad row ends failed and writes nothing', async () => {
    const before = await customerCount();
    const rows = Array.from({ length: 60 }, () => row());
    rows[55] = row({ id: BAD_ID });
    const res = await send(admin, csv(...rows));
    expect(res.status).toBe(202);
    await t.ctx.imports.whenSettled(res.body.id);
    const done = await t.http().get(`/api/v1/imports/${res.body.id}`).set('Authorization', admin.auth);
    expect(done.body).toMatchObject({ status: 'failed', created: 0, errorCount: 1, errors: [{ row: 57, column: 'idNumber' }] });
    expect(await customerCount()).toBe(before);
  });

  it('imports left queued or running by a stopped process are marked interrupted at start-up, temp file removed', async () => {
    const p = await t.ctx.customers.projectByCode(P);
    const id = '11111111-2222-4333-8444-555555555555';
    await t.ctx.db.manager.getRepository(CustomerImport).insert({
      id,
      projectId: p.id,
      status: 'running',
      dryRun: false,
      onError: 'abort',
      format: 'csv',
      fileName: null,
      byteSize: 10,
      totalRows: 5000,
      processedRows: 1500,
      errors: [],
      createdById: admin.id,
      // A stopped instance of this process (SQLite); on MySQL nobody holds the row and it is past the claim grace.
      runnerId: `${os.hostname().slice(0, 40)}/${process.pid}/0000deadbeef`,
      createdAt: new Date(Date.now() - 3_600_000),
      startedAt: new Date(Date.now() - 3_600_000),
    });
    fs.writeFileSync(t.ctx.imports.tempFile(id), 'name,unit\n');
    expect(await t.ctx.imports.recoverInterrupted()).toBe(1);
    const rec = await t.ctx.db.manager.getRepository(CustomerImport).findOneByOrFail({ id });
    expect(rec.status).toBe('interrupted');
    expect(rec.finishedAt).toBeTruthy();
    expect(fs.existsSync(t.ctx.imports.tempFile(id))).toBe(false);
    const events = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ objectType: 'customer_import', objectId: id });
    expect(events.map((e) => e.action)).toEqual(['customer.import_interrupted']);
    expect(await t.ctx.imports.recoverInterrupted()).toBe(0);
  });

  it('lookups of imported customers point at the right records', async () => {
    const p = await t.ctx.customers.projectByCode(P);
    const customers = await t.ctx.db.manager.getRepository(Customer).findBy({ projectId: p.id });
    const lookups = await t.ctx.db.manager.getRepository(CustomerLookup).findBy({ projectId: p.id });
    const byCustomer = new Map<number, string[]>();
    for (const l of lookups) byCustomer.set(l.customerId, [...(byCustomer.get(l.customerId) ?? []), l.digest]);
    for (const c of customers) {
      const personal = t.ctx.customers.decryptPersonal(c);
      const expected = t.ctx.customers.lookupsFor(c, personal).map((l) => l.digest).sort();
      expect((byCustomer.get(c.id) ?? []).sort()).toEqual(expected);
    }
  });
});

describe('R-SECRET: import errors never echo personal values', () => {
  it('R-SECRET: a malformed CSV row is reported by line and code, without the cell value', async () => {
    const t = await startTestApp();
    try {
      const P = (await makeProject(t)).code;
      const phone = makePhone();
      const csv = `name,unit,phones\nA,1-101,${makePhone()}\nB,1-102,"${phone} "x\n`;
      const res = await t.http().post('/api/v1/customers/import').query({ project: P }).set('Authorization', `Bearer ${t.admin.token}`).set('Content-Type', 'text/csv').send(csv);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_csv');
      expect(JSON.stringify(res.body)).not.toContain(phone);
      expect(res.body.error.message).toMatch(/line 3/);
    } finally {
      await t.close();
    }
  });
});
