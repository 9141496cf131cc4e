import crypto from 'node:crypto';
import { entryHash, GENESIS_HASH } from '../../src/audit/chain';
import { verifyAuditChain } from '../../src/audit/verify';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { AuditPending } from '../../src/entities/AuditPending';
import { AuditWriterHead } from '../../src/entities/AuditWriterHead';
import { loadConfig } from '../../src/config/env';
import { startTestApp, TEST_BLIND_INDEX_KEY, TEST_DATA_KEY, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';

/*
 * R-AUDIT, issue 16: the audit trail in journal mode (AUDIT_CHAIN=journal; the default on a Galera
 * node). Each instance appends to its own chain in audit_pending, in the transaction of the change;
 * the sealer moves the entries into the one chain after commit. The guarantees stay those of the
 * direct mode: the change and its entry commit together, one chain with no gap, every edit found.
 * (The cluster suite, npm run test:cluster, runs the same on three Galera nodes.)
 */

const JOURNAL = { env: { AUDIT_CHAIN: 'journal' } };
const bearer = (token: string) => `Bearer ${token}`;
const uid = () => crypto.randomBytes(4).toString('hex');

let apps: TestApp[] = [];
afterEach(async () => {
  for (const a of apps.reverse()) await a.close();
  apps = [];
});

async function start(opts: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp> {
  const app = await startTestApp({ ...JOURNAL, ...opts, env: { ...JOURNAL.env, ...opts.env } });
  apps.push(app);
  return app;
}

async function createDepartment(app: TestApp): Promise<string> {
  const code = `D${uid()}`;
  const res = await app.http().post('/api/v1/departments').set('Authorization', bearer(app.admin.token)).send({ code, name: 'Journal' });
  expect(res.status).toBe(201);
  return code;
}

const pendingCount = (app: TestApp) => app.ctx.db.manager.getRepository(AuditPending).count();

/** Entry `wseq` of `writer`'s own chain, linked to `prevHash` and hashed as the writer would. */
function pendingEntry(writer: string, wseq: number, prevHash: string, fields: Partial<AuditPending> = {}): AuditPending {
  const e = Object.assign(new AuditPending(), {
    writer, wseq, at: new Date(), actorId: null, actorName: 'system', action: 'test.pending', objectType: null, objectId: null,
    scope: null, decision: null, reason: null, requestId: null, ip: null, before: null, after: null, prevHash, ...fields,
  });
  e.hash = entryHash({ ...e, seq: wseq });
  return e;
}

describe('R-AUDIT: the audit trail in journal mode', () => {
  it('R-AUDIT: journal mode: a change\'s entry is in the chain by the time the answer comes, and nothing is left pending', async () => {
    const t = await start();
    expect(t.ctx.audit.mode).toBe('journal');
    const code = await createDepartment(t);
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'department.created', objectId: code });
    const head = await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 });
    expect(ev.seq).toBe(head.seq);
    expect(await pendingCount(t)).toBe(0);
    // This writer's own chain records how far it was sealed.
    const heads = await t.ctx.db.manager.getRepository(AuditWriterHead).findBy({ writer: t.ctx.auditSealer.writer });
    const written = heads.find((h) => h.role === 'written')!;
    expect(heads.find((h) => h.role === 'sealed')).toMatchObject({ wseq: written.wseq, hash: written.hash });
    expect(await verifyAuditChain(t.ctx.db.ds)).toMatchObject({ ok: true, headSeq: head.seq });
  });

  it('R-AUDIT: journal mode: a change that rolls back leaves no entry, and the writer\'s chain has no gap', async () => {
    const t = await start();
    const before = await t.ctx.db.manager.getRepository(AuditWriterHead).findOneByOrFail({ writer: t.ctx.auditSealer.writer, role: 'written' });
    await expect(
      t.ctx.db.tx(async (m) => {
        await t.ctx.audit.append(m, { id: null, username: 'system' }, { action: 'test.rolled_back' });
        throw new Error('the change fails after its entry');
      }),
    ).rejects.toThrow('the change fails');
    expect(await t.ctx.db.manager.getRepository(AuditPending).countBy({ action: 'test.rolled_back' })).toBe(0);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'test.rolled_back' })).toBe(0);
    await createDepartment(t);
    const after = await t.ctx.db.manager.getRepository(AuditWriterHead).findOneByOrFail({ writer: t.ctx.auditSealer.writer, role: 'written' });
    expect(after.wseq).toBe(before.wseq + 1);
    expect((await verifyAuditChain(t.ctx.db.ds)).ok).toBe(true);
  });

  it('R-AUDIT: journal mode: two instances writing at once make one chain with every entry once, each through its own writer', async () => {
    const a = await start({ keepDatabase: true });
    const b = await start({ dbUrl: a.dbUrl });
    expect(a.ctx.auditSealer.writer).not.toBe(b.ctx.auditSealer.writer);
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => createDepartment(i % 2 ? a : b)));
    const events = await a.ctx.db.manager.getRepository(AuditEvent).find({ where: { action: 'department.created' } });
    expect(events.map((e) => e.objectId).filter((c) => codes.includes(c!)).sort()).toEqual([...codes].sort());
    expect(await pendingCount(a)).toBe(0);
    expect(await verifyAuditChain(a.ctx.db.ds)).toMatchObject({ ok: true });
  });

  it('R-AUDIT: journal mode: what a stopped instance committed but never sealed is sealed by the next seal, in its order', async () => {
    const t = await start();
    // A writer that committed three entries and stopped before sealing them.
    const writer = `gone:${uid()}`;
    let prev = GENESIS_HASH;
    const at = Date.now();
    const rows = [1, 2, 3].map((wseq) => {
      const e = pendingEntry(writer, wseq, prev, { at: new Date(at + wseq), action: `test.orphan_${wseq}` });
      prev = e.hash;
      return e;
    });
    await t.ctx.db.manager.getRepository(AuditPending).insert(rows as never);
    await t.ctx.auditSealer.request();
    const sealed = await t.ctx.db.manager.getRepository(AuditEvent).find({ where: rows.map((r) => ({ action: r.action })), order: { seq: 'ASC' } });
    expect(sealed.map((e) => e.action)).toEqual(['test.orphan_1', 'test.orphan_2', 'test.orphan_3']);
    expect(sealed.map((e) => e.at.getTime())).toEqual(rows.map((r) => r.at.getTime()));
    expect(await pendingCount(t)).toBe(0);
    expect((await verifyAuditChain(t.ctx.db.ds)).ok).toBe(true);
  });

  it('R-AUDIT: journal mode: an unsealed entry changed before its seal is never sealed, and verify names the writer and entry', async () => {
    const t = await start();
    const writer = `tampered:${uid()}`;
    const e = pendingEntry(writer, 1, GENESIS_HASH, { action: 'test.forged', reason: 'original' });
    e.reason = 'quietly altered';
    await t.ctx.db.manager.getRepository(AuditPending).insert(e as never);
    const brokenBefore = t.ctx.auditSealer.stats.broken;
    await t.ctx.auditSealer.request();
    expect(t.ctx.auditSealer.stats.broken).toBe(brokenBefore + 1);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'test.forged' })).toBe(0);
    const res = await t.http().get('/api/v1/audit/verify').set('Authorization', bearer(t.admin.token));
    expect(res.body).toMatchObject({ ok: false, reason: expect.stringContaining(`writer ${writer}: entry 1 does not match its hash`) });
    // Other writers' entries are still sealed meanwhile.
    const code = await createDepartment(t);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'department.created', objectId: code })).toBe(1);
  });

  it('R-AUDIT: AUDIT_CHAIN other than auto, direct or journal is refused by name', async () => {
    const env = { NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: 'sqlite::memory:', DATA_KEY: TEST_DATA_KEY, BLIND_INDEX_KEY: TEST_BLIND_INDEX_KEY };
    expect(() => loadConfig({ ...env, AUDIT_CHAIN: 'sideways' })).toThrow(/AUDIT_CHAIN must be auto, direct or journal, got "sideways"/);
    expect(loadConfig(env).auditChain).toBe('auto');
  });
});
