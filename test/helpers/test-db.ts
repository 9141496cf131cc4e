import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from 'mysql2/promise';
import { createDataSource } from '../../src/db/data-source';

export type TestDbKind = 'sqlite' | 'mysql';

/** Which database this jest project runs on (jest.config.js sets the global per project). */
export function testDbKind(): TestDbKind {
  const kind = (globalThis as { TEST_DB?: string }).TEST_DB ?? process.env.TEST_DB ?? 'sqlite';
  if (kind === 'none') {
    // The `unit` project (jest.config.js) runs *.unit.test.ts once, with no database at all.
    throw new Error('This is a *.unit.test.ts file (the `unit` jest project runs it once, without a database): rename it to *.test.ts to use a database');
  }
  if (kind !== 'sqlite' && kind !== 'mysql') throw new Error(`Unknown TEST_DB ${kind}`);
  return kind;
}

export const MYSQL_BASE_URL = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';

export interface TestDatabase {
  url: string;
  /** Removes the database (or hands a pooled one back, to be emptied before its next use). */
  drop(): Promise<void>;
  /** True when a MySQL database of this worker's pool was emptied and handed out again. */
  reused?: boolean;
}

/*
 * One test run = one jest main process (jest.config.js passes its pid to every project as the
 * TEST_RUN global). Everything a run creates is named after it: the temp directory below (SQLite
 * files, the SQLite template, each worker's MySQL pool) and the `ctp_<run>_…` MySQL databases.
 * test/helpers/global-teardown.js removes them when the run ends; a run that was killed leaves
 * them behind, and the next run removes them (its pid is no longer alive).
 */
const RUN_PREFIX = 'custodian-test-run-';

export function testRunId(): string {
  return String((globalThis as { TEST_RUN?: string | number }).TEST_RUN ?? process.pid);
}

/** This run's temp directory (removed when the run ends). */
export function runDir(): string {
  const dir = path.join(os.tmpdir(), `${RUN_PREFIX}${testRunId()}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Signal 0 only asks: ESRCH is the one answer that means "no such process"; anything else counts as alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** A run that ended without its teardown (killed, crashed): its pid is gone. Never another live run's. */
function deadRun(run: string): boolean {
  return /^\d+$/.test(run) && run !== testRunId() && !alive(Number(run));
}

let staleDirsSwept = false;
function sweepStaleRunDirs(): void {
  if (staleDirsSwept) return;
  staleDirsSwept = true;
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (entry.startsWith(RUN_PREFIX) && deadRun(entry.slice(RUN_PREFIX.length))) {
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }
  }
}

/** The migrations a template was made with: a template is never used for another set (a migration added or edited meanwhile). */
let migrationsHashMemo: string | undefined;
function migrationsHash(): string {
  if (migrationsHashMemo) return migrationsHashMemo;
  const dir = path.resolve(__dirname, '../../src/db/migrations');
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir).sort()) h.update(f).update('\0').update(fs.readFileSync(path.join(dir, f))).update('\0');
  return (migrationsHashMemo = h.digest('hex').slice(0, 12));
}

/** Runs every migration on an empty database, exactly as the first start of a real instance does. */
async function migrate(url: string): Promise<void> {
  const ds = await createDataSource(url);
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    // SQLite: fold the WAL into the file, so that copying the file alone copies everything.
    if (url.startsWith('sqlite:')) await ds.query('PRAGMA wal_checkpoint(TRUNCATE)');
  } finally {
    await ds.destroy();
  }
}

async function mysqlAdmin(): Promise<Connection> {
  const mysql = await import('mysql2/promise');
  const u = new URL(MYSQL_BASE_URL);
  try {
    return await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      // The reset of a pooled database is a few batches of statements: one round trip each.
      multipleStatements: true,
    });
  } catch (err) {
    // Never skip: the suite must fail when MariaDB/MySQL is missing.
    throw new Error(`MariaDB/MySQL is required for the mysql test project (${MYSQL_BASE_URL}): ${String(err)}`);
  }
}

function mysqlUrl(name: string): string {
  const u = new URL(MYSQL_BASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

const q = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/**
 * A fresh, EMPTY database (no migrations run): a temp SQLite file, or a new MySQL database.
 * For tests of the migrations themselves and of a first start; test apps use
 * createMigratedTestDatabase().
 */
export async function createTestDatabase(kind: TestDbKind = testDbKind()): Promise<TestDatabase> {
  const tag = `${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const file = path.join(runDir(), `empty-${tag}.sqlite`);
    return { url: `sqlite:${file}`, drop: async () => removeSqlite(file) };
  }
  const name = `ct_${tag}`;
  const admin = await mysqlAdmin();
  await admin.query(`CREATE DATABASE ${q(name)} CHARACTER SET utf8mb4`);
  await admin.end();
  return {
    url: mysqlUrl(name),
    drop: async () => {
      const a = await mysqlAdmin();
      await a.query(`DROP DATABASE IF EXISTS ${q(name)}`);
      await a.end();
    },
  };
}

function removeSqlite(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/**
 * A database with every migration applied, indistinguishable from one freshly migrated (same
 * schema, same seed rows, auto-increment counters where the migrations leave them), made without
 * running the migrations again for each test app:
 * - SQLite: a copy of the run's template file, migrated once (per set of migrations);
 * - MySQL/MariaDB: a database of this worker's pool, emptied back to the template's state, or a
 *   new one migrated for real when none is free.
 * The caller (startTestApp) then bootstraps it as on any first start.
 */
export async function createMigratedTestDatabase(kind: TestDbKind = testDbKind()): Promise<TestDatabase> {
  sweepStaleRunDirs();
  return kind === 'sqlite' ? copySqliteTemplate() : acquirePooledMysql();
}

// --- SQLite: one template file per run, copied for each app ---

let sqliteTemplateMemo: Promise<string> | undefined;

async function sqliteTemplate(): Promise<string> {
  const file = path.join(runDir(), `template-${migrationsHash()}.sqlite`);
  if (fs.existsSync(file)) return file;
  // Migrated under a private name, then renamed: another worker never copies a half-made template
  // (two workers racing both migrate, and the last rename wins: both files are the same).
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  try {
    await migrate(`sqlite:${tmp}`);
    fs.renameSync(tmp, file);
  } finally {
    removeSqlite(tmp);
  }
  return file;
}

async function copySqliteTemplate(): Promise<TestDatabase> {
  const template = await (sqliteTemplateMemo ??= sqliteTemplate().catch((err) => {
    sqliteTemplateMemo = undefined;
    throw err;
  }));
  const file = path.join(runDir(), `app-${process.pid}_${crypto.randomBytes(4).toString('hex')}.sqlite`);
  fs.copyFileSync(template, file);
  return { url: `sqlite:${file}`, drop: async () => removeSqlite(file) };
}

// --- MySQL/MariaDB: a pool of migrated databases per worker, emptied between apps ---

/*
 * Jest loads this module afresh for each test file, so the pool (which outlives a test file) is
 * kept in a small file per worker process. A worker runs one test file at a time, and every
 * change to the file is a synchronous read-modify-write: two apps starting at once in one file
 * never get the same database.
 */
interface PoolState {
  /** Pristine template: migrated once, never handed out; what "emptied" means. */
  template: string | null;
  templateHash: string | null;
  /** Handed back by drop(): reusable once nobody is connected to them. */
  free: string[];
}

function poolFile(): string {
  return path.join(runDir(), `mysql-pool-${process.pid}.json`);
}

function readPool(): PoolState {
  try {
    return JSON.parse(fs.readFileSync(poolFile(), 'utf8')) as PoolState;
  } catch {
    return { template: null, templateHash: null, free: [] };
  }
}

function updatePool(change: (s: PoolState) => void): PoolState {
  const s = readPool();
  change(s);
  fs.writeFileSync(poolFile(), JSON.stringify(s));
  return s;
}

function poolPrefix(): string {
  return `ctp_${testRunId()}_${process.pid}_`;
}

interface TemplateShape {
  name: string;
  /** Table name → SHOW CREATE TABLE (AUTO_INCREMENT included): what a reset database must show. */
  ddl: Map<string, string>;
  /** Table name → AUTO_INCREMENT after the migrations (null: no auto-increment column). */
  autoIncrement: Map<string, number | null>;
  /** Tables the migrations put rows in (the migrations table, policy_meta, audit_head, ...). */
  seeded: string[];
  /** Triggers and routines: schema too, though SHOW CREATE TABLE does not show them. */
  programs: number;
}

let templateMemo: Promise<TemplateShape> | undefined;

async function tableList(c: Connection, db: string): Promise<Array<{ name: string; type: string; ai: number | null }>> {
  const [rows] = await c.query(
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type, AUTO_INCREMENT AS ai FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [db],
  );
  return (rows as Array<{ name: string; type: string; ai: number | string | null }>).map((r) => ({ name: r.name, type: r.type, ai: r.ai === null ? null : Number(r.ai) }));
}

async function showCreate(c: Connection, db: string, tables: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (tables.length === 0) return out;
  const [results] = await c.query(tables.map((t) => `SHOW CREATE TABLE ${q(db)}.${q(t)}`).join(';'));
  const sets = (tables.length === 1 ? [results] : results) as Array<Array<Record<string, string>>>;
  tables.forEach((t, i) => out.set(t, sets[i][0]['Create Table'] ?? sets[i][0]['Create View']));
  return out;
}

/** MySQL 8 caches information_schema statistics (AUTO_INCREMENT among them); MariaDB has no such cache. */
async function freshStatistics(c: Connection): Promise<void> {
  try {
    await c.query('SET SESSION information_schema_stats_expiry = 0');
  } catch {
    // MariaDB: the variable does not exist, and the figures are always current.
  }
}

async function loadTemplate(): Promise<TemplateShape> {
  const hash = migrationsHash();
  const c = await mysqlAdmin();
  try {
    await freshStatistics(c);
    const pool = readPool();
    let name = pool.templateHash === hash ? pool.template : null;
    if (name) {
      const [rows] = await c.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
      if ((rows as unknown[]).length === 0) name = null;
    }
    const template = name ?? (await makeTemplate(c, hash));
    const tables = (await tableList(c, template)).filter((t) => t.type === 'BASE TABLE');
    const [nonEmpty] = await c.query(
      tables.map((t) => `SELECT ? AS name FROM DUAL WHERE EXISTS (SELECT 1 FROM ${q(template)}.${q(t.name)})`).join(' UNION ALL '),
      tables.map((t) => t.name),
    );
    return {
      name: template,
      ddl: await showCreate(c, template, tables.map((t) => t.name)),
      autoIncrement: new Map(tables.map((t) => [t.name, t.ai])),
      seeded: (nonEmpty as Array<{ name: string }>).map((r) => r.name),
      programs: await programCount(c, template),
    };
  } finally {
    await c.end();
  }
}

/** This worker's template: migrated for real, never handed out. The pool's older databases go with the older template. */
async function makeTemplate(c: Connection, hash: string): Promise<string> {
  await dropStaleRunDatabases(c);
  const name = `${poolPrefix()}t${hash}`;
  await c.query(`DROP DATABASE IF EXISTS ${q(name)}`);
  await c.query(`CREATE DATABASE ${q(name)} CHARACTER SET utf8mb4`);
  await migrate(mysqlUrl(name));
  const old = readPool();
  for (const db of old.free) await c.query(`DROP DATABASE IF EXISTS ${q(db)}`);
  if (old.template && old.template !== name) await c.query(`DROP DATABASE IF EXISTS ${q(old.template)}`);
  updatePool((s) => {
    s.template = name;
    s.templateHash = hash;
    s.free = [];
  });
  return name;
}

/**
 * Databases of runs that ended without their teardown (`ctp_<run>_…`), and of workers that are
 * gone (`ct_<worker>_…`: kept with keepDatabase and never dropped). A live process's are never touched.
 */
async function dropStaleRunDatabases(c: Connection): Promise<void> {
  const [rows] = await c.query("SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'ctp\\_%' OR SCHEMA_NAME LIKE 'ct\\_%'");
  for (const { name } of rows as Array<{ name: string }>) {
    const owner = name.split('_')[1];
    if (deadRun(owner)) await c.query(`DROP DATABASE IF EXISTS ${q(name)}`);
  }
}

function pooled(name: string, reused: boolean): TestDatabase {
  let released = false;
  return {
    url: mysqlUrl(name),
    reused,
    // Handed back, not dropped: the next app empties it (when nobody is connected any more).
    drop: async () => {
      if (released) return;
      released = true;
      updatePool((s) => {
        if (!s.free.includes(name)) s.free.push(name);
      });
    },
  };
}

async function acquirePooledMysql(): Promise<TestDatabase> {
  const template = await (templateMemo ??= loadTemplate().catch((err) => {
    templateMemo = undefined;
    throw err;
  }));
  const c = await mysqlAdmin();
  try {
    await freshStatistics(c);
    const busy: string[] = [];
    try {
      for (;;) {
        // Oldest first (the database handed back last may still have connections closing), taken
        // off the list before any await: an app starting at the same time never gets it too.
        let name: string | undefined;
        updatePool((s) => {
          name = s.free.shift();
        });
        if (!name) break;
        const outcome = await resetToTemplate(c, name, template);
        if (outcome === 'ok') return pooled(name, true);
        if (outcome === 'busy') busy.push(name);
        else await c.query(`DROP DATABASE IF EXISTS ${q(name)}`);
      }
    } finally {
      if (busy.length) updatePool((s) => s.free.push(...busy));
    }
    const name = `${poolPrefix()}${crypto.randomBytes(4).toString('hex')}`;
    await c.query(`CREATE DATABASE ${q(name)} CHARACTER SET utf8mb4`);
    await migrate(mysqlUrl(name));
    return pooled(name, false);
  } finally {
    await c.end();
  }
}

/**
 * Empties a pooled database back to the template: every table emptied, the template's seed rows
 * copied in, auto-increment counters set back. Then every table's SHOW CREATE TABLE (counters
 * included) must read exactly as the template's: a database whose schema a test changed is
 * dropped ('changed'), never handed out. 'busy': someone is still connected to it.
 */
async function resetToTemplate(c: Connection, db: string, t: TemplateShape): Promise<'ok' | 'busy' | 'changed'> {
  const [conns] = await c.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [db]);
  if (Number((conns as Array<{ n: number }>)[0].n) > 0) return 'busy';
  const tables = await tableList(c, db);
  if (tables.length !== t.ddl.size || tables.some((x) => x.type !== 'BASE TABLE' || !t.ddl.has(x.name))) return 'changed';
  // The schema first, counters aside: emptying tables a test has altered could fail half-way.
  if (!(await sameSchema(c, db, t, { counters: false }))) return 'changed';
  try {
    await c.query(
      [
        'SET FOREIGN_KEY_CHECKS = 0',
        'START TRANSACTION',
        ...tables.map((x) => `DELETE FROM ${q(db)}.${q(x.name)}`),
        ...t.seeded.map((name) => `INSERT INTO ${q(db)}.${q(name)} SELECT * FROM ${q(t.name)}.${q(name)}`),
        'COMMIT',
        'SET FOREIGN_KEY_CHECKS = 1',
      ].join(';'),
    );
  } catch {
    // Whatever went wrong, this database is not handed out: it is dropped and a new one migrated.
    await c.query('ROLLBACK; SET FOREIGN_KEY_CHECKS = 1');
    return 'changed';
  }
  const counters = (await tableList(c, db)).filter((x) => t.autoIncrement.get(x.name) != null && x.ai !== t.autoIncrement.get(x.name));
  if (counters.length) await c.query(counters.map((x) => `ALTER TABLE ${q(db)}.${q(x.name)} AUTO_INCREMENT = ${t.autoIncrement.get(x.name)}`).join(';'));
  return (await sameSchema(c, db, t, { counters: true })) ? 'ok' : 'changed';
}

async function sameSchema(c: Connection, db: string, t: TemplateShape, opts: { counters: boolean }): Promise<boolean> {
  const shown = (ddl: string) => (opts.counters ? ddl : ddl.replace(/ AUTO_INCREMENT=\d+/, ''));
  const ddl = await showCreate(c, db, [...t.ddl.keys()]);
  for (const [name, create] of t.ddl) if (shown(ddl.get(name) ?? '') !== shown(create)) return false;
  return (await programCount(c, db)) === t.programs;
}

async function programCount(c: Connection, db: string): Promise<number> {
  const [rows] = await c.query(
    'SELECT (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?) + (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?) AS n',
    [db, db],
  );
  return Number((rows as Array<{ n: number | string }>)[0].n);
}
