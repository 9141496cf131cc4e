/**
 * Robustness: every route of allRoutes (but the health checks) against hostile input, as the
 * bootstrap IT admin and as a "super" user holding every role where the fixtures live (it_admin,
 * quality_inspector, general_manager and auditor in "*", dept_head in the department, the project
 * roles in the project), so that authorization passes as often as possible and the handlers run.
 *
 * The quality bar (README, "The API"): bad input gets a clear error and changes nothing; never a
 * 500 for anything a client can send; never a stack trace in a response. Each case asserts:
 * - the status is below 500, and the request does not hang;
 * - a 4xx is JSON with the error shape {error:{code,message}};
 * - no textual response shows a stack frame, "Error:", a source path ("/src/", "node_modules")
 *   or a "file.ts:12" position;
 * - the server logged no error while answering (an error after the headers went out, or a scope
 *   resolver that crashed into a 403, would otherwise stay invisible);
 * and after each route, every audit event it wrote still matches its hash (R-AUDIT).
 *
 * The cases are generated from the route list: :params are filled from the path pattern (a fresh
 * fixture per route and caller, by resource prefix: FIXTURES; an unknown prefix falls back to
 * PARAM_DEFAULTS), the query and the body from the route's zod schemas (z.toJSONSchema), with field
 * names mapped to real records (FIELD_VALUES, ROUTE_VALUES). A new route is covered as soon as it is
 * in allRoutes; give it a fixture when its records need one to be reached.
 *
 * The battery, per route:
 * - path: each :param replaced by 0, -1, 999999999, abc, 1e309, %00, a 300-char string,
 *   ../../etc/passwd, a malformed %-escape;
 * - query: the valid-looking query; an unexpected key; __proto__/constructor/bracket keys; ?a=1&a=2;
 *   then for every key of the schema: repeated, a huge number, an invalid date (2026-13-45), empty,
 *   -1, 1.5, NaN, 0000-00-00, 2026-02-30, and the edge values its schema still accepts;
 * - body (non-GET): {}, [], null, "str", 123, {bad (as application/json); text/csv and
 *   application/octet-stream to a JSON route; unknown keys; __proto__ and constructor.prototype
 *   keys; a 100k-char string; lone surrogates; 30000 levels of nesting; charset=utf-7; gzip of
 *   garbage; every field a nested object / null / of the wrong type (numbers as strings); then per
 *   field (one level deep) the edge values its schema still accepts (strings at their maximum
 *   length of quotes, NUL, markup, emoji, RTL marks and line breaks, or 60k chars without a
 *   maximum; blank strings; ../../etc/passwd; integers at their bounds; impossible dates that
 *   match a date pattern; arrays at their maximum length) and, for numbers, -1, 1.5, 1e308, "7";
 * - raw-upload routes (the summary says "raw"): empty, garbage bytes, fake XLSX/PDF, GB18030
 *   noise, a header-only CSV, formula cells with NUL and a 50k cell, JSON, multipart.
 * Cases decided before authorization (the path or the query fails its schema) answer the same for
 * every signed-in caller: the first caller sends them, the second skips them.
 */
import crypto from 'node:crypto';
import querystring from 'node:querystring';
import request from 'supertest';
import { MoreThan } from 'typeorm';
import { z } from 'zod';
import type { RouteSpec } from '../../src/api/route';
import { allRoutes } from '../../src/api/routes';
import { entryHash } from '../../src/audit/chain';
import { verifyAuditChain } from '../../src/audit/verify';
import { loadConfig } from '../../src/config/env';
import type { AppContext } from '../../src/context';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { CustomerImport } from '../../src/entities/CustomerImport';
import { InspectionItem } from '../../src/entities/InspectionItem';
import { User } from '../../src/entities/User';
import { CURRENT_AGREEMENT } from '../../src/policy/agreement';
import { riskAssessmentJob } from '../../src/features/assessments/assessment.job';
import { caseStatsJob } from '../../src/features/cases/case.job';
import { localDate } from '../../src/lib/time';
import { periodFromKey } from '../../src/jobs/period';
import { buildJobs, JobServices } from '../../src/jobs/registry';
import { advanceCase, makeCustomer, registerCase } from '../helpers/case-factories';
import { DEFAULT_PASSWORD, makeDepartment, makeIdNumber, makePhone, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { ownersCsv } from '../helpers/handover-factories';
import { blockKeys, makeInspection } from '../helpers/inspections-factories';
import { makeIncident } from '../helpers/sanctions-factories';
import { ADMIN_PASSWORD, startTestApp, TEST_BLIND_INDEX_KEY, TEST_DATA_KEY, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';

jest.setTimeout(180_000);

const HEALTH = new Set(['GET /healthz', 'GET /readyz']);
const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method.toUpperCase()} ${r.path}`;

/**
 * The route keys at collection time (jest needs the test list before beforeAll): the route
 * builders only close over the context, so a stand-in lists them; a test checks the list against
 * the real app's.
 */
const stub = (): unknown => new Proxy(() => stub(), { get: (_o, k) => (k === Symbol.toPrimitive ? () => 0 : stub()) });
const stubConfig = loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: 'sqlite::memory:', DATA_KEY: TEST_DATA_KEY, BLIND_INDEX_KEY: TEST_BLIND_INDEX_KEY });
// The jobs' own run routes come from the jobs the context built: the stand-in builds them too (a job only closes over its services).
const stubJobs = { jobs: buildJobs(stub() as JobServices) };
const stubCtx = new Proxy({ config: stubConfig, jobs: stubJobs } as Record<string | symbol, unknown>, { get: (o, k) => (k in o ? o[k] : stub()) }) as unknown as AppContext;
const ROUTE_KEYS = allRoutes(stubCtx)
  .map(routeKey)
  .filter((k) => !HEALTH.has(k));

// ---------------------------------------------------------------------------------------------
// The environment
// ---------------------------------------------------------------------------------------------

let t: TestApp;
let dept: string;
let project: string;
/** Holds every role: it_admin, quality_inspector, general_manager, auditor in "*", dept_head in the department, the project roles in the project. */
let superUser: MadeUser;
/** Colleagues named in bodies (witness, keeper, new holder, clerk, approver) and third parties of fixtures. */
let pm2: MadeUser;
let clerk2: MadeUser;
let requester: MadeUser;
let gm2: MadeUser;
let qi2: MadeUser;
/** A customer of the project, named by customerId fields. */
let customer0: number;
/** Logs in on the public login route (and gets locked out by the wrong passwords of the battery). */
let loginUser: MadeUser;
const uid = () => crypto.randomBytes(4).toString('hex');
const adminActor = () => ({ id: t.admin.id, username: t.admin.username });
const actorOf = (u: { id: number; username: string }) => ({ id: u.id, username: u.username });

interface Caller {
  name: 'admin' | 'super';
  id: number;
  username: string;
  token: string;
}
const callers: Caller[] = [];

/** Server log lines at level error, attributed to the case being sent. */
const errorLines: string[] = [];

beforeAll(async () => {
  t = await startTestApp({
    logSink: (line) => {
      if (/"level":"error"/.test(line)) errorLines.push(line);
    },
  });
  dept = (await makeDepartment(t)).code;
  project = (await makeProject(t, { departmentCode: dept })).code;
  const P = `project:${project}`;
  superUser = await makeUser(t, {
    departmentCode: dept,
    roles: [
      ['it_admin', '*'],
      ['quality_inspector', '*'],
      ['general_manager', '*'],
      ['auditor', '*'],
      ['dept_head', `dept:${dept}`],
      ['project_manager', P],
      ['info_clerk', P],
      ['staff', P],
      ['customer_manager', P],
    ],
  });
  pm2 = await makeUser(t, { roles: [['project_manager', P]], departmentCode: dept });
  clerk2 = await makeUser(t, { roles: [['info_clerk', P]] });
  requester = await makeUser(t, { roles: [['staff', P]] });
  gm2 = await makeUser(t, { roles: [['general_manager', '*']] });
  qi2 = await makeUser(t, { roles: [['quality_inspector', '*']] });
  customer0 = (await makeCustomer(t, project)).id;
  loginUser = await makeUser(t);
  callers.push({ name: 'super', id: superUser.id, username: superUser.username, token: superUser.token });
  callers.push({ name: 'admin', id: t.admin.id, username: t.admin.username, token: t.admin.token });
  // The statistics table the /case-statistics/:period fixture reads.
  await t.ctx.jobs.find(caseStatsJob.name).run(periodFromKey(caseStatsJob, '2026-01', t.ctx.config.timezone)!);
});

afterAll(async () => {
  console.log(
    `robustness: ${totals.requests} requests over ${totals.routes} route×caller blocks; statuses ${JSON.stringify(totals.statuses)}; ` +
      `valid-looking request succeeded in ${JSON.stringify(totals.reached)} blocks`,
  );
  await t?.close();
});

/** A caller's token, refreshed when a case revoked it (logout, password change). */
async function refresh(c: Caller): Promise<void> {
  const u = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: c.id });
  c.token = t.ctx.tokens.issue(u.id, u.tokenVersion);
}

// ---------------------------------------------------------------------------------------------
// Fixtures: the records a route's :params name, fresh for each route and caller
// ---------------------------------------------------------------------------------------------

interface Fixture {
  /** Values of the path's :params. */
  params: Record<string, string>;
  /** Values for body/query fields by name (override FIELD_VALUES). */
  values?: Record<string, unknown>;
}

const inDays = (days: number) => localDate(new Date(Date.now() + days * 86_400_000), t.ctx.config.timezone);

let monthSeq = 0;
/** A month of the monthly risk assessment no other fixture uses. */
function freshMonth() {
  monthSeq++;
  const key = `${2600 + Math.floor(monthSeq / 12)}-${String((monthSeq % 12) + 1).padStart(2, '0')}`;
  return periodFromKey(riskAssessmentJob, key, t.ctx.config.timezone)!;
}

async function freshAssessment(submitted = false): Promise<number> {
  const d = await t.ctx.org.getDepartment(dept);
  const { assessment } = await t.ctx.assessments.ensureFor(d.id, freshMonth());
  if (submitted) await t.ctx.assessments.submit(adminActor(), assessment.id);
  return assessment.id;
}

async function freshCopySerial(holder: { id: number; username: string }): Promise<string> {
  const customer = await makeCustomer(t, project);
  const r = await t.ctx.printRequests.request(actorOf(holder), { project, purpose: 'robustness printout', customerIds: [customer.id], copies: 1, usageDays: 3, includePersonal: false });
  await t.ctx.printRequests.approve(actorOf(pm2), await t.ctx.printRequests.load(r.id), null);
  return (await t.ctx.db.manager.getRepository(ControlledCopy).findOneByOrFail({ printRequestId: r.id })).serial;
}

async function freshRelease(requestedBy: { id: number; username: string }, approved: boolean): Promise<number> {
  const r = await t.ctx.releases.request(actorOf(requestedBy), { project, recipient: 'Robust Ltd', purpose: 'robustness check', fields: [], format: 'csv' });
  if (approved) await t.ctx.releases.decide(actorOf(gm2), await t.ctx.releases.load(r.id), true, null);
  return r.id;
}

/** A handover file in the state the route's action expects (held by the super user, or delegated to them). */
async function freshHandover(action: string): Promise<Fixture> {
  const h = t.ctx.handover;
  const p = await h.projectByCode(project);
  const holderOf = action === 'view' || action === 'entry-confirmation' ? pm2 : superUser;
  const clerk = holderOf === pm2 ? superUser : clerk2;
  const stored = await h.storeFile(actorOf(holderOf), p, 'owners.csv', ownersCsv(3));
  let f = await h.load(stored.id);
  if (['view', 'entry-confirmation', 'confirm', 'destroy', 'delegations', 'destructions'].includes(action)) {
    const d = await h.delegate(actorOf(holderOf), f, { clerkUserId: clerk.id, days: 3 });
    f = await h.load(f.id);
    if (action === 'delegations') return { params: { id: String(f.id), delegationId: String(d.id) } };
  }
  if (['confirm', 'destroy', 'destructions'].includes(action)) {
    await h.reportEntry(actorOf(clerk), f, { records: 3 });
    f = await h.load(f.id);
  }
  if (['destroy', 'destructions'].includes(action)) {
    await h.confirm(actorOf(holderOf), f);
    f = await h.load(f.id);
  }
  if (action === 'destructions') {
    const d = await h.destroy(actorOf(holderOf), f, { witnessUserId: pm2.id });
    return { params: { id: String(d.id) } };
  }
  return { params: { id: String(f.id) } };
}

/** An in-progress inspection of a fresh project (one per project and period). */
async function freshInspection(step: string): Promise<Fixture> {
  const p = await makeProject(t, { departmentCode: dept });
  const { inspection, items } = await makeInspection(t, p.id, blockKeys(t).current);
  const id = inspection.id;
  const itemId = items[0].id;
  if (step === 'complete') {
    await t.ctx.db.manager.getRepository(InspectionItem).update({ inspectionId: id }, { result: 'pass' });
    return { params: { id: String(id) } };
  }
  if (step === 'items') return { params: { id: String(id), itemId: String(itemId) }, values: { itemId } };
  await t.ctx.inspections.recordItem(adminActor(), id, itemId, { result: 'fail' });
  if (step === 'findings') return { params: { id: String(id) }, values: { itemId } };
  const f = await t.ctx.inspections.addFinding(adminActor(), id, { itemId, severity: 'minor', description: 'Robustness finding' });
  if (step === 'rectifications') return { params: { id: String(id) }, values: { itemId, findingId: f.id } };
  const r = await t.ctx.inspections.assignRectification(adminActor(), id, { findingId: f.id, description: 'Robustness rectification', ownerUserId: pm2.id, dueDate: '2099-12-31' });
  return { params: { id: String(id), rectificationId: String(r.id) }, values: { itemId, findingId: f.id } };
}

/** The state a complaint case must be in for the route's step. */
const CASE_STATE: Record<string, 'registered' | 'investigating' | 'proposed' | 'decided' | 'communicated'> = {
  investigate: 'registered',
  propose: 'investigating',
  decide: 'proposed',
  communicate: 'decided',
  close: 'communicated',
  reopen: 'communicated',
};

let noticeId: Promise<number> | null = null;

/**
 * Fixture factories by path (first match wins). `rest` is what follows the matched prefix (the
 * action of the route, e.g. "/approve"). Prefixes not listed here get PARAM_DEFAULTS.
 */
const FIXTURES: Array<[RegExp, (c: Caller, rest: string, spec: RouteSpec) => Promise<Fixture>]> = [
  // Renames and moves get their own department and project (a move of the shared project would change what the other routes see).
  [/^\/api\/v1\/departments\/:code/, async (_c, rest, spec) => ({ params: { code: rest === '' && spec.method === 'patch' ? (await makeDepartment(t)).code : dept } })],
  [/^\/api\/v1\/projects\/:code/, async (_c, rest, spec) => ({ params: { code: rest === '' && spec.method === 'patch' ? (await makeProject(t, { departmentCode: dept })).code : project } })],
  [/^\/api\/v1\/users\/:id/, async () => ({ params: { id: String((await makeUser(t, { roles: [['staff', `project:${project}`]] })).id) } })],
  [/^\/api\/v1\/customers\/:id/, async () => ({ params: { id: String((await makeCustomer(t, project)).id) } })],
  [
    /^\/api\/v1\/imports\/:id/,
    async () => {
      const id = crypto.randomUUID();
      const now = new Date();
      const p = await t.ctx.org.getProject(project);
      await t.ctx.db.manager.getRepository(CustomerImport).insert({
        id, projectId: p.id, status: 'succeeded', dryRun: true, onError: 'abort', format: 'csv', fileName: null, byteSize: 10,
        createdById: t.admin.id, runnerId: null, createdAt: now, startedAt: now, finishedAt: now, message: null, errors: null,
      });
      return { params: { id } };
    },
  ],
  [
    /^\/api\/v1\/external-releases\/:id/,
    async (c, rest) => ({ params: { id: String(rest === '/download' ? await freshRelease(c, true) : await freshRelease(adminActor(), false)) } }),
  ],
  [/^\/api\/v1\/survey-notes\/:id/, async () => ({ params: { id: String((await t.ctx.surveys.create(adminActor(), project, { source: 'interview', text: '業主手機 13912345678，工作單位：某公司' })).id) } })],
  [
    /^\/api\/v1\/role-assignments\/:id/,
    async () => {
      const u = await makeUser(t, { roles: [['staff', `project:${project}`]] });
      const [a] = await t.ctx.access.listAssignments({ userId: u.id });
      return { params: { id: String(a.id) } };
    },
  ],
  [
    /^\/api\/v1\/policy\/lines\/:id/,
    async () => {
      const p = await makeProject(t, { departmentCode: dept });
      const line = await t.ctx.access.addLine(adminActor(), { role: 'staff', scope: `project:${p.code}`, object: 'customer', action: 'read', effect: 'allow' });
      return { params: { id: String(line.id) } };
    },
  ],
  [
    /^\/api\/v1\/inventory\/:id/,
    async () => {
      const item = await t.ctx.inventory.create(adminActor(), dept, { infoClass: 'paper_archive', description: 'Owner archives', keeperName: 'Archive clerk', location: 'Room 101', approxCount: 300 } as Parameters<AppContext['inventory']['create']>[2]);
      return { params: { id: String(item.id) } };
    },
  ],
  [
    /^\/api\/v1\/print-requests\/:id/,
    async (c, rest) => {
      // Nobody decides their own request: approve/reject a colleague's; read and cancel one's own.
      const who = rest === '/approve' || rest === '/reject' ? requester : c;
      const customer = await makeCustomer(t, project);
      const r = await t.ctx.printRequests.request(actorOf(who), { project, purpose: 'robustness printout', customerIds: [customer.id], copies: 1, usageDays: 3, includePersonal: false });
      return { params: { id: String(r.id) } };
    },
  ],
  [/^\/api\/v1\/copies\/:serial/, async (c) => ({ params: { serial: await freshCopySerial(c) } })],
  [
    /^\/api\/v1\/incidents\/:id/,
    async (_c, rest) => {
      const i = await makeIncident(t, { project });
      if (rest === '/conclude') await t.ctx.incidents.investigate(adminActor(), await t.ctx.incidents.load(i.id), null);
      return { params: { id: String(i.id) } };
    },
  ],
  [
    /^\/api\/v1\/sanctions\/:id/,
    async (_c, rest) => {
      const culprit = await makeUser(t);
      const incident = await makeIncident(t, { project, concludedWith: [culprit.id] });
      const s = await t.ctx.sanctions.propose(actorOf(qi2), { source: { type: 'incident', id: incident.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 500, reason: 'robustness check' });
      if (rest === '/notice') await t.ctx.sanctions.decide(actorOf(gm2), await t.ctx.sanctions.load(s.id), true, null);
      return { params: { id: String(s.id) } };
    },
  ],
  [/^\/api\/v1\/jobs\/:name/, async () => ({ params: { name: 'audit-verify' } })],
  [/^\/api\/v1\/handover-files\/:id/, async (_c, rest) => freshHandover(rest.includes(':delegationId') ? 'delegations' : rest === '/delegations' ? '' : (rest.split('/')[1] ?? ''))],
  [/^\/api\/v1\/handover-destructions\/:id/, async () => freshHandover('destructions')],
  [
    /^\/api\/v1\/cases\/:id/,
    async (_c, rest) => {
      const customer = await makeCustomer(t, project);
      const c = await registerCase(t, adminActor(), project, customer.id);
      const state = CASE_STATE[rest.slice(1)];
      if (state && state !== 'registered') await advanceCase(t, { dept, pm: adminActor(), gm: actorOf(gm2) }, c.id, state, { amount: 100 });
      return { params: { id: String(c.id) }, values: { customerId: customer.id } };
    },
  ],
  [/^\/api\/v1\/case-statistics\/:period/, async () => ({ params: { period: '2026-01' } })],
  [/^\/api\/v1\/inspections\/:id/, async (_c, rest) => freshInspection(rest.includes(':rectificationId') ? 'rectification' : (rest.split('/')[1] ?? ''))],
  [
    /^\/api\/v1\/notices\/:id/,
    async () => {
      noticeId ??= t.ctx.notices.publish(adminActor(), { kind: 'public_criticism', project, title: 'Robustness notice', body: 'Robustness notice text' }).then((n) => n.id);
      return { params: { id: String(await noticeId) } };
    },
  ],
  [
    /^\/api\/v1\/risk-assessments\/:id/,
    async (_c, rest) => {
      const id = await freshAssessment(rest === '/review' || rest === '/return');
      if (rest.startsWith('/items/')) {
        const item = await t.ctx.assessments.addItem(adminActor(), id, { description: 'Customer list left on a desk', likelihood: 3, impact: 4 });
        return { params: { id: String(id), itemId: String(item.id) } };
      }
      return { params: { id: String(id) } };
    },
  ],
  [
    /^\/api\/v1\/rectifications\/:id/,
    async () => {
      const id = await freshAssessment();
      const r = await t.ctx.assessments.addRectification(adminActor(), id, { description: 'Lock the archive cabinet', ownerUserId: pm2.id, dueDate: inDays(30) });
      return { params: { id: String(r.id) } };
    },
  ],
  [
    /^\/api\/v1\/ports\/:id/,
    async () => {
      const p = await t.ctx.ports.create(adminActor(), dept, { assetTag: `PC-${uid()}`, userName: 'Front desk', location: 'Lobby', usbStatus: 'sealed', burnerStatus: 'none', decision: 'Seal USB', approvedById: t.admin.id });
      return { params: { id: String(p.id) } };
    },
  ],
];

/** :params of a path no fixture knows (a new route): still well-formed, so the resolvers run. */
const PARAM_DEFAULTS: Record<string, () => string> = {
  code: () => dept,
  id: () => '1',
  serial: () => 'CC-2601-00001',
  name: () => 'audit-verify',
  period: () => '2026-01',
};

async function fixtureFor(spec: RouteSpec, c: Caller): Promise<Fixture> {
  const extra = (await ROUTE_VALUES[routeKey(spec)]?.(c)) ?? {};
  for (const [re, make] of FIXTURES) {
    const m = re.exec(spec.path);
    if (m) {
      const fx = await make(c, spec.path.slice(m[0].length), spec);
      return { params: fx.params, values: { ...fx.values, ...extra } };
    }
  }
  const params: Record<string, string> = {};
  for (const [, name] of spec.path.matchAll(/:([A-Za-z0-9_]+)/g)) params[name] = (PARAM_DEFAULTS[name] ?? (() => '1'))();
  return { params, values: extra };
}

// ---------------------------------------------------------------------------------------------
// Valid-looking queries and bodies from the zod schemas
// ---------------------------------------------------------------------------------------------

interface JS {
  type?: string | string[];
  properties?: Record<string, JS>;
  required?: string[];
  items?: JS;
  anyOf?: JS[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

function jsonSchema(s: z.ZodType | undefined): JS | null {
  if (!s) return null;
  try {
    return z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' }) as JS;
  } catch {
    return null;
  }
}

/** Field values by name: real records and codes, so that a valid-looking request reaches the handler. */
const FIELD_VALUES: Record<string, (c: Caller) => unknown> = {
  project: () => project,
  department: () => dept,
  departmentCode: () => dept,
  userId: () => pm2.id,
  ownerUserId: () => pm2.id,
  keeperUserId: () => pm2.id,
  witnessUserId: () => pm2.id,
  toUserId: () => pm2.id,
  approvedById: () => pm2.id,
  clerkUserId: () => clerk2.id,
  responsibleUserIds: () => [pm2.id],
  user: () => superUser.username,
  scope: () => `project:${project}`,
  role: () => 'staff',
  object: () => 'customer',
  action: () => 'read',
  version: () => CURRENT_AGREEMENT.version,
  username: () => `r.${uid()}`,
  password: () => 'robustness-password-1',
  newPassword: () => 'robustness-password-2',
  currentPassword: () => DEFAULT_PASSWORD,
  phones: () => [makePhone()],
  phone: () => makePhone(),
  idNumber: () => makeIdNumber(),
  email: () => 'owner@example.com',
  from: () => '2020-01-01',
  to: () => '2100-01-01',
  dueDate: () => '2099-12-31',
  customerId: () => customer0,
  customerIds: () => [customer0],
};

/** Field values of routes whose records a name alone cannot find (merged over FIELD_VALUES). */
const ROUTE_VALUES: Record<string, (c: Caller) => Promise<Record<string, unknown>>> = {
  'POST /api/v1/sanctions': async () => {
    const culprit = await makeUser(t);
    const incident = await makeIncident(t, { project, concludedWith: [culprit.id] });
    return { source: { type: 'incident', id: incident.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 300, reason: 'robustness check' };
  },
  'POST /api/v1/role-assignments': async () => ({ userId: (await makeUser(t)).id }),
  'POST /api/v1/cases': async () => ({ customerId: (await makeCustomer(t, project)).id }),
  'POST /api/v1/print-requests': async () => ({ customerIds: [(await makeCustomer(t, project)).id] }),
  'POST /api/v1/auth/login': async () => ({ username: loginUser.username, password: DEFAULT_PASSWORD }),
  'POST /api/v1/me/password': async (c) => ({ currentPassword: c.name === 'admin' ? ADMIN_PASSWORD : DEFAULT_PASSWORD }),
  'POST /api/v1/handover-files': async () => ({ name: 'owners.csv' }),
  'POST /api/v1/policy/lines': async () => ({ scope: `project:${(await makeProject(t, { departmentCode: dept })).code}` }),
  'PATCH /api/v1/inspections/:id/items/:itemId': async () => ({ result: 'pass' }),
  'PATCH /api/v1/inspections/:id/rectifications/:rectificationId': async () => ({ status: 'in_progress' }),
  'PATCH /api/v1/risk-assessments/:id/items/:itemId': async () => ({ impact: 2 }),
};

const DATE_RE = /\\d\{4\}-\\d\{2\}-\\d\{2\}/;
const MONTH_RE = /\\d\{4\}-\(0\[1-9\]/;
const BLOCK_RE = /-B\(/;

function firstBranch(s: JS): JS {
  if (s.anyOf) return firstBranch(s.anyOf.find((b) => b.type !== 'null') ?? s.anyOf[0]);
  return s;
}

const typeOf = (s: JS): string => {
  const b = firstBranch(s);
  if (b.enum) return 'enum';
  return (Array.isArray(b.type) ? b.type[0] : b.type) ?? 'any';
};

function fitText(min = 0, max = 200): string {
  const base = 'Robustness sample text, 3棟1204室';
  let s = base;
  while (s.length < min) s += base;
  return s.slice(0, Math.max(min, Math.min(max, base.length)));
}

/** A value the schema accepts (as far as the schema says; the handler may still refuse it). */
function sample(s: JS, name: string, values: Record<string, unknown>): unknown {
  if (name in values) return values[name];
  const b = firstBranch(s);
  if (b.const !== undefined) return b.const;
  if (b.enum) return b.enum[0];
  switch (typeOf(b)) {
    case 'string': {
      if (b.format === 'uuid') return crypto.randomUUID();
      if (b.pattern && DATE_RE.test(b.pattern)) return '2099-12-31';
      if (b.pattern && MONTH_RE.test(b.pattern)) return '2026-01';
      if (b.pattern && BLOCK_RE.test(b.pattern)) return blockKeys(t).current;
      if (b.pattern?.includes('[0-9a-f]{64}')) return '0'.repeat(64);
      if (b.pattern?.includes('[a-z0-9-]{1,60}')) return 'audit-verify';
      if (b.pattern?.includes('[a-z_]{1,40}')) return 'read';
      if (b.pattern?.includes('[a-z0-9._-]{1,63}')) return `r.${uid()}`;
      if (b.pattern) return `R${uid()}`;
      return fitText(b.minLength, b.maxLength);
    }
    case 'integer':
      return Math.max(b.minimum ?? 1, b.exclusiveMinimum !== undefined ? b.exclusiveMinimum + 1 : 1, 1);
    case 'number':
      return Math.max(b.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'array':
      return b.minItems ? [sample(b.items ?? {}, '', {})] : [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(b.properties ?? {})) {
        if (!(b.required ?? []).includes(k) && !(k in values)) continue;
        const v = sample(p, k, values);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    default:
      return {};
  }
}

const WEIRD = `'"\\\u0000<script>%s\${}😀中\u202e\r\n\t`;
/** A string of exactly `n` UTF-16 units of quotes, NUL, markup, emoji, CJK, an RTL mark and line breaks. */
function weird(n: number): string {
  let s = '';
  while (s.length < n) s += WEIRD;
  return s.slice(0, n);
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Values the schema still accepts, at its edges (the handler and the database see them). */
function extremes(s: JS): unknown[] {
  const b = firstBranch(s);
  if (b.enum || b.const !== undefined) return [];
  switch (typeOf(b)) {
    case 'string':
      if (b.format === 'uuid') return ['00000000-0000-0000-0000-000000000000'];
      if (b.pattern && DATE_RE.test(b.pattern)) return ['2026-02-30', '0000-00-00', '9999-12-31'];
      if (b.pattern && MONTH_RE.test(b.pattern)) return ['0000-01', '9999-12'];
      if (b.pattern && BLOCK_RE.test(b.pattern)) return ['0000-B1', '9999-B6'];
      if (b.pattern) return ['Z'.repeat(Math.min(b.maxLength ?? 40, 40))];
      return [weird(b.maxLength ?? 60_000), ' '.repeat(Math.max(b.minLength ?? 1, 1)), ...((b.maxLength ?? 99) >= 16 ? ['../../etc/passwd'] : [])];
    case 'integer': {
      const lo = b.minimum ?? (b.exclusiveMinimum !== undefined ? b.exclusiveMinimum + 1 : -MAX_SAFE);
      return [b.maximum ?? MAX_SAFE, lo];
    }
    case 'number':
      return [b.maximum ?? 1e308, b.minimum ?? -1e308, 0.1 + 0.2];
    case 'array': {
      const n = Math.min(b.maxItems ?? 1000, 1000);
      const item = b.items ? (extremes(b.items)[0] ?? sample(b.items, '', {})) : 'x';
      return n > 0 ? [Array.from({ length: n }, () => item)] : [];
    }
    default:
      return [];
  }
}

/** A value of the wrong type for the field: numbers as strings, strings as numbers, ... */
function wrongType(s: JS, v: unknown): unknown {
  switch (typeOf(s)) {
    case 'integer':
    case 'number':
      return String(v ?? 7);
    case 'boolean':
      return 'true';
    case 'array':
      return 'not-an-array';
    case 'object':
      return [];
    case 'enum':
      return '__proto__';
    default:
      return 12345;
  }
}

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

interface Case {
  label: string;
  path: string;
  /** Raw query string (without "?"). */
  query: string;
  contentType?: string;
  body?: string | Buffer;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /**
   * Decided before authorization (the path or the query fails its schema, or the router cannot
   * decode the path): the answer is the same for every signed-in caller, so one caller sends it.
   */
  anyCaller?: boolean;
}

const VALID_LOOKING = 'the valid-looking request';

const HOSTILE_PARAMS: Array<[string, string]> = [
  ['0', '0'],
  ['-1', '-1'],
  ['999999999', '999999999'],
  ['abc', 'abc'],
  ['1e309', '1e309'],
  ['%00', '%00'],
  ['300 chars', 'a'.repeat(300)],
  ['../../etc/passwd', encodeURIComponent('../../etc/passwd')],
  ['a malformed %-escape', '%E0%A4%A'],
];

/**
 * True when the path or the query fails its schema, or the path cannot be decoded: mountRoutes
 * answers 400 before authorization, the same for every signed-in caller.
 */
function decidedBeforeAuthz(spec: RouteSpec, pathValue: string, query: string): boolean {
  const names = [...spec.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
  const re = new RegExp(`^${spec.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z0-9_]+)/g, '([^/]+)')}$`);
  const m = re.exec(pathValue);
  if (!m) return true;
  const params: Record<string, string> = {};
  try {
    names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1])));
  } catch {
    return true;
  }
  if (spec.params && !spec.params.safeParse(params).success) return true;
  const q = querystring.parse(query);
  if (!spec.query) return Object.keys(q).length > 0;
  return !spec.query.safeParse(q).success;
}

const fillPath = (pattern: string, params: Record<string, string>, raw: Record<string, string> = {}) =>
  pattern.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => (name in raw ? raw[name] : encodeURIComponent(params[name] ?? '1')));

function qs(q: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(one))}`);
  }
  return parts.join('&');
}

const json = (v: unknown) => JSON.stringify(v);
const isRawUpload = (spec: RouteSpec) => spec.method === 'post' && !spec.body && /\braw\b/i.test(spec.summary);
const garbage = (n: number) => crypto.randomBytes(n);

function rawBodies(): Array<[string, string | undefined, string | Buffer]> {
  const csvHeaderOnly = 'name,unit,phones\n';
  return [
    ['empty (text/csv)', 'text/csv', ''],
    ['empty (no content type)', undefined, ''],
    ['garbage (octet-stream)', 'application/octet-stream', garbage(4096)],
    ['garbage (text/csv)', 'text/csv', garbage(4096)],
    ['fake XLSX (PK header + garbage)', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', Buffer.concat([Buffer.from('PK\u0003\u0004'), garbage(2048)])],
    ['fake PDF', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.7\n'), garbage(2048)])],
    ['GB18030 noise', 'text/csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => 0x81 + (i % 0x7e)))],
    ['header-only CSV', 'text/csv', csvHeaderOnly],
    ['BOM, formulas, NUL and a 50k cell', 'text/csv', `\ufeff${csvHeaderOnly}=cmd|' /C calc'!A0,"a""b\u0000",${'9'.repeat(50_000)}\n,,\n"unterminated\n`],
    ['JSON {} to a raw route', 'application/json', '{}'],
    ['JSON {bad to a raw route', 'application/json', '{bad'],
    ['multipart garbage', 'multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="f"\r\n\r\ngarbage\r\n--xyz--'],
  ];
}

function buildCases(spec: RouteSpec, fx: Fixture, c: Caller): Case[] {
  const values: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(FIELD_VALUES)) values[k] = f(c);
  Object.assign(values, fx.values ?? {});

  const path = fillPath(spec.path, fx.params);
  const qSchema = jsonSchema(spec.query);
  const bSchema = jsonSchema(spec.body);
  // A query takes one of project/department and one of phone/idNumber: the names that filter by choice stay out.
  const queryValues = Object.fromEntries(Object.entries(values).filter(([k]) => !['department', 'idNumber'].includes(k)));
  const baseQuery = (qSchema ? (sample(qSchema, '', queryValues) as Record<string, unknown>) : {}) ?? {};
  const raw = isRawUpload(spec);
  const hasBody = spec.method !== 'get';
  const baseBody: unknown = !hasBody ? undefined : bSchema ? sample(bSchema, '', values) : raw ? undefined : {};
  const withBody = (cs: Omit<Case, 'contentType' | 'body'>): Case =>
    raw ? { ...cs, contentType: 'text/csv', body: ownersCsv(2).toString() } : baseBody === undefined ? cs : { ...cs, contentType: 'application/json', body: json(baseBody) };
  const cases: Case[] = [];
  const baseQs = qs(baseQuery);

  // --- path params ---
  for (const [, name] of spec.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    for (const [label, value] of HOSTILE_PARAMS) {
      cases.push(withBody({ label: `path :${name}=${label}`, path: fillPath(spec.path, fx.params, { [name]: value }), query: baseQs }));
    }
  }

  // --- query ---
  cases.push(withBody({ label: VALID_LOOKING, path, query: baseQs }));
  cases.push(withBody({ label: 'query: unexpected key', path, query: qs({ ...baseQuery, unexpectedKey: '1' }) }));
  cases.push(withBody({ label: 'query: __proto__, constructor and bracket keys', path, query: `${baseQs}&__proto__=x&constructor%5Bprototype%5D=y&project%5B%5D=z` }));
  if (!qSchema?.properties || Object.keys(qSchema.properties).length === 0) {
    cases.push(withBody({ label: 'query: ?a=1&a=2', path, query: 'a=1&a=2' }));
  }
  for (const [k, p] of Object.entries(qSchema?.properties ?? {})) {
    const v = baseQuery[k] ?? sample(p, k, queryValues);
    const variants: Array<[string, unknown]> = [
      ['repeated', [String(v ?? '1'), String(v ?? '2')]],
      ['huge number', '99999999999999999999999'],
      ['invalid date', '2026-13-45'],
      ['empty', ''],
      ['-1', '-1'],
      ['1.5', '1.5'],
      ['NaN', 'NaN'],
      ['0000-00-00', '0000-00-00'],
      ['2026-02-30', '2026-02-30'],
      // (a query string stays far below the 16 KB header limit of Node's HTTP parser)
      ...extremes(p)
        .filter((e) => typeof e !== 'object')
        .map((e): [string, unknown] => [`edge ${preview(String(e).slice(0, 2000))}`, String(e).slice(0, 2000)]),
    ];
    for (const [label, value] of variants) cases.push(withBody({ label: `query ${k}: ${label}`, path, query: qs({ ...baseQuery, [k]: value }) }));
  }

  if (!hasBody) return cases;

  // --- raw uploads ---
  if (raw) {
    for (const [label, type, body] of rawBodies()) cases.push({ label: `raw body: ${label}`, path, query: baseQs, contentType: type, body });
    return cases;
  }

  // --- body shapes ---
  const b = (label: string, body: string | Buffer, contentType = 'application/json') => cases.push({ label: `body: ${label}`, path, query: baseQs, contentType, body });
  const baseObj = (baseBody && typeof baseBody === 'object' ? baseBody : {}) as Record<string, unknown>;
  const baseJson = json(baseObj);
  b('{}', '{}');
  b('[]', '[]');
  b('null', 'null');
  b('"str"', '"str"');
  b('123', '123');
  b('{bad', '{bad');
  b('text/csv to a JSON route', 'code,name\nX,Y\n', 'text/csv');
  b('octet-stream to a JSON route', garbage(512), 'application/octet-stream');
  b('unknown keys', json({ ...baseObj, unexpectedKey: 1, another: { deep: [1, 2] } }));
  b('__proto__ key', `{"__proto__":{"polluted":"yes","isAdmin":true},${baseJson.slice(1)}`.replace(/,}$/, '}'));
  b('constructor.prototype key', `{"constructor":{"prototype":{"polluted":"yes"}},${baseJson.slice(1)}`.replace(/,}$/, '}'));
  const props = Object.entries(bSchema?.properties ?? {});
  const firstString = props.find(([, p]) => typeOf(p) === 'string')?.[0] ?? 'text';
  b('a 100k-char string', json({ ...baseObj, [firstString]: 'x'.repeat(100_000) }));
  b('lone surrogates', json({ ...baseObj, [firstString]: 'x' }).replace('"x"', '"\\ud800\\udfff\\ud800"'));
  b('30000 levels of nesting', json({ ...baseObj, [props[0]?.[0] ?? 'deep']: 0 }).replace(/:0([,}])/, `:${'['.repeat(30_000)}${']'.repeat(30_000)}$1`));
  b('charset utf-7', baseJson, 'application/json; charset=utf-7');
  cases.push({ label: 'body: Content-Encoding gzip of garbage', path, query: baseQs, contentType: 'application/json', body: garbage(256), headers: { 'Content-Encoding': 'gzip' } });
  if (props.length > 0) {
    b('every field a nested object', json(Object.fromEntries(props.map(([k]) => [k, { $gt: '', nested: { deeper: [{}] } }]))));
    b('every field null', json(Object.fromEntries(props.map(([k]) => [k, null]))));
    b('every field of the wrong type', json({ ...baseObj, ...Object.fromEntries(props.map(([k, p]) => [k, wrongType(p, baseObj[k])])) }));
  }

  // --- one field at a time, at the edges its schema still accepts (one level deep) ---
  for (const [k, p] of props) {
    for (const e of extremes(p)) b(`${k} = ${preview(e)}`, json({ ...baseObj, [k]: e }));
    // Numbers: negative, fractional, huge, and as a string.
    if (['integer', 'number'].includes(typeOf(p))) for (const e of [-1, 1.5, 1e308, '7']) b(`${k} = ${preview(e)}`, json({ ...baseObj, [k]: e }));
    const inner = firstBranch(p);
    if (typeOf(inner) === 'object' && inner.properties) {
      const nestedBase = (baseObj[k] && typeof baseObj[k] === 'object' ? baseObj[k] : sample(inner, '', values)) as Record<string, unknown>;
      for (const [k2, p2] of Object.entries(inner.properties)) {
        for (const e of extremes(p2)) b(`${k}.${k2} = ${preview(e)}`, json({ ...baseObj, [k]: { ...nestedBase, [k2]: e } }));
      }
    }
  }
  return cases;
}

/** Marks the cases decided before authorization (see Case.anyCaller). */
function buildAllCases(spec: RouteSpec, fx: Fixture, c: Caller): Case[] {
  return buildCases(spec, fx, c).map((k) => ({ ...k, anyCaller: decidedBeforeAuthz(spec, k.path, k.query) }));
}

function preview(v: unknown): string {
  if (Array.isArray(v)) return `[${v.length} × ${preview(v[0])}]`;
  if (typeof v === 'string') return v.length > 24 ? `"${v.slice(0, 8).replace(/[^\x20-\x7e]/g, '?')}…" (${v.length} chars)` : JSON.stringify(v);
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Sending and checking
// ---------------------------------------------------------------------------------------------

/** What the run did (printed at the end): requests, route×caller blocks, statuses, blocks whose valid-looking request succeeded. */
const totals = { requests: 0, routes: 0, statuses: {} as Record<string, number>, reached: {} as Record<string, number> };

const TEXTUAL = /^(application\/(json|problem\+json|xml)|text\/)/;
const LEAKS: Array<[string, RegExp]> = [
  ['a stack frame', /\n\s*at |\bat [^\s"]+ \([^)]*:\d+:\d+\)/],
  ['"Error:"', /\bError:/],
  ['a source path', /\/src\/|node_modules/],
  ['a source position', /\.(ts|js):\d+/],
];

function collect(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.concat(chunks)));
}

async function send(spec: RouteSpec, c: Caller, k: Case): Promise<request.Response> {
  const url = k.query ? `${k.path}?${k.query}` : k.path;
  let call = t.http()[spec.method](url).set('Authorization', `Bearer ${c.token}`).buffer(true).parse(collect as never).timeout({ response: 30_000, deadline: 60_000 });
  if (k.contentType) call = call.set('Content-Type', k.contentType);
  for (const [h, v] of Object.entries(k.headers ?? {})) call = call.set(h, v);
  return k.body !== undefined ? call.send(k.body) : call;
}

/** What is wrong with a response (empty: nothing). */
function problems(res: request.Response, logged: string[]): string[] {
  const out: string[] = [];
  const type = String(res.headers['content-type'] ?? '');
  const body = Buffer.isBuffer(res.body) ? (res.body as Buffer) : Buffer.from(res.text ?? '');
  const text = TEXTUAL.test(type) || body.length === 0 ? body.toString('utf8') : '';
  if (res.status >= 500) out.push(`status ${res.status} ${text.slice(0, 300)}`);
  if (res.status >= 400 && res.status < 500) {
    let parsed: { error?: { code?: unknown; message?: unknown } } | null = null;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (!/^application\/json/.test(type) || typeof parsed?.error?.code !== 'string' || typeof parsed?.error?.message !== 'string') {
      out.push(`status ${res.status} without the error shape: ${type} ${text.slice(0, 200)}`);
    }
  }
  for (const [what, re] of LEAKS) if (re.test(text)) out.push(`response shows ${what}: ${text.slice(0, 300)}`);
  for (const line of logged) out.push(`server logged an error: ${line.slice(0, 400)}`);
  return out;
}

let auditCheckedSeq = 0;
/** Audit events written since the last check whose stored content no longer matches their hash (R-AUDIT). */
async function brokenAuditEvents(): Promise<string[]> {
  const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { seq: MoreThan(auditCheckedSeq) }, order: { seq: 'ASC' } });
  const out: string[] = [];
  for (const e of events) {
    if (entryHash(e) !== e.hash) out.push(`audit event ${e.seq} (${e.action}) as stored does not match its hash: ${JSON.stringify({ reason: e.reason, objectId: e.objectId, scope: e.scope, before: e.before, after: e.after }).slice(0, 300)}`);
    auditCheckedSeq = e.seq;
  }
  return out;
}

async function runBlock(spec: RouteSpec, c: Caller): Promise<string[]> {
  const failures: string[] = [];
  await refresh(c);
  let fx: Fixture;
  try {
    fx = await fixtureFor(spec, c);
  } catch (err) {
    return [`${c.name}: the fixture failed: ${String(err)}`];
  }
  // The first caller sends every case; the others skip those decided before authorization.
  const cases = buildAllCases(spec, fx, c).filter((k) => c === callers[0] || !k.anyCaller);
  totals.routes++;
  for (const k of cases) {
    errorLines.length = 0;
    let res: request.Response;
    try {
      res = await send(spec, c, k);
    } catch (err) {
      failures.push(`${c.name} ${k.label}: no response (${String(err)})`);
      continue;
    }
    // Let a handler's late error (after the response went out) reach the log.
    await new Promise((r) => setImmediate(r));
    totals.requests++;
    totals.statuses[res.status] = (totals.statuses[res.status] ?? 0) + 1;
    for (const p of problems(res, [...errorLines])) failures.push(`${c.name} ${k.label}: ${p}`);
    if (k.label === VALID_LOOKING && res.status < 300) totals.reached[c.name] = (totals.reached[c.name] ?? 0) + 1;
    // A case that revoked the caller's token (logout, password) must not blind the rest of the block.
    if (res.status === 401 || (res.status < 300 && /logout|password|agreement/.test(spec.path))) await refresh(c);
  }
  for (const p of await brokenAuditEvents()) failures.push(`${c.name}: ${p}`);
  return failures;
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

test('the battery covers every route of allRoutes but the health checks', () => {
  const keys = allRoutes(t.ctx)
    .map(routeKey)
    .filter((k) => !HEALTH.has(k));
  expect(keys).toEqual(ROUTE_KEYS);
  expect(keys.length).toBeGreaterThan(100);
});

describe('hostile input never gets a 500 or a stack trace', () => {
  // The route table of the test app, built once (building it per route cost ~40 ms a route).
  let specs: Map<string, ReturnType<typeof allRoutes>[number]>;
  beforeAll(() => {
    specs = new Map(allRoutes(t.ctx).map((r) => [routeKey(r), r]));
  });
  test.each(ROUTE_KEYS)('%s', async (key) => {
    const spec = specs.get(key)!;
    const failures: string[] = [];
    for (const c of callers) failures.push(...(await runBlock(spec, c)));
    expect(failures).toEqual([]);
  });
});

test('the audit chain still verifies after the battery (R-AUDIT)', async () => {
  const result = await verifyAuditChain(t.ctx.db.ds);
  expect(result).toEqual(expect.objectContaining({ ok: true }));
});

test('no request polluted Object.prototype', () => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
});

test('the callers are intact after the battery (active, agreement signed, roles held)', async () => {
  for (const c of callers) {
    await refresh(c);
    const res = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${c.token}`);
    expect({ caller: c.name, status: res.status }).toEqual({ caller: c.name, status: 200 });
  }
});
