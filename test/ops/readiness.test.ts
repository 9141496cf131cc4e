import net from 'node:net';
import { startTestApp, TestApp } from '../helpers/test-app';
import { createTestDatabase, testDbKind, TestDatabase } from '../helpers/test-db';

/*
 * Liveness and readiness, and what the service does when its database goes away: readiness
 * says 503, requests answer 503 service_unavailable (never a 500 with internals), and once the
 * database is back the service recovers by itself.
 */

const itMysql = testDbKind() === 'mysql' ? it : it.skip;
const bearer = (token: string) => `Bearer ${token}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('health and readiness', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /healthz answers 200 {status: "ok"} without a token', async () => {
    const res = await t.http().get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 with checks.database and checks.policy true', async () => {
    const res = await t.http().get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks).toEqual({ database: true, policy: true });
    expect(res.body.policyVersion).toBe(t.ctx.policy.version);
    expect(res.body.policyVersion).toBeGreaterThan(0);
  });
});

/**
 * A TCP proxy in front of MariaDB that the test can cut (close the listener and destroy every
 * open connection: the database "goes away") and restore on the same port.
 */
class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(port = this.port): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  get openConnections(): number {
    return this.sockets.size;
  }

  /** Stops accepting and kills every live connection (client and upstream sides). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}

describe('database down (MySQL/MariaDB only, through a cuttable TCP proxy)', () => {
  itMysql('/readyz and authenticated requests answer 503 service_unavailable while the database is down, and recover when it is back', async () => {
    const db: TestDatabase = await createTestDatabase();
    const target = new URL(db.url);
    const proxy = new CuttableProxy(target.hostname, Number(target.port || 3306));
    let t: TestApp | null = null;
    try {
      await proxy.open(0);
      const proxied = new URL(db.url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      t = await startTestApp({ dbUrl: proxied.toString() });
      const admin = bearer(t.admin.token);

      // Up: ready, and requests through the proxy work.
      expect((await t.http().get('/readyz')).status).toBe(200);
      const ok = await t.http().get('/api/v1/departments').set('Authorization', admin);
      expect(ok.status).toBe(200);
      expect(proxy.openConnections).toBeGreaterThan(0);

      // Down.
      await proxy.cut();

      const ready = await t.http().get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('unavailable');
      expect(ready.body.checks).toEqual({ database: false, policy: true });

      for (let i = 0; i < 3; i++) {
        const res = await t.http().get('/api/v1/departments').set('Authorization', admin);
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('service_unavailable');
        expect(res.headers['retry-after']).toBeDefined();
        const text = JSON.stringify(res.body);
        expect(text).not.toMatch(/stack|\bat .+\.(ts|js):\d+|ECONNREFUSED|QueryFailedError|127\.0\.0\.1/);
      }
      // A write while down: 503 as well, not a 500.
      const write = await t.http().post('/api/v1/departments').set('Authorization', admin).send({ code: 'DOWN1', name: 'While down' });
      expect(write.status).toBe(503);
      expect(write.body.error.code).toBe('service_unavailable');
      // Liveness does not depend on the database.
      expect((await t.http().get('/healthz')).status).toBe(200);

      // Back up on the same port: readiness and requests recover within a few seconds.
      await proxy.open(proxy.port);
      const started = Date.now();
      let readyAgain = false;
      while (Date.now() - started < 10_000) {
        const r = await t.http().get('/readyz');
        if (r.status === 200) {
          readyAgain = true;
          break;
        }
        await sleep(200);
      }
      const recoveryMs = Date.now() - started;
      expect(readyAgain).toBe(true);
      expect(recoveryMs).toBeLessThan(10_000);
      process.stdout.write(`[readiness] ready again ${recoveryMs} ms after the database came back\n`);

      const after = await t.http().get('/api/v1/departments').set('Authorization', admin);
      expect(after.status).toBe(200);
      const created = await t.http().post('/api/v1/departments').set('Authorization', admin).send({ code: 'UP1', name: 'After recovery' });
      expect(created.status).toBe(201);
      const verify = await t.http().get('/api/v1/audit/verify').set('Authorization', admin);
      expect(verify.status).toBe(200);
      expect(verify.body.ok).toBe(true);
      // Nothing was half-written while the database was away.
      const list = await t.http().get('/api/v1/departments').set('Authorization', admin);
      expect(list.body.items.map((d: { code: string }) => d.code)).toEqual(['UP1']);
    } finally {
      if (t) await t.close();
      await proxy.cut();
      await db.drop();
    }
  });

  itMysql('a database blip (every pooled connection dropped, server back at once): the next requests succeed, never a 500', async () => {
    const db: TestDatabase = await createTestDatabase();
    const target = new URL(db.url);
    const proxy = new CuttableProxy(target.hostname, Number(target.port || 3306));
    let t: TestApp | null = null;
    try {
      await proxy.open(0);
      const proxied = new URL(db.url);
      proxied.port = String(proxy.port);
      t = await startTestApp({ dbUrl: proxied.toString() });
      const admin = bearer(t.admin.token);
      // Fill the pool with several connections.
      const warm = await Promise.all(Array.from({ length: 6 }, () => t!.http().get('/api/v1/departments').set('Authorization', admin)));
      expect(warm.map((r) => r.status)).toEqual(warm.map(() => 200));

      await proxy.cut();
      await proxy.open(proxy.port);

      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await t.http().get('/api/v1/departments').set('Authorization', admin)).status);
      expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
      expect(statuses[statuses.length - 1]).toBe(200);
      expect((await t.http().get('/readyz')).status).toBe(200);
    } finally {
      if (t) await t.close();
      await proxy.cut();
      await db.drop();
    }
  });
});
