import ExcelJS from 'exceljs';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { CustomerExport } from '../../src/entities/CustomerExport';
import { makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/** supertest: collect a binary body. */
function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

describe('export of control data', () => {
  let t: TestApp;
  let P: string;
  let admin: MadeUser;
  let clerk: MadeUser;
  const phone = makePhone();
  const idNumber = makeIdNumber();

  beforeAll(async () => {
    t = await startTestApp();
    P = (await makeProject(t)).code;
    admin = await makeUser(t, { roles: [['it_admin', '*']] });
    clerk = await makeUser(t, { roles: [['info_clerk', `project:${P}`]] });
    const actor = { id: admin.id, username: admin.username };
    await t.ctx.customers.create(actor, P, { name: '李四', unit: '2棟0301室', nationality: 'domestic', phones: [phone], idNumber, employer: '=HYPERLINK("http://evil")', notes: '+SUM(A1)' });
    await t.ctx.customers.create(actor, P, { name: 'Jane Doe', unit: 'B座2201', nationality: 'foreign', phones: [makePhone()], idNumber: 'P1234567' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('R-CTRL-IT: the IT admin exports CSV; the file names its export id, exporter and time; formula cells are neutralised; the export is recorded and audited', async () => {
    const res = await t.http().get('/api/v1/customers/export').query({ project: P, purpose: 'annual data reconciliation' }).set('Authorization', admin.auth);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const exportId = res.headers['x-export-id'];
    const lines = res.text.replace(/^\ufeff/, '').split('\n');
    expect(lines[0]).toBe(`# Custodian export ${exportId}`);
    expect(lines[1]).toMatch(new RegExp(`^# exported by ${admin.username} at \\d{4}-\\d\\d-\\d\\dT`));
    expect(lines[4]).toBe('name,unit,nationality,phones,idNumber,employer,email,emergencyContact,notes');
    expect(res.text).toContain(phone);
    expect(res.text).toContain(idNumber);
    expect(res.text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(res.text).toContain("'+SUM(A1)");
    const rec = await t.ctx.db.manager.getRepository(CustomerExport).findOneByOrFail({ id: exportId });
    expect(rec).toMatchObject({ rowCount: 2, purpose: 'annual data reconciliation', createdById: admin.id, format: 'csv' });
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'customer.exported', objectId: exportId });
    expect(ev.after).toMatchObject({ rowCount: 2, exportId });
    expect(JSON.stringify(ev)).not.toContain(phone);
  });

  it('R-CTRL-IT: XLSX export carries the export id in the workbook properties and the first row', async () => {
    const res = await t.http().get('/api/v1/customers/export').query({ project: P, format: 'xlsx', purpose: 'migration to the new CRM', fields: 'phones' }).set('Authorization', admin.auth).buffer(true).parse(binary as never);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as never);
    const exportId = res.headers['x-export-id'];
    expect(wb.title).toBe(`Custodian export ${exportId}`);
    expect(wb.creator).toBe(admin.username);
    const ws = wb.worksheets[0];
    expect(String(ws.getRow(1).getCell(1).value)).toContain(exportId);
    expect((ws.getRow(5).values as unknown[]).slice(1)).toEqual(['name', 'unit', 'nationality', 'phones', 'notes']);
    expect(String(ws.getRow(6).getCell(4).value)).toBe(phone);
  });

  it('R-CTRL-CLERK: a clerk is refused export by the deny line (403 names the deny)', async () => {
    const res = await t.http().get('/api/v1/customers/export').query({ project: P, purpose: 'take home' }).set('Authorization', clerk.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.details.reason).toMatch(/denied by policy line info_clerk, \*, customer, export, deny/);
  });

  it('an export without a purpose is a 400 and records nothing', async () => {
    const before = await t.ctx.db.manager.getRepository(CustomerExport).count();
    const res = await t.http().get('/api/v1/customers/export').query({ project: P }).set('Authorization', admin.auth);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('query.purpose');
    expect(await t.ctx.db.manager.getRepository(CustomerExport).count()).toBe(before);
  });
});

describe('export and import round trip', () => {
  it('R-CTRL-IT: a CSV export (with its metadata lines) imports back into another project unchanged', async () => {
    const t = await startTestApp();
    try {
      const P = (await makeProject(t)).code;
      const Q = (await makeProject(t)).code;
      const admin = await makeUser(t, { roles: [['it_admin', '*']] });
      const actor = { id: admin.id, username: admin.username };
      const phone = makePhone();
      await t.ctx.customers.create(actor, P, { name: '周七, "小周"', unit: '7#702', nationality: 'domestic', phones: [phone], employer: '某公司', notes: '# not a comment' });
      await t.ctx.customers.create(actor, P, { name: 'John Smith', unit: 'B座2201', nationality: 'foreign', phones: ['+442079460000'], idNumber: 'P9988776' });
      const exp = await t.http().get('/api/v1/customers/export').query({ project: P, purpose: 'move to project Q' }).set('Authorization', admin.auth);
      const imp = await t.http().post('/api/v1/customers/import').query({ project: Q }).set('Authorization', admin.auth).set('Content-Type', 'text/csv').send(exp.text);
      expect(imp.status).toBe(201);
      expect(imp.body).toMatchObject({ created: 2 });
      const [john] = await t.ctx.customers.search(actor, Q, 'phone', '+442079460000');
      expect(john).toMatchObject({ name: 'John Smith', nationality: 'foreign' });
      const [found] = await t.ctx.customers.search(actor, Q, 'phone', phone);
      const clear = await t.ctx.customers.reveal(actor, await t.ctx.customers.load(found.id), ['phones', 'employer'], 'round trip check');
      expect(found).toMatchObject({ name: '周七, "小周"', unit: '7#702', notes: '# not a comment' });
      expect(clear).toMatchObject({ phones: [phone], employer: '某公司' });
    } finally {
      await t.close();
    }
  });
});
