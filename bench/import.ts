/*
 * npm run bench:import — bulk import of customer records at scale (not a test: it prints figures).
 * Generates BENCH_IMPORT_ROWS rows (default 100,000; unique phones and valid ID numbers) as a
 * CSV file, uploads it to a real server of this process (POST /api/v1/customers/import, runs in
 * the background) and waits for it: validation, dedupe lookups, encryption, blind index, batched
 * inserts, one transaction. Then, as a baseline in the same run, a plain batched INSERT of the
 * same rows (no encryption, no lookups) into a scratch table in one transaction, and the ratio.
 * BENCH_DATABASE_URL picks the database (default: a fresh MariaDB database on TEST_MYSQL_URL's
 * server, created and dropped by the bench).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../src/app';
import { Customer } from '../src/entities/Customer';
import { User } from '../src/entities/User';
import { id18CheckChar } from '../src/lib/chinese-id';
import { benchContext, scratchMysql } from './lib';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);

function idNumber(i: number): string {
  const d = Math.floor(i / 1000);
  const body = `110105${1950 + (Math.floor(d / 336) % 50)}${String(1 + (Math.floor(d / 28) % 12)).padStart(2, '0')}${String(1 + (d % 28)).padStart(2, '0')}${String(i % 1000).padStart(3, '0')}`;
  return body + id18CheckChar(body);
}

function rowOf(i: number): string[] {
  return [`客戶${i}`, `${1 + (i % 30)}棟${String(100 + (i % 2000)).padStart(4, '0')}室`, 'domestic', `13${String(i).padStart(9, '0')}`, idNumber(i), `公司${i % 500}`, `c${i}@example.com`, `聯繫人${i}`, i % 10 ? '' : '業主'];
}

async function main() {
  let url = process.env.BENCH_DATABASE_URL;
  let drop: (() => Promise<void>) | null = null;
  if (!url) {
    const scratch = await scratchMysql('import');
    if (!scratch) throw new Error('bench:import needs MariaDB/MySQL (TEST_MYSQL_URL) or BENCH_DATABASE_URL');
    url = scratch.url;
    drop = () => scratch.drop();
  }
  const importDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-bench-imports-'));
  const csvFile = path.join(importDir, 'bench.csv');
  try {
    const { ctx, ds } = await benchContext(url, { IMPORT_DIR: importDir, IMPORT_MAX_BYTES: '200mb' });
    const admin = await ds.manager.getRepository(User).findOneByOrFail({ username: 'admin' });
    await ctx.users.signAgreement({ id: admin.id, username: admin.username }, '2026-1');
    const token = ctx.tokens.issue(admin.id, (await ds.manager.getRepository(User).findOneByOrFail({ id: admin.id })).tokenVersion);
    const project = await ctx.org.createProject({ id: admin.id, username: 'admin' }, { code: 'BENCH', name: 'Bench project', departmentCode: null });

    // The file.
    const rows = Array.from({ length: ROWS }, (_, i) => rowOf(i));
    fs.writeFileSync(csvFile, 'name,unit,nationality,phones,idNumber,employer,email,emergencyContact,notes\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
    const size = fs.statSync(csvFile).size;

    const server = http.createServer(createApp(ctx));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    console.log(`bench:import on ${ds.options.type}: ${ROWS} rows, ${(size / 1024 / 1024).toFixed(1)} MB CSV`);
    const t0 = performance.now();
    const answer = await new Promise<{ status: number; body: { id: string } }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: `/api/v1/customers/import?project=${project.code}`, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv', 'Content-Length': size } },
        (res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) }));
        },
      );
      req.on('error', reject);
      fs.createReadStream(csvFile).pipe(req);
    });
    const tAccepted = performance.now();
    if (answer.status !== 202 && answer.status !== 201) throw new Error(`import answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    await ctx.imports.whenSettled(answer.body.id);
    const t1 = performance.now();
    const rec = ctx.imports.view(await ctx.imports.load(answer.body.id));
    if (rec.status !== 'succeeded' || rec.created !== ROWS) throw new Error(`import ended ${rec.status}: ${rec.message}`);
    const count = await ds.manager.getRepository(Customer).countBy({ projectId: project.id });
    const importSeconds = (t1 - t0) / 1000;
    console.log(`  import:   ${importSeconds.toFixed(2)} s total (upload + checks ${((tAccepted - t0) / 1000).toFixed(2)} s, answer ${answer.status}), ${Math.round(ROWS / importSeconds)} rows/s; ${count} customers written`);
    await new Promise<void>((resolve) => server.close(() => resolve()));

    // Baseline: the same rows, plain batched INSERTs in one transaction, no encryption, no lookups.
    const mysql = ctx.db.mysql;
    await ds.query(
      mysql
        ? 'CREATE TABLE bench_baseline (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, projectId int NOT NULL, name varchar(100) NOT NULL, unit varchar(200) NOT NULL, nationality varchar(10) NOT NULL, phones text, idNumber text, employer text, email text, emergencyContact text, notes text) ENGINE=InnoDB'
        : 'CREATE TABLE bench_baseline (id integer PRIMARY KEY AUTOINCREMENT, projectId integer NOT NULL, name varchar(100) NOT NULL, unit varchar(200) NOT NULL, nationality varchar(10) NOT NULL, phones text, idNumber text, employer text, email text, emergencyContact text, notes text)',
    );
    const b0 = performance.now();
    await ctx.db.tx(async (m) => {
      for (let i = 0; i < rows.length; i += 500) {
        const chunk = rows.slice(i, i + 500);
        await m.query(
          `INSERT INTO bench_baseline (projectId, name, unit, nationality, phones, idNumber, employer, email, emergencyContact, notes) VALUES ${chunk.map(() => '(?,?,?,?,?,?,?,?,?,?)').join(',')}`,
          chunk.flatMap((r) => [project.id, ...r]),
        );
      }
    });
    const baselineSeconds = (performance.now() - b0) / 1000;
    await ds.query('DROP TABLE bench_baseline');
    console.log(`  baseline: ${baselineSeconds.toFixed(2)} s, ${Math.round(ROWS / baselineSeconds)} rows/s (plain batched INSERT, one transaction, no encryption/lookups)`);
    console.log(`  ratio:    import / baseline = ${(importSeconds / baselineSeconds).toFixed(1)}x; target ${ROWS === 100_000 ? '100,000 rows ≤ 30 s: ' + (importSeconds <= 30 ? 'met' : 'NOT met') : '(100,000 rows ≤ 30 s)'}`);
    ctx.policy.stopPolling();
    await ds.destroy();
  } finally {
    fs.rmSync(importDir, { recursive: true, force: true });
    if (drop) await drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
