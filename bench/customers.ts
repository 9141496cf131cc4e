/*
 * npm run bench:customers — the cost of reading control data: a bare Express JSON route, then
 * GET /api/v1/customers/:id (JWT + policy decision + decrypt + mask), then
 * POST /api/v1/customers/:id/reveal (+ an audit write in the chain), in one run, with ratios.
 * Runs on SQLite (temp file) and, if reachable, on MariaDB (a scratch database it creates and drops).
 * autocannon runs in a child process so the load generator does not share the server's event loop.
 */
import 'reflect-metadata';
import express from 'express';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createApp } from '../src/app';
import { autocannon, benchContext, Figures, onBothDatabases } from './lib';

async function runOn(url: string): Promise<void> {
  const { ctx, ds } = await benchContext(url);
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

  const baseline = await autocannon(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bare`);
  const read = await autocannon(`${base}/api/v1/customers/${target}`, { headers: { authorization: `Bearer ${token}` } });
  const reveal = await autocannon(`${base}/api/v1/customers/${target}/reveal`, {
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

onBothDatabases('customers', runOn);
