/**
 * R-CASE-NO (第八條): case numbers YYMM-NNN, the serial restarting each month, unique and
 * gap-free when several instances register at once.
 *
 * On MySQL/MariaDB two app instances share one database (the deployment with several
 * instances); on SQLite, the embedded one-instance mode (better-sqlite3 is synchronous: two apps
 * in one process cannot wait for each other's lock), the parallel requests go to one app (see
 * test/jobs/scheduler.test.ts for the same pattern).
 */
import { ComplaintCase } from '../../src/entities/ComplaintCase';
import { CaseNumberCounter } from '../../src/entities/CaseNumberCounter';
import { caseMonth, CaseNumbering, formatCaseNo } from '../../src/features/cases/case-numbering';
import { CaseOrg, intake, makeCaseOrg, makeCustomer } from '../helpers/case-factories';
import { makeProject } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-db';

let a: TestApp;
let b: TestApp;
let org: CaseOrg;

beforeAll(async () => {
  a = await startTestApp({ keepDatabase: testDbKind() === 'mysql' });
  b = testDbKind() === 'mysql' ? await startTestApp({ dbUrl: a.dbUrl }) : a;
  org = await makeCaseOrg(a);
  // The second instance learns the new project and roles by polling the policy version.
  await b.ctx.policy.reload();
});
afterAll(async () => {
  if (b !== a) await b?.close();
  await a?.close();
});

const register = (app: TestApp) => app.http().post('/api/v1/cases').set('Authorization', org.staff.auth).send(intake(org.project, org.customerId));

/** Serial of a case number. */
const serial = (no: string) => Number(no.split('-')[1]);

/** Numbers grouped by month: each group must be consecutive (no duplicate, no gap). */
function expectConsecutive(numbers: string[], after: Map<string, number>) {
  const byMonth = new Map<string, number[]>();
  for (const n of numbers) byMonth.set(n.slice(0, 4), [...(byMonth.get(n.slice(0, 4)) ?? []), serial(n)]);
  for (const [month, serials] of byMonth) {
    serials.sort((x, y) => x - y);
    const first = (after.get(month) ?? 0) + 1;
    expect(serials).toEqual(serials.map((_, i) => first + i));
  }
}

async function lastSerials(): Promise<Map<string, number>> {
  const rows = await a.ctx.db.manager.getRepository(CaseNumberCounter).find();
  return new Map(rows.map((r) => [r.month, r.lastSerial]));
}

test('R-CASE-NO: twelve registrations at once on two instances get twelve distinct, consecutive numbers of the month', async () => {
  const before = await lastSerials();
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => register(i % 2 ? b : a)));
  expect(results.map((r) => r.status)).toEqual(Array(12).fill(201));
  const numbers = results.map((r) => r.body.caseNo as string);
  expect(new Set(numbers).size).toBe(12);
  for (const n of numbers) expect(n).toMatch(/^\d{4}-\d{3,}$/);
  expectConsecutive(numbers, before);
  // The database agrees: one row per number.
  const rows = await a.ctx.db.manager.getRepository(ComplaintCase).findBy({ projectId: (await a.ctx.customers.projectByCode(org.project)).id });
  for (const n of numbers) expect(rows.filter((r) => r.caseNo === n)).toHaveLength(1);
});

test('R-CASE-NO: two registrations in the same millisecond both succeed with the next two numbers', async () => {
  const before = await lastSerials();
  const [x, y] = await Promise.all([register(a), register(b)]);
  expect([x.status, y.status]).toEqual([201, 201]);
  expect(x.body.caseNo).not.toBe(y.body.caseNo);
  expectConsecutive([x.body.caseNo, y.body.caseNo], before);
});

test('R-CASE-NO: a registration refused after its number was taken gives the number back: no gap (rolled back with the counter)', async () => {
  const other = await makeProject(a);
  const stranger = await makeCustomer(a, other.code);
  const first = await register(a);
  const refusedA = a.http().post('/api/v1/cases').set('Authorization', org.staff.auth).send(intake(org.project, stranger.id));
  const refusedB = b.http().post('/api/v1/cases').set('Authorization', org.staff.auth).send(intake(org.project, stranger.id));
  const [ra, rb, next] = await Promise.all([refusedA, refusedB, register(b)]);
  expect([ra.status, rb.status, next.status]).toEqual([400, 400, 201]);
  const after = await register(a);
  expect(first.status).toBe(201);
  const month = first.body.caseNo.slice(0, 4);
  if (after.body.caseNo.startsWith(month) && next.body.caseNo.startsWith(month)) {
    expect([serial(next.body.caseNo), serial(after.body.caseNo)]).toEqual([serial(first.body.caseNo) + 1, serial(first.body.caseNo) + 2]);
  }
});

test('R-CASE-NO: the serial has three digits and grows past 999 (YYMM-999, then YYMM-1000)', async () => {
  const month = caseMonth(new Date(), a.ctx.config.timezone);
  await a.ctx.db.manager.getRepository(CaseNumberCounter).update({ month }, { lastSerial: 998 });
  const n999 = await register(a);
  const n1000 = await register(b);
  const got = [n999.body.caseNo, n1000.body.caseNo];
  // (Unless the month turned between the two lines above.)
  if (got.every((n) => n.startsWith(month))) expect(got).toEqual([`${month}-999`, `${month}-1000`]);
  expect(formatCaseNo('2611', 7)).toBe('2611-007');
  expect(formatCaseNo('2611', 999)).toBe('2611-999');
  expect(formatCaseNo('2611', 1000)).toBe('2611-1000');
});

test('R-CASE-NO: the serial restarts each month (the month of acceptance in the configured timezone)', async () => {
  const numbering = new CaseNumbering(a.ctx.db);
  // Months far from the real one, so the running registrations do not touch them.
  await numbering.ensureMonth('9911');
  const nov = await a.ctx.db.tx(async (m) => [await numbering.next(m, '9911'), await numbering.next(m, '9911')]);
  await numbering.ensureMonth('9912');
  const dec = await a.ctx.db.tx((m) => numbering.next(m, '9912'));
  expect(nov).toEqual(['9911-001', '9911-002']);
  expect(dec).toBe('9912-001');
  // A transaction that fails after taking a number leaves the counter where it was.
  await expect(
    a.ctx.db.tx(async (m) => {
      await numbering.next(m, '9912');
      throw new Error('the insert failed');
    }),
  ).rejects.toThrow('the insert failed');
  expect(await a.ctx.db.tx((m) => numbering.next(m, '9912'))).toBe('9912-002');
  expect(caseMonth(new Date('2026-11-30T16:00:00Z'), 'Asia/Shanghai')).toBe('2612');
});
