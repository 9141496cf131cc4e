import crypto from 'node:crypto';
import { entryHash } from '../../src/audit/chain';
import { verifyAuditChain } from '../../src/audit/verify';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { AuditHead } from '../../src/entities/AuditHead';
import { Department } from '../../src/entities/Department';
import { PolicyMeta } from '../../src/entities/PolicyMeta';
import { User } from '../../src/entities/User';
import { makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

/*
 * R-AUDIT (§3.1, §5.3): every change and every denial is recorded, in the same transaction as
 * the change, in one hash chain that nobody (the IT admin with database access included) can
 * alter without verification showing where.
 */

const uid = () => crypto.randomBytes(4).toString('hex');
const bearer = (token: string) => `Bearer ${token}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function headOf(t: TestApp): Promise<AuditHead> {
  return t.ctx.db.manager.getRepository(AuditHead).findOneByOrFail({ id: 1 });
}

async function policyVersion(t: TestApp): Promise<number> {
  return (await t.ctx.db.manager.getRepository(PolicyMeta).findOneByOrFail({ id: 1 })).version;
}

/** Identifier quoting for raw SQL that runs unchanged on MySQL/MariaDB and SQLite. */
function q(t: TestApp, name: string): string {
  return t.ctx.db.mysql ? '`' + name + '`' : '"' + name + '"';
}

/** UTC 'YYYY-MM-DD HH:mm:ss.SSS': what both drivers store in a datetime(3) column. */
function sqlDatetime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

/** A few real changes through the API, so that the chain has a middle and an end. */
async function seedChain(t: TestApp, n = 5): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) {
    const code = `S${uid()}`;
    const res = await t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).send({ code, name: `Seed ${i}` });
    expect(res.status).toBe(201);
    codes.push(code);
  }
  const v = await verifyAuditChain(t.ctx.db.ds);
  expect(v.ok).toBe(true);
  return codes;
}

async function httpVerify(t: TestApp) {
  const res = await t.http().get('/api/v1/audit/verify').set('Authorization', bearer(t.admin.token));
  expect(res.status).toBe(200);
  return res.body;
}

/** Minimal RFC 4180 parser (quoted cells may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else if (c !== '\r') cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const CSV_HEADER = ['seq', 'at', 'actorId', 'actorName', 'action', 'objectType', 'objectId', 'scope', 'decision', 'reason', 'requestId', 'ip', 'before', 'after', 'prevHash', 'hash'];

describe('R-AUDIT: audit trail through the API (shared app)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('R-AUDIT: creating a department writes department.created with actor, scope, after and request id', async () => {
    const code = `D${uid()}`;
    const before = await headOf(t);
    const res = await t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).set('X-Request-Id', `req-${code}`).send({ code, name: 'Quality' });
    expect(res.status).toBe(201);
    const after = await headOf(t);
    expect(after.seq).toBe(before.seq + 1);

    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: after.seq });
    expect(ev).toMatchObject({
      action: 'department.created',
      actorId: t.admin.id,
      actorName: 'admin',
      objectType: 'department',
      objectId: code,
      scope: `dept:${code}`,
      requestId: `req-${code}`,
      after: { code, name: 'Quality' },
      before: null,
      prevHash: before.hash,
      hash: after.hash,
    });
    expect(ev.ip).toBeTruthy();
    expect((await verifyAuditChain(t.ctx.db.ds)).ok).toBe(true);
  });

  it('R-AUDIT: a conflicting create (409) writes no event and changes nothing', async () => {
    const code = `D${uid()}`;
    const first = await t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).send({ code, name: 'Original' });
    expect(first.status).toBe(201);
    const head = await headOf(t);
    const version = await policyVersion(t);
    const depts = await t.ctx.db.manager.getRepository(Department).count();

    const dup = await t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).send({ code, name: 'Duplicate' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('already_exists');

    expect(await headOf(t)).toEqual(head);
    expect(await policyVersion(t)).toBe(version);
    expect(await t.ctx.db.manager.getRepository(Department).count()).toBe(depts);
    expect((await t.ctx.db.manager.getRepository(Department).findOneByOrFail({ code })).name).toBe('Original');
  });

  it('R-AUDIT: requests that fail validation write no event and change nothing', async () => {
    const head = await headOf(t);
    const depts = await t.ctx.db.manager.getRepository(Department).count();
    const auth = bearer(t.admin.token);

    const badCode = await t.http().post('/api/v1/departments').set('Authorization', auth).send({ code: 'not a code!', name: 'X' });
    expect(badCode.status).toBe(400);
    const extra = await t.http().post('/api/v1/departments').set('Authorization', auth).send({ code: `D${uid()}`, name: 'X', extra: 1 });
    expect(extra.status).toBe(400);
    // Fails inside the transaction (unknown department is checked in the tx): rolled back, no event.
    const pcode = `P${uid()}`;
    const badProject = await t.http().post('/api/v1/projects').set('Authorization', auth).send({ code: pcode, name: 'X', departmentCode: `NOPE${uid()}` });
    expect(badProject.status).toBe(400);

    expect(await headOf(t)).toEqual(head);
    expect(await t.ctx.db.manager.getRepository(Department).count()).toBe(depts);
    const p = await t.http().get(`/api/v1/projects/${pcode}`).set('Authorization', auth);
    expect(p.status).toBe(404);
  });

  it('R-AUDIT: the change and its event commit together: if the audit write fails, the change is rolled back', async () => {
    const code = `D${uid()}`;
    const head = await headOf(t);
    const version = await policyVersion(t);
    jest.spyOn(t.ctx.audit, 'append').mockRejectedValueOnce(new Error('simulated audit write failure'));
    const res = await t.http().post('/api/v1/departments').set('Authorization', bearer(t.admin.token)).send({ code, name: 'Never' });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toMatch(/simulated|stack|\.ts:/);
    expect(await t.ctx.db.manager.getRepository(Department).findOneBy({ code })).toBeNull();
    expect(await headOf(t)).toEqual(head);
    expect(await policyVersion(t)).toBe(version);
  });

  it("R-AUDIT: denied access writes an 'access.denied' event with decision 'deny'", async () => {
    const p = await makeProject(t);
    const staff = await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
    const head = await headOf(t);
    const res = await t.http().get('/api/v1/audit').set('Authorization', staff.auth);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');

    const after = await headOf(t);
    expect(after.seq).toBe(head.seq + 1);
    const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: after.seq });
    expect(ev).toMatchObject({ action: 'access.denied', decision: 'deny', actorId: staff.id, actorName: staff.username, objectType: 'audit', scope: '*' });
    expect(ev.reason).toContain('audit:read');

    const listed = await t.http().get('/api/v1/audit').query({ actorId: staff.id, decision: 'deny' }).set('Authorization', bearer(t.admin.token));
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(1);
    expect(listed.body.items[0]).toMatchObject({ seq: ev.seq, action: 'access.denied', decision: 'deny' });
  });

  describe('R-AUDIT: GET /api/v1/audit filters and paginates', () => {
    let actor: Awaited<ReturnType<typeof makeUser>>;
    const codes: string[] = [];
    let t0: Date;
    let t1: Date;

    beforeAll(async () => {
      actor = await makeUser(t, { roles: [['it_admin', '*']] });
      for (let i = 0; i < 3; i++) codes.push(`F${uid()}`);
      const create = async (code: string) => {
        const r = await t.http().post('/api/v1/departments').set('Authorization', actor.auth).send({ code, name: `Filter ${code}` });
        expect(r.status).toBe(201);
      };
      t0 = new Date();
      await sleep(15);
      await create(codes[0]);
      await create(codes[1]);
      await sleep(15);
      t1 = new Date();
      await sleep(15);
      await create(codes[2]);
    });

    const list = (query: Record<string, string | number>) => t.http().get('/api/v1/audit').query(query).set('Authorization', bearer(t.admin.token));

    it('R-AUDIT: filters by actorId and by actor username', async () => {
      const byId = await list({ actorId: actor.id, order: 'asc' });
      expect(byId.status).toBe(200);
      expect(byId.body.total).toBe(3);
      expect(byId.body.items.map((e: AuditEvent) => e.objectId)).toEqual(codes);
      expect(byId.body.items.every((e: AuditEvent) => e.actorId === actor.id)).toBe(true);

      const byName = await list({ actor: actor.username, order: 'asc' });
      expect(byName.status).toBe(200);
      expect(byName.body.total).toBe(3);
      expect(byName.body.items.map((e: AuditEvent) => e.seq)).toEqual(byId.body.items.map((e: AuditEvent) => e.seq));

      const nobody = await list({ actor: `ghost-${uid()}` });
      expect(nobody.body).toMatchObject({ total: 0, items: [] });
    });

    it('R-AUDIT: filters by action, objectType and scope', async () => {
      const byAction = await list({ action: 'department.created', limit: 500 });
      expect(byAction.status).toBe(200);
      expect(byAction.body.items.every((e: AuditEvent) => e.action === 'department.created')).toBe(true);
      const ownSeqs = new Set(byAction.body.items.map((e: AuditEvent) => e.objectId));
      for (const c of codes) expect(ownSeqs.has(c)).toBe(true);

      const granted = await list({ action: 'role.granted', objectType: 'user', limit: 500 });
      expect(granted.body.total).toBeGreaterThanOrEqual(1);
      expect(granted.body.items.every((e: AuditEvent) => e.action === 'role.granted' && e.objectType === 'user')).toBe(true);
      expect(granted.body.items.some((e: AuditEvent) => e.objectId === String(actor.id))).toBe(true);

      const byType = await list({ objectType: 'department', actorId: actor.id });
      expect(byType.body.total).toBe(3);
      const noneOfType = await list({ objectType: 'project', actorId: actor.id });
      expect(noneOfType.body.total).toBe(0);

      const byScope = await list({ scope: `dept:${codes[1]}` });
      expect(byScope.body.total).toBe(1);
      expect(byScope.body.items[0]).toMatchObject({ action: 'department.created', objectId: codes[1], scope: `dept:${codes[1]}` });
    });

    it('R-AUDIT: filters by from/to time range', async () => {
      const inRange = await list({ actorId: actor.id, from: t0.toISOString(), to: t1.toISOString(), order: 'asc' });
      expect(inRange.status).toBe(200);
      expect(inRange.body.total).toBe(2);
      expect(inRange.body.items.map((e: AuditEvent) => e.objectId)).toEqual([codes[0], codes[1]]);
      for (const e of inRange.body.items) {
        expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(t0.getTime());
        expect(new Date(e.at).getTime()).toBeLessThanOrEqual(t1.getTime());
      }

      const fromOnly = await list({ actorId: actor.id, from: t1.toISOString() });
      expect(fromOnly.body.total).toBe(1);
      expect(fromOnly.body.items[0].objectId).toBe(codes[2]);

      const toOnly = await list({ actorId: actor.id, to: t1.toISOString() });
      expect(toOnly.body.total).toBe(2);

      const before = await list({ actorId: actor.id, to: t0.toISOString() });
      expect(before.body.total).toBe(0);

      const bad = await list({ from: 'not-a-date' });
      expect(bad.status).toBe(400);
    });

    it('R-AUDIT: a period alone (read through its own index on MariaDB) pages in seq order, either way, and counts every match', async () => {
      const asc = await list({ from: t0.toISOString(), to: t1.toISOString(), order: 'asc', limit: 500 });
      expect(asc.status).toBe(200);
      const seqs = asc.body.items.map((e: AuditEvent) => e.seq);
      expect(asc.body.total).toBe(seqs.length);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(asc.body.items.filter((e: AuditEvent) => e.actorId === actor.id).map((e: AuditEvent) => e.objectId)).toEqual([codes[0], codes[1]]);
      for (const e of asc.body.items) expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(t0.getTime());
      const desc = await list({ from: t0.toISOString(), to: t1.toISOString(), limit: 500 });
      expect(desc.body.items.map((e: AuditEvent) => e.seq)).toEqual([...seqs].reverse());
      const second = await list({ from: t0.toISOString(), to: t1.toISOString(), order: 'asc', limit: 1, offset: 1 });
      expect(second.body.items.map((e: AuditEvent) => e.seq)).toEqual([seqs[1]]);
      expect(second.body.total).toBe(seqs.length);
    });

    it('R-AUDIT: limit/offset page through the matches and total counts them all', async () => {
      const all = await list({ actorId: actor.id, order: 'asc' });
      const seqs = all.body.items.map((e: AuditEvent) => e.seq);
      expect(seqs).toHaveLength(3);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);

      const page = await list({ actorId: actor.id, order: 'asc', limit: 2, offset: 1 });
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 1 });
      expect(page.body.items.map((e: AuditEvent) => e.seq)).toEqual(seqs.slice(1, 3));

      const first = await list({ actorId: actor.id, order: 'asc', limit: 1, offset: 0 });
      expect(first.body.items.map((e: AuditEvent) => e.seq)).toEqual([seqs[0]]);
      expect(first.body.total).toBe(3);

      const desc = await list({ actorId: actor.id, limit: 2 });
      expect(desc.body.items.map((e: AuditEvent) => e.seq)).toEqual([seqs[2], seqs[1]]);

      const past = await list({ actorId: actor.id, offset: 3 });
      expect(past.body).toMatchObject({ total: 3, items: [] });

      expect((await list({ limit: 0 })).status).toBe(400);
      expect((await list({ limit: 501 })).status).toBe(400);
    });

    it('R-AUDIT: a cursor pages through the matches by key, in either order, and says when the last page is reached', async () => {
      const all = (await list({ actorId: actor.id, order: 'asc' })).body.items.map((e: AuditEvent) => e.seq);
      expect(all).toHaveLength(3);

      // Newest first: each page's nextCursor opens the next; the last page says null.
      const p1 = await list({ actorId: actor.id, limit: 2 });
      expect(p1.body).toMatchObject({ total: 3, nextCursor: all[1] });
      expect(p1.body.items.map((e: AuditEvent) => e.seq)).toEqual([all[2], all[1]]);
      const p2 = await list({ actorId: actor.id, limit: 2, cursor: p1.body.nextCursor });
      expect(p2.body).toMatchObject({ total: 3, nextCursor: null });
      expect(p2.body.items.map((e: AuditEvent) => e.seq)).toEqual([all[0]]);

      // Oldest first, and a page that ends exactly at the last match needs no empty page after it.
      const a1 = await list({ actorId: actor.id, order: 'asc', limit: 1 });
      expect(a1.body.nextCursor).toBe(all[0]);
      const a2 = await list({ actorId: actor.id, order: 'asc', limit: 2, cursor: a1.body.nextCursor });
      expect(a2.body).toMatchObject({ nextCursor: null });
      expect(a2.body.items.map((e: AuditEvent) => e.seq)).toEqual([all[1], all[2]]);

      // The same page by offset and by cursor is the same page.
      const byOffset = await list({ actorId: actor.id, limit: 1, offset: 1 });
      const byCursor = await list({ actorId: actor.id, limit: 1, cursor: all[2] });
      expect(byCursor.body.items).toEqual(byOffset.body.items);

      // A cursor says where the page starts: an offset beside it is refused, by field; so is a bad cursor.
      const both = await list({ actorId: actor.id, cursor: all[2], offset: 1 });
      expect(both.status).toBe(400);
      expect(both.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'query.offset' })]));
      expect((await list({ cursor: 'abc' })).status).toBe(400);
      expect((await list({ cursor: -1 })).status).toBe(400);
    });

    it("R-AUDIT: export returns text/csv with a header row and one row per event, and is itself recorded as 'audit.exported'", async () => {
      const head = await headOf(t);
      const res = await t.http().get('/api/v1/audit/export').query({ actorId: actor.id }).set('Authorization', bearer(t.admin.token));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toContain('attachment');
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual(CSV_HEADER);
      const data = rows.slice(1);
      expect(data).toHaveLength(3);
      const col = (name: string) => CSV_HEADER.indexOf(name);
      expect(data.map((r) => r[col('objectId')])).toEqual(codes);
      for (const r of data) {
        expect(r).toHaveLength(CSV_HEADER.length);
        expect(r[col('actorId')]).toBe(String(actor.id));
        expect(r[col('actorName')]).toBe(actor.username);
        expect(r[col('action')]).toBe('department.created');
        expect(r[col('hash')]).toMatch(/^[0-9a-f]{64}$/);
        expect(JSON.parse(r[col('after')])).toMatchObject({ code: r[col('objectId')] });
      }

      // The export itself is an audit event by the exporting user, with the filters used.
      const after = await headOf(t);
      expect(after.seq).toBe(head.seq + 1);
      const ev = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: after.seq });
      expect(ev).toMatchObject({ action: 'audit.exported', actorId: t.admin.id, actorName: 'admin', objectType: 'audit', after: { filters: { actorId: actor.id } } });
    });

    it('R-AUDIT: an unfiltered export has exactly one row per event in chain order, including its own export event', async () => {
      const res = await t.http().get('/api/v1/audit/export').set('Authorization', bearer(t.admin.token));
      expect(res.status).toBe(200);
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual(CSV_HEADER);
      const head = await headOf(t);
      const seqs = rows.slice(1).map((r) => Number(r[0]));
      expect(seqs).toEqual(Array.from({ length: head.seq }, (_, i) => i + 1));
      const last = rows[rows.length - 1];
      expect(last[CSV_HEADER.indexOf('action')]).toBe('audit.exported');
      expect(last[CSV_HEADER.indexOf('hash')]).toBe(head.hash);
    });
  });

  it('R-AUDIT: GET /api/v1/audit/verify returns ok with count, headSeq and headHash on an intact chain', async () => {
    const body = await httpVerify(t);
    const head = await headOf(t);
    const count = await t.ctx.db.manager.getRepository(AuditEvent).count();
    expect(body).toEqual({ ok: true, count, headSeq: head.seq, headHash: head.hash });
    expect(count).toBe(head.seq);
    expect(await verifyAuditChain(t.ctx.db.ds)).toEqual(body);
  });

  it('R-AUDIT: no password, password hash or token ever appears in any audit_event row', async () => {
    const auth = bearer(t.admin.token);
    const username = `sec.${uid()}`;
    const p1 = `First-Secret-${uid()}-pw`;
    const p2 = `Second-Secret-${uid()}-pw`;
    const p3 = `Third-Secret-${uid()}-pw`;
    const wrong = `Wrong-Guess-${uid()}-pw`;
    const hashes: string[] = [];
    const tokens: string[] = [t.admin.token];
    const userRepo = t.ctx.db.manager.getRepository(User);

    const created = await t.http().post('/api/v1/users').set('Authorization', auth).send({ username, displayName: 'Secret Holder', password: p1 });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    hashes.push((await userRepo.findOneByOrFail({ id })).passwordHash);

    const login1 = await t.http().post('/api/v1/auth/login').send({ username, password: p1 });
    expect(login1.status).toBe(200);
    tokens.push(login1.body.accessToken);

    const sign = await t.http().post('/api/v1/me/agreement').set('Authorization', bearer(login1.body.accessToken)).send({ version: '2026-1' });
    expect(sign.status).toBe(200);

    const change = await t.http().post('/api/v1/me/password').set('Authorization', bearer(login1.body.accessToken)).send({ currentPassword: p1, newPassword: p2 });
    expect(change.status).toBe(204);
    hashes.push((await userRepo.findOneByOrFail({ id })).passwordHash);

    const failed = await t.http().post('/api/v1/auth/login').send({ username, password: wrong });
    expect(failed.status).toBe(401);
    const failedUnknown = await t.http().post('/api/v1/auth/login').send({ username: `nobody.${uid()}`, password: wrong });
    expect(failedUnknown.status).toBe(401);

    const login2 = await t.http().post('/api/v1/auth/login').send({ username, password: p2 });
    expect(login2.status).toBe(200);
    tokens.push(login2.body.accessToken);

    const reset = await t.http().post(`/api/v1/users/${id}/password`).set('Authorization', auth).send({ password: p3 });
    expect(reset.status).toBe(204);
    hashes.push((await userRepo.findOneByOrFail({ id })).passwordHash);

    const login3 = await t.http().post('/api/v1/auth/login').send({ username, password: p3 });
    expect(login3.status).toBe(200);
    tokens.push(login3.body.accessToken);
    const logout = await t.http().post('/api/v1/auth/logout').set('Authorization', bearer(login3.body.accessToken));
    expect(logout.status).toBe(204);

    // The events of all these steps exist, so the scan below really covers them.
    const actions = (await t.ctx.db.manager.getRepository(AuditEvent).find()).map((e) => e.action);
    for (const a of ['user.created', 'auth.login', 'auth.password_changed', 'auth.login_failed', 'user.password_reset', 'auth.logout']) {
      expect(actions).toContain(a);
    }

    const secrets = [p1, p2, p3, wrong, ...hashes, ...tokens, ...tokens.map((tk) => tk.split('.')[2])];
    const rows: Record<string, unknown>[] = await t.ctx.db.ds.query('SELECT * FROM audit_event');
    expect(rows.length).toBe((await headOf(t)).seq);
    const leaks: string[] = [];
    for (const row of rows) {
      for (const [col, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const s = value instanceof Date ? value.toISOString() : String(value);
        for (const secret of secrets) if (s.includes(secret)) leaks.push(`seq ${row.seq} column ${col}`);
        if (/\$2[aby]\$\d\d\$/.test(s)) leaks.push(`seq ${row.seq} column ${col}: bcrypt hash`);
        if (/eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\./.test(s)) leaks.push(`seq ${row.seq} column ${col}: JWT`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe('R-AUDIT: tampering done directly in the database is detected (fresh app per case)', () => {
  let t: TestApp | null = null;
  afterEach(async () => {
    if (t) await t.close();
    t = null;
  });

  async function expectBroken(app: TestApp, brokenAtSeq: number) {
    const v = await verifyAuditChain(app.ctx.db.ds);
    expect(v).toMatchObject({ ok: false, brokenAtSeq });
    expect(await httpVerify(app)).toEqual(v);
    return v;
  }

  it("R-AUDIT: updating one row's reason is detected at that row's sequence", async () => {
    t = await startTestApp();
    await seedChain(t);
    const head = await headOf(t);
    const k = Math.floor(head.seq / 2);
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${q(t, 'reason')} = ? WHERE ${q(t, 'seq')} = ?`, ['nothing to see here', k]);
    const v = await expectBroken(t, k);
    expect(v.ok === false && v.reason).toMatch(/does not match its hash/);
  });

  it("R-AUDIT: updating one row's action is detected at that row's sequence", async () => {
    t = await startTestApp();
    await seedChain(t);
    const head = await headOf(t);
    const k = head.seq - 2;
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${q(t, 'action')} = ? WHERE ${q(t, 'seq')} = ?`, ['department.viewed', k]);
    await expectBroken(t, k);
  });

  it('R-AUDIT: deleting a middle row is detected at its sequence', async () => {
    t = await startTestApp();
    await seedChain(t);
    const head = await headOf(t);
    const k = Math.floor(head.seq / 2) + 1;
    await t.ctx.db.ds.query(`DELETE FROM audit_event WHERE ${q(t, 'seq')} = ?`, [k]);
    const v = await expectBroken(t, k);
    expect(v.count).toBe(k - 1);
  });

  async function insertRaw(app: TestApp, e: AuditEvent) {
    const cols = ['seq', 'at', 'actorId', 'actorName', 'action', 'objectType', 'objectId', 'scope', 'decision', 'reason', 'requestId', 'ip', 'before', 'after', 'prevHash', 'hash'];
    const values = [
      e.seq,
      sqlDatetime(e.at),
      e.actorId,
      e.actorName,
      e.action,
      e.objectType,
      e.objectId,
      e.scope,
      e.decision,
      e.reason,
      e.requestId,
      e.ip,
      e.before === null ? null : JSON.stringify(e.before),
      e.after === null ? null : JSON.stringify(e.after),
      e.prevHash,
      e.hash,
    ];
    await app.ctx.db.ds.query(`INSERT INTO audit_event (${cols.map((c) => q(app, c)).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, values);
  }

  function forge(seq: number, prevHash: string, at: Date, actorId: number): AuditEvent {
    const e = new AuditEvent();
    Object.assign(e, {
      seq,
      at: new Date(at.getTime()),
      actorId,
      actorName: 'admin',
      action: 'department.created',
      objectType: 'department',
      objectId: 'FORGED',
      scope: 'dept:FORGED',
      decision: null,
      reason: null,
      requestId: 'forged-request',
      ip: '127.0.0.1',
      before: null,
      after: { code: 'FORGED', name: 'Forged department' },
      prevHash,
    });
    e.hash = entryHash(e);
    return e;
  }

  it('R-AUDIT: a forged row appended at head+1 with a plausible hash is detected (head mismatch)', async () => {
    t = await startTestApp();
    await seedChain(t);
    const head = await headOf(t);
    const last = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: head.seq });
    const forged = forge(head.seq + 1, head.hash, new Date(last.at.getTime() + 1000), t.admin.id);
    await insertRaw(t, forged);
    // The forged row reads back with a valid own hash and a valid link: only the head row betrays it.
    const readBack = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: forged.seq });
    expect(entryHash(readBack)).toBe(forged.hash);
    const v = await expectBroken(t, head.seq + 1);
    expect(v.ok === false && v.reason).toMatch(/head/);
  });

  it('R-AUDIT: a forged row inserted in the middle (later rows shifted) is detected at the row after it', async () => {
    t = await startTestApp();
    await seedChain(t);
    const head = await headOf(t);
    const k = Math.floor(head.seq / 2);
    const rowK = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: k });
    // Make room at k+1 (two steps, so that no primary key collides on either database).
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${q(t, 'seq')} = ${q(t, 'seq')} + 1000000 WHERE ${q(t, 'seq')} > ?`, [k]);
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${q(t, 'seq')} = ${q(t, 'seq')} - 999999 WHERE ${q(t, 'seq')} > ?`, [1000000]);
    await insertRaw(t, forge(k + 1, rowK.hash, new Date(rowK.at.getTime() + 1), t.admin.id));
    await expectBroken(t, k + 2);
  });

  it('R-AUDIT: deleting the last row (tail truncation) is detected via the head mismatch', async () => {
    t = await startTestApp();
    await seedChain(t);
    const head = await headOf(t);
    await t.ctx.db.ds.query(`DELETE FROM audit_event WHERE ${q(t, 'seq')} = ?`, [head.seq]);
    const v = await expectBroken(t, head.seq);
    expect(v.ok === false && v.reason).toMatch(/head/);
    expect(v.count).toBe(head.seq - 1);
  });

  it('R-AUDIT: an updated row whose own hash is recomputed is still detected at the next row (prevHash link)', async () => {
    t = await startTestApp();
    await seedChain(t);
    const head = await headOf(t);
    const k = Math.floor(head.seq / 2);
    const row = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: k });
    const reason = 'rewritten by someone with database access';
    const newHash = entryHash({ ...row, reason });
    await t.ctx.db.ds.query(`UPDATE audit_event SET ${q(t, 'reason')} = ?, ${q(t, 'hash')} = ? WHERE ${q(t, 'seq')} = ?`, [reason, newHash, k]);
    const v = await expectBroken(t, k + 1);
    expect(v.ok === false && v.reason).toMatch(/previous-hash/);
    expect(v.count).toBe(k);
  });

  it('R-AUDIT: a full rewrite (tail deleted and the head wound back) passes the plain check but fails against an anchor taken before it', async () => {
    t = await startTestApp();
    await seedChain(t);
    const anchor = await headOf(t);
    await t.ctx.db.ds.query(`DELETE FROM audit_event WHERE ${q(t, 'seq')} = ?`, [anchor.seq]);
    const previous = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: anchor.seq - 1 });
    await t.ctx.db.ds.query(`UPDATE audit_head SET ${q(t, 'seq')} = ?, ${q(t, 'hash')} = ? WHERE ${q(t, 'id')} = 1`, [previous.seq, previous.hash]);
    // Without outside knowledge the rewritten chain is self-consistent...
    expect((await verifyAuditChain(t.ctx.db.ds)).ok).toBe(true);
    // ...but an anchor recorded earlier (nightly log line, printed report) exposes it.
    const v = await verifyAuditChain(t.ctx.db.ds, { anchors: [{ seq: anchor.seq, hash: anchor.hash }] });
    expect(v).toMatchObject({ ok: false, brokenAtSeq: anchor.seq });
    const res = await t.http().get(`/api/v1/audit/verify?anchorSeq=${anchor.seq}&anchorHash=${anchor.hash}`).set('Authorization', bearer(t.admin.token));
    expect(res.body).toMatchObject({ ok: false, brokenAtSeq: anchor.seq });
    // An anchor on an untouched entry still verifies.
    const kept = await t.ctx.db.manager.getRepository(AuditEvent).findOneByOrFail({ seq: 2 });
    expect((await verifyAuditChain(t.ctx.db.ds, { anchors: [{ seq: 2, hash: kept.hash }] })).ok).toBe(true);
  });
});
