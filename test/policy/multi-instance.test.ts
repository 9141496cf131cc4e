import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/*
 * Policy changes reach every instance (R-IT-PERMS, R-SECRET, R-OFFBOARD): app A and app B share
 * one database; a change made through A is enforced by B at the caller's next request (the
 * request's authentication reads the policy version with the user row; issue 14 §4) and, for
 * decisions outside a request, within one poll interval (POLICY_POLL_MS=200 in tests); an
 * offboarded user's token is refused by B on the very next request, and B never answers from an
 * empty or half-loaded policy while it reloads.
 */

const DEADLINE_MS = 5000;
const bearer = (token: string) => `Bearer ${token}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tick = () => new Promise((r) => setImmediate(r));

/** Polls `probe` until it returns true; returns the elapsed milliseconds, or throws after the deadline. */
async function within(deadlineMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > deadlineMs) throw new Error(`condition not met within ${deadlineMs} ms`);
    await sleep(50);
  }
}

describe('policy changes reach every instance (A and B on one database)', () => {
  let a: TestApp;
  let b: TestApp;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    a = await startTestApp();
    b = await startTestApp({ dbUrl: a.dbUrl });
  });
  afterAll(async () => {
    // B first: A owns (and drops) the database.
    if (b) await b.close();
    if (a) await a.close();
    if (Object.keys(timings).length) process.stdout.write(`[multi-instance] propagation times (ms): ${JSON.stringify(timings)}\n`);
  });

  it('R-IT-PERMS: the two apps share one database and poll every 200 ms', () => {
    expect(b.dbUrl).toBe(a.dbUrl);
    expect(b.ctx.config.policyPollMs).toBe(200);
  });

  it('R-IT-PERMS, R-SECRET: a role granted through A is enforced by B within 5 s; revoked through A, B denies within 5 s', async () => {
    const user = await makeUser(a);
    const askB = () => b.http().get('/api/v1/users').query({ limit: 1 }).set('Authorization', user.auth);

    const denied = await askB();
    expect(denied.status).toBe(403);
    expect(denied.body.error.details.permission).toBe('user:read');

    const grant = await a.http().post('/api/v1/role-assignments').set('Authorization', bearer(a.admin.token)).send({ userId: user.id, role: 'auditor', scope: '*' });
    expect(grant.status).toBe(201);
    // A enforces its own change at once.
    expect((await a.http().get('/api/v1/users').query({ limit: 1 }).set('Authorization', user.auth)).status).toBe(200);

    timings.grant = await within(DEADLINE_MS, async () => (await askB()).status === 200);
    expect(timings.grant).toBeLessThan(DEADLINE_MS);
    expect(b.ctx.policy.version).toBe(a.ctx.policy.version);

    const revoke = await a.http().delete(`/api/v1/role-assignments/${grant.body.id}`).set('Authorization', bearer(a.admin.token));
    expect(revoke.status).toBe(204);
    expect((await a.http().get('/api/v1/users').query({ limit: 1 }).set('Authorization', user.auth)).status).toBe(403);

    timings.revoke = await within(DEADLINE_MS, async () => (await askB()).status === 403);
    expect(timings.revoke).toBeLessThan(DEADLINE_MS);
    const after = await askB();
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('forbidden');
  });

  it('R-IT-PERMS: a role revoked through A is refused at the very next request on B (B does not poll here: no waiting)', async () => {
    b.ctx.policy.stopPolling();
    try {
      const user = await makeUser(a);
      const askB = () => b.http().get('/api/v1/users').query({ limit: 1 }).set('Authorization', user.auth);
      expect((await askB()).status).toBe(403);

      const grant = await a.http().post('/api/v1/role-assignments').set('Authorization', bearer(a.admin.token)).send({ userId: user.id, role: 'auditor', scope: '*' });
      expect(grant.status).toBe(201);
      // The grant too holds on B at the next request.
      expect((await askB()).status).toBe(200);

      const revoke = await a.http().delete(`/api/v1/role-assignments/${grant.body.id}`).set('Authorization', bearer(a.admin.token));
      expect(revoke.status).toBe(204);
      const refused = await askB();
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(refused.body.error.details.permission).toBe('user:read');
      expect(b.ctx.policy.version).toBe(a.ctx.policy.version);
      // And on A, where the change was made.
      const onA = await a.http().get('/api/v1/users').query({ limit: 1 }).set('Authorization', user.auth);
      expect(onA.status).toBe(403);
    } finally {
      b.ctx.policy.startPolling(b.ctx.config.policyPollMs);
    }
  });

  it('R-IT-PERMS: while the policy is unchanged, requests on B reuse the loaded policy (no reload)', async () => {
    const auditor = await makeUser(a, { roles: [['auditor', '*']] });
    await within(DEADLINE_MS, async () => b.ctx.policy.version === a.ctx.policy.version);
    b.ctx.policy.stopPolling();
    const reload = jest.spyOn(b.ctx.policy, 'reload');
    try {
      for (let i = 0; i < 5; i++) expect((await b.http().get('/api/v1/users').query({ limit: 1 }).set('Authorization', auditor.auth)).status).toBe(200);
      expect(reload).not.toHaveBeenCalled();
    } finally {
      reload.mockRestore();
      b.ctx.policy.startPolling(b.ctx.config.policyPollMs);
    }
  });

  it('R-IT-PERMS: a policy line added through A is enforced by B within 5 s, and its removal too', async () => {
    const d = await makeDepartment(a);
    const user = await makeUser(a, { roles: [['staff', `dept:${d.code}`]] });
    const decideB = () => b.ctx.authz.decide(user.id, `dept:${d.code}`, { object: 'inventory', action: 'read' }).allowed;
    await within(DEADLINE_MS, async () => b.ctx.policy.version === a.ctx.policy.version);
    expect(decideB()).toBe(false);

    const add = await a.http().post('/api/v1/policy/lines').set('Authorization', bearer(a.admin.token)).send({ role: 'staff', scope: `dept:${d.code}`, object: 'inventory', action: 'read', effect: 'allow' });
    expect(add.status).toBe(201);
    timings.lineAdded = await within(DEADLINE_MS, async () => decideB());

    const del = await a.http().delete(`/api/v1/policy/lines/${add.body.id}`).set('Authorization', bearer(a.admin.token));
    expect(del.status).toBe(204);
    timings.lineRemoved = await within(DEADLINE_MS, async () => !decideB());
  });

  it('R-OFFBOARD: offboarding through A makes B refuse the token at once (401 token_revoked)', async () => {
    const p = await makeProject(a);
    const user = await makeUser(a, { roles: [['staff', `project:${p.code}`]] });
    const me = await b.http().get('/api/v1/me').set('Authorization', user.auth);
    expect(me.status).toBe(200);

    const off = await a.http().post(`/api/v1/users/${user.id}/offboard`).set('Authorization', bearer(a.admin.token)).send({ reason: 'left the company' });
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('offboarded');

    // No waiting for a poll: the very next request on B is refused.
    const refused = await b.http().get('/api/v1/me').set('Authorization', user.auth);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_revoked');
    const refusedToo = await b.http().get('/api/v1/projects').set('Authorization', user.auth);
    expect(refusedToo.status).toBe(401);
    expect(refusedToo.body.error.code).toBe('token_revoked');
    // And logging in again is refused on B as well.
    const login = await b.http().post('/api/v1/auth/login').send({ username: user.username, password: user.password });
    expect(login.status).toBe(401);
  });

  it('R-SECRET: while B reloads its policy it never answers from an empty policy (every allowed decision stays allowed)', async () => {
    const p = await makeProject(a);
    const staff: MadeUser = await makeUser(a, { roles: [['staff', `project:${p.code}`]] });
    const auditor: MadeUser = await makeUser(a, { roles: [['auditor', '*']] });
    await within(DEADLINE_MS, async () => b.ctx.policy.version === a.ctx.policy.version);
    const scope = `project:${p.code}`;
    expect(b.ctx.authz.decide(staff.id, scope, { object: 'customer', action: 'read' }).allowed).toBe(true);

    let stop = false;
    let reloads = 0;
    let decisions = 0;
    const wrong: string[] = [];

    const reloader = (async () => {
      while (!stop) {
        await Promise.all([b.ctx.policy.reload(), b.ctx.policy.reload(), b.ctx.policy.reload()]);
        reloads++;
        // On SQLite (synchronous driver) a reload resolves through microtasks only: yield to the event loop.
        await tick();
      }
    })();
    // Meanwhile A keeps changing the policy, so B's reloads load different content.
    const changer = (async () => {
      const other = await makeUser(a);
      while (!stop) {
        const g = await a.ctx.access.grant({ id: a.admin.id, username: 'admin' }, { userId: other.id, role: 'staff', scope });
        await a.ctx.access.revoke({ id: a.admin.id, username: 'admin' }, g.id);
        await tick();
      }
    })();
    const decider = (async () => {
      let round = 0;
      while (!stop) {
        for (let i = 0; i < 5; i++) {
          const d1 = b.ctx.authz.decide(staff.id, scope, { object: 'customer', action: 'read' });
          const d2 = b.ctx.authz.decide(staff.id, scope, { object: 'customer', action: 'create' });
          const d3 = b.ctx.authz.decide(auditor.id, '*', { object: 'audit', action: 'read' });
          const d4 = b.ctx.authz.decide(staff.id, scope, { object: 'customer', action: 'export' });
          decisions += 4;
          if (!d1.allowed) wrong.push(`staff customer:read ${d1.effect}`);
          if (!d2.allowed) wrong.push(`staff customer:create ${d2.effect}`);
          if (!d3.allowed) wrong.push(`auditor audit:read ${d3.effect}`);
          if (d4.allowed) wrong.push('staff customer:export allowed');
        }
        // Alternate microtask and macrotask yields, so that decisions land between the steps of a
        // reload whether the driver resolves through microtasks (SQLite) or I/O callbacks (MySQL).
        if (++round % 50 === 0) await tick();
        else await Promise.resolve();
      }
    })();
    const httpProbe = (async () => {
      let n = 0;
      while (!stop) {
        const r = await b.http().get('/api/v1/audit').query({ limit: 1 }).set('Authorization', auditor.auth);
        if (r.status !== 200) wrong.push(`HTTP GET /api/v1/audit -> ${r.status}`);
        n++;
      }
      return n;
    })();

    await sleep(2000);
    stop = true;
    const [, , , httpCount] = await Promise.all([reloader, changer, decider, httpProbe]);

    expect(wrong).toEqual([]);
    expect(reloads).toBeGreaterThanOrEqual(3);
    expect(decisions).toBeGreaterThan(1000);
    expect(httpCount).toBeGreaterThan(0);
    timings.reloadsDuringStress = reloads;
    timings.decisionsDuringStress = decisions;
  });
});
