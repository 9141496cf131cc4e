/**
 * Issue 11 (acceptance finding): twenty simultaneous conflicting decisions on one record, split
 * over two instances whose pools hold only 3 connections each, end at once: one winner (2xx),
 * every other call a 409, never a 5xx, never a wait for innodb_lock_wait_timeout. The losers used
 * to read the record again through a second pool connection while holding its row lock; with
 * every pool connection taken by waiters for that lock, they waited ~50 s and answered 503.
 * Since then every read inside a transaction goes through its own manager (the runtime guard in
 * src/db/database.ts and test/db/tx-conventions.unit.test.ts keep it so), and transient failures
 * (deadlock, lock-wait timeout, SQLite busy) are retried by the transaction runner; one that
 * persists is a 503 with Retry-After.
 *
 * On MySQL/MariaDB two instances share one database (pool of 3 each, set by the URL's
 * connectionLimit); on SQLite (one process, one connection) the calls go to one instance.
 */
import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { CaseNumberCounter } from '../../src/entities/CaseNumberCounter';
import { ComplaintCase } from '../../src/entities/ComplaintCase';
import { ControlledCopy } from '../../src/entities/ControlledCopy';
import { JobRun } from '../../src/entities/JobRun';
import { advanceCase, intake, makeCaseOrg, registerCase } from '../helpers/case-factories';
import { makeUser, MadeUser } from '../helpers/factories';
import { makeInspectedProject, makeInspection } from '../helpers/inspections-factories';
import { actorOf, makeCopy, makePaperOrg, makePrintRequest } from '../helpers/paper-factories';
import { makeIncident } from '../helpers/sanctions-factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-db';

const MYSQL = testDbKind() === 'mysql';
const POOL = 3;
const CALLS = 20;
/** The transient failure each database really produces. */
const TRANSIENT = MYSQL ? 'deadlock' : 'busy';

let owner: TestApp;
let x: TestApp;
let y: TestApp;
let qi: MadeUser;
let qi2: MadeUser;
let gm: MadeUser;
let gm2: MadeUser;

beforeAll(async () => {
  owner = await startTestApp();
  if (MYSQL) {
    const url = new URL(owner.dbUrl);
    url.searchParams.set('connectionLimit', String(POOL));
    x = await startTestApp({ dbUrl: url.toString() });
    y = await startTestApp({ dbUrl: url.toString() });
  } else {
    x = y = owner;
  }
  qi = await makeUser(owner, { roles: [['quality_inspector', '*']] });
  qi2 = await makeUser(owner, { roles: [['quality_inspector', '*']] });
  gm = await makeUser(owner, { roles: [['general_manager', '*']] });
  gm2 = await makeUser(owner, { roles: [['general_manager', '*']] });
});
afterAll(async () => {
  if (y && y !== owner) await y.close();
  if (x && x !== owner) await x.close();
  await owner?.close();
});
afterEach(() => {
  for (const app of [owner, x, y]) app.ctx.db.clearFaults();
});

/** The instances learn the roles and projects made on the owner (as their policy poll would). */
const sync = () => Promise.all([...new Set([x, y])].map((app) => app.ctx.policy.reload()));

const events = (objectType: string, objectId: number | string) =>
  owner.ctx.db.manager.getRepository(AuditEvent).find({ where: { objectType, objectId: String(objectId) }, order: { seq: 'ASC' } });

/**
 * Fires CALLS requests at once, alternating between the two instances, and asserts the outcome
 * of a one-winner workflow: within 2 s, one 2xx, the rest 409, no 5xx.
 */
async function race(fire: (app: TestApp, i: number) => request.Test): Promise<request.Response[]> {
  await sync();
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: CALLS }, (_, i) => fire(i % 2 ? y : x, i)));
  const elapsed = Date.now() - started;
  const statuses = results.map((r) => r.status);
  expect({
    winners: statuses.filter((s) => s >= 200 && s < 300).length,
    conflicts: statuses.filter((s) => s === 409).length,
    others: statuses.filter((s) => (s < 200 || s >= 300) && s !== 409),
  }).toEqual({ winners: 1, conflicts: CALLS - 1, others: [] });
  expect(elapsed).toBeLessThan(2000);
  return results;
}

const post = (app: TestApp, path: string, u: MadeUser, body: object = {}) => app.http().post(path).set('Authorization', u.auth).send(body);

describe(`${CALLS} conflicting decisions at once on one record${MYSQL ? `, over two instances with ${POOL} pool connections each` : ''}`, () => {
  test('the instances really run with the small pool', () => {
    if (!MYSQL) return;
    for (const app of [x, y]) expect((app.ctx.db.ds.driver as unknown as { pool: { config: { connectionLimit: number } } }).pool.config.connectionLimit).toBe(POOL);
  });

  test('R-PRINT-APPROVE: approvals and rejections of one print request: one decision, the rest 409 not_pending, one set of copies, within 2 s', async () => {
    const o = await makePaperOrg(owner);
    const r = await makePrintRequest(owner, actorOf(o.staff), o.project, { copies: 2 });
    const results = await race((app, i) =>
      i % 4 === 0 ? post(app, `/api/v1/print-requests/${r.id}/reject`, o.head, { reason: 'not needed any more' }) : post(app, `/api/v1/print-requests/${r.id}/approve`, i % 4 === 1 ? o.pm : o.pm2),
    );
    expect(results.filter((res) => res.status === 409).every((res) => res.body.error.code === 'not_pending')).toBe(true);
    const decisions = (await events('print_request', r.id)).filter((e) => e.action === 'print_request.approved' || e.action === 'print_request.rejected');
    expect(decisions).toHaveLength(1);
    const copies = await owner.ctx.db.manager.getRepository(ControlledCopy).countBy({ printRequestId: r.id });
    expect(copies).toBe(decisions[0].action === 'print_request.approved' ? 2 : 0);
  });

  test('R-EXTERNAL: decisions on one external release by two general managers: one stands, the rest 409, within 2 s', async () => {
    const it = await makeUser(owner, { roles: [['it_admin', '*']] });
    const P = (await makePaperOrg(owner)).project;
    const req = await post(owner, '/api/v1/external-releases', it, { project: P, recipient: 'City Gas Co.', purpose: 'gas meter safety inspection', fields: ['phones'] });
    expect(req.status).toBe(201);
    await race((app, i) =>
      i % 3 === 0
        ? post(app, `/api/v1/external-releases/${req.body.id}/reject`, gm2, { reason: 'no legal basis' })
        : post(app, `/api/v1/external-releases/${req.body.id}/approve`, i % 3 === 1 ? gm : gm2),
    );
    expect((await events('external_release', req.body.id)).filter((e) => e.action !== 'release.requested')).toHaveLength(1);
  });

  test('R-PENALTY: approvals and rejections of one proposed penalty: one decision, the rest 409, within 2 s', async () => {
    const culprit = await makeUser(owner);
    const P = (await makePaperOrg(owner)).project;
    const i = await makeIncident(owner, { project: P, concludedWith: [culprit.id] });
    const s = await post(owner, '/api/v1/sanctions', qi, { source: { type: 'incident', id: i.id }, userId: culprit.id, kind: 'penalty', ground: 'negligent_leak', fine: 800, reason: 'Left the list on the printer' });
    expect(s.status).toBe(201);
    await race((app, n) =>
      n % 3 === 0 ? post(app, `/api/v1/sanctions/${s.body.id}/reject`, gm2, { reason: 'not proven' }) : post(app, `/api/v1/sanctions/${s.body.id}/approve`, n % 3 === 1 ? gm : gm2),
    );
    const decided = (await events('sanction', s.body.id)).filter((e) => /^sanction\.(approved|rejected)$/.test(e.action));
    expect(decided).toHaveLength(1);
  });

  test('R-PENALTY: two quality inspectors taking up one reported incident: one takes it, the rest 409, within 2 s', async () => {
    const P = (await makePaperOrg(owner)).project;
    const i = await makeIncident(owner, { project: P });
    await race((app, n) => post(app, `/api/v1/incidents/${i.id}/investigate`, n % 2 ? qi : qi2));
    expect((await events('incident', i.id)).filter((e) => e.action === 'incident.investigating')).toHaveLength(1);
  });

  test('R-AUDIT (第十一條 approval): the decision on one complaint case by two general managers: one decides, the rest 409, within 2 s', async () => {
    const org = await makeCaseOrg(owner);
    const c = await registerCase(owner, org.staff, org.project, org.customerId);
    await advanceCase(owner, org, c.id, 'proposed', { amount: 100 });
    await race((app, n) => post(app, `/api/v1/cases/${c.id}/decide`, n % 2 ? gm : gm2, { approve: true }));
    expect((await events('case', c.id)).filter((e) => e.action === 'case.decided')).toHaveLength(1);
  });

  test('R-INSPECT: completing one inspection from two inspectors: one completes it, the rest 409, within 2 s', async () => {
    const o = await makeInspectedProject(owner);
    const { inspection, items } = await makeInspection(owner, o.projectId);
    for (const it of items) await owner.ctx.inspections.recordItem(actorOf(qi), inspection.id, it.id, { result: 'pass' });
    await race((app, n) => post(app, `/api/v1/inspections/${inspection.id}/complete`, n % 2 ? qi : qi2, { conclusion: 'Satisfactory' }));
    expect((await events('inspection', inspection.id)).filter((e) => e.action === 'inspection.completed')).toHaveLength(1);
  });

  test('R-NO-PAPER: destructions of one controlled copy by its holder and a supervisor: one is recorded, the rest 409, within 2 s', async () => {
    const o = await makePaperOrg(owner);
    const c = await makeCopy(owner, o.staff, o.pm, o.project, { signed: true });
    await race((app, n) =>
      n % 2
        ? post(app, `/api/v1/copies/${c.serial}/destroy`, o.staff, { method: 'shredding', place: 'service centre', witnessUserId: o.pm.id })
        : post(app, `/api/v1/copies/${c.serial}/destroy`, o.pm2, { method: 'pulping', place: 'service centre', witnessUserId: o.head.id }),
    );
    const destroyed = (await events('controlled_copy', c.serial)).filter((e) => e.action.startsWith('copy.destr'));
    expect(destroyed).toHaveLength(1);
  });
});

describe('transient database failures are retried by the transaction runner', () => {
  test(`R-CASE-NO: a ${TRANSIENT} on the first attempt of a case registration is retried: 201, the next number (no gap), one registration event`, async () => {
    const org = await makeCaseOrg(owner);
    await registerCase(owner, org.staff, org.project, org.customerId);
    await sync();
    const counters = owner.ctx.db.manager.getRepository(CaseNumberCounter);
    const before = await counters.find();
    const retried = x.ctx.db.txStats.retried;
    x.ctx.db.injectFault({ sql: /INSERT INTO [`"]complaint_case[`"]/i, error: TRANSIENT });
    const res = await post(x, '/api/v1/cases', org.staff, intake(org.project, org.customerId));
    expect(res.status).toBe(201);
    expect(x.ctx.db.pendingFaults()).toBe(0);
    expect(x.ctx.db.txStats.retried).toBe(retried + 1);
    const month = String(res.body.caseNo).slice(0, 4);
    const last = before.find((r) => r.month === month)?.lastSerial ?? 0;
    expect(Number(String(res.body.caseNo).split('-')[1])).toBe(last + 1);
    expect((await counters.findOneByOrFail({ month })).lastSerial).toBe(last + 1);
    expect((await events('case', res.body.id)).map((e) => e.action)).toEqual(['case.registered']);
  });

  test(`R-PRINT-APPROVE: a ${TRANSIENT} on the first attempt of an approval (after the status change and its event) is retried: 200, one approval event, one set of copies`, async () => {
    const o = await makePaperOrg(owner);
    const r = await makePrintRequest(owner, actorOf(o.staff), o.project, { copies: 2 });
    await sync();
    x.ctx.db.injectFault({ sql: /INSERT INTO [`"]controlled_copy[`"]/i, error: TRANSIENT });
    const res = await post(x, `/api/v1/print-requests/${r.id}/approve`, o.pm);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('approved');
    expect(x.ctx.db.pendingFaults()).toBe(0);
    expect((await events('print_request', r.id)).filter((e) => e.action === 'print_request.approved')).toHaveLength(1);
    expect(await owner.ctx.db.manager.getRepository(ControlledCopy).countBy({ printRequestId: r.id })).toBe(2);
  });

  test(`R-AUDIT: a ${TRANSIENT} on the first attempt of a job claim is retried: the run is claimed once and runs`, async () => {
    x.ctx.db.injectFault({ sql: /INSERT INTO [`"]job_run[`"]/i, error: TRANSIENT });
    const res = await x.http().post('/api/v1/jobs/audit-verify/run').set('Authorization', `Bearer ${owner.admin.token}`).send({ period: '2026-01-05' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ job: 'audit-verify', period: '2026-01-05', status: 'succeeded', attempts: 1 });
    expect(x.ctx.db.pendingFaults()).toBe(0);
    expect(await owner.ctx.db.manager.getRepository(JobRun).countBy({ job: 'audit-verify', period: '2026-01-05' })).toBe(1);
  });

  test('R-CASE-NO: a registration whose transaction keeps failing answers 503 with Retry-After (never 500); nothing is written, no number is used', async () => {
    const org = await makeCaseOrg(owner);
    await registerCase(owner, org.staff, org.project, org.customerId);
    await sync();
    const cases = await owner.ctx.db.manager.getRepository(ComplaintCase).count();
    const counters = JSON.stringify(await owner.ctx.db.manager.getRepository(CaseNumberCounter).find({ order: { month: 'ASC' } }));
    x.ctx.db.injectFault({ sql: /INSERT INTO [`"]complaint_case[`"]/i, error: TRANSIENT, times: 1000 });
    const res = await post(x, '/api/v1/cases', org.staff, intake(org.project, org.customerId));
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
    expect(res.headers['retry-after']).toBeDefined();
    expect(await owner.ctx.db.manager.getRepository(ComplaintCase).count()).toBe(cases);
    expect(JSON.stringify(await owner.ctx.db.manager.getRepository(CaseNumberCounter).find({ order: { month: 'ASC' } }))).toBe(counters);
  });
});
