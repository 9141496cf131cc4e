/**
 * API conventions: bad input is refused with a precise error and changes nothing; every error
 * has the one shape {error:{code,message,details}} and an X-Request-Id; no stack trace ever
 * reaches a client; auth failures are 401 with a stable code (R-SECRET); the OpenAPI 3.1
 * document lists every route with the access it declares.
 */
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { allRoutes } from '../../src/api/routes';
import { AuditHead } from '../../src/entities/AuditHead';
import { Department } from '../../src/entities/Department';
import { PolicyMeta } from '../../src/entities/PolicyMeta';
import { Project } from '../../src/entities/Project';
import { User } from '../../src/entities/User';
import { makeDepartment, makeProject, makeUser, MadeUser } from '../helpers/factories';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../helpers/test-app';

let t: TestApp;
let dept: string;
let project: string;
let subject: MadeUser;
const adminAuth = () => `Bearer ${t.admin.token}`;

interface Snapshot {
  users: number;
  departments: number;
  projects: number;
  auditSeq: number;
  auditHash: string;
  policyVersion: number;
  subject: Pick<User, 'displayName' | 'status' | 'tokenVersion' | 'departmentId' | 'passwordHash'>;
}

/** Everything a rejected write could have touched. */
async function snapshot(): Promise<Snapshot> {
  const m = t.ctx.db.manager;
  const head = await m.getRepository(AuditHead).findOneByOrFail({ id: 1 });
  const meta = await m.getRepository(PolicyMeta).findOneByOrFail({ id: 1 });
  const u = await m.getRepository(User).findOneByOrFail({ id: subject.id });
  return {
    users: await m.getRepository(User).count(),
    departments: await m.getRepository(Department).count(),
    projects: await m.getRepository(Project).count(),
    auditSeq: head.seq,
    auditHash: head.hash,
    policyVersion: meta.version,
    subject: { displayName: u.displayName, status: u.status, tokenVersion: u.tokenVersion, departmentId: u.departmentId, passwordHash: u.passwordHash },
  };
}

/** The one error shape, a request id, and no stack trace. */
function expectError(res: request.Response, status: number, code: string) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  // details is always present: null, or the field issues / the missing permission.
  expect(Object.keys(res.body.error)).toEqual(expect.arrayContaining(['code', 'message', 'details']));
  expect(res.body.error.details === null || typeof res.body.error.details === 'object').toBe(true);
  expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
  expect(res.body.error.requestId).toBe(res.headers['x-request-id']);
  expectNoStack(res);
}

function expectNoStack(res: request.Response) {
  expect(res.text).not.toMatch(/\n\s*at /);
  expect(res.text).not.toMatch(/\bat [^\s]+ \(/);
  expect(res.text).not.toMatch(/"stack"/);
  expect(res.text).not.toMatch(/\.(ts|js):\d+/);
}

/** Runs a rejected write and checks that nothing changed. */
async function rejected(send: () => Promise<request.Response>, status: number, code: string): Promise<request.Response> {
  const before = await snapshot();
  const res = await send();
  expectError(res, status, code);
  expect(await snapshot()).toEqual(before);
  return res;
}

const detailPaths = (res: request.Response): string[] => (res.body.error.details ?? []).map((d: { path: string }) => d.path);

beforeAll(async () => {
  t = await startTestApp();
  const d = await makeDepartment(t);
  dept = d.code;
  project = (await makeProject(t, { departmentCode: dept })).code;
  subject = await makeUser(t, { roles: [['staff', `project:${project}`]] });
});
afterAll(async () => {
  await t?.close();
});

describe('bad input is refused and changes nothing', () => {
  test('malformed JSON → 400 invalid_json', async () => {
    await rejected(
      () => t.http().post('/api/v1/departments').set('Authorization', adminAuth()).set('Content-Type', 'application/json').send('{"code": "X1", "name": '),
      400,
      'invalid_json',
    );
  });

  test('unknown body field → 400 validation_failed naming body.extra', async () => {
    const res = await rejected(
      () =>
        t
          .http()
          .post('/api/v1/users')
          .set('Authorization', adminAuth())
          .send({ username: 'conv.extra', displayName: 'Extra', password: 'long-enough-password', extra: 1 }),
      400,
      'validation_failed',
    );
    expect(detailPaths(res)).toContain('body.extra');
  });

  test('unknown body field on an update → 400 naming the field, the record unchanged', async () => {
    const res = await rejected(
      () => t.http().patch(`/api/v1/users/${subject.id}`).set('Authorization', adminAuth()).send({ displayName: 'Changed', status: 'active' }),
      400,
      'validation_failed',
    );
    expect(detailPaths(res)).toContain('body.status');
  });

  test.each([
    ['username is a number', { username: 12345, displayName: 'Typed', password: 'long-enough-password' }, 'body.username'],
    ['password is a number', { username: 'conv.typed', displayName: 'Typed', password: 123456789012 }, 'body.password'],
    ['departmentCode is an object', { username: 'conv.typed', displayName: 'Typed', password: 'long-enough-password', departmentCode: { a: 1 } }, 'body.departmentCode'],
    ['displayName is missing', { username: 'conv.typed', password: 'long-enough-password' }, 'body.displayName'],
  ])('wrong type (%s) → 400 validation_failed with the field path', async (_label, body, path) => {
    const res = await rejected(() => t.http().post('/api/v1/users').set('Authorization', adminAuth()).send(body), 400, 'validation_failed');
    expect(detailPaths(res)).toContain(path);
  });

  // Found by test/api/robustness.test.ts: a lone surrogate ("\ud800" in JSON) was stored as U+FFFD,
  // so the audit event that carried it no longer matched its hash and the chain "broke" (R-AUDIT).
  test.each([
    ['a value', '{"code":"LONE1","name":"North \\ud800 wing"}', 'body.name'],
    ['a key', '{"code":"LONE2","name":"North wing","\\udc00":1}', 'body.\ufffd'],
  ])('a string that is not well-formed Unicode (a lone surrogate in %s) → 400 naming the field, nothing changed', async (_label, raw, path) => {
    const res = await rejected(
      () => t.http().post('/api/v1/departments').set('Authorization', adminAuth()).set('Content-Type', 'application/json').send(raw),
      400,
      'validation_failed',
    );
    expect(detailPaths(res)).toEqual([path]);
  });

  test('a body that is an array → 400, nothing created', async () => {
    await rejected(() => t.http().post('/api/v1/departments').set('Authorization', adminAuth()).send([{ code: 'ARR', name: 'x' }]), 400, 'validation_failed');
  });

  test('a body that is not JSON (text/plain) → 400, nothing created', async () => {
    await rejected(
      () => t.http().post('/api/v1/departments').set('Authorization', adminAuth()).set('Content-Type', 'text/plain').send('code=X&name=Y'),
      400,
      'validation_failed',
    );
  });

  test('a body on a route that takes none → 400 and the route does not run (the token still works)', async () => {
    const u = await makeUser(t);
    await rejected(() => t.http().post('/api/v1/auth/logout').set('Authorization', u.auth).send({ everything: true }), 400, 'validation_failed');
    const me = await t.http().get('/api/v1/me').set('Authorization', u.auth);
    expect(me.status).toBe(200);
  });

  test('unknown query parameter → 400 naming query.<name> (route with a query schema)', async () => {
    const res = await rejected(() => t.http().get('/api/v1/users').set('Authorization', adminAuth()).query({ foo: '1' }), 400, 'validation_failed');
    expect(detailPaths(res)).toContain('query.foo');
  });

  test('unknown query parameter → 400 naming query.<name> (route without a query schema)', async () => {
    const res = await rejected(() => t.http().get('/api/v1/departments').set('Authorization', adminAuth()).query({ foo: '1' }), 400, 'validation_failed');
    expect(detailPaths(res)).toContain('query.foo');
  });

  test('a query value of the wrong type → 400 with the field path', async () => {
    const res = await rejected(() => t.http().get('/api/v1/users').set('Authorization', adminAuth()).query({ limit: 'many' }), 400, 'validation_failed');
    expect(detailPaths(res)).toContain('query.limit');
  });

  test('body over the limit (100kb) → 413 payload_too_large', async () => {
    const big = { code: 'BIG', name: 'x'.repeat(150 * 1024) };
    await rejected(() => t.http().post('/api/v1/departments').set('Authorization', adminAuth()).send(big), 413, 'payload_too_large');
  });

  test.each(['abc', '0', '-1', '1.5', '1e3x'])('invalid path id /api/v1/users/%s → 400 naming params.id', async (id) => {
    const res = await rejected(() => t.http().get(`/api/v1/users/${id}`).set('Authorization', adminAuth()), 400, 'validation_failed');
    expect(detailPaths(res)).toContain('params.id');
  });

  test('invalid path id on a write (PATCH /api/v1/users/abc) → 400, nothing changed', async () => {
    const res = await rejected(() => t.http().patch('/api/v1/users/abc').set('Authorization', adminAuth()).send({ displayName: 'x' }), 400, 'validation_failed');
    expect(detailPaths(res)).toContain('params.id');
  });

  // Found by test/api/robustness.test.ts: an empty PATCH body was a 500 (an UPDATE without values).
  test.each([
    ['PATCH /api/v1/users/:id', () => `/api/v1/users/${subject.id}`],
    ['PATCH /api/v1/projects/:code', () => `/api/v1/projects/${project}`],
  ])('an empty body on a change (%s with {}) → 400 "nothing to change", nothing changed', async (_label, path) => {
    const res = await rejected(() => t.http().patch(path()).set('Authorization', adminAuth()).send({}), 400, 'validation_failed');
    expect(res.body.error.details).toEqual([{ path: 'body', message: 'nothing to change' }]);
  });

  test('invalid path code (GET /api/v1/departments/-bad!) → 400 naming params.code', async () => {
    const res = await rejected(() => t.http().get('/api/v1/departments/-bad!').set('Authorization', adminAuth()), 400, 'validation_failed');
    expect(detailPaths(res)).toContain('params.code');
  });

  test('missing user → 404 not_found', async () => {
    await rejected(() => t.http().get('/api/v1/users/999999').set('Authorization', adminAuth()), 404, 'not_found');
  });

  test.each([
    ['PATCH', '/api/v1/users/999999', { displayName: 'Nobody' }],
    ['POST', '/api/v1/users/999999/offboard', { reason: 'nobody' }],
    ['POST', '/api/v1/users/999999/password', { password: 'long-enough-password' }],
    ['PATCH', '/api/v1/departments/NOSUCHDEPT', { name: 'Nothing' }],
    ['DELETE', '/api/v1/role-assignments/999999', undefined],
    ['DELETE', '/api/v1/policy/lines/999999', undefined],
  ] as const)('write to a missing record (%s %s) → 404 not_found, nothing changed', async (method, path, body) => {
    await rejected(() => {
      const call = t.http()[method.toLowerCase() as 'post'](path).set('Authorization', adminAuth());
      return body === undefined ? call : call.send(body);
    }, 404, 'not_found');
  });
});

describe('R-SECRET: authentication failures are 401 with a stable code', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const claims = () => ({ tv: 0 });
  const opts = (userId: number) => ({ subject: String(userId), issuer: 'custodian', jwtid: crypto.randomUUID() });
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

  async function current(userId: number) {
    return t.ctx.db.manager.getRepository(User).findOneByOrFail({ id: userId });
  }

  test('R-SECRET: no Authorization header → 401 unauthenticated', async () => {
    await rejected(() => t.http().get('/api/v1/me'), 401, 'unauthenticated');
  });

  test('R-SECRET: a JWT signed with another key → 401 invalid_token', async () => {
    const admin = await current(t.admin.id);
    const token = jwt.sign({ tv: admin.tokenVersion }, 'another-secret-that-is-also-at-least-32-characters', { algorithm: 'HS256', expiresIn: 600, ...opts(admin.id) });
    await rejected(() => t.http().get('/api/v1/users').set('Authorization', `Bearer ${token}`), 401, 'invalid_token');
  });

  test('R-SECRET: a token with alg none → 401 invalid_token', async () => {
    const admin = await current(t.admin.id);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ tv: admin.tokenVersion, sub: String(admin.id), iss: 'custodian', jti: crypto.randomUUID(), iat: now(), exp: now() + 600 })}.`;
    await rejected(() => t.http().get('/api/v1/users').set('Authorization', `Bearer ${token}`), 401, 'invalid_token');
  });

  test('R-SECRET: a token signed RS256 (algorithm confusion) → 401 invalid_token', async () => {
    const admin = await current(t.admin.id);
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = jwt.sign({ tv: admin.tokenVersion }, privateKey, { algorithm: 'RS256', expiresIn: 600, ...opts(admin.id) });
    await rejected(() => t.http().get('/api/v1/users').set('Authorization', `Bearer ${token}`), 401, 'invalid_token');
  });

  test('R-SECRET: an expired token → 401 token_expired', async () => {
    const admin = await current(t.admin.id);
    const token = jwt.sign({ tv: admin.tokenVersion, iat: now() - 7200, exp: now() - 3600 }, TEST_JWT_SECRET, { algorithm: 'HS256', ...opts(admin.id) });
    await rejected(() => t.http().get('/api/v1/users').set('Authorization', `Bearer ${token}`), 401, 'token_expired');
  });

  test('R-SECRET: a token from another issuer → 401 invalid_token', async () => {
    const admin = await current(t.admin.id);
    const token = jwt.sign({ tv: admin.tokenVersion }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 600, subject: String(admin.id), issuer: 'someone-else', jwtid: crypto.randomUUID() });
    await rejected(() => t.http().get('/api/v1/users').set('Authorization', `Bearer ${token}`), 401, 'invalid_token');
  });

  test('R-SECRET: a correctly signed token without the token version or jti → 401 invalid_token', async () => {
    const noTv = jwt.sign({}, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 600, ...opts(t.admin.id) });
    await rejected(() => t.http().get('/api/v1/users').set('Authorization', `Bearer ${noTv}`), 401, 'invalid_token');
    const noJti = jwt.sign(claims(), TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: 600, subject: String(t.admin.id), issuer: 'custodian' });
    await rejected(() => t.http().get('/api/v1/users').set('Authorization', `Bearer ${noJti}`), 401, 'invalid_token');
  });

  test('R-SECRET: a valid signature for a user that does not exist → 401', async () => {
    const token = t.ctx.tokens.issue(999999, 0);
    const res = await rejected(() => t.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`), 401, 'token_revoked');
    expect(res.status).toBe(401);
  });

  test.each([
    ['a Basic header', 'Basic YWRtaW46YWRtaW4='],
    ['"Bearer" alone', 'Bearer'],
    ['"Bearer " and spaces', 'Bearer    '],
    ['a token with spaces', 'Bearer not a token'],
    ['garbage that looks like a token', 'Bearer garbage.token.here'],
    ['random words', 'letmein please'],
    ['a bare token without the scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.abc'],
  ])('R-SECRET: garbage Authorization header (%s) → 401 invalid_token', async (_label, header) => {
    await rejected(() => t.http().get('/api/v1/me').set('Authorization', header), 401, 'invalid_token');
  });

  test('R-SECRET: a failed authentication on a write changes nothing', async () => {
    await rejected(
      () => t.http().post('/api/v1/departments').set('Authorization', 'Bearer garbage.token.here').send({ code: 'NOAUTH', name: 'No auth' }),
      401,
      'invalid_token',
    );
  });
});

describe('every response follows the conventions', () => {
  test('a caller-supplied sane X-Request-Id is echoed on errors; an unsafe one is replaced', async () => {
    const ok = await t.http().get('/api/v1/nothing').set('X-Request-Id', 'trace-123.abc');
    expect(ok.headers['x-request-id']).toBe('trace-123.abc');
    expect(ok.body.error.requestId).toBe('trace-123.abc');
    const bad = await t.http().get('/api/v1/nothing').set('X-Request-Id', 'bad id <script>');
    expect(bad.headers['x-request-id']).not.toBe('bad id <script>');
    expectError(bad, 404, 'not_found');
  });

  test('successful responses carry an X-Request-Id too', async () => {
    const res = await t.http().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  test('a 403 has the error shape, names the permission and shows no stack', async () => {
    const res = await t.http().get('/api/v1/users').set('Authorization', subject.auth);
    expectError(res, 403, 'forbidden');
    expect(res.body.error.details).toEqual(expect.objectContaining({ permission: 'user:read' }));
  });
});

describe('the API document', () => {
  let doc: {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, { 'x-access': unknown; operationId: string; security?: unknown; responses: Record<string, unknown> }>>;
  };

  beforeAll(async () => {
    const res = await t.http().get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    doc = res.body;
  });

  test('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toEqual(expect.any(String));
    expect(doc.info.version).toEqual(expect.any(String));
  });

  test('lists every route of allRoutes with its x-access, and nothing else', () => {
    const expected: string[] = [];
    for (const r of allRoutes(t.ctx)) {
      const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expected.push(`${r.method} ${path}`);
      const op = doc.paths[path]?.[r.method];
      expect({ route: `${r.method} ${path}`, present: !!op }).toEqual({ route: `${r.method} ${path}`, present: true });
      const a = r.access;
      const xAccess =
        a.kind === 'permission' ? { permission: `${a.object}:${a.action}`, scope: typeof a.scope === 'function' ? 'record' : a.scope } : a.kind;
      expect({ route: `${r.method} ${path}`, xAccess: op['x-access'] }).toEqual({ route: `${r.method} ${path}`, xAccess });
      if (a.kind === 'public') expect(op.security).toBeUndefined();
      else {
        expect(op.security).toEqual([{ bearer: [] }]);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(expected.sort());
    const ids = documented.map((k) => {
      const [m, p] = k.split(' ');
      return doc.paths[p][m].operationId;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('/docs/ serves the interactive documentation as HTML', async () => {
    const res = await t.http().get('/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/swagger/i);
  });
});
