import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import express from 'express';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { serveConsole } from '../../src/api/console';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { User } from '../../src/entities/User';
import { makeProject, makeUser } from '../helpers/factories';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';

/**
 * The console's browser session (R-SCOPE, R-AUDIT): an HttpOnly, SameSite=Strict cookie instead
 * of a token in page storage; CSRF refused and audited; an idle timeout that slides with use;
 * signing out ends it on the server.
 */
describe('console sessions: cookie, CSRF, idle timeout, sign-out', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { SESSION_IDLE_SECONDS: '600', SESSION_MAX_SECONDS: '3600' } });
  });
  afterAll(async () => {
    await t.close();
  });

  const CONSOLE = { 'X-Custodian-Console': '1' };
  async function signIn(username: string, password: string): Promise<{ cookie: string; setCookie: string; body: Record<string, unknown> }> {
    const res = await t.http().post('/api/v1/auth/session').send({ username, password }).expect(200);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? [])[0];
    return { cookie: setCookie.split(';')[0], setCookie, body: res.body };
  }
  /** A session token as the server would sign it, with chosen times (what a clock jump would give). */
  function craftedCookie(userId: number, tokenVersion: number, o: { iat: number; ss: number; exp: number }): string {
    const token = jwt.sign({ tv: tokenVersion, ss: o.ss, iat: o.iat, exp: o.exp }, TEST_JWT_SECRET, {
      algorithm: 'HS256',
      subject: String(userId),
      issuer: 'custodian',
      jwtid: `t-${o.iat}-${o.exp}`,
    });
    return `custodian_session=${token}`;
  }
  const now = () => Math.floor(Date.now() / 1000);

  it('R-SCOPE: signing in sets an HttpOnly, SameSite=Strict cookie on /api and puts no token in the body', async () => {
    const project = await makeProject(t);
    const u = await makeUser(t, { roles: [['staff', `project:${project.code}`]] });
    const { setCookie, body, cookie } = await signIn(u.username, u.password);
    expect(setCookie).toMatch(/^custodian_session=[A-Za-z0-9_\-.]+; Path=\/api; HttpOnly; SameSite=Strict; Max-Age=600$/);
    expect(JSON.stringify(body)).not.toContain(cookie.split('=')[1]);
    expect(body).toEqual({ idleTimeoutSeconds: 600, agreementRequired: false });
    const me = await t.http().get('/api/v1/me').set('Cookie', cookie).expect(200);
    expect(me.body.user.username).toBe(u.username);
    expect(me.headers['x-session-idle-seconds']).toBe('600');
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.body.permissions).toEqual(expect.arrayContaining([{ permission: 'print_request:create', scopes: [`project:${project.code}`] }]));
    expect(me.body.permissions.map((p: { permission: string }) => p.permission)).not.toContain('user:manage');
  });

  it('R-SCOPE: the cookie is Secure when the request came over HTTPS (behind a trusted proxy)', async () => {
    // The app reads TRUST_PROXY from the environment when it is built.
    process.env.TRUST_PROXY = '1';
    const p = await startTestApp({ dbUrl: t.dbUrl, keepDatabase: true }).finally(() => delete process.env.TRUST_PROXY);
    try {
      const u = await makeUser(p);
      const res = await p.http().post('/api/v1/auth/session').set('X-Forwarded-Proto', 'https').send({ username: u.username, password: u.password }).expect(200);
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
    } finally {
      await p.close();
    }
  });

  it('R-ONBOARD: a new account is told it must sign the agreement, and can reach only the agreement', async () => {
    const u = await makeUser(t, { signed: false });
    const { body, cookie } = await signIn(u.username, u.password);
    expect(body.agreementRequired).toBe(true);
    const me = await t.http().get('/api/v1/me').set('Cookie', cookie).expect(200);
    expect(me.body.agreement.required).toBe(true);
    const refused = await t.http().get('/api/v1/people?permission=print_request:approve&scope=*').set('Cookie', cookie).expect(403);
    expect(refused.body.error.code).toBe('agreement_required');
  });

  it('R-AUDIT: a change with the cookie but without the console header is refused (403 csrf_rejected), audited, and changes nothing', async () => {
    const u = await makeUser(t);
    const { cookie } = await signIn(u.username, u.password);
    const before = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    const res = await t.http().post('/api/v1/me/password').set('Cookie', cookie).send({ currentPassword: u.password, newPassword: 'another-long-password' }).expect(403);
    expect(res.body.error.code).toBe('csrf_rejected');
    const after = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    expect(after.passwordHash).toBe(before.passwordHash);
    const denied = await t.ctx.db.manager.getRepository(AuditEvent).findBy({ actorId: u.id, decision: 'deny', requestId: res.body.error.requestId });
    expect(denied).toHaveLength(1);
    expect(denied[0].reason).toContain('csrf_rejected');
  });

  it('R-AUDIT: a change with the cookie from another origin is refused, even with the header', async () => {
    const u = await makeUser(t);
    const { cookie } = await signIn(u.username, u.password);
    const foreign = await t.http().post('/api/v1/me/agreement').set('Cookie', cookie).set(CONSOLE).set('Origin', 'https://evil.example').send({ version: '2026-1' }).expect(403);
    expect(foreign.body.error.code).toBe('csrf_rejected');
    const crossSite = await t.http().post('/api/v1/me/agreement').set('Cookie', cookie).set(CONSOLE).set('Sec-Fetch-Site', 'cross-site').send({ version: '2026-1' }).expect(403);
    expect(crossSite.body.error.code).toBe('csrf_rejected');
  });

  it('R-SCOPE: the same change from the console (header, same origin) goes through; reads need no header', async () => {
    const u = await makeUser(t);
    const { cookie } = await signIn(u.username, u.password);
    await t.http().get('/api/v1/me').set('Cookie', cookie).expect(200);
    const origin = t.baseUrl;
    await t.http().post('/api/v1/me/password').set('Cookie', cookie).set(CONSOLE).set('Origin', origin).set('Sec-Fetch-Site', 'same-origin')
      .send({ currentPassword: u.password, newPassword: 'another-long-password' }).expect(204);
  });

  it('R-SCOPE: bearer tokens keep working for API clients, without the console header', async () => {
    const u = await makeUser(t);
    await t.http().post('/api/v1/me/password').set('Authorization', u.auth).send({ currentPassword: u.password, newPassword: 'another-long-password' }).expect(204);
  });

  it('R-OFFBOARD: signing out ends the session on the server and clears the cookie', async () => {
    const u = await makeUser(t);
    const { cookie } = await signIn(u.username, u.password);
    const out = await t.http().delete('/api/v1/auth/session').set('Cookie', cookie).set(CONSOLE).expect(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^custodian_session=; Path=\/api; HttpOnly; SameSite=Strict; Max-Age=0/);
    const again = await t.http().get('/api/v1/me').set('Cookie', cookie).expect(401);
    expect(again.body.error.code).toBe('token_revoked');
  });

  it('R-SCOPE: the idle timeout slides: a session token older than 30 s is re-issued with the full idle time', async () => {
    const u = await makeUser(t);
    const row = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    const fresh = craftedCookie(u.id, row.tokenVersion, { iat: now() - 5, ss: now() - 5, exp: now() + 595 });
    const kept = await t.http().get('/api/v1/me').set('Cookie', fresh).expect(200);
    expect(kept.headers['set-cookie']).toBeUndefined();
    // The console counts down to the kept token's own expiry.
    expect(Number(kept.headers['x-session-expires-in'])).toBeGreaterThanOrEqual(593);
    expect(Number(kept.headers['x-session-expires-in'])).toBeLessThanOrEqual(595);
    const older = craftedCookie(u.id, row.tokenVersion, { iat: now() - 40, ss: now() - 100, exp: now() + 560 });
    const slid = await t.http().get('/api/v1/me').set('Cookie', older).expect(200);
    expect(String(slid.headers['set-cookie'])).toMatch(/Max-Age=600/);
    expect(slid.headers['x-session-expires-in']).toBe('600');
  });

  it("R-SCOPE: the console's own polls (the notification bell, X-Custodian-Background) never slide the idle timeout", async () => {
    const u = await makeUser(t);
    const row = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    const older = craftedCookie(u.id, row.tokenVersion, { iat: now() - 40, ss: now() - 100, exp: now() + 560 });
    const polled = await t.http().get('/api/v1/me/notifications/unread-count').set('Cookie', older).set('X-Custodian-Background', '1').expect(200);
    expect(polled.headers['set-cookie']).toBeUndefined();
    expect(Number(polled.headers['x-session-expires-in'])).toBeLessThanOrEqual(560);
    // The same request made by the user slides it.
    const used = await t.http().get('/api/v1/me/notifications/unread-count').set('Cookie', older).expect(200);
    expect(String(used.headers['set-cookie'])).toMatch(/Max-Age=600/);
  });

  it('R-SCOPE: an idle session has expired (401 token_expired), and no session outlives its longest life', async () => {
    const u = await makeUser(t);
    const row = await t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: u.id });
    const idle = craftedCookie(u.id, row.tokenVersion, { iat: now() - 601, ss: now() - 601, exp: now() - 1 });
    expect((await t.http().get('/api/v1/me').set('Cookie', idle).expect(401)).body.error.code).toBe('token_expired');
    const old = craftedCookie(u.id, row.tokenVersion, { iat: now() - 40, ss: now() - 3601, exp: now() + 560 });
    expect((await t.http().get('/api/v1/me').set('Cookie', old).expect(401)).body.error.code).toBe('token_expired');
  });

  it('R-SCOPE: wrong credentials set no cookie', async () => {
    const u = await makeUser(t);
    const res = await t.http().post('/api/v1/auth/session').send({ username: u.username, password: 'wrong-password-x' }).expect(401);
    expect(res.body.error.code).toBe('invalid_credentials');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('R-SECRET: every response carries a strict Content-Security-Policy with no inline script', async () => {
    const res = await t.http().get('/healthz').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('the console is served at / (R-SECRET: hashed assets cached, index.html never)', () => {
  let server: http.Server;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js.gz'), zlib.gzipSync('console.log(1)'));
    const app = express();
    serveConsole(app, dir);
    app.use((_req, res) => res.status(404).json({ error: { code: 'not_found' } }));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('serves index.html for the console routes, never cached', async () => {
    for (const p of ['/', '/copies/ledger', '/admin/users/7']) {
      const res = await request(base()).get(p).expect(200);
      expect(res.text).toContain('<title>console</title>');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });
  it('serves hashed assets as immutable, and a missing asset is a 404, not the page', async () => {
    const res = await request(base()).get('/assets/index-abc123.js').expect(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    await request(base()).get('/assets/missing-000.js').expect(404);
  });
  it('serves the build\'s gzipped copy to a browser that accepts gzip, the plain file otherwise', async () => {
    const gz = await request(base()).get('/assets/index-abc123.js').set('Accept-Encoding', 'gzip').expect(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/javascript/);
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gz.text).toBe('console.log(1)');
    const plain = await request(base()).get('/assets/index-abc123.js').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });
  it('leaves the API and the probes alone', async () => {
    await request(base()).get('/api/v1/nothing').expect(404);
    await request(base()).get('/healthz').expect(404);
    await request(base()).post('/').expect(404);
  });
});
