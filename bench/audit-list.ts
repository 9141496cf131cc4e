/*
 * npm run bench:audit-list — the audit list's filters and pages over a long trail (issue 14 §3;
 * not a test: it prints figures). Seeds BENCH_LIST_EVENTS audit events (default 200,000;
 * 1,000,000 is the issue's figure), serves the API, and times GET /api/v1/audit for every filter
 * the route offers: the first page, a page deep in the trail by offset, and the same page by
 * cursor. Each figure is the median of 3 calls, beside GET /healthz in the same run (the bare
 * baseline: a request that touches no table).
 * Runs on SQLite (temp file) and then on MariaDB at 127.0.0.1 (a scratch database, dropped).
 */
import 'reflect-metadata';
import http from 'node:http';
import { createApp } from '../src/app';
import { User } from '../src/entities/User';
import { seedAuditChain } from './audit-seed';
import { benchContext, onBothDatabases } from './lib';

const EVENTS = Number(process.env.BENCH_LIST_EVENTS ?? 200_000);

/** Every filter of GET /api/v1/audit, alone, plus one combination (what an auditor tries first). */
const FILTERS: Array<[string, string]> = [
  ['no filter', ''],
  ['actorId', 'actorId=17'],
  ['actor (name)', 'actor=user17'],
  ['action', 'action=access.denied'],
  ['objectType + objectId', 'objectType=customer&objectId=42'],
  ['objectId', 'objectId=42'],
  ['scope', 'scope=project%3AP17'],
  ['decision', 'decision=deny'],
  ['from/to (one day)', 'from=2026-11-05T00:00:00Z&to=2026-11-05T23:59:59Z'],
  ['actor + action', 'actor=user2&action=customer.revealed'],
];

function get(port: number, p: string, auth: string): Promise<{ status: number; ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, headers: { authorization: auth } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body }));
      })
      .on('error', reject);
  });
}

async function median(port: number, p: string, auth: string): Promise<{ ms: number; body: string }> {
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const r = await get(port, p, auth);
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${r.body.slice(0, 200)}`);
    runs.push(r);
  }
  runs.sort((a, b) => a.ms - b.ms);
  return runs[1];
}

async function run(url: string): Promise<void> {
  const { ctx, ds } = await benchContext(url);
  try {
    const t0 = Date.now();
    await seedAuditChain(ds, EVENTS);
    console.log(`\n${ds.options.type}: ${EVENTS} audit events (${Date.now() - t0} ms to seed)`);
    const admin = await ds.manager.getRepository(User).findOneByOrFail({ username: 'admin' });
    await ctx.users.signAgreement({ id: admin.id, username: admin.username }, '2026-1');
    const fresh = await ds.manager.getRepository(User).findOneByOrFail({ id: admin.id });
    const auth = `Bearer ${ctx.tokens.issue(fresh.id, fresh.tokenVersion)}`;
    const server = http.createServer(createApp(ctx)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    try {
      const base = (await median(port, '/healthz', auth)).ms;
      console.log(`baseline GET /healthz ${base.toFixed(1)} ms`);
      console.log(`${'filter'.padEnd(24)} ${'matches'.padStart(8)}  ${'first page'.padStart(11)}  ${'deep (offset)'.padStart(14)}  ${'deep (cursor)'.padStart(14)}`);
      const cell = (ms: number) => `${ms.toFixed(0).padStart(6)} ms ${`(${(ms / base).toFixed(0)}×)`.padStart(6)}`;
      for (const [name, q] of FILTERS) {
        const path = (extra: string) => `/api/v1/audit?limit=50&${[q, extra].filter(Boolean).join('&')}`;
        const first = await median(port, path(''), auth);
        const total = (JSON.parse(first.body) as { total: number }).total;
        // A page 90% of the way down the matches: by offset, then by the cursor that reaches it.
        const deepOffset = Math.max(1, Math.floor(total * 0.9) - 50);
        const byOffset = await median(port, path(`offset=${deepOffset}`), auth);
        const before = JSON.parse((await get(port, path(`offset=${deepOffset - 1}&limit=1`).replace('limit=50&', ''), auth)).body) as { items: Array<{ seq: number }> };
        const cursor = before.items[0]?.seq ?? 0;
        const byCursor = await median(port, path(`cursor=${cursor}`), auth);
        const same = JSON.stringify((JSON.parse(byOffset.body) as { items: unknown[] }).items) === JSON.stringify((JSON.parse(byCursor.body) as { items: unknown[] }).items);
        if (!same) throw new Error(`${name}: the cursor page differs from the offset page`);
        console.log(`${name.padEnd(24)} ${String(total).padStart(8)}  ${cell(first.ms)}  ${cell(byOffset.ms)}  ${cell(byCursor.ms)}`);
      }
    } finally {
      server.close();
    }
  } finally {
    await ds.destroy();
  }
}

onBothDatabases('audit-list', run);
