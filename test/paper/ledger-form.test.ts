import ExcelJS from 'exceljs';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { formatDate, formatDateTime, pdfText } from '../../src/lib/documents';
import { LEDGER_COLUMNS, LedgerRow } from '../../src/features/paper/ledger-form.service';
import { makeProject, makeUser, MadeUser } from '../helpers/factories';
import { TwoPersonConfirmation } from '../../src/entities/TwoPersonConfirmation';
import { actorOf, binary, confirmedReturn, makeCopy, makePaperOrg, PaperOrg, witnessedDestruction } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

let t: TestApp;
let o: PaperOrg;
let auditor: MadeUser;
let inspector: MadeUser;
beforeAll(async () => {
  t = await startTestApp();
  o = await makePaperOrg(t);
  auditor = await makeUser(t, { roles: [['auditor', '*']] });
  inspector = await makeUser(t, { roles: [['quality_inspector', '*']] });
});
afterAll(async () => {
  await t?.close();
});

const m = () => t.ctx.db.manager;
const form = (u: { auth: string }, query: Record<string, string>) => t.http().get('/api/v1/ledger/form').query(query).set('Authorization', u.auth).buffer(true).parse(binary as never);
/** CSV lines as cells (the form has no embedded newlines or quotes in these tests). */
const csvRows = (buf: Buffer) =>
  buf
    .toString('utf8')
    .replace(/^\ufeff/, '')
    .trim()
    .split('\n')
    .map((l) => l.split(','));

/** Moves a copy's approval (issue) time, so that periods can be tested. */
async function issuedAt(serial: string, at: Date) {
  await m().getRepository(ControlledCopy).update({ serial }, { issuedAt: at });
}

describe('the §7 record form (R-LEDGER-FORM)', () => {
  let returned: ControlledCopy;
  let destroyed: ControlledCopy;
  let open: ControlledCopy;
  let outside: ControlledCopy;
  let otherProject: string;
  let elsewhere: ControlledCopy;

  beforeAll(async () => {
    // Three copies in November 2026 (Asia/Shanghai), one in October, one in another department's project.
    returned = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    destroyed = await makeCopy(t, o.clerk, o.pm, o.project, { signed: true });
    open = await makeCopy(t, o.staff, o.head, o.project);
    outside = await makeCopy(t, o.staff, o.pm, o.project);
    await confirmedReturn(t, o.staff, o.pm, returned.serial);
    await witnessedDestruction(t, o.clerk, o.pm, destroyed.serial);
    await issuedAt(returned.serial, new Date('2026-11-03T02:00:00Z'));
    await issuedAt(destroyed.serial, new Date('2026-11-10T02:00:00Z'));
    await issuedAt(open.serial, new Date('2026-11-30T15:59:00Z')); // 30 Nov 23:59 in Shanghai
    await issuedAt(outside.serial, new Date('2026-10-31T15:59:00Z')); // 31 Oct 23:59 in Shanghai
    otherProject = (await makeProject(t)).code;
    const otherPm = await makeUser(t, { roles: [['project_manager', `project:${otherProject}`]] });
    const otherStaff = await makeUser(t, { roles: [['staff', `project:${otherProject}`]] });
    elsewhere = await makeCopy(t, otherStaff, otherPm, otherProject);
    await issuedAt(elsewhere.serial, new Date('2026-11-15T02:00:00Z'));
  });

  // Whole days, both included.
  const november = { from: '2026-11-01', to: '2026-11-30' };

  test('R-LEDGER-FORM: the CSV has the Chinese header row, the English one, and one line per copy with a ledger event in [from, to) of the scope, with return and destruction details', async () => {
    const res = await form(o.pm, { ...november, scope: `project:${o.project}`, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain(`ledger-form_project-${o.project}_`);
    const rows = csvRows(res.body as Buffer);
    expect(rows[0]).toEqual(LEDGER_COLUMNS.map((c) => c.zh));
    expect(rows[1]).toEqual(LEDGER_COLUMNS.map((c) => c.en));
    expect(rows[0].slice(0, 4)).toEqual(['編號', '內容摘要', '借閱人', '批准人']);
    const body = rows.slice(2);
    const col = (key: string) => LEDGER_COLUMNS.findIndex((c) => c.key === key);
    // In time order (each copy at its first event in the period); October and the other project are out.
    expect(body.map((r) => r[col('serial')])).toEqual([returned.serial, destroyed.serial, open.serial]);
    const [r1, r2, r3] = body;
    expect(r1[col('summary')]).toContain('Owner meeting sign-in sheet');
    expect(r1[col('summary')]).toContain('2 records');
    expect(r1[col('requester')]).toContain(o.staff.username);
    expect(r1[col('approver')]).toContain(o.pm.username);
    expect(r1[col('approvedAt')]).toBe('2026-11-03 10:00');
    expect(r1[col('signedBy')]).toContain(o.staff.username);
    expect(r1[col('returnedAt')]).not.toBe('');
    expect(r1[col('destroyedAt')]).toBe('');
    expect(r2[col('requester')]).toContain(o.clerk.username);
    expect(r2[col('destroyedAt')]).not.toBe('');
    expect(r2[col('method')]).toContain('shredding');
    expect(r2[col('witness')]).toContain(o.pm.username);
    expect(r3[col('approver')]).toContain(o.head.username);
    expect(r3[col('signedAt')]).toBe('');
    expect(r3[col('signedBy')]).toBe('');
    // Producing the form is audited.
    const ev = await m().getRepository(AuditEvent).findOne({ where: { action: 'ledger_form.produced', actorId: o.pm.id }, order: { seq: 'DESC' } });
    expect(ev).toMatchObject({ scope: `project:${o.project}`, decision: 'allow' });
    expect(ev!.after).toMatchObject({ format: 'csv', rows: 3 });
  });

  test('R-LEDGER-FORM: scopes: the department covers its projects; the company covers all (auditor, quality department)', async () => {
    const dept = csvRows((await form(o.head, { ...november, scope: `dept:${o.dept}`, format: 'csv' })).body as Buffer).slice(2);
    expect(dept.map((r) => r[0])).toEqual([returned.serial, destroyed.serial, open.serial]);
    for (const u of [auditor, inspector]) {
      const all = csvRows((await form(u, { ...november, scope: '*', format: 'csv' })).body as Buffer).slice(2).map((r) => r[0]);
      expect(all).toEqual(expect.arrayContaining([returned.serial, destroyed.serial, open.serial, elsewhere.serial]));
      expect(all).not.toContain(outside.serial);
    }
    const october = csvRows((await form(o.pm, { from: '2026-10-01', to: '2026-10-31', scope: `project:${o.project}`, format: 'csv' })).body as Buffer).slice(2);
    expect(october.map((r) => r[0])).toEqual([outside.serial]);
  });

  test('R-LEDGER-FORM: XLSX and PDF carry the same form (Chinese title and headers, the serials)', async () => {
    const x = await form(o.pm, { ...november, scope: `project:${o.project}`, format: 'xlsx' });
    expect(x.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.body as never);
    const cells: string[] = [];
    wb.worksheets[0].eachRow((row) => row.eachCell((cell) => cells.push(String(cell.value))));
    expect(cells).toEqual(
      expect.arrayContaining(['編號', 'Serial', '監銷人', 'Witness', '監銷確認時間', 'Witness confirmed at', '接收人', 'Keeper', '接收確認時間', 'Receipt confirmed at', returned.serial, destroyed.serial, open.serial]),
    );

    const p = await form(o.pm, { ...november, scope: `project:${o.project}`, format: 'pdf' });
    expect(p.status).toBe(200);
    expect(p.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(p.body as Buffer)).join('\n').replace(/\s+/g, '');
    expect(text).toContain('客戶信息借閱、銷毀記錄表');
    expect(text).toContain('監銷人');
    expect(text).toContain('監銷確認時間');
    expect(text).toContain('接收確認時間');
    for (const c of [returned, destroyed, open]) expect(text).toContain(c.serial);
    expect(text).not.toContain(elsewhere.serial);
  });

  test('R-LEDGER-FORM: ledger_form:read is needed in the scope asked: a project manager cannot take the company or another project (403); staff cannot take it at all', async () => {
    for (const [u, scope] of [
      [o.pm, '*'],
      [o.pm, `project:${otherProject}`],
      [o.staff, `project:${o.project}`],
    ] as const) {
      const res = await form(u, { ...november, scope, format: 'csv' });
      expect(res.status).toBe(403);
      expect(JSON.parse((res.body as Buffer).toString()).error.details.permission).toBe('ledger_form:read');
    }
  });

  test('R-LEDGER-FORM: bad input is 400 and produces nothing: to before from, a malformed date, a malformed scope, an unknown format', async () => {
    const head = async () => (await m().getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;
    for (const [q, path] of [
      [{ from: '2026-12-01', to: '2026-11-01', scope: `project:${o.project}` }, 'query.to'],
      [{ from: '2026-13-45x', to: '2026-11-01', scope: `project:${o.project}` }, 'query.from'],
      [{ from: '2026-02-30', to: '2026-11-01', scope: `project:${o.project}` }, 'query.from'],
      [{ ...november, scope: 'team:alpha' }, 'query.scope'],
      [{ ...november, scope: `project:${o.project}`, format: 'docx' }, 'query.format'],
    ] as const) {
      const before = await head();
      const res = await form(o.pm, q as Record<string, string>);
      expect(res.status).toBe(400);
      expect(JSON.parse((res.body as Buffer).toString()).error.details.map((d: { path: string }) => d.path)).toContain(path);
      expect(await head()).toBe(before);
    }
  });

  test('R-LEDGER-FORM: another ledger can add its lines to the form through a registered row source', async () => {
    const extra: LedgerRow = {
      source: 'test_handover',
      serial: 'HF-TEST-1',
      summary: 'Developer handover list',
      requester: null,
      approver: null,
      approvedAt: null,
      signedAt: null,
      signedBy: null,
      expiresAt: null,
      returnedAt: null,
      destroyedAt: new Date('2026-11-20T03:00:00Z'),
      method: '碎紙 shredding',
      witness: 'witness (w.one)',
      status: 'destroyed',
      at: new Date('2026-11-20T03:00:00Z'),
    };
    const seen: Array<number[] | null> = [];
    t.ctx.ledgerForm.addSource('test_handover', async (from, to, projectIds) => {
      seen.push(projectIds);
      return extra.at >= from && extra.at < to ? [extra] : [];
    });
    const rows = csvRows((await form(o.pm, { ...november, scope: `project:${o.project}`, format: 'csv' })).body as Buffer).slice(2);
    expect(rows.map((r) => r[0])).toEqual([returned.serial, destroyed.serial, 'HF-TEST-1', open.serial]);
    expect(seen.at(-1)).toHaveLength(1);
    expect(() => t.ctx.ledgerForm.addSource('test_handover', async () => [])).toThrow();
  });
});

describe('the §7 form covers every ledger event of the period (R-LEDGER-FORM)', () => {
  const DAY = 86_400_000;
  const tz = () => t.ctx.config.timezone;
  /** The form's lines of the project for the local days [from, to). */
  const lines = async (from: string, to: string) => {
    const res = await form(o.pm, { from, to, scope: `project:${o.project}`, format: 'csv' });
    expect(res.status).toBe(200);
    return csvRows(res.body as Buffer).slice(2);
  };
  const col = (key: string) => LEDGER_COLUMNS.findIndex((c) => c.key === key);
  /** The local day of `d`, as the form's from and to (days are whole days, both included). */
  const dayOf = (d: Date) => [formatDate(d, tz()), formatDate(d, tz())] as const;

  test('R-LEDGER-FORM: a copy issued 40 days ago and destroyed today is on today\'s form (with all its dates) as well as on the form of its issue day, and on no day in between', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const issued = new Date(Date.now() - 40 * DAY);
    await m().getRepository(ControlledCopy).update({ id: c.id }, { issuedAt: issued, signedAt: new Date(issued.getTime() + 3_600_000), expiresAt: new Date(issued.getTime() + 50 * DAY) });
    const view = await witnessedDestruction(t, o.staff, o.pm, c.serial, { method: 'pulping' });
    const destroyedAt = new Date(view.destroyedAt!);

    const today = (await lines(...dayOf(destroyedAt))).filter((r) => r[col('serial')] === c.serial);
    expect(today).toHaveLength(1);
    const [line] = today;
    // One line with every date of the copy, the ones outside the period included.
    expect(line[col('approvedAt')].slice(0, 10)).toBe(formatDate(issued, tz()));
    expect(line[col('signedAt')]).not.toBe('');
    expect(line[col('destroyedAt')].slice(0, 10)).toBe(formatDate(destroyedAt, tz()));
    expect(line[col('method')]).toContain('pulping');
    expect(line[col('witness')]).toContain(o.pm.username);

    expect((await lines(...dayOf(issued))).map((r) => r[col('serial')])).toContain(c.serial);
    expect((await lines(...dayOf(new Date(issued.getTime() + 20 * DAY)))).map((r) => r[col('serial')])).not.toContain(c.serial);
  });

  test('R-LEDGER-FORM: returns and losses of copies issued before the period are on the form too; lines sort by their first event in the period', async () => {
    const returned = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const lost = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const issued = new Date(Date.now() - 40 * DAY);
    for (const c of [returned, lost]) await m().getRepository(ControlledCopy).update({ id: c.id }, { issuedAt: issued, signedAt: issued, expiresAt: new Date(issued.getTime() + 50 * DAY) });
    const r = await confirmedReturn(t, o.staff, o.pm, returned.serial);
    const l = await t.ctx.copies.reportLost(actorOf(o.staff), await t.ctx.copies.loadBySerial(lost.serial), { description: 'left on the bus' });
    const rows = (await lines(...dayOf(new Date(r.returnedAt!)))).filter((x) => [returned.serial, lost.serial].includes(x[col('serial')]));
    // The return came before the loss report: that is the order of the form.
    expect(rows.map((x) => x[col('serial')])).toEqual([returned.serial, lost.serial]);
    expect(rows[0][col('returnedAt')]).not.toBe('');
    expect(rows[1][col('lostAt')].slice(0, 10)).toBe(formatDate(new Date(l.lostAt!), tz()));
    expect(rows[1][col('status')]).toContain('lost');
  });

  test('R-LEDGER-FORM: the file is named by the local dates the period covers (March: 2026-03-01 … 2026-03-31)', async () => {
    const res = await form(o.pm, { from: '2026-03-01', to: '2026-03-31', scope: `project:${o.project}`, format: 'csv' });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="ledger-form_project-${o.project}_2026-03-01_2026-03-31.csv"`);
    const company = await form(auditor, { from: '2026-11-28', to: '2026-11-28', scope: '*', format: 'pdf' });
    expect(company.headers['content-disposition']).toBe('attachment; filename="ledger-form_company_2026-11-28_2026-11-28.pdf"');
  });

  // Issue 11 item 7: to=2026-12-31 silently dropped 31 December (the day was read as its midnight, exclusive), and from=to was refused.
  test('R-LEDGER-FORM: days given as days are whole days, both included: to=2026-12-31 covers 31 December, from=to is that one day; date-times stay [from, to)', async () => {
    const c = await makeCopy(t, o.staff, o.pm, o.project);
    await issuedAt(c.serial, new Date('2026-12-31T15:30:00Z')); // 31 December 23:30 in Shanghai
    const serials = async (q: Record<string, string>) => {
      const res = await form(o.pm, { scope: `project:${o.project}`, format: 'csv', ...q });
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
      return csvRows(res.body as Buffer).slice(2).map((r) => r[col('serial')]);
    };
    expect(await serials({ from: '2026-12-01', to: '2026-12-31' })).toContain(c.serial);
    expect(await serials({ from: '2026-12-31', to: '2026-12-31' })).toContain(c.serial);
    expect(await serials({ from: '2026-12-30', to: '2026-12-30' })).not.toContain(c.serial);
    expect(await serials({ from: '2027-01-01', to: '2027-01-01' })).not.toContain(c.serial);
    // Date-times are instants: the end is exclusive.
    expect(await serials({ from: '2026-12-31T00:00:00+08:00', to: '2026-12-31T15:30:00Z' })).not.toContain(c.serial);
    expect(await serials({ from: '2026-12-31T00:00:00+08:00', to: '2026-12-31T15:30:00.001Z' })).toContain(c.serial);
    // The form says which days it covers.
    const pdf = await form(o.pm, { from: '2026-12-01', to: '2026-12-31', scope: `project:${o.project}`, format: 'pdf' });
    expect((await pdfText(pdf.body as Buffer)).join('\n')).toContain('期間 Period：2026-12-01 – 2026-12-31');
    expect(pdf.headers['content-disposition']).toContain('_2026-12-01_2026-12-31.pdf');
    // The route documents it.
    const doc = await t.http().get('/api/v1/openapi.json');
    expect(JSON.stringify(doc.body.paths['/api/v1/ledger/form'])).toContain('both included');
  });

  test('R-LEDGER-FORM: the form shows who confirmed each return and destruction and when (the keeper, the witness); a destruction awaiting its witness, or lapsed, shows as such and not destroyed', async () => {
    const done = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const pending = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const lapsed = await makeCopy(t, o.staff, o.pm, o.project, { signed: true });
    const returnedView = await confirmedReturn(t, o.staff, o.pm, done.serial);
    const destroyedView = await witnessedDestruction(t, o.pm, o.head, done.serial);
    for (const c of [pending, lapsed]) {
      await t.ctx.copies.destroy(actorOf(o.staff), await t.ctx.copies.loadBySerial(c.serial), { method: 'shredding', place: 'Service centre', witnessUserId: o.pm2.id });
    }
    const row = await m().getRepository(ControlledCopy).findOneByOrFail({ serial: lapsed.serial });
    await m().getRepository(TwoPersonConfirmation).update({ id: row.confirmationId! }, { dueAt: new Date(Date.now() - 1000) });
    await m().getRepository(ControlledCopy).update({ id: row.id }, { confirmationDueAt: new Date(Date.now() - 1000) });

    const today = formatDate(new Date(), tz());
    const lines = csvRows((await form(o.pm, { from: today, to: today, scope: `project:${o.project}`, format: 'csv' })).body as Buffer).slice(2);
    const line = (serial: string) => lines.find((r) => r[col('serial')] === serial)!;
    const d = line(done.serial);
    expect(d[col('keeper')]).toContain(o.pm.username);
    expect(d[col('keeperConfirmedAt')]).toBe(formatDateTime(new Date(returnedView.keeperConfirmedAt!), tz()));
    expect(d[col('witness')]).toContain(o.head.username);
    expect(d[col('witnessConfirmedAt')]).toBe(formatDateTime(new Date(destroyedView.witnessConfirmedAt!), tz()));
    expect(d[col('method')]).toContain('Service centre shredder room');
    expect(d[col('status')]).toContain('destroyed');
    for (const [serial, status] of [
      [pending.serial, '待監銷確認 awaiting witness'],
      [lapsed.serial, '確認逾期 confirmation expired'],
    ]) {
      const p = line(serial);
      expect({ serial, status: p[col('status')], destroyedAt: p[col('destroyedAt')], witness: p[col('witness')], confirmedAt: p[col('witnessConfirmedAt')] }).toEqual({
        serial,
        status,
        destroyedAt: '',
        witness: '',
        confirmedAt: '',
      });
    }
  });
});
