import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createTestDatabase, TestDatabase } from '../helpers/test-db';
import { childAuditEnv } from '../helpers/test-app';

/*
 * The built server as a real process (npm test builds it first: see "pretest"): the
 * production refusal, a start on the configured database, and graceful shutdown on SIGTERM.
 */
const MAIN = path.resolve(__dirname, '../../dist/src/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...childAuditEnv(), ...env }, cwd: path.resolve(__dirname, '../..') });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(url: string, ms: number): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the server process', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    if (!fs.existsSync(MAIN)) throw new Error('dist/src/main.js is missing: run `npm run build` (npm test does it in pretest)');
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('refuses to start in production without JWT_SECRET, naming it', async () => {
    const p = run({ NODE_ENV: 'production', DATABASE_URL: db.url });
    expect(await p.exited).toBe(1);
    expect(p.output()).toMatch(/Refusing to start in production without JWT_SECRET/);
  });

  it('starts on the configured database, prints the bootstrap password once, is ready, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: db.url, PORT: String(port), JWT_SECRET: 'process-test-secret-at-least-32-chars!!', JOBS_ENABLED: 'false' };
    const p = run(env);
    try {
      const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, 20_000);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      expect(p.output()).toMatch(/Bootstrap IT admin created: username "admin", password "[^"]+"/);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
    expect(p.output()).toMatch(/shutting down/);

    // A second start on the same database creates nothing again.
    const port2 = await freePort();
    const again = run({ ...env, PORT: String(port2) });
    try {
      await waitFor(`http://127.0.0.1:${port2}/readyz`, 20_000);
    } finally {
      again.child.kill('SIGTERM');
    }
    expect(await again.exited).toBe(0);
    expect(again.output()).not.toMatch(/Bootstrap IT admin created/);
  }, 60_000);
});
