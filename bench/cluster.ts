/*
 * npm run bench:cluster — complaint-case registrations on a 3-node MariaDB Galera cluster (issue
 * 16; not a test: it prints figures). Starts the cluster on this machine (scripts/galera-cluster.ts,
 * SQL on 3307-3309), one instance per node (each in this process, its own pool, journal-mode
 * audit trail, causal reads), and, with autocannon children (12 connections in all, BENCH_SECONDS
 * each, default 10):
 *   0. baseline: the same registrations on the standalone MariaDB at 127.0.0.1:3306, one instance;
 *   1. one writing node: all 12 connections on instance A;
 *   2. three writing nodes: 4 connections on each of A, B and C;
 *   3. survey notes (a row and its audit entry, nothing else shared): on 1 and 3 nodes with the
 *      journal-mode trail, and on 3 nodes with the direct mode (every write locks the chain head);
 *   4. node C killed under load on A and B, restarted: the time it takes to rejoin (Synced).
 * Prints registrations per second, p50/p99, non-2xx answers, the transactions retried after a
 * conflict (certification failures, reported as deadlocks) and given up, and the seals; then
 * checks that the month's case numbers are gap-free and that the chain verifies on every node.
 * All of it shares this machine's 2 cores: the figures compare the set-ups, not a real cluster.
 */
import 'reflect-metadata';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { startGalera } from '../scripts/galera-cluster';
import { createApp } from '../src/app';
import { verifyAuditChain } from '../src/audit/verify';
import type { AppContext } from '../src/context';
import { User } from '../src/entities/User';
import { autocannon, benchCaseOrg, benchContext, Figures, scratchMysql } from './lib';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 12;

interface Instance {
  ctx: AppContext;
  url: string;
  close(): Promise<void>;
}

async function instance(dbUrl: string, env: Record<string, string> = {}): Promise<Instance> {
  const { ctx, ds } = await benchContext(dbUrl, env);
  const server = http.createServer(createApp(ctx)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return {
    ctx,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((r) => server.close(r));
      await ds.destroy();
    },
  };
}

interface Workload {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The organisation a registration needs, made through the first instance (bench/lib.ts): its staff token and the intake. */
async function caseOrg(ctx: AppContext): Promise<Workload> {
  const { intake, token } = await benchCaseOrg(ctx);
  return { path: '/api/v1/cases', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(intake) };
}

/** A survey note posted by the IT admin: a row and its audit entry, no row shared with any other request but the audit trail's. */
async function notesWorkload(ctx: AppContext): Promise<Workload> {
  let admin = await ctx.db.manager.getRepository(User).findOneByOrFail({ username: 'admin' });
  if (admin.status !== 'active') {
    await ctx.users.signAgreement({ id: admin.id, username: admin.username }, '2026-1');
    admin = await ctx.db.manager.getRepository(User).findOneByOrFail({ id: admin.id });
  }
  return {
    path: '/api/v1/survey-notes',
    headers: { authorization: `Bearer ${ctx.tokens.issue(admin.id, admin.tokenVersion)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ project: 'BENCH', source: 'interview', text: 'Owner asked about the parking allocation' }),
  };
}

/** Requests at once on `targets` (connections split evenly); figures summed (req/s) or the worst (p99). */
async function load(targets: Instance[], w: Workload): Promise<Figures & { retried: number; gaveUp: number; seals: number }> {
  // One request first: a workload that is refused would measure the refusal.
  const probe = await fetch(`${targets[0].url}${w.path}`, { method: 'POST', headers: w.headers, body: w.body });
  if (probe.status >= 300) throw new Error(`${w.path}: ${probe.status} ${(await probe.text()).slice(0, 200)}`);
  const before = targets.map((t) => ({ ...t.ctx.db.txStats, seals: t.ctx.auditSealer.stats.seals }));
  const per = CONNECTIONS / targets.length;
  const runs = await Promise.all(targets.map((t) => autocannon(`${t.url}${w.path}`, { headers: w.headers, body: w.body, method: 'POST', seconds: SECONDS, connections: per })));
  return {
    rps: runs.reduce((n, r) => n + r.rps, 0),
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((n, r) => n + r.errors, 0),
    retried: targets.reduce((n, t, i) => n + t.ctx.db.txStats.retried - before[i].retried, 0),
    gaveUp: targets.reduce((n, t, i) => n + t.ctx.db.txStats.gaveUp - before[i].gaveUp, 0),
    seals: targets.reduce((n, t, i) => n + t.ctx.auditSealer.stats.seals - before[i].seals, 0),
  };
}

function line(name: string, f: Awaited<ReturnType<typeof load>>, base: Figures | null): void {
  const ratio = base ? ` (${(f.rps / base.rps).toFixed(2)}× the baseline)` : '';
  console.log(
    `${name.padEnd(40)} ${f.rps.toFixed(0).padStart(5)} req/s${ratio.padEnd(22)} p50 ${String(f.p50).padStart(4)} ms  p99 ${String(f.p99).padStart(5)} ms  non-2xx ${f.errors}  retried ${f.retried}  gave up ${f.gaveUp}  seals ${f.seals}`,
  );
}

async function main(): Promise<void> {
  // 0. Baseline: one instance on the standalone server.
  const scratch = await scratchMysql('cluster');
  if (!scratch) throw new Error('the standalone MariaDB at 127.0.0.1:3306 is needed for the baseline');
  let base: Awaited<ReturnType<typeof load>>;
  let notesBase: Awaited<ReturnType<typeof load>>;
  try {
    const single = await instance(scratch.url);
    try {
      base = await load([single], await caseOrg(single.ctx));
      notesBase = await load([single], await notesWorkload(single.ctx));
    } finally {
      await single.close();
    }
  } finally {
    await scratch.drop();
  }
  const started = Date.now();
  const cluster = await startGalera();
  console.log(`3-node Galera cluster up in ${Date.now() - started} ms`);
  const instances: Instance[] = [];
  try {
    await cluster.query(0, 'CREATE DATABASE custodian_bench CHARACTER SET utf8mb4');
    for (const node of cluster.nodes) instances.push(await instance(node.url('custodian_bench')));
    const org = await caseOrg(instances[0].ctx);
    await Promise.all(instances.map((i) => i.ctx.policy.reload()));
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s each; POST /api/v1/cases (the month's counter row, case, event, audit entry)`);
    line('baseline: standalone MariaDB', base, null);
    line('cluster, 1 writing node (A)', await load([instances[0]], org), base);
    line('cluster, 3 writing nodes (A, B, C)', await load(instances, org), base);

    // The audit trail alone: notes share no row but the trail's. Journal mode (the cluster's
    // default) against the direct mode, where every write locks the one chain head.
    const notes = await notesWorkload(instances[0].ctx);
    console.log(`\nPOST /api/v1/survey-notes (a note and its audit entry: no shared row but the trail's)`);
    line('baseline: standalone MariaDB', notesBase, null);
    line('cluster, 1 writing node, journal', await load([instances[0]], notes), notesBase);
    line('cluster, 3 writing nodes, journal', await load(instances, notes), notesBase);
    const direct: Instance[] = [];
    try {
      for (const node of cluster.nodes) direct.push(await instance(node.url('custodian_bench'), { AUDIT_CHAIN: 'direct' }));
      line('cluster, 3 writing nodes, direct (head row)', await load(direct, notes), notesBase);
    } finally {
      for (const i of direct) await i.close();
    }

    // 3. A node killed under load and restarted.
    const during = load(instances.slice(0, 2), org);
    await new Promise((r) => setTimeout(r, 2000));
    await cluster.kill(2);
    await new Promise((r) => setTimeout(r, 2000));
    const { rejoinMs } = await cluster.restart(2);
    const f = await during;
    line('A and B while C is killed, rejoins', f, base);
    console.log(`node C rejoined (Synced) ${rejoinMs} ms after its restart began`);

    // Gap-free numbers and one chain on every node.
    await instances[0].ctx.auditSealer.request();
    await cluster.waitSynced();
    const [c] = await cluster.query(0, "SELECT COUNT(*) AS n, MIN(CAST(SUBSTRING_INDEX(caseNo, '-', -1) AS UNSIGNED)) AS lo, MAX(CAST(SUBSTRING_INDEX(caseNo, '-', -1) AS UNSIGNED)) AS hi FROM custodian_bench.complaint_case");
    const gapFree = Number(c.hi) - Number(c.lo) + 1 === Number(c.n);
    const heads = [];
    for (let i = 0; i < 3; i++) heads.push(JSON.stringify((await cluster.query(i, 'SELECT seq, hash FROM custodian_bench.audit_head'))[0]));
    const verified = await verifyAuditChain(instances[0].ctx.db.ds);
    console.log(`\n${c.n} cases, serials ${c.lo}..${c.hi}: ${gapFree ? 'gap-free' : 'GAPS'}; audit head the same on all nodes: ${new Set(heads).size === 1}; chain verifies: ${verified.ok} (${verified.count} entries)`);
    if (!gapFree || new Set(heads).size !== 1 || !verified.ok) process.exitCode = 1;
  } finally {
    for (const i of instances) await i.close().catch(() => undefined);
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
