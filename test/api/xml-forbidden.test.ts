/**
 * Characters XML cannot carry (issue 11, item 5). One U+FFFF in a print request's purpose made
 * the company-wide §7 form unreadable as XLSX (R-LEDGER-FORM): Excel, exceljs and every XML
 * parser refuse the whole file. Two lines of defence, both proven here:
 * 1. input: every such character (C0 controls but tab, LF, CR; U+FFFE, U+FFFF) in any string of
 *    the params, the query or the body of any route is a 400 naming the field, and changes
 *    nothing (src/api/validate.ts); a customer import makes it a row error naming the column;
 * 2. output: what is already stored (written here straight through the repositories, as data
 *    from before the fix would be) still gives every document the service produces, each opened
 *    again: exceljs for XLSX, pdf-parse for PDF (src/lib/xml-safe.ts in every XLSX writer).
 */
import ExcelJS from 'exceljs';
import { MoreThan, Not } from 'typeorm';
import { z } from 'zod';
import type { RouteSpec } from '../../src/api/route';
import { allRoutes } from '../../src/api/routes';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { CaseStatistics } from '../../src/entities/CaseStatistics';
import { Customer } from '../../src/entities/Customer';
import { Department } from '../../src/entities/Department';
import { InspectionItem } from '../../src/entities/InspectionItem';
import { PrintRequest } from '../../src/entities/PrintRequest';
import { Project } from '../../src/entities/Project';
import { Sanction } from '../../src/entities/Sanction';
import { User } from '../../src/entities/User';
import { pdfText } from '../../src/lib/documents';
import { hasXmlForbidden } from '../../src/lib/xml-safe';
import { freshMonth, monthPeriod } from '../helpers/assessments-factories';
import { registerCase } from '../helpers/case-factories';
import { makeDepartment, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { makeInspection } from '../helpers/inspections-factories';
import { actorOf, binary, makeCopy, makePrintRequest } from '../helpers/paper-factories';
import { makeIncident } from '../helpers/sanctions-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

jest.setTimeout(240_000);

/** Every character XML 1.0 forbids that JSON and CSV can carry (lone surrogates have their own tests). */
const FORBIDDEN: string[] = [
  ...Array.from({ length: 0x20 }, (_, c) => c).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d),
  0xfffe,
  0xffff,
].map((c) => String.fromCharCode(c));
const codePoint = (ch: string) => `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
/** Every forbidden character in one string, as stored text before the fix could hold it. */
const ALL = FORBIDDEN.join('');
/** What the documents show instead: one U+FFFD per forbidden character. */
const REPLACED = '\ufffd'.repeat(FORBIDDEN.length);

let t: TestApp;
let dept: { id: number; code: string };
let project: { id: number; code: string };
/** Holds every role where the fixtures live, so that authorization lets the body be read. */
let superUser: MadeUser;
const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method.toUpperCase()} ${r.path}`;

beforeAll(async () => {
  t = await startTestApp();
  dept = await makeDepartment(t);
  project = await makeProject(t, { departmentCode: dept.code });
  superUser = await makeUser(t, {
    roles: [
      ...(['it_admin', 'quality_inspector', 'general_manager', 'auditor'].map((r) => [r, '*']) as Array<[string, string]>),
      ['dept_head', `dept:${dept.code}`],
      ...(['project_manager', 'info_clerk', 'staff', 'customer_manager'].map((r) => [r, `project:${project.code}`]) as Array<[string, string]>),
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

/** Runs `fn` over `items`, `width` at a time (the sweeps send thousands of small requests). */
async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

interface Issue {
  path: string;
  message: string;
}

/** The 400 of the input guard for `ch`: validation_failed with exactly `paths`, each message naming the code point. */
function guardMismatch(res: { status: number; body: { error?: { code?: string; details?: Issue[] } } }, ch: string, paths: string[]): string | null {
  const details = res.body?.error?.details ?? [];
  const got = Array.isArray(details) ? details.map((d) => d.path).sort() : [];
  const ok =
    res.status === 400 &&
    res.body.error?.code === 'validation_failed' &&
    JSON.stringify(got) === JSON.stringify([...paths].sort()) &&
    details.every((d) => d.message.includes(codePoint(ch)));
  return ok ? null : `${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
}

type Json = { type?: string | string[]; properties?: Record<string, Json>; items?: Json; anyOf?: Json[]; oneOf?: Json[] };
const jsonSchema = (s: z.ZodType): Json => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;
const admitsString = (s: Json): boolean => s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string')) || [...(s.anyOf ?? []), ...(s.oneOf ?? [])].some(admitsString);

/** A value filling every text field (also nested in objects and arrays) with `text`, and the paths of those fields. */
function textFields(s: Json, text: string, depth = 0): { value: unknown; paths: string[][] } | null {
  if (depth > 4) return null;
  if (admitsString(s)) return { value: text, paths: [[]] };
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const r = textFields(branch, text, depth + 1);
    if (r) return r;
  }
  if (s.properties) {
    const value: Record<string, unknown> = {};
    const paths: string[][] = [];
    for (const [k, p] of Object.entries(s.properties)) {
      const r = textFields(p, text, depth + 1);
      if (!r) continue;
      value[k] = r.value;
      paths.push(...r.paths.map((q) => [k, ...q]));
    }
    return paths.length ? { value, paths } : null;
  }
  if (s.items) {
    const r = textFields(s.items, text, depth + 1);
    return r ? { value: [r.value], paths: r.paths.map((q) => ['0', ...q]) } : null;
  }
  return null;
}

/** The records path parameters name (a record the super user may act on), by the path's resource. */
const fills = new Map<string, string>();
function fillPath(path: string, override?: { name: string; value: string }): string {
  const resource = /^\/api\/v1\/([^/]+)/.exec(path)?.[1] ?? '';
  return path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    if (override && override.name === name) return encodeURIComponent(override.value);
    return encodeURIComponent(fills.get(`${resource}:${name}`) ?? fills.get(`*:${name}`) ?? '1');
  });
}

/** Data changes since `seq`: every change writes an audit event in its transaction; a 400 writes none (denials are events too, but no change). */
async function changesSince(seq: number): Promise<string[]> {
  const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { seq: MoreThan(seq), action: Not('access.denied') }, order: { seq: 'ASC' } });
  return events.map((e) => e.action);
}
const auditSeq = async () => (await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq;

describe('R-LEDGER-FORM input: every character XML forbids is refused with a 400 naming the field, and changes nothing', () => {
  beforeAll(async () => {
    const admin = { id: t.admin.id, username: t.admin.username };
    const customer = await t.ctx.customers.create(admin, project.code, { name: 'Sweep customer', unit: '1棟101室', nationality: 'domestic', phones: [makePhone()] });
    const staff = await makeUser(t, { roles: [['staff', `project:${project.code}`]] });
    const request = await makePrintRequest(t, staff, project.code, { customerIds: [customer.id] });
    const note = await t.ctx.surveys.create(admin, project.code, { source: 'interview', text: '業主希望增加車位' });
    const item = await t.ctx.inventory.create(admin, dept.code, { infoClass: 'paper_archive', description: 'Owner archives', keeperName: 'Archive clerk', location: 'Room 101', approxCount: 10 } as never);
    const release = await t.ctx.releases.request(admin, { project: project.code, recipient: 'Sweep Ltd', purpose: 'sweep', fields: [], format: 'csv' });
    const incident = await makeIncident(t, { project: project.code });
    const caseView = await registerCase(t, superUser, project.code, customer.id);
    const { inspection, items } = await makeInspection(t, project.id);
    const { assessment } = await t.ctx.assessments.ensureFor(dept.id, monthPeriod(t, freshMonth()));
    const sanction = await t.ctx.sanctions.propose(actorOf(superUser), {
      source: { type: 'incident', id: (await makeIncident(t, { project: project.code, reporterId: staff.id })).id },
      userId: staff.id,
      kind: 'reward',
      ground: 'report',
      amount: 100,
      reason: 'Reported at once',
    });
    for (const [k, v] of Object.entries({
      'departments:code': dept.code,
      'projects:code': project.code,
      'users:id': String(staff.id),
      'customers:id': String(customer.id),
      'print-requests:id': String(request.id),
      'survey-notes:id': String(note.id),
      'inventory:id': String(item.id),
      'external-releases:id': String(release.id),
      'incidents:id': String(incident.id),
      'cases:id': String(caseView.id),
      'inspections:id': String(inspection.id),
      'inspections:itemId': String(items[0].id),
      'risk-assessments:id': String(assessment.id),
      'sanctions:id': String(sanction.id),
      'jobs:name': 'audit-verify',
      'case-statistics:period': '2026-10',
      'imports:id': '00000000-0000-4000-8000-000000000000',
      '*:serial': 'PC-SWEEP-1',
    })) {
      fills.set(k, v);
    }
  });

  const scopeFields = (): Record<string, string> => ({ project: project.code, department: dept.code });
  const send = (spec: RouteSpec, path: string, query?: Record<string, string>, body?: unknown) => {
    let call = t.http()[spec.method](path).set('Authorization', superUser.auth);
    if (query) call = call.query(query);
    return body === undefined ? call : call.send(body as object);
  };

  test('R-LEDGER-FORM: body: every forbidden character in every text field of every route that reads a body (print request purpose, customer fields, notes...) → 400 naming each field', async () => {
    const seq = await auditSeq();
    const failures: string[] = [];
    const reached = new Set<string>();
    const unreached = new Set<string>();
    const cases: Array<{ spec: RouteSpec; ch: string }> = [];
    for (const spec of allRoutes(t.ctx)) {
      if (!spec.body || !textFields(jsonSchema(spec.body), 'x')) continue;
      for (const ch of FORBIDDEN) cases.push({ spec, ch });
    }
    await pool(cases, 6, async ({ spec, ch }) => {
      const { value, paths } = textFields(jsonSchema(spec.body!), `a${ch}b`)!;
      const body = { ...(value as object) } as Record<string, unknown>;
      // A project or department named in the body is a real one: where the scope is read from it
      // (projectInBody and the like), it resolves before the body is read (its own 400 naming the
      // field: tested below).
      let expected = paths;
      for (const [field, code] of Object.entries(scopeFields())) {
        if (!(field in body)) continue;
        body[field] = code;
        expected = expected.filter((p) => p[0] !== field);
      }
      if (expected.length === 0) return;
      const query = spec.query && 'project' in (jsonSchema(spec.query).properties ?? {}) ? { project: project.code } : undefined;
      const res = await send(spec, fillPath(spec.path), query, body);
      if (res.status === 404 || res.status === 403 || res.status === 409) {
        unreached.add(`${routeKey(spec)} (${res.status})`);
        return;
      }
      reached.add(routeKey(spec));
      const wrong = guardMismatch(res, ch, expected.map((p) => ['body', ...p].join('.')));
      if (wrong) failures.push(`${routeKey(spec)} ${codePoint(ch)}: ${wrong}`);
    });
    expect(failures).toEqual([]);
    // The main write routes are all reached (the rest need records no fixture here makes).
    expect([...reached]).toEqual(
      expect.arrayContaining([
        'POST /api/v1/print-requests',
        'POST /api/v1/customers',
        'PATCH /api/v1/customers/:id',
        'POST /api/v1/survey-notes',
        'POST /api/v1/survey-notes/:id/reconcile',
        'POST /api/v1/print-requests/:id/approve',
        'POST /api/v1/print-requests/:id/reject',
        'POST /api/v1/copies/:serial/destroy',
        'POST /api/v1/copies/:serial/return',
        'POST /api/v1/copies/:serial/report-lost',
        'POST /api/v1/departments',
        'PATCH /api/v1/departments/:code',
        'POST /api/v1/projects',
        'POST /api/v1/users',
        'PATCH /api/v1/users/:id',
        'POST /api/v1/departments/:code/inventory',
        'PATCH /api/v1/inventory/:id',
        'POST /api/v1/external-releases',
        'POST /api/v1/incidents',
        'POST /api/v1/incidents/:id/conclude',
        'POST /api/v1/sanctions',
        'POST /api/v1/cases',
        'POST /api/v1/cases/:id/investigate',
        'POST /api/v1/inspections/:id/findings',
        'PATCH /api/v1/inspections/:id/items/:itemId',
        'POST /api/v1/risk-assessments/:id/items',
        'POST /api/v1/notices',
        'POST /api/v1/departments/:code/ports',
      ]),
    );
    expect(await changesSince(seq)).toEqual([]);
  });

  test('R-LEDGER-FORM: query: every forbidden character in every query parameter of every route → 400 naming each parameter', async () => {
    const seq = await auditSeq();
    const failures: string[] = [];
    const cases: Array<{ spec: RouteSpec; ch: string }> = [];
    for (const spec of allRoutes(t.ctx)) if (spec.query) for (const ch of FORBIDDEN) cases.push({ spec, ch });
    expect(cases.length).toBeGreaterThan(30 * FORBIDDEN.length);
    await pool(cases, 6, async ({ spec, ch }) => {
      const keys = Object.keys(jsonSchema(spec.query!).properties ?? {});
      const res = await send(spec, fillPath(spec.path), Object.fromEntries(keys.map((k) => [k, `a${ch}b`])));
      const wrong = guardMismatch(res, ch, keys.map((k) => `query.${k}`));
      if (wrong) failures.push(`${routeKey(spec)} ${codePoint(ch)}: ${wrong}`);
    });
    expect(failures).toEqual([]);
    expect(await changesSince(seq)).toEqual([]);
  });

  test('R-LEDGER-FORM: path: every forbidden character in every path parameter of every route → 400 naming the parameter', async () => {
    const seq = await auditSeq();
    const failures: string[] = [];
    const cases: Array<{ spec: RouteSpec; name: string; ch: string }> = [];
    for (const spec of allRoutes(t.ctx)) for (const [, name] of spec.path.matchAll(/:([A-Za-z]+)/g)) for (const ch of FORBIDDEN) cases.push({ spec, name, ch });
    expect(cases.length).toBeGreaterThan(50 * FORBIDDEN.length);
    await pool(cases, 6, async ({ spec, name, ch }) => {
      const res = await send(spec, fillPath(spec.path, { name, value: `a${ch}b` }));
      const wrong = guardMismatch(res, ch, [`params.${name}`]);
      if (wrong) failures.push(`${routeKey(spec)} :${name} ${codePoint(ch)}: ${wrong}`);
    });
    expect(failures).toEqual([]);
    expect(await changesSince(seq)).toEqual([]);
  });

  test('R-LEDGER-FORM: a project code holding a forbidden character, where the scope is read from the body → 400 naming body.project, nothing created', async () => {
    const seq = await auditSeq();
    for (const ch of FORBIDDEN) {
      const res = await t.http().post('/api/v1/print-requests').set('Authorization', superUser.auth).send({ project: `${project.code}${ch}`, purpose: 'sign-in sheet', customerIds: [1], copies: 1, usageDays: 3 });
      expect({ ch: codePoint(ch), status: res.status, paths: res.body.error.details.map((d: Issue) => d.path) }).toEqual({ ch: codePoint(ch), status: 400, paths: ['body.project'] });
    }
    expect(await changesSince(seq)).toEqual([]);
  });

  test('R-LEDGER-FORM: a key holding a forbidden character → 400 naming it (with U+FFFD in its place)', async () => {
    const res = await t.http().post('/api/v1/departments').set('Authorization', `Bearer ${t.admin.token}`).send({ code: 'XKEY1', name: 'Key', 'a\u0001b': 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'body.a\ufffdb', message: expect.stringContaining('U+0001') }]);
    expect((await t.http().get('/api/v1/departments/XKEY1').set('Authorization', `Bearer ${t.admin.token}`)).status).toBe(404);
  });

  test('R-LEDGER-FORM: a customer import with a forbidden character in a cell is refused row by row, naming the row and the column, never the value; nothing is written', async () => {
    const before = await t.ctx.db.manager.getRepository(Customer).countBy({ projectId: project.id });
    const rows = FORBIDDEN.map((ch, i) => (i % 2 ? `Import ${i},${i + 1}棟${ch}1室,` : `Import ${i}${ch}x,${i + 1}棟1室,note`));
    const res = await t
      .http()
      .post('/api/v1/customers/import')
      .query({ project: project.code })
      .set('Authorization', `Bearer ${t.admin.token}`)
      .set('Content-Type', 'text/csv')
      .send(`name,unit,notes\n${rows.join('\n')}\n`);
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 422, body: { error: { code: 'import_failed' } } });
    const errors = res.body.error.details.errors as Array<{ row: number; column: string; message: string }>;
    expect(errors).toEqual(FORBIDDEN.map((ch, i) => ({ row: i + 2, column: i % 2 ? 'unit' : 'name', message: expect.stringContaining(codePoint(ch)) })));
    expect(JSON.stringify(errors)).not.toContain('Import');
    expect(await t.ctx.db.manager.getRepository(Customer).countBy({ projectId: project.id })).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Output: every document, with the characters already stored
// ---------------------------------------------------------------------------------------------

/** Every text of a workbook (cells of every sheet, sheet names, the document properties), after exceljs read it back. */
async function workbookTexts(buf: Buffer): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never);
  const texts = [wb.title, wb.creator, wb.subject, wb.description, wb.keywords].filter((s): s is string => typeof s === 'string');
  wb.eachSheet((ws) => {
    texts.push(ws.name);
    ws.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.value))));
  });
  return texts;
}

/** Opens an XLSX: it parses, holds no forbidden character, and shows the stored text with U+FFFD in place of each. */
async function expectReadableXlsx(buf: Buffer, stored: string): Promise<void> {
  expect(buf.subarray(0, 2).toString()).toBe('PK');
  const texts = await workbookTexts(buf);
  expect(texts.filter(hasXmlForbidden)).toEqual([]);
  expect(texts.some((s) => s.includes(`${stored}${REPLACED}`))).toBe(true);
}

/** Opens a PDF with pdf-parse; the stored text's readable part is in it. */
async function expectReadablePdf(buf: Buffer, stored: string): Promise<void> {
  expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
  const text = (await pdfText(buf)).join('\n').replace(/\s+/g, '');
  expect(text).toContain(stored.replace(/\s+/g, ''));
}

const file = (path: string, auth: string, query: Record<string, string> = {}) => t.http().get(path).query(query).set('Authorization', auth).buffer(true).parse(binary as never);

describe('R-LEDGER-FORM output: every document renders and opens with forbidden characters already in the database', () => {
  /** Stored text: a readable label, then every forbidden character (written with the repositories, bypassing the API). */
  const poisoned = (label: string) => `${label}${ALL}`;

  test('R-LEDGER-FORM: the §7 form as CSV, XLSX and PDF, with a forbidden character in a print purpose and in the names of the requester and approver', async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const pm = await makeUser(t, { roles: [['project_manager', `project:${p.code}`]] });
    const staff = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
    const copy = await makeCopy(t, staff, pm, p.code, { signed: true });
    const m = t.ctx.db.manager;
    await m.getRepository(PrintRequest).update({ id: copy.printRequestId }, { purpose: poisoned('Purpose') });
    await m.getRepository(User).update({ id: staff.id }, { displayName: poisoned('Requester') });
    await m.getRepository(User).update({ id: pm.id }, { displayName: poisoned('Approver') });
    const q = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString(), scope: `project:${p.code}` };

    const xlsx = await file('/api/v1/ledger/form', pm.auth, { ...q, format: 'xlsx' });
    expect(xlsx.status).toBe(200);
    await expectReadableXlsx(xlsx.body, 'Purpose');
    const texts = await workbookTexts(xlsx.body);
    expect(texts.some((s) => s.includes(`Requester${REPLACED}`))).toBe(true);
    expect(texts.some((s) => s.includes(`Approver${REPLACED}`))).toBe(true);
    expect(texts).toEqual(expect.arrayContaining([copy.serial]));

    const pdf = await file('/api/v1/ledger/form', pm.auth, { ...q, format: 'pdf' });
    expect(pdf.status).toBe(200);
    await expectReadablePdf(pdf.body, 'Purpose');
    const csv = await file('/api/v1/ledger/form', pm.auth, { ...q, format: 'csv' });
    expect(csv.status).toBe(200);
    expect((csv.body as Buffer).toString('utf8')).toContain(copy.serial);
  });

  test('R-LEDGER-FORM: the controlled copy PDF, with a forbidden character in the purpose, a customer name and the recipient', async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const pm = await makeUser(t, { roles: [['project_manager', `project:${p.code}`]] });
    const staff = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
    const copy = await makeCopy(t, staff, pm, p.code, { signed: true });
    const m = t.ctx.db.manager;
    const r = await m.getRepository(PrintRequest).findOneByOrFail({ id: copy.printRequestId });
    await m.getRepository(PrintRequest).update({ id: r.id }, { purpose: poisoned('CopyPurpose') });
    await m.getRepository(Customer).update({ id: r.recordIds![0] }, { name: poisoned('CopyCustomer') });
    await m.getRepository(User).update({ id: staff.id }, { displayName: poisoned('Recipient') });
    const pdf = await file(`/api/v1/copies/${copy.serial}/pdf`, staff.auth);
    expect(pdf.status).toBe(200);
    await expectReadablePdf(pdf.body, 'CopyPurpose');
  });

  test('R-INSPECT R-LEDGER-FORM: the inspection report and the company summary as XLSX and PDF, with a forbidden character in the project name and an item note', async () => {
    const d = await makeDepartment(t);
    const p = await makeProject(t, { departmentCode: d.code });
    const { inspection, items } = await makeInspection(t, p.id);
    const m = t.ctx.db.manager;
    await m.getRepository(Project).update({ id: p.id }, { name: poisoned('InspectedProject') });
    await m.getRepository(InspectionItem).update({ id: items[0].id }, { notes: poisoned('ItemNote') } as never);
    await t.ctx.policy.reload();

    for (const format of ['xlsx', 'pdf'] as const) {
      const report = await file(`/api/v1/inspections/${inspection.id}/report`, superUser.auth, { format });
      expect({ format, status: report.status }).toEqual({ format, status: 200 });
      if (format === 'xlsx') {
        await expectReadableXlsx(report.body, 'InspectedProject');
        expect((await workbookTexts(report.body)).some((s) => s.includes(`ItemNote${REPLACED}`))).toBe(true);
      } else await expectReadablePdf(report.body, 'InspectedProject');
      const summary = await file('/api/v1/inspections/summary', superUser.auth, { period: inspection.period, format });
      expect({ format, status: summary.status }).toEqual({ format, status: 200 });
      if (format === 'xlsx') await expectReadableXlsx(summary.body, 'InspectedProject');
      else await expectReadablePdf(summary.body, 'InspectedProject');
    }
  });

  test('R-RISK-MONTHLY R-LEDGER-FORM: the risk assessment form as XLSX and PDF, with a forbidden character in the department name', async () => {
    const d = await makeDepartment(t);
    const { assessment } = await t.ctx.assessments.ensureFor(d.id, monthPeriod(t, freshMonth()));
    await t.ctx.db.manager.getRepository(Department).update({ id: d.id }, { name: poisoned('AssessedDepartment') });
    const xlsx = await file(`/api/v1/risk-assessments/${assessment.id}/export`, superUser.auth, { format: 'xlsx' });
    expect(xlsx.status).toBe(200);
    await expectReadableXlsx(xlsx.body, 'AssessedDepartment');
    const pdf = await file(`/api/v1/risk-assessments/${assessment.id}/export`, superUser.auth, { format: 'pdf' });
    expect(pdf.status).toBe(200);
    await expectReadablePdf(pdf.body, 'AssessedDepartment');
  });

  test('R-CASE-STATS R-LEDGER-FORM: the case statistics as XLSX and PDF, with a forbidden character in a stored department name', async () => {
    const period = '2019-07';
    await t.ctx.db.manager.getRepository(CaseStatistics).insert({
      period,
      periodStart: new Date('2019-06-30T16:00:00Z'),
      periodEnd: new Date('2019-07-31T16:00:00Z'),
      caseCount: 0,
      onTimeCount: 0,
      lateCount: 0,
      content: {
        byType: { quality_complaint: 0 },
        byCause: { quality: 0 },
        byDepartment: [{ department: 'DX1', departmentName: poisoned('CaseDepartment'), cases: 0, onTime: 0, late: 0, averageDays: null }],
        averageDays: null,
      },
      computedAt: new Date('2019-08-01T00:00:00Z'),
    });
    const xlsx = await file(`/api/v1/case-statistics/${period}`, superUser.auth, { format: 'xlsx' });
    expect(xlsx.status).toBe(200);
    await expectReadableXlsx(xlsx.body, 'CaseDepartment');
    const pdf = await file(`/api/v1/case-statistics/${period}`, superUser.auth, { format: 'pdf' });
    expect(pdf.status).toBe(200);
    await expectReadablePdf(pdf.body, 'CaseDepartment');
  });

  test('R-CTRL-IT R-LEDGER-FORM: the customer export as XLSX (and CSV), with forbidden characters in a stored name, unit and notes', async () => {
    const p = await makeProject(t);
    const admin = { id: t.admin.id, username: t.admin.username };
    const c = await t.ctx.customers.create(admin, p.code, { name: 'Export customer', unit: '2棟202室', nationality: 'domestic', phones: [makePhone()] });
    await t.ctx.db.manager.getRepository(Customer).update({ id: c.id }, { name: poisoned('ExportName'), unit: poisoned('ExportUnit'), notes: poisoned('ExportNotes') });
    const xlsx = await file('/api/v1/customers/export', `Bearer ${t.admin.token}`, { project: p.code, format: 'xlsx', purpose: 'annual reconciliation' });
    expect(xlsx.status).toBe(200);
    await expectReadableXlsx(xlsx.body, 'ExportName');
    const texts = await workbookTexts(xlsx.body);
    for (const label of ['ExportUnit', 'ExportNotes']) expect(texts.some((s) => s.includes(`${label}${REPLACED}`))).toBe(true);
    const csv = await file('/api/v1/customers/export', `Bearer ${t.admin.token}`, { project: p.code, format: 'csv', purpose: 'annual reconciliation' });
    expect(csv.status).toBe(200);
    expect((csv.body as Buffer).toString('utf8')).toContain('ExportName');
  });

  test('R-REWARD R-LEDGER-FORM: the reward/penalty notice PDF, with a forbidden character in the reason and in the person’s name', async () => {
    const staff = await makeUser(t, { roles: [['staff', `project:${project.code}`]] });
    const incident = await makeIncident(t, { project: project.code, reporterId: staff.id });
    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const s = await t.ctx.sanctions.propose(actorOf(superUser), { source: { type: 'incident', id: incident.id }, userId: staff.id, kind: 'reward', ground: 'report', amount: 200, reason: 'Reported the list at once' });
    await t.ctx.sanctions.decide(actorOf(gm), await t.ctx.sanctions.load(s.id), true, null);
    await t.ctx.db.manager.getRepository(Sanction).update({ id: s.id }, { reason: poisoned('SanctionReason') });
    await t.ctx.db.manager.getRepository(User).update({ id: staff.id }, { displayName: poisoned('Rewarded') });
    const pdf = await file(`/api/v1/sanctions/${s.id}/notice`, superUser.auth);
    expect(pdf.status).toBe(200);
    await expectReadablePdf(pdf.body, 'SanctionReason');
  });
});
