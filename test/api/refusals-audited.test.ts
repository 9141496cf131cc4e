/**
 * R-AUDIT: every 403 the API gives leaves exactly one deny event in the audit trail, under the
 * request's id, scoped to what was refused, so that the monthly indicators count it (issue 11,
 * item 7: releases' requester checks, self-grant, the agreement gate and a permission found
 * missing while an inspection completes were answered 403 without a trace).
 *
 * How: src/policy/refusal.ts is the one writer of refusals; the authorizer and the refusal
 * helper write there and mark what they wrote; the error handler records every other 403 (and
 * recognises a service that wrote its own). The static part proves there is no other way to
 * answer 403; the scenarios drive each way a 403 is produced, through real HTTP.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type request from 'supertest';
import { MoreThan } from 'typeorm';
import { z } from 'zod';
import { permission, projectInQuery, route } from '../../src/api/route';
import { code } from '../../src/api/validate';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { User } from '../../src/entities/User';
import { ForbiddenError } from '../../src/errors';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { heldFile, handoverSetup } from '../helpers/handover-factories';
import { makeCopy, makePaperOrg, makePrintRequest, PaperOrg } from '../helpers/paper-factories';
import { advanceCase, makeCaseOrg, registerCase } from '../helpers/case-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/** Test-only routes: the refusals no production route gives on demand. */
const extraRoutes = [
  // A scope resolver that fails: the authorization check failed, and says so.
  route({
    method: 'get',
    path: '/api/v1/zz-refusals/unresolved',
    summary: 'test: a failing scope resolver',
    tags: ['test'],
    access: permission('customer', 'read', () => {
      throw new Error('resolver bug');
    }),
    handler: async () => ({}),
  }),
  // A record-level refusal thrown plainly by a service, with no event of its own.
  route({
    method: 'get',
    path: '/api/v1/zz-refusals/plain',
    summary: 'test: a plain record-level refusal',
    tags: ['test'],
    access: permission('customer', 'read', projectInQuery),
    query: z.strictObject({ project: code }),
    handler: async () => {
      throw new ForbiddenError('not_holder', 'Only the person named on the record may do this');
    },
  }),
  // As the inspection's completion throws when a major hazard is rated while it runs: a plain
  // ForbiddenError naming the missing permission and its scope.
  route({
    method: 'get',
    path: '/api/v1/zz-refusals/named',
    summary: 'test: a plain refusal naming a permission and scope',
    tags: ['test'],
    access: permission('customer', 'read', projectInQuery),
    query: z.strictObject({ project: code }),
    handler: async ({ query }) => {
      const scope = `project:${query.project}`;
      throw new ForbiddenError('forbidden', `Missing permission notice:publish in scope ${scope}`, { permission: 'notice:publish', scope });
    },
  }),
  // As the handover files' and the risk assessments' refusals do: their own deny event, in their
  // own transaction, then a plain ForbiddenError.
  route({
    method: 'get',
    path: '/api/v1/zz-refusals/self-recorded',
    summary: 'test: a refusal that wrote its own event',
    tags: ['test'],
    access: permission('customer', 'read', projectInQuery),
    query: z.strictObject({ project: code }),
    handler: async ({ query, auditActor }) => {
      await t.ctx.db.tx((m) =>
        t.ctx.audit.append(m, auditActor, { action: 'thing.denied', objectType: 'thing', objectId: 1, scope: `project:${query.project}`, decision: 'deny', reason: 'not_holder: test' }),
      );
      throw new ForbiddenError('not_holder', 'Only the holder may do this');
    },
  }),
];

let t: TestApp;
let dept: { id: number; code: string };
let project: { id: number; code: string };
const admin = () => ({ id: t.admin.id, username: t.admin.username, auth: `Bearer ${t.admin.token}` });

beforeAll(async () => {
  t = await startTestApp({ extraRoutes });
  dept = await makeDepartment(t);
  project = await makeProject(t, { departmentCode: dept.code });
});
afterAll(async () => {
  await t?.close();
});

type Method = 'get' | 'post' | 'patch' | 'delete';
interface Call {
  method: Method;
  path: string;
  auth: string;
  query?: Record<string, string>;
  body?: object;
}

/**
 * Makes the call under a fresh request id; answers the response and every deny event the call
 * wrote (the trail after it, against the trail before it: the tests of this file run one at a
 * time on their own app, which runs no jobs).
 */
async function refusedCall(c: Call): Promise<{ res: request.Response; denies: AuditEvent[]; rid: string }> {
  const rid = `refusal-${crypto.randomBytes(8).toString('hex')}`;
  const events = t.ctx.db.manager.getRepository(AuditEvent);
  const before = (await events.maximum('seq')) ?? 0;
  let call = t.http()[c.method](c.path).set('Authorization', c.auth).set('X-Request-Id', rid);
  if (c.query) call = call.query(c.query);
  const res = c.body !== undefined ? await call.send(c.body) : await call;
  expect(res.headers['x-request-id']).toBe(rid);
  const denies = await events.find({ where: { seq: MoreThan(before), decision: 'deny' }, order: { seq: 'ASC' } });
  return { res, denies, rid };
}

/** 403 with the code, and exactly one deny event: the caller's, under the request's id, with the scope expected. */
async function expectOneDeny(c: Call, who: { id: number }, code: string, scope: string | null): Promise<AuditEvent> {
  const { res, denies, rid } = await refusedCall(c);
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: 403, code });
  expect(denies.map((e) => ({ actorId: e.actorId, requestId: e.requestId, scope: e.scope }))).toEqual([{ actorId: who.id, requestId: rid, scope }]);
  return denies[0];
}

describe('R-AUDIT: there is one way to answer 403', () => {
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const src = sources(path.resolve(__dirname, '../../src')).map((f) => ({ f: path.relative(path.resolve(__dirname, '../..'), f), text: fs.readFileSync(f, 'utf8') }));

  test('R-AUDIT: no code answers 403 by itself: every refusal is a ForbiddenError that reaches the error handler', () => {
    const direct = src.filter(({ text }) => /\.status\(\s*403\s*\)|sendStatus\(\s*403\s*\)|statusCode\s*=\s*403|new AppError\(\s*403/.test(text)).map(({ f }) => f);
    expect(direct).toEqual([]);
    // The error handler is mounted with the authorizer, whose net records what nobody recorded.
    expect(src.find(({ f }) => f.endsWith('src/app.ts'))!.text).toMatch(/errorHandler\(ctx\.logger, ctx\.authz\)/);
  });

  test('R-AUDIT: refusals are written by the one refusal path (src/policy/refusal.ts), the features import it from there', () => {
    const writers = src.filter(({ text }) => /from '.*\/refusal'/.test(text)).map(({ f, text }) => ({ f, via: /from '(.*\/refusal)'/.exec(text)![1] }));
    for (const w of writers) {
      const target = path.resolve(path.dirname(path.resolve(__dirname, '../..', w.f)), w.via);
      expect({ f: w.f, target: fs.realpathSync(`${target}.ts`) }).toEqual({ f: w.f, target: expect.stringMatching(/src\/policy\/refusal\.ts$/) });
    }
    // The paper feature's re-export is gone: there is one refusal module, and no second path to it.
    expect(fs.existsSync(path.resolve(__dirname, '../../src/features/paper/refusal.ts'))).toBe(false);
  });
});

describe('R-AUDIT: every 403 leaves exactly one deny event', () => {
  test('R-AUDIT: the policy refuses a route (authorizer), in a resolved scope and in a held scope', async () => {
    const u = await makeUser(t, { departmentCode: dept.code });
    const e = await expectOneDeny({ method: 'get', path: '/api/v1/customers', query: { project: project.code }, auth: u.auth }, u, 'forbidden', `project:${project.code}`);
    expect(e).toMatchObject({ action: 'access.denied', objectType: 'customer' });
    expect(e.reason).toMatch(/^customer:read default/);
    await expectOneDeny({ method: 'get', path: '/api/v1/departments', auth: u.auth }, u, 'forbidden', '*');
  });

  test('R-AUDIT: a scope resolver that fails refuses once, recorded once (not again by the error handler)', async () => {
    const u = await makeUser(t, { roles: [['it_admin', '*']] });
    await expectOneDeny({ method: 'get', path: '/api/v1/zz-refusals/unresolved', auth: u.auth }, u, 'forbidden', 'unresolved');
  });

  test('R-AUDIT R-ONBOARD: the agreement gate (403 agreement_required) is recorded, scoped to the caller\'s department', async () => {
    const u = await makeUser(t, { roles: [['staff', `project:${project.code}`]], signed: false, departmentCode: dept.code });
    const e = await expectOneDeny({ method: 'get', path: '/api/v1/customers', query: { project: project.code }, auth: u.auth }, u, 'agreement_required', `dept:${dept.code}`);
    expect(e.reason).toMatch(/^customer:read agreement_required: /);
    // A user of no department: recorded all the same, with no scope.
    const loose = await makeUser(t, { roles: [['staff', `project:${project.code}`]], signed: false });
    await expectOneDeny({ method: 'get', path: '/api/v1/customers', query: { project: project.code }, auth: loose.auth }, loose, 'agreement_required', null);
  });

  test('R-AUDIT R-SCOPE: a locked account (403 account_locked) is recorded', async () => {
    const u = await makeUser(t, { roles: [['staff', `project:${project.code}`]], departmentCode: dept.code });
    await t.ctx.db.manager.getRepository(User).update({ id: u.id }, { lockedUntil: new Date(Date.now() + 600_000) });
    await expectOneDeny({ method: 'get', path: '/api/v1/customers', query: { project: project.code }, auth: u.auth }, u, 'account_locked', `dept:${dept.code}`);
  });

  test('R-AUDIT R-EXTERNAL: the release requester checks: deciding one\'s own request (own_request) and downloading another\'s (not_requester)', async () => {
    const both = await makeUser(t, { roles: [['it_admin', '*'], ['general_manager', '*']] });
    const own = await t.ctx.releases.request({ id: both.id, username: both.username }, { project: project.code, recipient: 'Audit Ltd', purpose: 'refusal audit check', fields: [], format: 'csv' });
    await expectOneDeny({ method: 'post', path: `/api/v1/external-releases/${own.id}/approve`, body: {}, auth: both.auth }, both, 'own_request', `project:${project.code}`);

    const gm = await makeUser(t, { roles: [['general_manager', '*']] });
    const r = await t.ctx.releases.request({ id: t.admin.id, username: t.admin.username }, { project: project.code, recipient: 'Audit Ltd', purpose: 'refusal audit check', fields: [], format: 'csv' });
    await t.ctx.releases.decide({ id: gm.id, username: gm.username }, await t.ctx.releases.load(r.id), true, null);
    const otherAdmin = await makeUser(t, { roles: [['it_admin', '*']] });
    const e = await expectOneDeny({ method: 'get', path: `/api/v1/external-releases/${r.id}/download`, auth: otherAdmin.auth }, otherAdmin, 'not_requester', `project:${project.code}`);
    expect(e).toMatchObject({ action: 'access.denied', objectType: 'external_release' });
    expect(e.reason).toMatch(/^external_release:request not_requester: /);
  });

  test('R-AUDIT R-IT-PERMS: granting oneself a role and revoking one\'s own (self_grant_forbidden), scoped to the assignment', async () => {
    const a = admin();
    await expectOneDeny({ method: 'post', path: '/api/v1/role-assignments', body: { userId: a.id, role: 'staff', scope: `project:${project.code}` }, auth: a.auth }, a, 'self_grant_forbidden', `project:${project.code}`);
    const own = (await t.ctx.policyStore.assignmentsOf(t.ctx.db.manager, a.id))[0];
    await expectOneDeny({ method: 'delete', path: `/api/v1/role-assignments/${own.id}`, auth: a.auth }, a, 'self_grant_forbidden', own.scope);
  });

  test('R-AUDIT R-INSPECT: a plain refusal naming a permission and a scope (as when a major hazard is rated while an inspection completes) is recorded with them', async () => {
    const u = await makeUser(t, { roles: [['it_admin', '*']] });
    const e = await expectOneDeny({ method: 'get', path: '/api/v1/zz-refusals/named', query: { project: project.code }, auth: u.auth }, u, 'forbidden', `project:${project.code}`);
    expect(e).toMatchObject({ action: 'access.denied', objectType: 'notice' });
    expect(e.reason).toMatch(/^notice:publish forbidden: Missing permission notice:publish/);
  });

  test('R-AUDIT: any other plain ForbiddenError of a handler is recorded with the route\'s resolved scope', async () => {
    const u = await makeUser(t, { roles: [['it_admin', '*']] });
    const e = await expectOneDeny({ method: 'get', path: '/api/v1/zz-refusals/plain', query: { project: project.code }, auth: u.auth }, u, 'not_holder', `project:${project.code}`);
    expect(e.reason).toBe('customer:read not_holder: Only the person named on the record may do this');
  });

  describe('record-level refusals written by the features themselves are not written twice', () => {
    let o: PaperOrg;
    beforeAll(async () => {
      o = await makePaperOrg(t);
    });

    test('R-AUDIT R-PRINT-APPROVE: the refusal helper (own_request on a print request)', async () => {
      const r = await makePrintRequest(t, o.pm, o.project);
      const e = await expectOneDeny({ method: 'post', path: `/api/v1/print-requests/${r.id}/approve`, body: {}, auth: o.pm.auth }, o.pm, 'own_request', `project:${o.project}`);
      expect(e.action).toBe('print_request.approve_refused');
    });

    test('R-AUDIT R-NO-PAPER: the refusal helper (not_recipient on a copy)', async () => {
      const c = await makeCopy(t, o.staff, o.pm, o.project);
      await expectOneDeny({ method: 'post', path: `/api/v1/copies/${c.serial}/sign`, auth: o.pm2.auth }, o.pm2, 'not_recipient', `project:${o.project}`);
    });

    test('R-AUDIT: a feature that writes its own deny event and throws a plain ForbiddenError is recognised (same request, same caller)', async () => {
      const u = await makeUser(t, { roles: [['it_admin', '*']] });
      const e = await expectOneDeny({ method: 'get', path: '/api/v1/zz-refusals/self-recorded', query: { project: project.code }, auth: u.auth }, u, 'not_holder', `project:${project.code}`);
      expect(e.action).toBe('thing.denied');
    });

    test('R-AUDIT R-HANDOVER-HOLD: a feature that writes its own deny event and throws a plain ForbiddenError (not_holder)', async () => {
      const s = await handoverSetup(t);
      const f = await heldFile(t, s, s.lead, 'listing.csv');
      const e = await expectOneDeny({ method: 'get', path: `/api/v1/handover-files/${f.id}`, auth: s.lead2.auth }, s.lead2, 'not_holder', `project:${s.project}`);
      expect(e.action).toBe('handover_file.denied');
    });

    test('R-AUDIT: a refusal written once the workflow transaction has rolled back (approval_limit_exceeded on a case decision)', async () => {
      const org = await makeCaseOrg(t);
      const c = await registerCase(t, org.staff, org.project, org.customerId);
      await advanceCase(t, org, c.id, 'proposed', { amount: 100_000 });
      const e = await expectOneDeny({ method: 'post', path: `/api/v1/cases/${c.id}/decide`, body: {}, auth: org.pm.auth }, org.pm, 'approval_limit_exceeded', `project:${org.project}`);
      expect(e.action).toBe('case.decide_refused');
    });

    test('R-AUDIT R-NO-LEND: a change of holder is refused and the attempt recorded (with the holder it would have gone to), besides the authorization refusal', async () => {
      const c = await makeCopy(t, o.staff, o.pm, o.project);
      const { res, denies, rid } = await refusedCall({ method: 'post', path: `/api/v1/copies/${c.serial}/transfer`, body: { toUserId: o.pm.id }, auth: o.staff.auth });
      expect(res.status).toBe(403);
      // By design of the paper ledger (src/features/paper/controlled-copy.routes.ts transferAttemptScope): the
      // R-NO-LEND attempt record, then the route's own denial, which alone carries the request id.
      expect(denies.map((e) => ({ action: e.action, actorId: e.actorId }))).toEqual([
        { action: 'copy.transfer_refused', actorId: o.staff.id },
        { action: 'access.denied', actorId: o.staff.id },
      ]);
      expect(denies[1].requestId).toBe(rid);
    });
  });

  test('R-AUDIT R-SECRET: the monthly indicators count each refusal once, in the project refused', async () => {
    const p = await makeProject(t, { departmentCode: dept.code });
    const from = new Date(Date.now() - 60_000);
    const denied = async () =>
      (await t.ctx.indicators.compute({ projectIds: [p.id], departmentId: null }, from, new Date(Date.now() + 60_000), new Date())).find((i) => i.key === 'access_denied')!.value;
    expect(await denied()).toBe(0);
    const both = await makeUser(t, { roles: [['it_admin', '*'], ['general_manager', '*']] });
    const own = await t.ctx.releases.request({ id: both.id, username: both.username }, { project: p.code, recipient: 'Audit Ltd', purpose: 'refusal audit check', fields: [], format: 'csv' });
    await expectOneDeny({ method: 'post', path: `/api/v1/external-releases/${own.id}/reject`, body: { reason: 'my own request' }, auth: both.auth }, both, 'own_request', `project:${p.code}`);
    const stranger: MadeUser = await makeUser(t);
    await expectOneDeny({ method: 'get', path: '/api/v1/customers', query: { project: p.code }, auth: stranger.auth }, stranger, 'forbidden', `project:${p.code}`);
    expect(await denied()).toBe(2);
  });
});
