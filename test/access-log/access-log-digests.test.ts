import { batchHash } from '../../src/features/access-log/access-log.chain';
import { accessLogVerifyJob } from '../../src/features/access-log/access-log.job';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { Notification } from '../../src/entities/Notification';
import { periodFromKey } from '../../src/jobs/period';
import { CustomerAccess } from '../../src/entities/CustomerAccess';
import { CustomerAccessBatch } from '../../src/entities/CustomerAccessBatch';
import { CustomerAccessHead } from '../../src/entities/CustomerAccessHead';
import { makeCustomers, makePaperOrg, PaperOrg } from '../helpers/paper-factories';
import { makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/*
 * R-AUDIT, issue 14 §1 and §2: the log of who viewed which customer is signed for by the audit
 * digests (each names the log's last batch and its hash), so someone who rewrites the log in the
 * database, every hash recomputed and the head moved, or cuts its tail, is found.
 */
let t: TestApp;
let org: PaperOrg;
afterEach(async () => {
  await t?.close();
});

async function readSome(n: number): Promise<void> {
  const customers = await makeCustomers(t, org.project, n);
  for (const c of customers) expect((await t.http().get(`/api/v1/customers/${c.id}`).set('Authorization', org.staff.auth)).status).toBe(200);
  await t.ctx.accessLog.flush();
}

async function sign(): Promise<void> {
  expect((await t.http().post('/api/v1/audit/digests').set('Authorization', `Bearer ${t.admin.token}`).send({})).status).toBe(201);
}

async function verify(auth: string) {
  const res = await t.http().get('/api/v1/access-log/verify').set('Authorization', auth);
  expect(res.status).toBe(200);
  return res.body;
}

/** What someone with write access to the database can do: change one read, recompute every batch hash from there, move the head. */
async function rewriteBatch(from: number): Promise<void> {
  const m = t.ctx.db.manager;
  const batches = await m.getRepository(CustomerAccessBatch).find({ order: { seq: 'ASC' } });
  let prev = batches.find((b) => b.seq === from - 1)?.hash ?? '0'.repeat(64);
  for (const b of batches.filter((x) => x.seq >= from)) {
    const rows = await m.getRepository(CustomerAccess).find({ where: { batchSeq: b.seq }, order: { id: 'ASC' } });
    if (b.seq === from) {
      rows[0].route = 'GET /api/v1/customers';
      await m.getRepository(CustomerAccess).update({ id: rows[0].id }, { route: rows[0].route });
    }
    const hash = batchHash(prev, b.seq, b.at, rows);
    await m.getRepository(CustomerAccessBatch).update({ seq: b.seq }, { prevHash: prev, hash });
    prev = hash;
  }
  await m.getRepository(CustomerAccessHead).update({ id: 1 }, { hash: prev });
}

describe('the access log against the signed digests', () => {
  it('R-AUDIT: a digest names the access log head; a rewrite with recomputed hashes passes the chain alone and fails against the digest', async () => {
    t = await startTestApp();
    org = await makePaperOrg(t);
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    await readSome(2);
    const first = (await t.ctx.db.manager.getRepository(CustomerAccessBatch).find({ order: { seq: 'ASC' }, take: 1 }))[0];
    await sign();
    const head = await t.ctx.db.manager.getRepository(CustomerAccessHead).findOneByOrFail({ id: 1 });
    const latest = await t.ctx.auditDigests.file((await t.ctx.auditDigests.latest())!.number);
    expect(latest!.payload.accessLog).toEqual({ toBatch: head.seq, headHash: head.hash });
    expect(await verify(auditor.auth)).toMatchObject({ ok: true, digests: 1, headSeq: head.seq });

    await rewriteBatch(first.seq);
    expect((await t.ctx.accessLog.verify()).ok).toBe(true);
    expect(await verify(auditor.auth)).toMatchObject({ ok: false, brokenAtBatch: first.seq, reason: expect.stringContaining('rewritten after it was signed') });

    // The nightly job finds it too: logged, recorded in the trail, told to the IT admins.
    const period = periodFromKey(accessLogVerifyJob, '2026-12-05', t.ctx.config.timezone)!;
    expect(await t.ctx.jobs.find(accessLogVerifyJob.name).run(period)).toMatchObject({ ok: false, brokenAtBatch: first.seq });
    const event = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'access_log.chain_broken' });
    expect(event.reason).toContain(`batch ${first.seq}`);
    const told = await t.ctx.db.manager.getRepository(Notification).findBy({ kind: 'access_log.chain_broken' });
    expect(told.map((n) => n.recipientId)).toContain(t.admin.id);
  });

  it('R-AUDIT: a cut tail with the head moved back is found from the digest that signed for the missing batches', async () => {
    t = await startTestApp();
    org = await makePaperOrg(t);
    await readSome(1);
    const keep = await t.ctx.db.manager.getRepository(CustomerAccessHead).findOneByOrFail({ id: 1 });
    await readSome(1);
    await sign();
    const m = t.ctx.db.manager;
    await m.getRepository(CustomerAccess).createQueryBuilder().delete().where('batchSeq > :s', { s: keep.seq }).execute();
    await m.getRepository(CustomerAccessBatch).createQueryBuilder().delete().where('seq > :s', { s: keep.seq }).execute();
    await m.getRepository(CustomerAccessHead).update({ id: 1 }, { seq: keep.seq, hash: keep.hash });
    expect((await t.ctx.accessLog.verify()).ok).toBe(true);
    expect(await verify(`Bearer ${t.admin.token}`)).toMatchObject({ ok: false, brokenAtBatch: keep.seq + 1, reason: expect.stringContaining('tail was cut') });
  });
});
