import { makeUser } from '../helpers/factories';
import { startTestApp, TestApp } from '../helpers/test-app';

describe('request logs', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await startTestApp({ logSink: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('one JSON line per request with request id, user, route, status and duration; never a password or token (R-AUDIT)', async () => {
    const u = await makeUser(t, { roles: [['it_admin', '*']], password: 'very-secret-password-42' });
    lines.length = 0;
    const login = await t.http().post('/api/v1/auth/login').set('X-Request-Id', 'req-login-1').send({ username: u.username, password: 'very-secret-password-42' });
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    const me = await t.http().get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    const bad = await t.http().get('/api/v1/users?q=13812345678').set('Authorization', `Bearer ${token}`);
    expect(bad.status).toBe(200);
    await t.http().post('/api/v1/auth/login').send({ username: u.username, password: 'wrong-password-secret' });

    const requests = lines.map((l) => JSON.parse(l)).filter((e) => e.message === 'request');
    expect(requests).toHaveLength(4);
    const [l1, l2, l3] = requests;
    expect(l1).toMatchObject({ requestId: 'req-login-1', method: 'POST', route: '/api/v1/auth/login', status: 200, level: 'info' });
    expect(l2).toMatchObject({ route: '/api/v1/me', status: 200, userId: u.id });
    expect(typeof l2.durationMs).toBe('number');
    expect(typeof l2.requestId).toBe('string');
    // The route pattern is logged, not the URL with its query (which may hold a phone number).
    expect(l3.route).toBe('/api/v1/users');
    const all = lines.join('\n');
    for (const secret of ['very-secret-password-42', 'wrong-password-secret', token, '13812345678']) expect(all).not.toContain(secret);
    // The response carries the same request id as the log line.
    expect(me.headers['x-request-id']).toBe(l2.requestId);
  });
});
