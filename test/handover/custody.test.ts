import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { makeUser, MadeUser } from '../helpers/factories';
import { confirmedFile, handoverEnv, handoverPdf, HandoverSetup, handoverSetup, heldFile, ownersCsv, ownersXlsx, witnessedDestruction } from '../helpers/handover-factories';
import { startTestApp, TestApp } from '../helpers/test-app';

const MAX_BYTES = 256 * 1024;

describe('R-HANDOVER-HOLD: custody of the developer’s electronic handover files', () => {
  let t: TestApp;
  let s: HandoverSetup;
  let it: MadeUser;
  let storageDir: string;

  beforeAll(async () => {
    const env = handoverEnv({ HANDOVER_MAX_BYTES: String(MAX_BYTES) });
    storageDir = env.HANDOVER_STORAGE_DIR;
    t = await startTestApp({ env });
    s = await handoverSetup(t);
    it = await makeUser(t, { roles: [['it_admin', '*']] });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  const upload = (u: MadeUser, name: string, body: Buffer | string, contentType = 'application/octet-stream', project = s.project) =>
    t.http().post('/api/v1/handover-files').query({ project, name }).set('Authorization', u.auth).set('Content-Type', contentType).send(body);

  const storedFiles = () => fs.readdirSync(storageDir).filter((n) => n.endsWith('.hf'));

  /** Everything a refused upload could have touched. */
  async function snapshot() {
    const m = t.ctx.db.manager;
    return { files: await m.getRepository(HandoverFile).count(), stored: storedFiles().sort(), auditSeq: (await m.getRepository(AuditHead).findOneByOrFail({ id: 1 })).seq };
  }

  /** The status and code, and nothing changed; a 403 adds exactly its one access.denied event to the trail (R-AUDIT). */
  async function refused(send: () => Promise<request.Response>, status: number, code: string): Promise<request.Response> {
    const before = await snapshot();
    const res = await send();
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
    expect(await snapshot()).toEqual({ ...before, auditSeq: before.auditSeq + (status === 403 ? 1 : 0) });
    return res;
  }

  test('R-HANDOVER-HOLD: the lead uploads XLSX, CSV and PDF; each is typed by content, hashed, and encrypted at rest under its own wrapped key', async () => {
    const inputs: Array<[string, Buffer, string]> = [
      ['owners.xlsx', await ownersXlsx(), 'xlsx'],
      ['owners.csv', ownersCsv(), 'csv'],
      ['handover.pdf', await handoverPdf(), 'pdf'],
    ];
    const keys = new Set<string>();
    for (const [name, bytes, format] of inputs) {
      const res = await upload(s.lead, name, bytes);
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
      expect(res.body).toMatchObject({ fileName: name, format, byteSize: bytes.length, sha256, status: 'held', holderId: s.lead.id, project: s.project, serial: `HF-${res.body.id}` });
      const row = await t.ctx.db.manager.getRepository(HandoverFile).findOneByOrFail({ id: res.body.id });
      // At rest: ciphertext only (the plaintext nowhere in the stored bytes), the file key only wrapped by the data key.
      const stored = fs.readFileSync(path.join(storageDir, row.storageName));
      expect(stored.length).toBe(bytes.length + 32);
      expect(stored.includes(bytes.subarray(0, 64))).toBe(false);
      expect(row.keyId).toBe(t.ctx.cipher.currentKeyId);
      expect(row.wrappedKey).toMatch(/^[A-Za-z0-9+/=]+$/);
      keys.add(row.wrappedKey!);
      // And it decrypts back to exactly what was handed over.
      expect((await t.ctx.handover.store.open(row.storageName, row.wrappedKey!, row.keyId!)).equals(bytes)).toBe(true);
      const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.uploaded', objectId: String(row.id) });
      expect(ev.after).toMatchObject({ fileName: name, sha256, holderId: s.lead.id });
    }
    expect(keys.size).toBe(3);
  });

  test('R-HANDOVER-HOLD: only a project lead takes files into custody (clerk, staff, IT admin → 403 handover_file:hold)', async () => {
    for (const u of [s.clerk, s.staff, it]) {
      const res = await refused(() => upload(u, 'owners.csv', ownersCsv()), 403, 'forbidden');
      expect(res.body.error.details.permission).toBe('handover_file:hold');
    }
    // A lead of another project cannot upload into this one.
    const other = await handoverSetup(t);
    await refused(() => upload(other.lead, 'owners.csv', ownersCsv()), 403, 'forbidden');
  });

  test('R-HANDOVER-HOLD: a PDF named .xlsx → 415 content_mismatch; nothing stored or recorded', async () => {
    const res = await refused(() => upload(s.lead, 'owners.xlsx', Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')), 415, 'content_mismatch');
    expect(res.body.error.details).toMatchObject({ claimed: 'xlsx', detected: 'pdf' });
    await refused(async () => upload(s.lead, 'owners.csv', await ownersXlsx()), 415, 'content_mismatch');
  });

  test('R-HANDOVER-HOLD: random bytes named .csv → 415 unrecognised_content; nothing stored or recorded', async () => {
    const random = Buffer.concat([Buffer.from([0xff, 0x00, 0xfe, 0x01]), crypto.randomBytes(4096)]);
    await refused(() => upload(s.lead, 'owners.csv', random), 415, 'unrecognised_content');
  });

  test('R-HANDOVER-HOLD: an empty file → 400 empty_file; nothing stored or recorded', async () => {
    await refused(() => upload(s.lead, 'owners.csv', Buffer.alloc(0)), 400, 'empty_file');
  });

  test('R-HANDOVER-HOLD: a file over HANDOVER_MAX_BYTES → 413 naming the limit; nothing stored or recorded', async () => {
    const big = Buffer.from('a,b\n'.repeat(MAX_BYTES / 4 + 10));
    const res = await refused(() => upload(s.lead, 'big.csv', big), 413, 'payload_too_large');
    expect(res.body.error.details).toEqual({ limit: MAX_BYTES });
  });

  test('R-HANDOVER-HOLD: other types and broken content are refused: .docx 415, a zip that is no workbook 400, a damaged PDF 400, a non-file body 415/400', async () => {
    await refused(() => upload(s.lead, 'owners.docx', ownersCsv()), 415, 'unsupported_file_type');
    await refused(() => upload(s.lead, 'owners', ownersCsv()), 415, 'unsupported_file_type');
    // A zip archive without a workbook inside (an empty zip: just the end-of-directory record).
    const emptyZip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(26), Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.alloc(18)]);
    await refused(() => upload(s.lead, 'owners.xlsx', emptyZip), 400, 'not_xlsx');
    await refused(() => upload(s.lead, 'handover.pdf', Buffer.from('%PDF-1.4\nthis is not really a pdf\n')), 400, 'invalid_pdf');
    await refused(() => upload(s.lead, 'owners.csv', '<a/>', 'application/xml'), 415, 'unsupported_media_type');
    // A JSON body is parsed as JSON, and the route takes none.
    await refused(() => upload(s.lead, 'owners.csv', '{"a":1}', 'application/json'), 400, 'validation_failed');
    // Query validation: the name is required and carries no path.
    const noName = await t.http().post('/api/v1/handover-files').query({ project: s.project }).set('Authorization', s.lead.auth).set('Content-Type', 'text/csv').send('a,b\n');
    expect(noName.status).toBe(400);
    await refused(() => upload(s.lead, '../etc/owners.csv', ownersCsv()), 400, 'validation_failed');
  });

  test('R-HANDOVER-HOLD: a CSV in GB18030 (Excel on Chinese Windows) is accepted as CSV', async () => {
    const gbk = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xd2, 0xb5, 0xd6, 0xf7, 0x0a]); // "name\n業主\n" in GBK
    const res = await upload(s.lead, 'gbk.csv', gbk, 'text/csv');
    expect(res.status).toBe(201);
    expect(res.body.format).toBe('csv');
  });

  test('R-HANDOVER-HOLD: only the holding lead lists and opens a file; another lead is refused (recorded); the IT admin sees metadata, never content', async () => {
    const f = await heldFile(t, s, s.lead, 'listing.csv');
    const mine = await t.http().get('/api/v1/handover-files').query({ project: s.project }).set('Authorization', s.lead.auth);
    expect(mine.status).toBe(200);
    expect(mine.headers['cache-control']).toBe('no-store');
    expect(mine.body.items.map((i: { id: number }) => i.id)).toContain(f.id);
    expect(mine.body.items.every((i: { holderId: number }) => i.holderId === s.lead.id)).toBe(true);
    expect(mine.body.items[0]).toHaveProperty('delegations');

    const theirs = await t.http().get('/api/v1/handover-files').query({ project: s.project }).set('Authorization', s.lead2.auth);
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.map((i: { id: number }) => i.id)).not.toContain(f.id);
    const open2 = await t.http().get(`/api/v1/handover-files/${f.id}`).set('Authorization', s.lead2.auth);
    expect({ status: open2.status, code: open2.body.error?.code }).toEqual({ status: 403, code: 'not_holder' });
    const denied = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ action: 'handover_file.denied', objectId: String(f.id), actorId: s.lead2.id });
    expect(denied.decision).toBe('deny');
    expect((await t.http().get(`/api/v1/handover-files/${f.id}/view`).set('Authorization', s.lead2.auth)).body.error.code).toBe('no_delegation');
    expect((await t.http().get(`/api/v1/handover-files/${f.id}/download`).set('Authorization', s.lead2.auth)).body.error.code).toBe('not_holder');

    const meta = await t.http().get('/api/v1/handover-files').query({ project: s.project }).set('Authorization', it.auth);
    expect(meta.status).toBe(200);
    const item = meta.body.items.find((i: { id: number }) => i.id === f.id);
    expect(item).toMatchObject({ fileName: 'listing.csv', holderId: s.lead.id, status: 'held' });
    expect(item).not.toHaveProperty('delegations');
    const one = await t.http().get(`/api/v1/handover-files/${f.id}`).set('Authorization', it.auth);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('delegations');
    expect(JSON.stringify(one.body)).not.toContain('業主');
    for (const p of ['view', 'download']) {
      const r = await t.http().get(`/api/v1/handover-files/${f.id}/${p}`).set('Authorization', it.auth);
      expect(r.status).toBe(403);
      expect(r.body.error.details.permission).toBe(p === 'view' ? 'handover_file:view' : 'handover_file:hold');
    }
    // Staff and clerks do not list.
    for (const u of [s.staff, s.clerk]) expect((await t.http().get('/api/v1/handover-files').query({ project: s.project }).set('Authorization', u.auth)).status).toBe(403);
  });

  test('R-AUDIT R-HANDOVER-HOLD: an auditor reads the metadata and the destruction records, never the content (view, download → 403) and changes nothing', async () => {
    const auditor = await makeUser(t, { roles: [['auditor', '*']] });
    const f = await heldFile(t, s, s.lead, 'audited.csv');
    const list = await t.http().get('/api/v1/handover-files').query({ project: s.project }).set('Authorization', auditor.auth);
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: { id: number }) => i.id === f.id);
    expect(item).toMatchObject({ fileName: 'audited.csv', holderId: s.lead.id, status: 'held', sha256: f.sha256 });
    expect(item).not.toHaveProperty('delegations');
    const one = await t.http().get(`/api/v1/handover-files/${f.id}`).set('Authorization', auditor.auth);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: f.id, fileName: 'audited.csv' });
    expect(one.body).not.toHaveProperty('delegations');
    expect(one.body).not.toHaveProperty('entry');
    expect(JSON.stringify([list.body, one.body])).not.toContain('業主');
    expect((await t.http().get(`/api/v1/handover-files/${f.id}/delegations`).set('Authorization', auditor.auth)).status).toBe(200);
    for (const p of ['view', 'download']) {
      const r = await t.http().get(`/api/v1/handover-files/${f.id}/${p}`).set('Authorization', auditor.auth);
      expect({ status: r.status, permission: r.body.error.details.permission }).toEqual({ status: 403, permission: p === 'view' ? 'handover_file:view' : 'handover_file:hold' });
      expect(JSON.stringify(r.body)).not.toContain('業主');
    }
    // Changes nothing: no delegation, confirmation, transfer or destruction.
    const changes: Array<[string, Record<string, unknown>, string]> = [
      ['delegations', { clerkUserId: s.clerk.id, days: 1 }, 'handover_file:delegate'],
      ['transfer', { toUserId: s.lead2.id }, 'handover_file:transfer'],
      ['destroy', { witnessUserId: s.lead2.id, reason: 'auditor tries' }, 'handover_file:destroy'],
    ];
    for (const [p, body, permission] of changes) {
      const r = await t.http().post(`/api/v1/handover-files/${f.id}/${p}`).set('Authorization', auditor.auth).send(body);
      expect({ status: r.status, permission: r.body.error.details.permission }).toEqual({ status: 403, permission });
    }
    expect(await t.ctx.db.manager.getRepository(HandoverFile).findOneByOrFail({ id: f.id })).toMatchObject({ status: 'held', holderId: s.lead.id });
    // The destruction record of another file: readable (what, who, witness, when, how).
    const c = await confirmedFile(t, s, s.lead, s.clerk);
    const d = await witnessedDestruction(t, s.lead, s.lead2, c);
    const rec = await t.http().get(`/api/v1/handover-destructions/${d.id}`).set('Authorization', auditor.auth);
    expect(rec.status).toBe(200);
    expect(rec.headers['cache-control']).toBe('no-store');
    expect(rec.body).toMatchObject({ id: d.id, fileId: c.id, sha256: c.sha256, destroyedById: s.lead.id, witnessId: s.lead2.id, method: expect.stringContaining('crypto-shred') });
  });

  test('R-HANDOVER-HOLD: the lead downloads the original (attachment, no-store, audited)', async () => {
    const bytes = await ownersXlsx(5);
    const f = await heldFile(t, s, s.lead, '交樓 owners.xlsx', bytes);
    const res = await t.http().get(`/api/v1/handover-files/${f.id}/download`).set('Authorization', s.lead.auth).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect((res.body as Buffer).equals(bytes)).toBe(true);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="__ owners.xlsx"; filename\*=UTF-8''/);
    expect(await t.ctx.db.manager.getRepository(AuditEvent).countBy({ action: 'handover_file.downloaded', objectId: String(f.id) })).toBe(1);
  });
});
