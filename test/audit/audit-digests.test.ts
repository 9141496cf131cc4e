import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { entryHash } from '../../src/audit/chain';
import { DIGEST_FILE_RE, digestFileName, digestSignatureValid, parseDigest, signedBytes } from '../../src/audit/digest/digest-format';
import { rotateSigningKey } from '../../src/audit/digest/digest-setup';
import { keyIdOf, publicKeyFromPem } from '../../src/audit/digest/signing-key';
import { verifyWithDigests } from '../../src/audit/digest/verify-digests';
import { verifyAuditChain } from '../../src/audit/verify';
import { loadConfig } from '../../src/config/env';
import { AuditDigest } from '../../src/entities/AuditDigest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { pdfText } from '../../src/lib/documents';
import { makeUser } from '../helpers/factories';
import { binary } from '../helpers/sanctions-factories';
import { childAuditEnv, startTestApp, TEST_BLIND_INDEX_KEY, TEST_DATA_KEY, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';
import { runDir, testDbKind } from '../helpers/test-db';

/*
 * R-AUDIT (§3.1, §5.3), issue 14 §1: signed digests kept outside the database anchor the chain, so
 * that someone with write access to the database (a DBA, a restore, the app's credentials) cannot
 * rewrite history unseen: not with every hash recomputed, not by moving the head, not by cutting
 * the tail, not by deleting a digest.
 */

const bearer = (token: string) => `Bearer ${token}`;
const uid = () => crypto.randomBytes(4).toString('hex');

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const dirOf = (app: TestApp) => app.ctx.auditDigests.files.dir;

function col(app: TestApp, name: string): string {
  return app.ctx.db.mysql ? '`' + name + '`' : '"' + name + '"';
}

/** A few real changes through the API. */
async function changes(app: TestApp, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await app.http().post('/api/v1/departments').set('Authorization', bearer(app.admin.token)).send({ code: `D${uid()}`, name: `Digest ${i}` });
    expect(res.status).toBe(201);
  }
}

async function signNow(app: TestApp) {
  const res = await app.http().post('/api/v1/audit/digests').set('Authorization', bearer(app.admin.token)).send({});
  expect(res.status).toBe(201);
  return res.body as { number: number; fromSeq: number; toSeq: number; headHash: string; written: boolean };
}

const verifyDigests = (app: TestApp) => verifyWithDigests(app.ctx.db.ds, { dir: dirOf(app) });

/** What a DBA can do: change entry `from`, then recompute every hash from there and move the head. */
async function rewriteFrom(app: TestApp, from: number): Promise<void> {
  const repo = app.ctx.db.manager.getRepository(AuditEvent);
  const rows = await repo.find({ order: { seq: 'ASC' } });
  let prev = rows.find((r) => r.seq === from - 1)?.hash ?? '0'.repeat(64);
  for (const e of rows.filter((r) => r.seq >= from)) {
    if (e.seq === from) e.reason = 'quietly altered';
    e.prevHash = prev;
    e.hash = entryHash(e);
    await app.ctx.db.ds.query(`UPDATE audit_event SET ${col(app, 'reason')} = ?, ${col(app, 'prevHash')} = ?, ${col(app, 'hash')} = ? WHERE ${col(app, 'seq')} = ?`, [
      e.reason,
      e.prevHash,
      e.hash,
      e.seq,
    ]);
    prev = e.hash;
  }
  await app.ctx.db.ds.query(`UPDATE audit_head SET ${col(app, 'hash')} = ? WHERE ${col(app, 'id')} = 1`, [prev]);
}

describe('signed audit digests outside the database', () => {
  it('R-AUDIT: a digest on demand is signed, written once as a file beside its public key, listed, served, and verify with digests passes', async () => {
    t = await startTestApp();
    await changes(t, 3);
    const d = await signNow(t);
    expect(d).toMatchObject({ number: 1, fromSeq: 1, written: true });
    const head = await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 });
    // The digest covers the head as it was; its own audit event comes after it.
    expect(head.seq).toBe(d.toSeq + 1);
    const names = fs.readdirSync(dirOf(t)).filter((f) => DIGEST_FILE_RE.test(f));
    expect(names).toEqual([digestFileName(1)]);
    const file = parseDigest(fs.readFileSync(path.join(dirOf(t), names[0]), 'utf8'), names[0]);
    const keys = await t.http().get('/api/v1/audit/keys').set('Authorization', bearer(t.admin.token));
    expect(keys.status).toBe(200);
    const current = keys.body.items.find((k: { current: boolean }) => k.current);
    expect(current.keyId).toBe(file.payload.keyId);
    expect(digestSignatureValid(file, publicKeyFromPem(current.publicKeyPem, 'api'))).toBe(true);
    expect(fs.readFileSync(path.join(dirOf(t), 'keys', `${current.keyId}.pem`), 'utf8')).toBe(current.publicKeyPem);
    // A digest file is never rewritten: read-only on disk.
    expect(fs.statSync(path.join(dirOf(t), names[0])).mode & 0o222).toBe(0);

    const list = await t.http().get('/api/v1/audit/digests').set('Authorization', bearer(t.admin.token));
    expect(list.body).toMatchObject({ total: 1, items: [{ number: 1, toSeq: d.toSeq, headHash: d.headHash }] });
    const served = await t.http().get('/api/v1/audit/digests/1').set('Authorization', bearer(t.admin.token));
    expect(served.body).toEqual(file);
    expect((await t.http().get('/api/v1/audit/digests/9').set('Authorization', bearer(t.admin.token))).status).toBe(404);

    const res = await t.http().get('/api/v1/audit/verify?digests=true').set('Authorization', bearer(t.admin.token));
    expect(res.body).toMatchObject({ ok: true, coverage: { digests: 1, latestNumber: 1, coveredToSeq: d.toSeq, uncovered: 1 } });
    const created = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: d.toSeq + 1 });
    expect(created).toMatchObject({ action: 'audit.digest_created', actorId: t.admin.id, objectId: '1' });
  });

  it('R-AUDIT: a rewrite with every hash recomputed and the head moved passes the plain check, and fails against the digests at the first rewritten entry', async () => {
    t = await startTestApp();
    await changes(t, 4);
    const d = await signNow(t);
    await changes(t, 2);
    await signNow(t);
    const target = d.toSeq - 2;
    await rewriteFrom(t, target);
    expect((await verifyAuditChain(t.ctx.db.ds)).ok).toBe(true);
    expect(await verifyDigests(t)).toMatchObject({ ok: false, brokenAtSeq: target, reason: expect.stringContaining('signed digest 1') });
    const res = await t.http().get('/api/v1/audit/verify?digests=true').set('Authorization', bearer(t.admin.token));
    expect(res.body).toMatchObject({ ok: false, brokenAtSeq: target });
  });

  it('R-AUDIT: verify can resume from the latest signed digest: it walks only what follows, and still finds an edit after the digest and a rewrite that reaches back to its head', async () => {
    t = await startTestApp();
    await changes(t, 4);
    const d = await signNow(t);
    await changes(t, 3);
    const resumed = (q = '') => t.http().get(`/api/v1/audit/verify?digests=true&resume=true${q}`).set('Authorization', bearer(t.admin.token));
    const full = await t.http().get('/api/v1/audit/verify?digests=true').set('Authorization', bearer(t.admin.token));
    const quick = await resumed();
    expect(quick.status).toBe(200);
    // The same head, reached from the digest: only the entries after it were walked.
    expect(quick.body).toMatchObject({ ok: true, headSeq: full.body.headSeq, headHash: full.body.headHash, resumedAfterSeq: d.toSeq, count: full.body.count - d.toSeq });
    expect(quick.body.coverage).toMatchObject({ latestNumber: d.number, coveredToSeq: d.toSeq });
    // resume=true without the digests has no starting point: refused by field.
    const alone = await t.http().get('/api/v1/audit/verify?resume=true').set('Authorization', bearer(t.admin.token));
    expect(alone.status).toBe(400);
    expect(alone.body.error.details).toEqual([expect.objectContaining({ path: 'query.resume' })]);

    // An entry after the digest edited in place is found where it is (no signature covers it yet:
    // only its own hash and the links can tell, as in the full verify).
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${col(t, 'reason')} = ? WHERE ${col(t, 'seq')} = ?`, ['quietly altered', d.toSeq + 2]);
    expect((await resumed()).body).toMatchObject({ ok: false, brokenAtSeq: d.toSeq + 2, reason: expect.stringContaining('does not match its hash') });
    // A rewrite that reaches back to the digest's own head is found at that head.
    await rewriteFrom(t, d.toSeq);
    expect((await resumed()).body).toMatchObject({ ok: false, brokenAtSeq: d.toSeq, reason: expect.stringContaining('signed digest vouches for') });
    // Before the digest is the full verify's part (the nightly job runs it): it finds this rewrite too.
    expect((await verifyDigests(t)).ok).toBe(false);
  });

  it('R-AUDIT: npm run audit:verify -- --digests DIR --resume says where it started; --resume alone is refused', async () => {
    const cli = path.resolve(__dirname, '../../dist/scripts/audit-verify.js');
    if (!fs.existsSync(cli)) throw new Error('dist/scripts/audit-verify.js is missing: run `npm run build` (npm test does it in pretest)');
    t = await startTestApp();
    await changes(t, 3);
    const d = await signNow(t);
    await changes(t, 2);
    const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: t.dbUrl, JWT_SECRET: TEST_JWT_SECRET, DATA_KEY: TEST_DATA_KEY, BLIND_INDEX_KEY: TEST_BLIND_INDEX_KEY, LOG_LEVEL: 'error', ...childAuditEnv() };
    const run = (args: string[]) =>
      new Promise<{ code: number; out: string; err: string }>((resolve) => {
        execFile(process.execPath, [cli, ...args], { env }, (error, out, err) => resolve({ code: error ? Number(error.code) : 0, out, err }));
      });
    const ok = await run(['--digests', dirOf(t), '--resume']);
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining(`after seq ${d.toSeq} (the latest signed digest's head)`) });
    const alone = await run(['--resume']);
    expect(alone.code).toBe(1);
    expect(alone.err).toContain('--resume starts at a signed digest');
  });

  it('R-AUDIT: with no digest yet, a resumed verify walks the whole chain', async () => {
    t = await startTestApp();
    await changes(t, 2);
    const res = await t.http().get('/api/v1/audit/verify?digests=true&resume=true').set('Authorization', bearer(t.admin.token));
    const head = await t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 });
    expect(res.body).toMatchObject({ ok: true, count: head.seq, headSeq: head.seq, resumedAfterSeq: 0 });
  });

  it('R-AUDIT: a cut tail with the head moved back is found at the first missing entry the digests cover', async () => {
    t = await startTestApp();
    await changes(t, 4);
    const d = await signNow(t);
    const keep = d.toSeq - 2;
    const kept = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: keep });
    await t.ctx.db.ds.query(`DELETE FROM audit_event WHERE ${col(t, 'seq')} > ?`, [keep]);
    await t.ctx.db.ds.query(`UPDATE audit_head SET ${col(t, 'seq')} = ?, ${col(t, 'hash')} = ? WHERE ${col(t, 'id')} = 1`, [keep, kept.hash]);
    expect((await verifyAuditChain(t.ctx.db.ds)).ok).toBe(true);
    expect(await verifyDigests(t)).toMatchObject({ ok: false, brokenAtSeq: keep + 1, reason: expect.stringContaining('tail was cut') });
  });

  it('R-AUDIT: a deleted digest (in the middle, or the latest), an edited one and one signed by an unknown key are each reported', async () => {
    t = await startTestApp();
    for (let i = 0; i < 3; i++) {
      await changes(t, 1);
      await signNow(t);
    }
    expect((await verifyDigests(t)).ok).toBe(true);
    const dir = dirOf(t);
    const file = (n: number) => path.join(dir, digestFileName(n));
    const saved = [1, 2, 3].map((n) => fs.readFileSync(file(n), 'utf8'));
    const restore = () => saved.forEach((text, i) => (fs.rmSync(file(i + 1), { force: true }), fs.writeFileSync(file(i + 1), text)));

    fs.rmSync(file(2));
    expect(await verifyDigests(t)).toMatchObject({ ok: false, reason: expect.stringContaining('digest 2 is missing') });
    restore();
    fs.rmSync(file(3));
    const latest = await t.ctx.db.manager.getRepository(AuditDigest).findOneByOrFail({ number: 3 });
    expect(await verifyDigests(t)).toMatchObject({ ok: false, brokenAtSeq: latest.fromSeq, reason: expect.stringContaining('digest 3 was written but is missing') });
    restore();

    const edited = JSON.parse(saved[1]);
    edited.payload.toSeq += 0;
    edited.payload.createdAt = '2020-01-01T00:00:00.000Z';
    fs.rmSync(file(2));
    fs.writeFileSync(file(2), JSON.stringify(edited));
    expect(await verifyDigests(t)).toMatchObject({ ok: false, reason: expect.stringContaining('signature does not verify') });
    restore();

    // Re-signed with a key of the attacker's own: not among the trusted keys.
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
    const forged = JSON.parse(saved[1]);
    forged.payload.keyId = keyIdOf(publicKey);
    forged.signature = crypto.sign(null, signedBytes(forged.payload), privateKey).toString('base64');
    fs.rmSync(file(2));
    fs.writeFileSync(file(2), JSON.stringify(forged));
    expect(await verifyDigests(t)).toMatchObject({ ok: false, reason: expect.stringContaining('not among the trusted public keys') });
  });

  it('R-AUDIT: a broken chain is never signed (409 chain_broken naming the first bad sequence, no digest written)', async () => {
    t = await startTestApp();
    await changes(t, 3);
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${col(t, 'reason')} = 'edited' WHERE ${col(t, 'seq')} = 2`);
    const res = await t.http().post('/api/v1/audit/digests').set('Authorization', bearer(t.admin.token)).send({});
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'chain_broken', details: { brokenAtSeq: 2 } });
    expect(await t.ctx.db.manager.getRepository(AuditDigest).count()).toBe(0);
    expect(fs.existsSync(path.join(dirOf(t), digestFileName(1)))).toBe(false);
  });

  it('R-AUDIT: the interval digest is made once per interval across two instances, and a shutdown with nothing new adds none', async () => {
    const mysql = testDbKind() === 'mysql';
    t = await startTestApp({ keepDatabase: mysql, env: { AUDIT_DIGEST_MINUTES: '60' } });
    // A second instance on MariaDB. On SQLite, two connections to one file in one process would
    // wait on each other's busy handler (it blocks the event loop): the same app stands in, as in
    // test/jobs/scheduler.test.ts (the embedded default is one instance).
    const other = mysql ? await startTestApp({ dbUrl: t.dbUrl, env: { AUDIT_DIGEST_MINUTES: '60', AUDIT_DIGEST_DIR: dirOf(t) } }) : t;
    try {
      await changes(t, 2);
      const now = new Date();
      const made = await Promise.all([t, other, t, other].map((app) => app.ctx.auditDigests.create('interval', { now })));
      expect(made.filter((m) => m?.created)).toHaveLength(1);
      expect(await t.ctx.db.manager.getRepository(AuditDigest).countBy({ reason: 'interval' })).toBe(1);
      // The next interval gets its own, even with nothing new (it vouches for the time).
      expect(await t.ctx.auditDigests.create('interval', { now: new Date(now.getTime() + 3_600_000) })).toMatchObject({ created: true });
      expect(await other.ctx.auditDigests.create('shutdown')).toMatchObject({ created: false });
      expect((await verifyDigests(t)).ok).toBe(true);
    } finally {
      if (other !== t) await other.close();
    }
  });

  it('R-AUDIT: after a key rotation the old digests still verify with the retired public key, and the keys route lists both', async () => {
    const keyFile = path.join(fs.mkdtempSync(path.join(runDir(), 'rotate-')), 'signing.pem');
    const env = { AUDIT_SIGNING_KEY: keyFile };
    // The key file is made by the first start only when not configured: make it as an operator would.
    fs.writeFileSync(keyFile, crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    t = await startTestApp({ keepDatabase: true, env });
    await changes(t, 2);
    await signNow(t);
    const dir = dirOf(t);
    const { retired, current } = rotateSigningKey(loadConfig({ NODE_ENV: 'test', AUDIT_SIGNING_KEY: keyFile, AUDIT_DIGEST_DIR: dir }));
    expect(retired).not.toBe(current);
    const after = await startTestApp({ dbUrl: t.dbUrl, env: { ...env, AUDIT_DIGEST_DIR: dir } });
    try {
      await changes(after, 1);
      const res = await after.http().post('/api/v1/audit/digests').set('Authorization', bearer(after.admin.token)).send({});
      expect(res.status).toBe(201);
      const files = [1, 2].map((n) => parseDigest(fs.readFileSync(path.join(dir, digestFileName(n)), 'utf8'), String(n)));
      expect(files.map((f) => f.payload.keyId)).toEqual([retired, current]);
      expect(await verifyWithDigests(after.ctx.db.ds, { dir })).toMatchObject({ ok: true, coverage: { digests: 2 } });
      const keys = await after.http().get('/api/v1/audit/keys').set('Authorization', bearer(after.admin.token));
      expect(keys.body.items.map((k: { keyId: string; current: boolean }) => [k.keyId, k.current]).sort()).toEqual([[current, true], [retired, false]].sort());
    } finally {
      await after.close();
    }
  });

  it('R-AUDIT: each digest also goes to syslog (RFC 5424 over TCP, octet-counted), signed', async () => {
    const received: Buffer[] = [];
    const server = net.createServer((s) => s.on('data', (c) => received.push(c)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    try {
      t = await startTestApp({ env: { AUDIT_SYSLOG_URL: `tcp://127.0.0.1:${port}` } });
      await changes(t, 1);
      const d = await signNow(t);
      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const frame = Buffer.concat(received).toString('utf8');
      const m = /^(\d+) (<109>1 \S+ \S+ custodian \d+ audit-digest - )(\{.*\})$/s.exec(frame);
      expect(m).not.toBeNull();
      expect(Number(m![1])).toBe(Buffer.byteLength(frame) - m![1].length - 1);
      const sent = parseDigest(m![3], 'syslog');
      expect(sent.payload).toMatchObject({ number: d.number, toSeq: d.toSeq, headHash: d.headHash });
      expect(sent.eventHashes).toBeUndefined();
      const key = (await t.http().get('/api/v1/audit/keys').set('Authorization', bearer(t.admin.token))).body.items[0];
      expect(digestSignatureValid(sent, publicKeyFromPem(key.publicKeyPem, 'api'))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('R-AUDIT: a printed §7 form carries the latest digest (number, sequence, hash) in every page footer, and says when there is none yet', async () => {
    t = await startTestApp();
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    const form = async () => {
      const res = await t.http().get('/api/v1/ledger/form?from=2026-01-01&to=2026-12-31').set('Authorization', auditor.auth).buffer(true).parse(binary as never);
      expect(res.status).toBe(200);
      return (await pdfText(res.body as Buffer)).join('\n');
    };
    expect(await form()).toContain('Audit digest: 尚無 none yet');
    await changes(t, 1);
    const d = await signNow(t);
    const text = await form();
    expect(text).toContain(`Audit digest #${d.number} · seq ${d.toSeq} · ${d.headHash}`);
  });

  it('R-AUDIT: production refuses to start without AUDIT_SIGNING_KEY, and a key that is not Ed25519 is refused by name', async () => {
    const others = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'mysql://u:p@db:3306/c', DATA_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`, BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64') };
    expect(() => loadConfig(others)).toThrow(/without AUDIT_SIGNING_KEY/);
    const rsa = path.join(fs.mkdtempSync(path.join(runDir(), 'rsa-')), 'rsa.pem');
    fs.writeFileSync(rsa, crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(startTestApp({ env: { AUDIT_SIGNING_KEY: rsa } })).rejects.toThrow(/rsa key; audit digests are signed with Ed25519/);
    await expect(startTestApp({ env: { AUDIT_SIGNING_KEY: `${rsa}.missing` } })).rejects.toThrow(/AUDIT_SIGNING_KEY: no such file/);
  });

  it('R-AUDIT: the auditor signs and reads digests; a user without the audit permissions is refused (403, audited)', async () => {
    t = await startTestApp();
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    const nobody = await makeUser(t);
    const res = await t.http().post('/api/v1/audit/digests').set('Authorization', bearer(auditor.token)).send({});
    expect(res.status).toBe(201);
    const refused = await t.http().get('/api/v1/audit/digests').set('Authorization', bearer(nobody.token));
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('audit:read');
  });
});
