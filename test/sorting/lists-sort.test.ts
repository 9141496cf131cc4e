import crypto from 'node:crypto';
import { COPY_VIEW_STATUSES, ControlledCopy } from '../../src/entities/ControlledCopy';
import { CASE_STATUSES } from '../../src/entities/ComplaintCase';
import { User, USER_STATUSES } from '../../src/entities/User';
import { advanceCase, makeCaseOrg, registerCase, setCaseTimes } from '../helpers/case-factories';
import { makeUser } from '../helpers/factories';
import { makeIssuedCopies, makePaperOrg } from '../helpers/paper-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/**
 * Server-side sorting of the three lists the console pages through (GET /api/v1/copies, /cases,
 * /users): every ?sort= field, both orders, read two rows a page, gives the order of all the rows
 * sorted at once (id breaking ties), on SQLite and MariaDB alike; an unknown field is a 400 naming
 * query.sort; without ?sort= the order is what it always was.
 */
type Row = Record<string, unknown>;
type Key = (r: Row) => string | number;

let t: TestApp;
/** Who reads the list under test: the admin for users, a project manager of the project for copies and cases. */
let reader = '';
const auth = () => reader || `Bearer ${t.admin.token}`;
const uid = () => crypto.randomBytes(3).toString('hex');
const day = 86_400_000;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

async function get(path: string, query: Record<string, string | number>): Promise<{ items: Row[]; total: number }> {
  const res = await t.http().get(path).query(query).set('Authorization', auth());
  expect(res.status).toBe(200);
  return res.body;
}

/** Every page of `limit` rows, in order. */
async function allPages(path: string, query: Record<string, string | number>, limit = 2): Promise<Row[]> {
  const out: Row[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await get(path, { ...query, limit, offset });
    out.push(...page.items);
    if (offset + limit >= page.total) return out;
  }
}

function sortedBy(rows: Row[], key: Key, tie: Key, dir: 'asc' | 'desc'): Row[] {
  const sign = dir === 'asc' ? 1 : -1;
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort((a, b) => sign * (cmp(key(a), key(b)) || cmp(tie(a), tie(b))));
}

/** For each field and order: the pages of two rows, end to end, are all the rows sorted at once. */
async function checkSorts(path: string, filter: Record<string, string>, keys: Record<string, Key>, tie: Key, ident: Key, expectedRows: number) {
  const all = (await get(path, { ...filter, limit: 500 })).items;
  expect(all).toHaveLength(expectedRows);
  for (const [field, key] of Object.entries(keys)) {
    // The data must make the field worth testing: ties and more than one value.
    expect(new Set(all.map(key)).size).toBeGreaterThan(1);
    for (const order of ['asc', 'desc'] as const) {
      const paged = await allPages(path, { ...filter, sort: field, order });
      expect({ field, order, ids: paged.map(ident) }).toEqual({ field, order, ids: sortedBy(all, key, tie, order).map(ident) });
    }
  }
  // order defaults to asc.
  const [field, key] = Object.entries(keys)[0];
  expect((await allPages(path, { ...filter, sort: field })).map(ident)).toEqual(sortedBy(all, key, tie, 'asc').map(ident));
}

async function badSort(path: string, filter: Record<string, string>) {
  for (const sort of ['id', 'passwordHash', 'customerId; DROP TABLE x']) {
    const res = await t.http().get(path).query({ ...filter, sort }).set('Authorization', auth());
    expect(res.status).toBe(400);
    expect((res.body.error.details ?? []).map((d: { path: string }) => d.path)).toContain('query.sort');
  }
  const res = await t.http().get(path).query({ ...filter, sort: 'status', order: 'up' }).set('Authorization', auth());
  expect(res.status).toBe(400);
  expect((res.body.error.details ?? []).map((d: { path: string }) => d.path)).toContain('query.order');
}

describe('GET /api/v1/copies sorting', () => {
  let project: string;
  let readerOfCopies = '';
  beforeEach(() => {
    reader = readerOfCopies;
  });
  beforeAll(async () => {
    const org = await makePaperOrg(t);
    project = org.project;
    readerOfCopies = org.pm.auth;
    const copies: ControlledCopy[] = [];
    for (const [n, usageDays] of [[3, 7], [2, 3], [2, 30]] as const) {
      copies.push(...(await makeIssuedCopies(t, org.staff, org.pm, project, { copies: n, usageDays })).copies);
    }
    const now = Date.now();
    const repo = t.ctx.db.manager.getRepository(ControlledCopy);
    const at = (d: number) => new Date(now + d * day);
    // Every shown status but one twice, issue times and expiries with ties.
    const states: Array<Partial<ControlledCopy>> = [
      { status: 'issued', signedAt: at(-9), issuedAt: at(-10), expiresAt: at(-1) }, // overdue
      { status: 'returned', returnedAt: at(-2), issuedAt: at(-10), expiresAt: at(5) },
      { status: 'destroyed', destroyedAt: at(-2), issuedAt: at(-5), expiresAt: at(5) },
      { status: 'lost', lostAt: at(-1), issuedAt: at(-5), expiresAt: at(2) },
      { status: 'issued', pendingAct: 'destruction', confirmationDueAt: at(1), issuedAt: at(-3), expiresAt: at(2) }, // pending_witness
      { status: 'issued', pendingAct: 'return', confirmationDueAt: at(-1), issuedAt: at(-3), expiresAt: at(9) }, // confirmation_expired
      { status: 'awaiting_signature', issuedAt: at(-1), expiresAt: at(9) },
    ];
    for (const [i, s] of states.entries()) await repo.update({ id: copies[i].id }, s);
  });

  const rank = (s: unknown) => COPY_VIEW_STATUSES.indexOf(s as (typeof COPY_VIEW_STATUSES)[number]);
  const serial = (r: Row) => String(r.serial);

  it('sorts by serial, issuedAt, expiresAt and the status shown, both ways, across pages of two', async () => {
    // Serials are numbered in the order the copies were made: the id order the server breaks ties with.
    await checkSorts(
      '/api/v1/copies',
      { project },
      { serial, issuedAt: (r) => String(r.issuedAt), expiresAt: (r) => String(r.expiresAt), status: (r) => rank(r.status) },
      serial,
      serial,
      7,
    );
  });

  it('without ?sort= the newest copy first, as before', async () => {
    const all = (await get('/api/v1/copies', { project, limit: 500 })).items.map(serial);
    expect(all).toEqual([...all].sort().reverse());
    expect((await allPages('/api/v1/copies', { project })).map(serial)).toEqual(all);
  });

  it('an unknown field or order is a 400 naming it', () => badSort('/api/v1/copies', { project }));
});

describe('GET /api/v1/cases sorting', () => {
  let project: string;
  let readerOfCases = '';
  beforeEach(() => {
    reader = readerOfCases;
  });
  beforeAll(async () => {
    const org = await makeCaseOrg(t);
    project = org.project;
    readerOfCases = org.pm.auth;
    const now = Date.now();
    const at = (d: number) => new Date(now + d * day);
    const plan: Array<[(typeof CASE_STATUSES)[number], number, number]> = [
      ['registered', -3, 12],
      ['investigating', -3, 12],
      ['closed', -20, -5],
      ['registered', -1, 14],
      ['proposed', -20, 2],
      ['decided', -2, 2],
    ];
    for (const [status, accepted, due] of plan) {
      const c = await registerCase(t, org.staff, project, org.customerId);
      await advanceCase(t, org, c.id, status);
      await setCaseTimes(t, c.id, { acceptedAt: at(accepted), dueAt: at(due), dueDate: at(due).toISOString().slice(0, 10) });
    }
  });

  const id = (r: Row) => Number(r.id);

  it('sorts by case number, registration, deadline and status, both ways, across pages of two', async () => {
    await checkSorts(
      '/api/v1/cases',
      { project },
      {
        caseNo: (r) => String(r.caseNo),
        registeredAt: (r) => String(r.acceptedAt),
        deadline: (r) => String(r.dueAt),
        status: (r) => CASE_STATUSES.indexOf(r.status as (typeof CASE_STATUSES)[number]),
      },
      id,
      id,
      6,
    );
  });

  it('without ?sort= the newest case first, as before', async () => {
    const all = (await get('/api/v1/cases', { project, limit: 500 })).items.map(id);
    expect(all).toEqual([...all].sort((a, b) => b - a));
    expect((await allPages('/api/v1/cases', { project })).map(id)).toEqual(all);
  });

  it('an unknown field or order is a 400 naming it', () => badSort('/api/v1/cases', { project }));
});

describe('GET /api/v1/users sorting', () => {
  const prefix = `srt${uid()}`;
  beforeEach(() => {
    reader = '';
  });
  beforeAll(async () => {
    const now = Date.now();
    // Mixed-case display names: both databases must order them alike (case ignored).
    const made: Array<[string, string, (typeof USER_STATUSES)[number], number]> = [
      ['d', 'bob', 'active', -3],
      ['b', 'Alice', 'pending_agreement', -3],
      ['e', 'alice', 'offboarded', -1],
      ['a', 'Zoe', 'active', -2],
      ['c', 'adam', 'offboarded', -3],
      ['f', 'Bea', 'pending_agreement', -2],
    ];
    for (const [suffix, displayName, status, created] of made) {
      const u = await makeUser(t, { username: `${prefix}.${suffix}` });
      await t.ctx.db.manager.getRepository(User).update({ id: u.id }, { displayName, status, createdAt: new Date(now + created * day) });
    }
  });

  const id = (r: Row) => Number(r.id);

  it('sorts by username, display name (case ignored), creation and status, both ways, across pages of two', async () => {
    await checkSorts(
      '/api/v1/users',
      { q: prefix },
      {
        username: (r) => String(r.username),
        displayName: (r) => String(r.displayName).toLowerCase(),
        createdAt: (r) => String(r.createdAt),
        status: (r) => USER_STATUSES.indexOf(r.status as (typeof USER_STATUSES)[number]),
      },
      id,
      id,
      6,
    );
    // The mixed-case names, spelled out: the tie of "Alice"/"alice" goes to the older account.
    const names = (await allPages('/api/v1/users', { q: prefix, sort: 'displayName' })).map((r) => r.displayName);
    expect(names).toEqual(['adam', 'Alice', 'alice', 'Bea', 'bob', 'Zoe']);
  });

  it('without ?sort= by id, as before', async () => {
    const all = (await get('/api/v1/users', { q: prefix, limit: 500 })).items.map(id);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    expect((await allPages('/api/v1/users', { q: prefix })).map(id)).toEqual(all);
  });

  it('an unknown field or order is a 400 naming it', () => badSort('/api/v1/users', {}));
});
