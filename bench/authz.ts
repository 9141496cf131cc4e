/*
 * npm run bench:authz — authorization cost at company scale (not a test: it prints figures).
 * 10,000 users, 20 roles, 200 projects in 20 departments. Prints: policy load time, enforcer
 * decisions/s and p50/p99 (cold: first time a key is asked; warm: from the decision cache),
 * and over HTTP (autocannon) GET /api/v1/me against a bare Express JSON route in the same
 * process, as a ratio. BENCH_DATABASE_URL picks the database (default: a temp SQLite file).
 */
import 'reflect-metadata';
import express from 'express';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app';
import { Department, PolicyRule as CasbinRule, Project, User } from '../src/entities';
import { hashPassword } from '../src/crypto/passwords';
import { ROLE_NAMES } from '../src/policy/roles';
import { PERMISSIONS } from '../src/policy/permissions';
import { userSubject } from '../src/policy/policy-service';
import { autocannon, benchContext } from './lib';

const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const PROJECTS = 200;
const DEPTS = 20;
const EXTRA_ROLES = 20 - ROLE_NAMES.length; // synthetic role templates, to reach 20 roles

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const file = path.join(os.tmpdir(), `custodian-bench-${process.pid}.sqlite`);
  const url = process.env.BENCH_DATABASE_URL || `sqlite:${file}`;
  const { ctx, ds } = await benchContext(url);
  const db = ctx.db;
  await ctx.users.signAgreement({ id: 1, username: 'admin' }, '2026-1');

  // --- seed -------------------------------------------------------------------------------
  const t0 = Date.now();
  const hash = await hashPassword('bench-user-pw', 4);
  const now = new Date();
  await db.tx(async (m) => {
    await m.getRepository(Department).insert(Array.from({ length: DEPTS }, (_, i) => ({ code: `BD${i}`, name: `Dept ${i}`, createdAt: now })));
    const depts = await m.getRepository(Department).find();
    await m.getRepository(Project).insert(
      Array.from({ length: PROJECTS }, (_, i) => ({ code: `BP${i}`, name: `Project ${i}`, departmentId: depts[i % DEPTS].id, createdAt: now })),
    );
    for (let i = 0; i < USERS; i += 500) {
      const chunk = Array.from({ length: Math.min(500, USERS - i) }, (_, j) => ({
        username: `bench.${i + j}`,
        displayName: `Bench ${i + j}`,
        passwordHash: hash,
        status: 'active' as const,
        agreementVersion: '2026-1',
        agreementSignedAt: now,
        createdAt: now,
      }));
      await m.getRepository(User).insert(chunk);
    }
    const extra: Partial<CasbinRule>[] = [];
    for (let r = 0; r < EXTRA_ROLES; r++) {
      extra.push({ ptype: 'p', v0: `bench_role_${r}`, v1: '*', v2: 'customer', v3: 'read', v4: 'allow' });
      extra.push({ ptype: 'p', v0: `bench_role_${r}`, v1: '*', v2: 'case', v3: 'read', v4: 'allow' });
    }
    await m.getRepository(CasbinRule).insert(extra);
    const users = await m.getRepository(User).find({ select: { id: true, username: true } });
    const roles = [...ROLE_NAMES.filter((r) => !['it_admin', 'general_manager', 'auditor', 'quality_inspector', 'dept_head'].includes(r)), ...Array.from({ length: EXTRA_ROLES }, (_, r) => `bench_role_${r}`)];
    const g: Partial<CasbinRule>[] = [];
    users
      .filter((u) => u.username.startsWith('bench.'))
      .forEach((u, i) => {
        g.push({ ptype: 'g', v0: userSubject(u.id), v1: roles[i % roles.length], v2: `project:BP${i % PROJECTS}` });
        if (i % 50 === 0) g.push({ ptype: 'g', v0: userSubject(u.id), v1: 'dept_head', v2: `dept:BD${i % DEPTS}` });
      });
    for (let i = 0; i < g.length; i += 1000) await m.getRepository(CasbinRule).insert(g.slice(i, i + 1000));
    await ctx.policyStore.bumpVersion(m);
  });
  const pLines = await ds.getRepository(CasbinRule).countBy({ ptype: 'p' });
  const gLines = await ds.getRepository(CasbinRule).countBy({ ptype: 'g' });
  console.log(`seeded ${USERS} users, ${PROJECTS} projects, ${DEPTS} departments, 20 roles: ${pLines} p lines, ${gLines} g lines (${Date.now() - t0} ms) on ${ds.options.type}`);

  // --- policy load ------------------------------------------------------------------------
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    const s = process.hrtime.bigint();
    await ctx.policy.reload();
    loads.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  console.log(`policy load (enforcer + ${pLines + gLines} lines + org map): ${loads.map((l) => l.toFixed(0)).join(' / ')} ms (target <= 1000 ms)`);

  // --- decisions --------------------------------------------------------------------------
  const users = await ds.getRepository(User).find({ select: { id: true } });
  const memberships = await ds.getRepository(CasbinRule).find({ where: { ptype: 'g' } });
  const objects = Object.entries(PERMISSIONS);
  const samples = 20_000;
  // Realistic asks: a member of a scope asking in that scope (or a project of their department),
  // for any object and action; one in four asks in a random project where they hold nothing.
  const keys = Array.from({ length: samples }, (_, i) => {
    const g = memberships[Math.floor(Math.random() * memberships.length)];
    const [obj, acts] = objects[Math.floor(Math.random() * objects.length)];
    const scope = i % 4 === 3 || g.v2.startsWith('dept:') ? `project:BP${Math.floor(Math.random() * PROJECTS)}` : g.v2;
    return [g.v0, scope, obj, acts[Math.floor(Math.random() * acts.length)]] as const;
  });
  const run = (label: string) => {
    const times: number[] = [];
    let allowed = 0;
    const start = process.hrtime.bigint();
    for (const k of keys) {
      const s = process.hrtime.bigint();
      if (ctx.policy.decide(k[0], k[1], k[2], k[3]).allowed) allowed++;
      times.push(Number(process.hrtime.bigint() - s) / 1e3);
    }
    const total = Number(process.hrtime.bigint() - start) / 1e9;
    times.sort((a, b) => a - b);
    console.log(
      `decisions ${label}: ${(samples / total).toFixed(0)}/s, p50 ${pct(times, 50).toFixed(1)} µs, p99 ${pct(times, 99).toFixed(1)} µs (${allowed} of ${samples} allowed)`,
    );
  };
  run('cold (first ask of each key, enforceExSync over the scope chain)');
  run('warm (decision cache)   ');

  // --- HTTP -------------------------------------------------------------------------------
  const app = createApp(ctx);
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const bare = express();
  bare.get('/bare', (_req, res) => res.json({ ok: true }));
  const bareServer = http.createServer(bare).listen(0, '127.0.0.1');
  await new Promise((r) => bareServer.once('listening', r));
  const me = users[users.length - 1];
  const token = ctx.tokens.issue(me.id, 0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bareRes = await autocannon(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bare`);
  const meRes = await autocannon(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  const adminToken = ctx.tokens.issue(1, (await ds.getRepository(User).findOneByOrFail({ id: 1 })).tokenVersion);
  const deptRes = await autocannon(`${base}/api/v1/departments`, { headers: { authorization: `Bearer ${adminToken}` } });
  const line = (name: string, r: { rps: number; p50: number; p99: number; errors: number }) =>
    console.log(`${name.padEnd(46)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}`);
  line('bare Express JSON route (baseline)', bareRes);
  line('GET /api/v1/me (JWT verify + user row + roles)', meRes);
  line('GET /api/v1/departments (+ policy decision)', deptRes);
  console.log(`ratio /me to baseline: ${(meRes.rps / bareRes.rps).toFixed(2)} of bare req/s; departments: ${(deptRes.rps / bareRes.rps).toFixed(2)}`);

  server.close();
  bareServer.close();
  await ds.destroy();
  if (!process.env.BENCH_DATABASE_URL) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
