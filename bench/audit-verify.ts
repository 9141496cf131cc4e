/*
 * npm run bench:audit-verify — the audit trail's long operations beside live traffic (issue 14
 * §3; not a test: it prints figures). Seeds BENCH_VERIFY_EVENTS audit events (default 200,000;
 * 1,000,000 is the figure) as one valid hash chain, serves the API, and while each of
 *   1. the first signed digest over the whole trail (POST /api/v1/audit/digests),
 *   2. a verify against the digests (GET /api/v1/audit/verify?digests=true),
 *   3. the full CSV export (GET /api/v1/audit/export),
 * runs, asks GET /healthz every 20 ms. Prints each operation's time, the slowest /healthz answer
 * during it beside the slowest while idle (the bare baseline, same run), and the growth of the
 * process's heap (bounded memory: a trail streamed in batches, not loaded whole).
 * Runs on SQLite (temp file) and then on MariaDB at 127.0.0.1 (a scratch database, dropped).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app';
import { User } from '../src/entities/User';
import { seedAuditChain } from './audit-seed';
import { benchContext, onBothDatabases } from './lib';

const EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 200_000);

function get(port: number, p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; bytes: number; ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let bytes = 0;
      const keep: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (bytes < 4096) keep.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started, body: Buffer.concat(keep).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

/** /healthz every 20 ms while `work` runs: the slowest answer, and how many were asked. */
async function probed<T>(port: number, work: () => Promise<T>): Promise<{ result: T; ms: number; healthMax: number; probes: number; heapGrowthMb: number }> {
  let done = false;
  let healthMax = 0;
  let probes = 0;
  const heap0 = process.memoryUsage().heapUsed;
  let heapMax = heap0;
  const loop = (async () => {
    while (!done) {
      const h = await get(port, '/healthz');
      healthMax = Math.max(healthMax, h.ms);
      probes++;
      heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  done = true;
  await loop;
  return { result, ms, healthMax, probes, heapGrowthMb: (heapMax - heap0) / 2 ** 20 };
}

async function run(url: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-digests-'));
  const { ctx, ds } = await benchContext(url, { AUDIT_DIGEST_DIR: dir });
  try {
    const t0 = Date.now();
    await seedAuditChain(ds, EVENTS);
    console.log(`\n${ds.options.type}: ${EVENTS} audit events seeded as one chain (${Date.now() - t0} ms)`);
    const admin = await ds.manager.getRepository(User).findOneByOrFail({ username: 'admin' });
    await ctx.users.signAgreement({ id: admin.id, username: admin.username }, '2026-1');
    const fresh = await ds.manager.getRepository(User).findOneByOrFail({ id: admin.id });
    const auth = { authorization: `Bearer ${ctx.tokens.issue(fresh.id, fresh.tokenVersion)}` };
    const server = http.createServer(createApp(ctx)).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as { port: number };
    try {
      const idle = await probed(port, () => new Promise((r) => setTimeout(r, 1000)));
      const sign = await probed(port, () => get(port, '/api/v1/audit/digests', auth, 'POST'));
      const verify = await probed(port, () => get(port, '/api/v1/audit/verify?digests=true', auth));
      const exported = await probed(port, () => get(port, '/api/v1/audit/export', auth));
      if (sign.result.status !== 201 || verify.result.status !== 200 || !verify.result.body.includes('"ok":true') || exported.result.status !== 200) {
        throw new Error(`unexpected answers: sign ${sign.result.status}, verify ${verify.result.status} ${verify.result.body.slice(0, 200)}, export ${exported.result.status}`);
      }
      const line = (name: string, r: typeof sign, extra = '') =>
        console.log(
          `${name.padEnd(34)} ${(r.ms / 1000).toFixed(2).padStart(7)} s   /healthz max ${r.healthMax.toFixed(0).padStart(4)} ms (${(r.healthMax / Math.max(idle.healthMax, 1)).toFixed(1)}× idle, ${r.probes} probes)   heap +${r.heapGrowthMb.toFixed(0)} MB${extra}`,
        );
      console.log(`${'idle (baseline)'.padEnd(34)} ${'-'.padStart(7)}     /healthz max ${idle.healthMax.toFixed(0).padStart(4)} ms (${idle.probes} probes)`);
      line('first digest over the whole trail', sign, ` (${(EVENTS / (sign.ms / 1000)).toFixed(0)} events/s)`);
      line('verify against the digests', verify, ` (${(EVENTS / (verify.ms / 1000)).toFixed(0)} events/s)`);
      line('CSV export of the whole trail', exported, ` (${(exported.result.bytes / 2 ** 20).toFixed(0)} MB)`);
    } finally {
      server.close();
    }
  } finally {
    await ds.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

onBothDatabases('audit-verify', run);
