/*
 * npm run bench:cases — complaint-case registration under concurrency (not a test: it prints
 * figures). autocannon (10 connections, BENCH_SECONDS, default 5) against, in one run:
 * a bare Express route doing one plain INSERT into a scratch table of the same database
 * (baseline); POST /api/v1/cases (JWT + policy + counter row locked in the transaction + case +
 * event + audit write) with a staff token of the project; GET /api/v1/cases/:id. Prints req/s,
 * p50, p99, errors and the ratios; then checks that the month's case numbers are unique and
 * gap-free (count, min, max serial, counter row) and that the audit chain still verifies.
 * Runs on SQLite (temp file) and, if reachable, on MariaDB (a scratch database it creates and drops).
 */
import 'reflect-metadata';
import express from 'express';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import { createApp } from '../src/app';
import { verifyAuditChain } from '../src/audit/verify';
import { CaseNumberCounter } from '../src/entities/CaseNumberCounter';
import { autocannon, benchCaseOrg, benchContext, Figures, onBothDatabases } from './lib';

const loadavg = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function runOn(url: string): Promise<void> {
  const { ctx, ds } = await benchContext(url);
  const mysql = ctx.db.mysql;
  const { staff, intake, token } = await benchCaseOrg(ctx);
  const first = await ctx.cases.register(staff, intake);

  // The baseline's scratch table and route: the same columns a case row carries from the body.
  await ds.query(
    mysql
      ? 'CREATE TABLE bench_case_baseline (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, projectCode varchar(40) NOT NULL, customerId int NOT NULL, channel varchar(20) NOT NULL, type varchar(40) NOT NULL, request text NOT NULL, items text NOT NULL, createdAt datetime(3) NOT NULL) ENGINE=InnoDB'
      : 'CREATE TABLE bench_case_baseline (id integer PRIMARY KEY AUTOINCREMENT, projectCode varchar(40) NOT NULL, customerId integer NOT NULL, channel varchar(20) NOT NULL, type varchar(40) NOT NULL, request text NOT NULL, items text NOT NULL, createdAt datetime NOT NULL)',
  );
  const bare = express();
  bare.post('/bare', express.json(), async (req, res) => {
    const b = req.body;
    await ds.query('INSERT INTO bench_case_baseline (projectCode, customerId, channel, type, request, items, createdAt) VALUES (?,?,?,?,?,?,?)', [
      b.project,
      b.customerId,
      b.channel,
      b.type,
      b.request,
      JSON.stringify(b.items ?? []),
      mysql ? new Date() : new Date().toISOString(),
    ]);
    res.status(201).json({ ok: true });
  });

  const server = http.createServer(createApp(ctx)).listen(0, '127.0.0.1');
  const bareServer = http.createServer(bare).listen(0, '127.0.0.1');
  await Promise.all([new Promise((r) => server.once('listening', r)), new Promise((r) => bareServer.once('listening', r))]);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const body = JSON.stringify(intake);
  const json = { 'content-type': 'application/json' };
  const auth = { authorization: `Bearer ${token}` };

  const loadBefore = loadavg();
  const baseline = await autocannon(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bare`, { method: 'POST', headers: json, body });
  const register = await autocannon(`${base}/api/v1/cases`, { method: 'POST', headers: { ...auth, ...json }, body });
  const read = await autocannon(`${base}/api/v1/cases/${first.id}`, { headers: auth });
  const loadAfter = loadavg();
  server.close();
  bareServer.close();

  const baselineRows = Number((await ds.query('SELECT COUNT(*) AS n FROM bench_case_baseline'))[0].n);
  await ds.query('DROP TABLE bench_case_baseline');

  console.log(`${ds.options.type}: 10 connections × ${process.env.BENCH_SECONDS ?? 5} s each; load avg ${loadBefore} → ${loadAfter}`);
  const line = (name: string, f: Figures, ratio: string) =>
    console.log(`  ${name.padEnd(44)} ${f.rps.toFixed(0).padStart(6)} req/s  p50 ${String(f.p50).padStart(3)} ms  p99 ${String(f.p99).padStart(4)} ms  errors ${String(f.errors).padStart(4)}  ${ratio}`);
  const pct = (f: Figures) => `${((100 * f.rps) / baseline.rps).toFixed(0)}% of baseline`;
  line('bare Express plain INSERT (baseline)', baseline, `(${baselineRows} rows)`);
  line('POST /cases (register: counter lock + audit)', register, pct(register));
  line('GET /cases/:id (masked, redacted)', read, `${pct(read)}; register = ${((100 * register.rps) / read.rps).toFixed(0)}% of read`);

  // R-CASE-NO after the load: per month, unique and gap-free from 1, and the counter agrees.
  const nos: string[] = (await ds.query(mysql ? 'SELECT caseNo FROM complaint_case' : 'SELECT "caseNo" FROM "complaint_case"')).map((r: { caseNo: string }) => r.caseNo);
  const byMonth = new Map<string, number[]>();
  for (const no of nos) {
    const [month, serial] = no.split('-');
    byMonth.set(month, [...(byMonth.get(month) ?? []), Number(serial)]);
  }
  for (const [month, serials] of byMonth) {
    const distinct = new Set(serials).size;
    const min = Math.min(...serials);
    const max = Math.max(...serials);
    const counter = await ds.manager.getRepository(CaseNumberCounter).findOneBy({ month });
    const ok = distinct === serials.length && min === 1 && max === serials.length && counter?.lastSerial === max;
    console.log(
      `  case numbers ${month}: count ${serials.length}, distinct ${distinct}, min ${min}, max ${max}, counter ${counter?.lastSerial ?? 'missing'} → ${ok ? 'unique and gap-free' : 'BROKEN (duplicates, gaps or counter mismatch)'}; registered under load ${serials.length - 1}`,
    );
  }
  const chain = await verifyAuditChain(ds);
  console.log(`  audit chain: ${chain.ok ? `verifies (${chain.count} events)` : `BROKEN at seq ${chain.brokenAtSeq}: ${chain.reason}`}`);

  ctx.policy.stopPolling();
  await ds.destroy();
}

onBothDatabases('cases', runOn);
