/*
 * npm run bench:customers — the cost of reading control data: a bare Express JSON route, then
 * GET /api/v1/customers/:id (JWT + policy decision + decrypt + mask), then
 * POST /api/v1/customers/:id/reveal (+ an audit write in the chain), in one run, with ratios.
 * The masked read is measured twice in the same run: without the access log (its record() made a
 * no-op for that measurement only) and with it (issue 14 §2: queued, written in batches).
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
  // Warm-up (not measured): whichever variant ran first paid for the JIT and the pools' warm-up.
  await autocannon(`${base}/api/v1/customers/${target}`, { headers: { authorization: `Bearer ${token}` }, seconds: 2 });
  // Without the access log: the same route with record() a no-op (the bench only; the service never turns it off).
  const record = ctx.accessLog.record.bind(ctx.accessLog);
  ctx.accessLog.record = () => undefined;
  const readNoLog = await autocannon(`${base}/api/v1/customers/${target}`, { headers: { authorization: `Bearer ${token}` } });
  ctx.accessLog.record = record;
  const before = { ...ctx.accessLog.stats };
  const read = await autocannon(`${base}/api/v1/customers/${target}`, { headers: { authorization: `Bearer ${token}` } });
  await ctx.accessLog.flush();
  const logged = { batches: ctx.accessLog.stats.batches - before.batches, rows: ctx.accessLog.stats.rows - before.rows };
  const reveal = await autocannon(`${base}/api/v1/customers/${target}/reveal`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ fields: ['phones', 'email'], reason: 'benchmark of the reveal path' }),
  });
  const line = (name: string, f: Figures) =>
    console.log(`  ${name.padEnd(52)} ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${f.p50} ms  p99 ${f.p99} ms  errors ${f.errors}`);
  console.log(`${ds.options.type}:`);
  line('bare Express JSON route (baseline)', baseline);
  line('GET /customers/:id without the access log', readNoLog);
  line('GET /customers/:id (JWT + enforce + decrypt + mask + access log)', read);
  line('POST /customers/:id/reveal (+ audit write)', reveal);
  const pct = (f: Figures) => `${((100 * f.rps) / baseline.rps).toFixed(0)}%`;
  console.log(
    `  masked read: ${pct(readNoLog)} of bare without the access log, ${pct(read)} with it (target >= 40% on SQLite, >= 25% on MariaDB); ` +
      `reveal: ${pct(reveal)} of bare; access log: ${logged.rows} reads in ${logged.batches} batches`,
  );
  const chain = await ctx.accessLog.verify();
  console.log(`  access-log batch chain: ${chain.ok ? `verified (${chain.batches} batches, ${chain.rows} reads)` : `BROKEN at ${chain.brokenAtSeq}: ${chain.reason}`}`);
  await ctx.accessLog.close();
  server.close();
  bareServer.close();
  await ds.destroy();
}

onBothDatabases('customers', runOn);
