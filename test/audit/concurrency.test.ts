import crypto from 'node:crypto';
import { verifyAuditChain, VerifyResult } from '../../src/audit/verify';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { Department } from '../../src/entities/Department';
import { makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';
import { testDbKind } from '../helpers/test-db';

/*
 * R-AUDIT (§3.1, §5.3): concurrent writers, on one instance or on several instances sharing
 * one database, append to ONE unbroken chain: no gap, no duplicated sequence, no fork.
 */

const itMysql = testDbKind() === 'mysql' ? it : it.skip;
const uid = () => crypto.randomBytes(4).toString('hex');
const bearer = (token: string) => `Bearer ${token}`;

async function verifiedOk(t: TestApp): Promise<Extract<VerifyResult, { ok: true }>> {
  const v = await verifyAuditChain(t.ctx.db.ds);
  if (!v.ok) throw new Error(`audit chain broken: ${JSON.stringify(v)}`);
  return v;
}

/** The chain is seq 1..n with no hole and no duplicate, each row linked to the one before. */
async function expectContiguous(t: TestApp, n: number) {
  const rows = await t.ctx.db.manager.getRepository(AuditEvent).find({ select: { seq: true, prevHash: true, hash: true }, order: { seq: 'ASC' } });
  expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  for (let i = 1; i < rows.length; i++) expect(rows[i].prevHash).toBe(rows[i - 1].hash);
  expect(new Set(rows.map((r) => r.hash)).size).toBe(rows.length);
}

describe('R-AUDIT: concurrent writes on one instance', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('R-AUDIT: 40 concurrent API writes keep one unbroken chain and add exactly 40 events', async () => {
    const before = await verifiedOk(t);
    const codes = Array.from({ length: 40 }, (_, i) => `C${i}x${uid()}`);
    const responses = await Promise.all(
      codes.map((code) =>
        t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).set('X-Request-Id', `one-${code}`).send({ code, name: `Concurrent ${code}` }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(codes.map(() => 201));

    const after = await verifiedOk(t);
    expect(after.count).toBe(before.count + 40);
    expect(after.headSeq).toBe(before.headSeq + 40);
    await expectContiguous(t, after.headSeq);

    // Exactly one department.created event per department, each with its own request id.
    const events = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'department.created' } });
    const mine = events.filter((e) => codes.includes(e.objectId!));
    expect(mine).toHaveLength(40);
    expect(new Set(mine.map((e) => e.objectId)).size).toBe(40);
    for (const e of mine) expect(e.requestId).toBe(`one-${e.objectId}`);
    expect(mine.every((e) => e.seq > before.headSeq)).toBe(true);
  });

  it('R-AUDIT: concurrent successes, conflicts and denials: the chain grows by exactly the successes plus the denials', async () => {
    const p = await makeProject(t);
    const staff = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
    const existing = `E${uid()}`;
    const first = await t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).send({ code: existing, name: 'Existing' });
    expect(first.status).toBe(201);
    const before = await verifiedOk(t);
    const deptCount = await t.ctx.db.manager.getRepository(Department).count();

    const jobs: Array<Promise<{ status: number }>> = [];
    const fresh: string[] = [];
    for (let i = 0; i < 10; i++) {
      const code = `M${i}x${uid()}`;
      fresh.push(code);
      jobs.push(t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).send({ code, name: 'Mixed' }).then((r) => r)); // 201, one event
      jobs.push(t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).send({ code: existing, name: 'Dup' }).then((r) => r)); // 409, no event
      jobs.push(t.http().post('/api/v1/departments').set('Authorization', staff.auth).send({ code: `N${i}x${uid()}`, name: 'Denied' }).then((r) => r)); // 403, access.denied
    }
    const statuses = (await Promise.all(jobs)).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    expect(statuses.filter((s) => s === 403)).toHaveLength(10);

    const after = await verifiedOk(t);
    expect(after.count).toBe(before.count + 20);
    await expectContiguous(t, after.headSeq);
    expect(await t.ctx.db.manager.getRepository(Department).count()).toBe(deptCount + 10);
    const newEvents = (await t.ctx.db.manager.getRepository(AuditEvent).find({ order: { seq: 'ASC' } })).filter((e) => e.seq > before.headSeq);
    expect(newEvents.filter((e) => e.action === 'department.created').map((e) => e.objectId).sort()).toEqual([...fresh].sort());
    expect(newEvents.filter((e) => e.action === 'access.denied' && e.actorId === staff.id && e.decision === 'deny')).toHaveLength(10);
  });
});

describe('R-AUDIT: two instances on one database', () => {
  itMysql('R-AUDIT: two instances writing concurrently (20 requests each, interleaved) keep one unbroken chain with no duplicated seq', async () => {
    const a = await startTestApp();
    let b: TestApp | null = null;
    try {
      b = await startTestApp({ dbUrl: a.dbUrl, keepDatabase: true });
      const before = await verifiedOk(a);

      const jobs: Array<Promise<{ status: number; body: unknown }>> = [];
      const codesA: string[] = [];
      const codesB: string[] = [];
      for (let i = 0; i < 20; i++) {
        for (const [app, tag, list] of [
          [a, 'A', codesA],
          [b, 'B', codesB],
        ] as const) {
          const code = `${tag}${i}x${uid()}`;
          list.push(code);
          jobs.push(
            app
              .http()
              .post('/api/v1/departments')
              .set('Authorization', bearer(app.admin.token))
              .set('X-Request-Id', `inst${tag}-${code}`)
              .send({ code, name: `Instance ${tag}` })
              .then((r) => r),
          );
        }
      }
      const responses = await Promise.all(jobs);
      expect(responses.map((r) => r.status)).toEqual(jobs.map(() => 201));

      for (const app of [a, b]) {
        const v = await verifiedOk(app);
        expect(v.count).toBe(before.count + 40);
        expect(v.headSeq).toBe(before.headSeq + 40);
      }
      await expectContiguous(a, before.headSeq + 40);

      const dupes: unknown[] = await a.ctx.db.ds.query('SELECT `seq`, COUNT(*) AS n FROM audit_event GROUP BY `seq` HAVING COUNT(*) > 1');
      expect(dupes).toEqual([]);

      const created = (await a.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'department.created' } })).filter((e) => e.seq > before.headSeq);
      expect(created).toHaveLength(40);
      expect(created.filter((e) => e.requestId?.startsWith('instA-')).map((e) => e.objectId).sort()).toEqual([...codesA].sort());
      expect(created.filter((e) => e.requestId?.startsWith('instB-')).map((e) => e.objectId).sort()).toEqual([...codesB].sort());
      // Both instances really interleaved in the chain (not A's 20 then B's 20).
      const order = created.sort((x, y) => x.seq - y.seq).map((e) => e.requestId!.slice(4, 5));
      const switches = order.filter((tag, i) => i > 0 && tag !== order[i - 1]).length;
      expect(switches).toBeGreaterThan(1);
    } finally {
      if (b) await b.close();
      await a.close();
    }
  });
});
