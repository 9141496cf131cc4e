/*
 * The test databases themselves: a test app starts on a database that cannot be told apart from
 * one freshly migrated (a copy of a template on SQLite, a pooled database emptied back to the
 * template on MySQL/MariaDB), and the bootstrap then runs on it as on any first start.
 */
import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { AuditEvent } from '../../src/entities/AuditEvent';
import { makeDepartment, makeProject, makeUser } from './factories';
import { startTestApp } from './test-app';
import { createMigratedTestDatabase, createTestDatabase, TestDatabase, testDbKind } from './test-db';

const mysql = testDbKind() === 'mysql';
const itMysql = mysql ? it : it.skip;

async function withDs<T>(url: string, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await createDataSource(url);
  await ds.initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

/** Everything a database holds: each table's definition (auto-increment counter included) and rows. */
async function fingerprint(url: string): Promise<Record<string, { schema: string; rows: string[] }>> {
  return withDs(url, async (ds) => {
    const out: Record<string, { schema: string; rows: string[] }> = {};
    const tables: Array<{ name: string; schema: string }> = mysql
      ? await Promise.all(
          ((await ds.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME')) as Array<{ name: string }>).map(
            async ({ name }) => ({ name, schema: (await ds.query(`SHOW CREATE TABLE \`${name}\``))[0]['Create Table'] as string }),
          ),
        )
      : ((await ds.query("SELECT name, sql AS schema FROM sqlite_master WHERE type = 'table' ORDER BY name")) as Array<{ name: string; schema: string }>);
    for (const { name, schema } of tables) {
      const rows = (await ds.query(mysql ? `SELECT * FROM \`${name}\`` : `SELECT * FROM "${name}"`)) as unknown[];
      out[name] = { schema, rows: rows.map((r) => JSON.stringify(r)).sort() };
    }
    if (!mysql) out['(indexes and triggers)'] = { schema: '', rows: ((await ds.query("SELECT type, name, sql FROM sqlite_master WHERE type <> 'table' ORDER BY name")) as unknown[]).map((r) => JSON.stringify(r)) };
    return out;
  });
}

/** A database migrated for real, as on a first start. */
async function freshlyMigrated(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  await withDs(db.url, (ds) => ds.runMigrations({ transaction: 'each' }));
  return db;
}

const dbName = (url: string) => new URL(url).pathname.slice(1);

/** MySQL: a closed app's connections leave the server's process list shortly after the pool ends. */
async function disconnected(url: string): Promise<void> {
  const admin = await createTestDatabase();
  try {
    await withDs(admin.url, async (ds) => {
      for (let i = 0; i < 100; i++) {
        const [{ n }] = await ds.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?', [dbName(url)]);
        if (Number(n) === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`${dbName(url)} still has connections`);
    });
  } finally {
    await admin.drop();
  }
}

async function databaseExists(url: string): Promise<boolean> {
  const admin = await createTestDatabase();
  try {
    return await withDs(admin.url, async (ds) => (await ds.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [dbName(url)])).length > 0);
  } finally {
    await admin.drop();
  }
}

/** An app that writes to many tables (organisation, users, roles, audit), then is closed. */
async function busyAppClosed(): Promise<string> {
  const t = await startTestApp();
  const d = await makeDepartment(t);
  const p = await makeProject(t, { departmentCode: d.code });
  await makeUser(t, { roles: [['staff', `project:${p.code}`]] });
  await makeUser(t, { roles: [['dept_head', `dept:${d.code}`]] });
  await t.close();
  if (mysql) await disconnected(t.dbUrl);
  return t.dbUrl;
}

describe('test databases', () => {
  it('a migrated test database holds exactly what the migrations leave, also after another app wrote to it', async () => {
    const fresh = await freshlyMigrated();
    try {
      const want = await fingerprint(fresh.url);
      expect(Object.keys(want).length).toBeGreaterThan(10);
      await busyAppClosed();
      const db = await createMigratedTestDatabase();
      try {
        // MySQL: the pool hands a used database back, emptied (the case that could go wrong).
        if (mysql) expect(db.reused).toBe(true);
        expect(await fingerprint(db.url)).toEqual(want);
      } finally {
        await db.drop();
      }
    } finally {
      await fresh.drop();
    }
  });

  it('the bootstrap runs on a test app as on a first start: same admin, same baseline policy, same audit trail', async () => {
    await busyAppClosed();
    const fresh = await createTestDatabase();
    const first = await startTestApp({ dbUrl: fresh.url });
    const app = await startTestApp();
    try {
      const trail = async (t: typeof app) =>
        (await t.ctx.db.manager.getRepository(AuditEvent).find({ order: { seq: 'ASC' } })).map((e) => ({ seq: e.seq, action: e.action, objectId: e.objectId, reason: e.reason }));
      expect(app.admin.id).toBe(first.admin.id);
      expect(await trail(app)).toEqual(await trail(first));
      expect((await app.ctx.policyStore.countLines(app.ctx.db.manager)) > 0).toBe(true);
      expect(await app.ctx.policyStore.countLines(app.ctx.db.manager)).toBe(await first.ctx.policyStore.countLines(first.ctx.db.manager));
    } finally {
      await app.close();
      await first.close();
      await fresh.drop();
    }
  });

  itMysql('a pooled database whose schema a test changed is dropped, never handed out again', async () => {
    const changed: string[] = [];
    // A new table; a new column; a new column on a table the migrations put rows in (their copy back cannot fit it).
    for (const change of ['CREATE TABLE `stray` (`id` int NOT NULL)', 'ALTER TABLE `department` ADD COLUMN `stray` int NULL', 'ALTER TABLE `audit_head` ADD COLUMN `stray` int NULL']) {
      const t = await startTestApp();
      await t.ctx.db.ds.query(change);
      await t.close();
      await disconnected(t.dbUrl);
      changed.push(t.dbUrl);
    }
    // Take every free database of the pool (and one new), so that both changed ones were looked at.
    const held: TestDatabase[] = [];
    try {
      do held.push(await createMigratedTestDatabase());
      while (held[held.length - 1].reused);
      for (const url of changed) {
        expect(held.map((h) => h.url)).not.toContain(url);
        expect(await databaseExists(url)).toBe(false);
      }
    } finally {
      for (const h of held) await h.drop();
    }
  });
});
