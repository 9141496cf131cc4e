/*
 * npm run bench:customers — the cost of reading control data: a bare Express JSON route, then
 * GET /api/v1/customers/:id (JWT + policy decision + decrypt + mask), then
 * POST /api/v1/customers/:id/reveal (+ an audit write in the chain), in one run, with ratios.
 * Runs on SQLite (temp file) and, if reachable, on MariaDB (a scratch database it creates and drops).
 * autocannon runs in a child process so the load generator does not share the server's event loop.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import express from 'express';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app';
import { bootstrap } from '../src/bootstrap';
import { loadConfig } from '../src/config/env';
import { buildContext } from '../src/context';
import { createDataSource } from '../src/db/data-source';
import { Database } from '../src/db/database';
import { createLogger } from '../src/logger';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function cannon(url: string, opts: { headers?: Record<string, string>; method?: string; body?: string } = {}): Promise<Figures> {
  const args = [require.resolve('autocannon/autocannon.js'), '-c', '10', '-d', String(DURATION), '-j'];
  for (const [k, v] of Object.entries(opts.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (opts.method) args.push('-m', opts.method);
  if (opts.body) args.push('-b', opts.body);
  args.push(url);
  const out = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (d) => (buf += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(buf) : reject(new Error(`autocannon exited ${code}`))));
  });
  const r = JSON.parse(out);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function runOn(url: string): Promise<void> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret!!',
    BOOTSTRAP_ADMIN_PASSWORD: 'bench-admin-pw',
    DATA_KEY: `b1:${Buffer.alloc(32, 5).toString('base64')}`,
    BLIND_INDEX_KEY: Buffer.alloc(32, 6).toString('base64'),
  });
  const ds = await createDataSource(url);
  await ds.initialize();
  const db = new Database(ds);
  const ctx = buildContext(config, createLogger({ production: false, level: 'silent' }), db);
  await bootstrap(ctx, { print: () => undefined });
  const system = { id: null, username: 'bench' };
  await ctx.org.createProject(system, { code: 'BENCH', name: 'Bench project' });
  const clerk = await ctx.users.create(system, { username: 'bench.clerk', displayName: 'Bench clerk', password: 'bench-clerk-pw' }, { signed: true });
  await ctx.access.grant({ id: 1, username: 'admin' }, { userId: clerk.id, role: 'info_clerk', scope: 'project:BENCH' });
  const actor = { id: clerk.id, username: clerk.username };
  let firstId = 0;
  for (let i = 0; i < 1000; i++) {
    const c = await ctx.customers.create(actor, 'BENCH', {
      name: `客戶${i}`,
      unit: `${1 + (i % 20)}棟${100 + i}室`,
      nationality: 'domestic',
      phones: [`139${String(10_000_000 + i).padStart(8, '0')}`],
      employer: '某某公司',
      email: `c${i}@example.com`,
      emergencyContact: '家人 13800000000',
    });
    if (!firstId) firstId = c.id;
  }
  const token = ctx.tokens.issue(clerk.id, 0);

  const server = http.createServer(createApp(ctx)).listen(0, '127.0.0.1');
  const bare = express();
  bare.get('/bare', (_req, res) => res.json({ ok: true }));
  const bareServer = http.createServer(bare).listen(0, '127.0.0.1');
  await Promise.all([new Promise((r) => server.once('listening', r)), new Promise((r) => bareServer.once('listening', r))]);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const target = firstId + 500;

  const baseline = await cannon(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bare`);
  const read = await cannon(`${base}/api/v1/customers/${target}`, { headers: { authorization: `Bearer ${token}` } });
  const reveal = await cannon(`${base}/api/v1/customers/${target}/reveal`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fields: ['phones', 'email'], reason: 'benchmark of the reveal path' }),
  });
  const line = (name: string, f: Figures) =>
    console.log(`  ${name.padEnd(52)} ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  errors ${f.errors}`);
  console.log(`${ds.options.type}:`);
  line('bare Express JSON route (baseline)', baseline);
  line('GET /customers/:id (JWT + enforce + decrypt + mask)', read);
  line('POST /customers/:id/reveal (+ audit write)', reveal);
  console.log(`  masked read: ${((100 * read.rps) / baseline.rps).toFixed(0)}% of bare (target >= 40% on SQLite); reveal: ${((100 * reveal.rps) / baseline.rps).toFixed(0)}% of bare`);
  server.close();
  bareServer.close();
  await ds.destroy();
}

async function main() {
  const file = path.join(os.tmpdir(), `custodian-bench-customers-${process.pid}.sqlite`);
  try {
    await runOn(`sqlite:${file}`);
  } finally {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
  const base = new URL(process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test');
  const name = `bench_customers_${process.pid}`;
  const mysql = await import('mysql2/promise');
  let admin;
  try {
    admin = await mysql.createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  } catch {
    console.log('MariaDB/MySQL not reachable: skipped the second run');
    return;
  }
  await admin.query(`CREATE DATABASE \`${name}\``);
  base.pathname = `/${name}`;
  try {
    await runOn(base.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
