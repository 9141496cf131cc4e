/* Shared pieces of the benchmarks: load generation, scratch databases, a bootstrapped context. */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { bootstrap } from '../src/bootstrap';
import { loadConfig } from '../src/config/env';
import { AppContext, buildContext } from '../src/context';
import { createDataSource } from '../src/db/data-source';
import { Database } from '../src/db/database';
import { User } from '../src/entities/User';
import { createLogger } from '../src/logger';

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** autocannon in a child process, so the load generator does not share the servers' event loop (10 connections unless told). */
export async function autocannon(
  url: string,
  opts: { headers?: Record<string, string>; method?: string; body?: string; seconds?: number; connections?: number } = {},
): Promise<Figures> {
  const args = [require.resolve('autocannon/autocannon.js'), '-c', String(opts.connections ?? 10), '-d', String(opts.seconds ?? Number(process.env.BENCH_SECONDS ?? 5)), '-j'];
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

/**
 * A fresh MariaDB/MySQL database on TEST_MYSQL_URL's server, dropped by `drop()`; null when
 * the server cannot be reached.
 */
export async function scratchMysql(tag: string): Promise<{ url: string; drop(): Promise<void> } | null> {
  const base = new URL(process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test');
  const mysql = await import('mysql2/promise');
  const connect = () =>
    mysql.createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  let admin;
  try {
    admin = await connect();
  } catch {
    return null;
  }
  const name = `bench_${tag}_${process.pid}`;
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  base.pathname = `/${name}`;
  return {
    url: base.toString(),
    async drop() {
      const a = await connect();
      await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.end();
    },
  };
}

/** A context on `url` as the server builds it (fixed bench secrets, silent logs), bootstrapped. */
export async function benchContext(url: string, env: Record<string, string> = {}): Promise<{ ctx: AppContext; ds: DataSource }> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret!!',
    BOOTSTRAP_ADMIN_PASSWORD: 'bench-admin-pw',
    DATA_KEY: `b1:${Buffer.alloc(32, 5).toString('base64')}`,
    BLIND_INDEX_KEY: Buffer.alloc(32, 6).toString('base64'),
    LOG_LEVEL: 'silent',
    // The benches' digests (issue 14 §1) never mix with the checkout's var/audit-digests.
    AUDIT_DIGEST_DIR: path.join(os.tmpdir(), `custodian-bench-digests-${process.pid}`),
    ...env,
  });
  const ds = await createDataSource(url);
  await ds.initialize();
  const ctx = buildContext(config, createLogger({ production: false, level: 'silent' }), new Database(ds));
  await bootstrap(ctx, { print: () => undefined });
  return { ctx, ds };
}

/**
 * Runs a benchmark on a temporary SQLite file, then on a scratch MariaDB/MySQL database when one
 * is reachable (skipped with a line otherwise), removing both afterwards; exits 1 on a failure.
 */
export function onBothDatabases(tag: string, runOn: (url: string) => Promise<void>): void {
  const main = async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(os.tmpdir(), `custodian-bench-${tag}-${process.pid}.sqlite`);
    try {
      await runOn(`sqlite:${file}`);
    } finally {
      for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    }
    const scratch = await scratchMysql(tag);
    if (!scratch) {
      console.log('MariaDB/MySQL not reachable: skipped the second run');
      return;
    }
    try {
      await runOn(scratch.url);
    } finally {
      await scratch.drop();
    }
  };
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/**
 * The complaint-case benches' organisation (bench/cases.ts, bench/cluster.ts): department BENCHD,
 * project BENCH, a staff member of it who registers cases, one customer, the intake they send,
 * and the staff member's token.
 */
export async function benchCaseOrg(ctx: AppContext) {
  const system = { id: null, username: 'bench' };
  const admin = await ctx.db.manager.getRepository(User).findOneByOrFail({ username: 'admin' });
  const adminActor = { id: admin.id, username: admin.username };
  await ctx.org.createDepartment(system, { code: 'BENCHD', name: 'Bench department' });
  await ctx.org.createProject(system, { code: 'BENCH', name: 'Bench project', departmentCode: 'BENCHD' });
  const staff = await ctx.users.create(system, { username: 'bench.staff', displayName: '張小明', password: 'bench-user-pw-1' }, { signed: true });
  await ctx.access.grant(adminActor, { userId: staff.id, role: 'staff', scope: 'project:BENCH' });
  const customer = await ctx.customers.create(adminActor, 'BENCH', { name: '陳大文', unit: '3棟1204室', nationality: 'domestic', phones: ['13912345678'] });
  const intake = {
    project: 'BENCH',
    customerId: customer.id,
    channel: 'phone' as const,
    type: 'quality_complaint' as const,
    request: 'Replace the cracked tiles in the bathroom; call back on 13912345678',
    items: [{ product: 'Floor tile 60x60', orderNo: 'SO-2026-0042', quantity: 40, defectiveQuantity: 6 }],
  };
  const token = ctx.tokens.issue(staff.id, (await ctx.db.manager.getRepository(User).findOneByOrFail({ id: staff.id })).tokenVersion);
  return { staff: { id: staff.id, username: staff.username }, intake, token };
}
