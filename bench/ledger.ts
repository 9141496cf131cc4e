/*
 * npm run bench:ledger — the §7 Borrowing & Destruction Record Form (GET /api/v1/ledger/form) at
 * scale (not a test: it prints figures). Seeds one project with BENCH_LEDGER_ROWS controlled
 * copies (default 5,000; 1–4 copies per approved print request; issued, returned, or destroyed
 * with a witness), written straight into print_request / controlled_copy through the
 * repositories in batches. Then, over HTTP with a project manager's token, BENCH_LEDGER_REPEAT
 * requests (default 5, after one untimed warm-up) of the form per format (csv, xlsx, pdf): rows,
 * median time, rows/s, response size, and the longest event-loop stall of the server process
 * during those requests (the form is built in the request). Baseline in the same run: the bare SELECT of the same
 * copies joined with their requests (one raw query) serialised to JSON, and format/baseline.
 * Runs on SQLite (temp file) and, if reachable, on MariaDB (a scratch database it creates and drops).
 */
import 'reflect-metadata';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../src/app';
import { benchContext, onBothDatabases } from './lib';
import { FROM, seedLedger, TO } from './ledger-seed';

const ROWS = Number(process.env.BENCH_LEDGER_ROWS ?? 5_000);
const K = Number(process.env.BENCH_LEDGER_REPEAT ?? 5);
const FORMATS = ['csv', 'xlsx', 'pdf'] as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} kB`);

function get(port: number, p: string, token: string): Promise<{ status: number; rows: number; bytes: number; ms: number; body: string }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode!,
          rows: Number(res.headers['x-row-count'] ?? NaN),
          bytes: body.length,
          ms: performance.now() - t0,
          body: res.statusCode === 200 ? '' : body.toString('utf8').slice(0, 300),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The bare query: the same copies (project and period, same order) joined with their requests. */
function baselineSql(mysql: boolean): string {
  const q = (s: string) => (mysql ? `\`${s}\`` : `"${s}"`);
  const cols = ['id', 'serial', 'printRequestId', 'copyNumber', 'copiesTotal', 'holderUserId', 'status', 'issuedAt', 'expiresAt', 'signedAt', 'returnedAt', 'returnedToUserId', 'destroyedAt', 'destroyedById', 'destructionMethod', 'destructionNote', 'witnessUserId', 'lostAt'];
  return (
    `SELECT ${cols.map((c) => `c.${q(c)}`).join(', ')}, r.${q('purpose')}, r.${q('recordIds')}, r.${q('decidedById')}, r.${q('decidedAt')}, r.${q('requestedById')} ` +
    `FROM ${q('controlled_copy')} c JOIN ${q('print_request')} r ON r.${q('id')} = c.${q('printRequestId')} ` +
    `WHERE c.${q('projectId')} = ? AND c.${q('issuedAt')} >= ? AND c.${q('issuedAt')} < ? ORDER BY c.${q('issuedAt')}, c.${q('id')}`
  );
}

async function runOn(url: string): Promise<void> {
  const { ctx, ds } = await benchContext(url);
  const s0 = performance.now();
  const seeded = await seedLedger(ctx, ds, ROWS);
  const seedSeconds = (performance.now() - s0) / 1000;

  const server = http.createServer(createApp(ctx));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const loadBefore = loadavg();

  // Baseline: one raw query + JSON.stringify, K times after one warm-up.
  const sql = baselineSql(ctx.db.mysql);
  // Datetimes as the stored text (both drivers compare 'YYYY-MM-DD HH:MM:SS' strings/values correctly).
  const dt = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  const params = [seeded.projectId, dt(FROM), dt(TO)];
  const baseRun = async () => {
    const t0 = performance.now();
    const rows: unknown[] = await ctx.db.manager.query(sql, params);
    const json = JSON.stringify(rows);
    return { ms: performance.now() - t0, rows: rows.length, bytes: Buffer.byteLength(json) };
  };
  await baseRun();
  const baseRuns = [];
  for (let i = 0; i < K; i++) baseRuns.push(await baseRun());
  const base = { ms: median(baseRuns.map((r) => r.ms)), rows: baseRuns[0].rows, bytes: baseRuns[0].bytes };

  const results: Array<{ name: string; rows: number; ms: number; bytes: number; stall?: number }> = [];
  const problems: string[] = [];
  for (const format of FORMATS) {
    const qs = new URLSearchParams({ from: FROM.toISOString(), to: TO.toISOString(), scope: `project:${seeded.projectCode}`, format });
    const p = `/api/v1/ledger/form?${qs}`;
    const warm = await get(port, p, seeded.pmToken);
    if (warm.status !== 200) throw new Error(`${format}: HTTP ${warm.status} ${warm.body}`);
    const runs = [];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    for (let i = 0; i < K; i++) {
      const r = await get(port, p, seeded.pmToken);
      if (r.status !== 200) problems.push(`${format}: HTTP ${r.status} ${r.body}`);
      runs.push(r);
    }
    loop.disable();
    const ms = median(runs.map((r) => r.ms));
    results.push({ name: `GET /ledger/form format=${format}`, rows: runs[0].rows, ms, bytes: runs[0].bytes, stall: loop.max / 1e6 });
    if (runs.some((r) => r.rows !== ROWS)) problems.push(`${format}: X-Row-Count ${runs.map((r) => r.rows).join(',')} (expected ${ROWS})`);
  }
  const loadAfter = loadavg();
  if (base.rows !== ROWS) problems.push(`baseline returned ${base.rows} rows (expected ${ROWS})`);

  console.log(`${ds.options.type}: ${ROWS} copies in ${seeded.requests} print requests, seeded in ${seedSeconds.toFixed(1)} s; median of ${K} (after 1 warm-up); load avg ${loadBefore} → ${loadAfter}`);
  const head = `  ${'what'.padEnd(46)} ${'rows'.padStart(6)} ${'median ms'.padStart(10)} ${'rows/s'.padStart(9)} ${'size'.padStart(10)} ${'× baseline time'.padStart(16)} ${'max loop stall'.padStart(15)}`;
  console.log(head);
  const line = (name: string, r: { rows: number; ms: number; bytes: number; stall?: number }) =>
    console.log(
      `  ${name.padEnd(46)} ${String(r.rows).padStart(6)} ${r.ms.toFixed(1).padStart(10)} ${Math.round((r.rows / r.ms) * 1000).toString().padStart(9)} ${size(r.bytes).padStart(10)} ${(r.ms / base.ms).toFixed(1).padStart(15)}x ${r.stall === undefined ? '' : `${r.stall.toFixed(0).padStart(12)} ms`}`,
    );
  line('baseline: SELECT copies ⋈ requests → JSON', base);
  for (const r of results) line(r.name, r);
  for (const p of problems) console.log(`  PROBLEM: ${p}`);

  await new Promise<void>((resolve) => server.close(() => resolve()));
  ctx.policy.stopPolling();
  await ds.destroy();
}

onBothDatabases('ledger', runOn);
