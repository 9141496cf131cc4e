/*
 * npm run bench:audit — the monthly indicators on a large audit trail (issue 14 §3; not a test:
 * it prints figures). Seeds 20 departments of 10 projects each, then one month (November 2026)
 * of BENCH_AUDIT_EVENTS audit events (default 200,000; 1,000,000 is the figure) written
 * straight into audit_event with multi-row INSERTs (the chain's hashes are placeholders: nothing
 * here verifies it), and one customer export per 100 events. The mix: ~12% reveals of a
 * project's customer, ~3% refusals (route-level and record-level, by project or department),
 * a few refused offboardings, the rest ordinary allowed or unscoped events; actors, objects and
 * instants drawn uniformly (fixed seed). Then, as the risk-assessment job does
 * (AssessmentPeriods.createForPeriod → ensureFor), for every department in id order:
 * IndicatorService.departmentScope + compute for the month as of its due time, one untimed
 * warm-up and BENCH_AUDIT_REPEAT timed passes (default 3, median): first without the indexes of
 * migration 1764475000000-IndicatorIndexes (dropped before the seeding: the baseline), then with
 * them (created by that migration's own up(), timed), the EXPLAIN of the reveals, refusals and
 * exports counts each way, and the ratio. Checks that both passes give the same indicators and
 * that reveals and refusals add up to what was seeded.
 * Runs on SQLite (temp file) and, if reachable, on MariaDB at 127.0.0.1 (a scratch database it
 * creates and drops).
 */
import 'reflect-metadata';
import crypto from 'node:crypto';
import os from 'node:os';
import { DataSource } from 'typeorm';
import type { AppContext } from '../src/context';
import { IndicatorIndexes1764475000000 } from '../src/db/migrations/1764475000000-IndicatorIndexes';
import { insertRows, persisted } from '../src/db/raw';
import { AuditEvent } from '../src/entities/AuditEvent';
import { CustomerExport } from '../src/entities/CustomerExport';
import { Department } from '../src/entities/Department';
import { riskAssessmentJob } from '../src/features/assessments/assessment.job';
import type { Indicator } from '../src/features/indicators/indicator.service';
import { periodFromKey } from '../src/jobs/period';
import { deptScope, projectScope } from '../src/policy/scope';
import { benchContext, onBothDatabases } from './lib';

const EVENTS = Number(process.env.BENCH_AUDIT_EVENTS ?? 200_000);
const K = Number(process.env.BENCH_AUDIT_REPEAT ?? 3);
const DEPARTMENTS = 20;
const PROJECTS_PER_DEPARTMENT = 10;
const MONTH = '2026-11';
const BATCH = 1_000;
/** Rows per transaction while seeding (SQLite: one WAL commit per that many rows). */
const PER_TX = 50_000;

const REVEAL = 'customer.revealed';
const OFFBOARD_REFUSED = 'user.offboard_refused';
const DENIED = ['access.denied', 'access.denied', 'access.denied', 'copy.issue_refused', 'print_request.approve_refused', 'handover_file.denied', 'case.decide_refused', 'rectification.update_refused'];
const ORDINARY = ['customer.viewed', 'customer.searched', 'customer.updated', 'customer.created', 'copy.issued', 'copy.returned', 'print_request.created', 'handover_file.viewed', 'case.updated', 'auth.login'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** A small deterministic generator (mulberry32), so that both databases get the same trail. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Org {
  departments: Array<{ id: number; code: string; projects: string[] }>;
}

async function seedOrg(ctx: AppContext): Promise<Org> {
  const system = { id: null, username: 'bench' };
  const departments: Org['departments'] = [];
  for (let d = 1; d <= DEPARTMENTS; d++) {
    const code = `D${String(d).padStart(2, '0')}`;
    const dept = await ctx.org.createDepartment(system, { code, name: `Department ${d}` });
    const projects: string[] = [];
    for (let p = 1; p <= PROJECTS_PER_DEPARTMENT; p++) {
      const pcode = `${code}P${String(p).padStart(2, '0')}`;
      await ctx.org.createProject(system, { code: pcode, name: `Project ${pcode}`, departmentCode: code });
      projects.push(pcode);
    }
    departments.push({ id: dept.id, code, projects });
  }
  return { departments };
}

const AUDIT_COLUMNS = ['seq', 'at', 'actorId', 'actorName', 'action', 'objectType', 'objectId', 'scope', 'decision', 'reason', 'requestId', 'ip', 'before', 'after', 'prevHash', 'hash'] as const;
const EXPORT_COLUMNS = ['id', 'projectId', 'format', 'purpose', 'fields', 'rowCount', 'releaseId', 'createdById', 'createdAt'] as const;

/** What the seeding wrote that the indicators must find: reveals and refusals (offboardings aside) per department. */
interface Expected {
  reveals: Map<string, number>;
  denied: Map<string, number>;
  exports: Map<string, number>;
}

async function seedTrail(ds: DataSource, org: Org, start: Date, end: Date): Promise<Expected> {
  const m = ds.manager;
  const rand = rng(14);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const span = end.getTime() - start.getTime();
  const instant = () => persisted(m, AuditEvent, 'at', new Date(start.getTime() + Math.floor(rand() * span)));
  const expected: Expected = { reveals: new Map(), denied: new Map(), exports: new Map() };
  const bump = (map: Map<string, number>, k: string) => map.set(k, (map.get(k) ?? 0) + 1);
  const first = Number((await m.query(`SELECT COALESCE(MAX(${ds.driver.escape('seq')}), 0) AS n FROM ${ds.driver.escape('audit_event')}`))[0].n) + 1;
  const hex = (n: number) => n.toString(16).padStart(64, '0');

  let rows: unknown[][] = [];
  let pending: unknown[][][] = [];
  let pendingRows = 0;
  const flush = async () => {
    if (rows.length) pending.push(rows);
    pendingRows += rows.length;
    rows = [];
    if (pendingRows < PER_TX) return;
    await commit();
  };
  const commit = async () => {
    const batches = pending;
    pending = [];
    pendingRows = 0;
    if (batches.length) await ds.transaction(async (tm) => {
      for (const b of batches) await insertRows(tm, AuditEvent, AUDIT_COLUMNS, b);
    });
  };

  for (let i = 0; i < EVENTS; i++) {
    const seq = first + i;
    const dept = pick(org.departments);
    const project = pick(dept.projects);
    const actor = 1 + Math.floor(rand() * 500);
    const r = rand();
    let action: string;
    let scope: string | null;
    let decision: 'allow' | 'deny' | null;
    let objectType: string | null = 'customer';
    let objectId: string | null = String(1 + Math.floor(rand() * 200_000));
    let reason: string | null = null;
    let after: string | null = null;
    if (r < 0.12) {
      action = REVEAL;
      scope = projectScope(project);
      decision = 'allow';
      after = JSON.stringify({ fields: ['phone', 'idNumber'] });
      bump(expected.reveals, dept.code);
    } else if (r < 0.15) {
      action = pick(DENIED);
      scope = rand() < 0.8 ? projectScope(project) : deptScope(dept.code);
      decision = 'deny';
      reason = 'no permission for this scope';
      objectType = action.split('.')[0];
      bump(expected.denied, dept.code);
    } else if (r < 0.1502) {
      action = OFFBOARD_REFUSED;
      scope = deptScope(dept.code);
      decision = 'deny';
      objectType = 'user';
      objectId = String(actor);
      after = JSON.stringify({ holdings: [{ kind: 'controlled_copy', id: `${project}-C${seq}` }] });
    } else {
      action = pick(ORDINARY);
      const s = rand();
      scope = s < 0.8 ? projectScope(project) : s < 0.9 ? deptScope(dept.code) : null;
      decision = action === 'auth.login' ? null : 'allow';
      if (action === 'auth.login') {
        objectType = 'user';
        objectId = String(actor);
        scope = null;
      }
    }
    rows.push([seq, instant(), actor, `user${actor}`, action, objectType, objectId, scope, decision, reason, crypto.randomBytes(8).toString('hex'), `10.0.${actor >> 8}.${actor & 255}`, null, after, hex(seq - 1), hex(seq)]);
    if (rows.length === BATCH) await flush();
  }
  await flush();
  await commit();

  // One export per 100 events, over the same projects and month.
  const projectIds = new Map<string, number>(
    ((await m.query(`SELECT ${ds.driver.escape('id')} AS id, ${ds.driver.escape('code')} AS code FROM ${ds.driver.escape('project')}`)) as Array<{ id: number; code: string }>).map((p) => [p.code, Number(p.id)]),
  );
  const exports: unknown[][] = [];
  for (let i = 0; i < Math.ceil(EVENTS / 100); i++) {
    const dept = pick(org.departments);
    const project = pick(dept.projects);
    bump(expected.exports, dept.code);
    const createdAt = persisted(m, CustomerExport, 'createdAt', new Date(start.getTime() + Math.floor(rand() * span)));
    exports.push([crypto.randomUUID(), projectIds.get(project), 'csv', 'monthly reconciliation', JSON.stringify(['phone']), 100, null, 1, createdAt]);
  }
  await ds.transaction(async (tm) => {
    for (let i = 0; i < exports.length; i += BATCH) await insertRows(tm, CustomerExport, EXPORT_COLUMNS, exports.slice(i, i + BATCH));
  });
  return expected;
}

/** The three counts the indexes serve, as the service writes them (one department's scopes), for EXPLAIN. */
async function explain(ds: DataSource, org: Org, start: Date, end: Date): Promise<string[]> {
  const mysql = ds.options.type !== 'better-sqlite3';
  const e = (s: string) => ds.driver.escape(s);
  const dept = org.departments[0];
  const projectScopes = dept.projects.map(projectScope);
  const deniedScopes = [...projectScopes, deptScope(dept.code)];
  const ids = ((await ds.query(`SELECT ${e('id')} AS id FROM ${e('project')} WHERE ${e('departmentId')} = ?`, [dept.id])) as Array<{ id: number }>).map((r) => Number(r.id));
  const at = (d: Date) => persisted(ds.manager, AuditEvent, 'at', d);
  const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
  const queries: Array<[string, string, unknown[]]> = [
    [
      'reveals',
      `SELECT COUNT(1) FROM ${e('audit_event')} ${e('e')} WHERE ${e('e')}.${e('action')} = ? AND ${e('e')}.${e('scope')} IN (${marks(projectScopes.length)}) AND ${e('e')}.${e('at')} >= ? AND ${e('e')}.${e('at')} < ?`,
      [REVEAL, ...projectScopes, at(start), at(end)],
    ],
    [
      'refusals',
      `SELECT COUNT(1) FROM ${e('audit_event')} ${e('e')} WHERE ${e('e')}.${e('decision')} = ? AND ${e('e')}.${e('action')} <> ? AND ${e('e')}.${e('scope')} IN (${marks(deniedScopes.length)}) AND ${e('e')}.${e('at')} >= ? AND ${e('e')}.${e('at')} < ?`,
      ['deny', OFFBOARD_REFUSED, ...deniedScopes, at(start), at(end)],
    ],
    [
      'exports',
      `SELECT COUNT(1) FROM ${e('customer_export')} ${e('x')} WHERE ${e('x')}.${e('projectId')} IN (${marks(ids.length)}) AND ${e('x')}.${e('createdAt')} >= ? AND ${e('x')}.${e('createdAt')} < ?`,
      [...ids, persisted(ds.manager, CustomerExport, 'createdAt', start), persisted(ds.manager, CustomerExport, 'createdAt', end)],
    ],
  ];
  const out: string[] = [];
  for (const [name, sql, params] of queries) {
    const rows = (await ds.query(`${mysql ? 'EXPLAIN' : 'EXPLAIN QUERY PLAN'} ${sql}`, params)) as Array<Record<string, unknown>>;
    const plan = mysql
      ? rows.map((r) => `type=${r.type} key=${r.key ?? 'NULL'} key_len=${r.key_len ?? '-'} rows=${r.rows} Extra=${r.Extra ?? ''}`).join(' | ')
      : rows.map((r) => String(r.detail)).join(' | ');
    out.push(`${name.padEnd(8)} ${plan}`);
  }
  return out;
}

/** The risk-assessment job's indicator work: every department in id order, its scope, then compute as of the due time. */
async function allDepartments(ctx: AppContext, ds: DataSource, period: { start: Date; end: Date; dueAt: Date }): Promise<{ ms: number; perDept: number[]; values: Map<number, Indicator[]> }> {
  const depts = await ds.manager.getRepository(Department).find({ order: { id: 'ASC' } });
  const values = new Map<number, Indicator[]>();
  const perDept: number[] = [];
  const t0 = performance.now();
  for (const d of depts) {
    const t = performance.now();
    const scope = await ctx.indicators.departmentScope(d.id);
    values.set(d.id, await ctx.indicators.compute(scope, period.start, period.end, period.dueAt));
    perDept.push(performance.now() - t);
  }
  return { ms: performance.now() - t0, perDept, values };
}

async function timed(ctx: AppContext, ds: DataSource, period: { start: Date; end: Date; dueAt: Date }) {
  await allDepartments(ctx, ds, period);
  const runs = [];
  for (let i = 0; i < K; i++) runs.push(await allDepartments(ctx, ds, period));
  return {
    ms: median(runs.map((r) => r.ms)),
    perDeptMedian: median(runs.flatMap((r) => r.perDept)),
    perDeptMax: Math.max(...runs.flatMap((r) => r.perDept)),
    values: runs[0].values,
  };
}

async function runOn(url: string): Promise<void> {
  const { ctx, ds } = await benchContext(url);
  const mysql = ctx.db.mysql;
  const period = periodFromKey(riskAssessmentJob, MONTH, ctx.config.timezone);
  if (!period) throw new Error(`not a month: ${MONTH}`);
  const migration = new IndicatorIndexes1764475000000();
  const qr = ds.createQueryRunner();
  const problems: string[] = [];
  try {
    // The baseline first: the trail without the new indexes (also the faster way to load it).
    await migration.down(qr);
    const s0 = performance.now();
    const org = await seedOrg(ctx);
    const expected = await seedTrail(ds, org, period.start, period.end);
    const seedSeconds = (performance.now() - s0) / 1000;
    const analyze = () => (mysql ? ds.query('ANALYZE TABLE `audit_event`, `customer_export`') : Promise.resolve());
    await analyze();

    const loadBefore = loadavg();
    const planBare = await explain(ds, org, period.start, period.end);
    const bare = await timed(ctx, ds, period);
    const i0 = performance.now();
    await migration.up(qr);
    const indexSeconds = (performance.now() - i0) / 1000;
    await analyze();
    const planIndexed = await explain(ds, org, period.start, period.end);
    const indexed = await timed(ctx, ds, period);
    const loadAfter = loadavg();

    // Same figures both ways, and the audit counts are what was seeded.
    const value = (v: Indicator[] | undefined, key: string) => v?.find((i) => i.key === key)?.value;
    for (const [id, v] of bare.values) if (JSON.stringify(v) !== JSON.stringify(indexed.values.get(id))) problems.push(`department ${id}: indicators differ with and without the indexes`);
    for (const d of org.departments) {
      const v = indexed.values.get(d.id);
      for (const [key, map] of [['reveals', expected.reveals], ['access_denied', expected.denied], ['exports', expected.exports]] as const) {
        if (value(v, key) !== (map.get(d.code) ?? 0)) problems.push(`${d.code}: ${key} ${value(v, key)}, seeded ${map.get(d.code) ?? 0}`);
      }
    }

    const total = Number((await ds.query(`SELECT COUNT(1) AS n FROM ${ds.driver.escape('audit_event')}`))[0].n);
    console.log(
      `${ds.options.type}: ${EVENTS.toLocaleString('en')} events of ${MONTH} (${total.toLocaleString('en')} in audit_event), ${DEPARTMENTS} departments × ${PROJECTS_PER_DEPARTMENT} projects, ` +
        `seeded in ${seedSeconds.toFixed(1)} s; median of ${K} passes over all departments (after 1 warm-up); load avg ${loadBefore} → ${loadAfter}`,
    );
    const line = (name: string, r: { ms: number; perDeptMedian: number; perDeptMax: number }, extra = '') =>
      console.log(`  ${name.padEnd(34)} ${r.ms.toFixed(0).padStart(8)} ms  per department: median ${r.perDeptMedian.toFixed(1).padStart(7)} ms, max ${r.perDeptMax.toFixed(1).padStart(7)} ms  ${extra}`);
    line('monthly indicators, no new index', bare, '(baseline)');
    line('monthly indicators, indexed', indexed, `${(bare.ms / indexed.ms).toFixed(1)}x faster`);
    console.log(`  creating the three indexes (migration 1764475000000 up) on this trail: ${indexSeconds.toFixed(1)} s`);
    console.log('  EXPLAIN without the indexes (first department):');
    for (const p of planBare) console.log(`    ${p}`);
    console.log('  EXPLAIN with the indexes:');
    for (const p of planIndexed) console.log(`    ${p}`);
    for (const p of problems) console.log(`  PROBLEM: ${p}`);
  } finally {
    await qr.release();
    ctx.policy.stopPolling();
    await ds.destroy();
  }
  if (problems.length) process.exitCode = 1;
}

// Only ever a local server: the scratch database is created and dropped on TEST_MYSQL_URL's host.
const mysqlHost = new URL(process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test').hostname;
if (mysqlHost !== '127.0.0.1') {
  console.error(`bench:audit runs on 127.0.0.1 only (TEST_MYSQL_URL names ${mysqlHost})`);
  process.exit(1);
}
onBothDatabases('audit', runOn);
