/*
 * npm run migration:sql — for writing a migration: runs the existing migrations on a fresh
 * SQLite file and a fresh MariaDB/MySQL database (TEST_MYSQL_URL), then prints, per driver,
 * the SQL TypeORM's schema builder would still run to match the entities. Paste it into
 * src/db/migrations/<timestamp>-<Name>.ts (see the Foundation migration for the shape).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataSource } from '../src/db/data-source';

async function main() {
  const file = path.join(os.tmpdir(), `custodian-schema-${process.pid}.sqlite`);
  const base = new URL(process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test');
  const dbName = `schema_diff_${process.pid}`;
  const mysql = await import('mysql2/promise');
  const admin = await mysql.createConnection({ host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) });
  await admin.query(`CREATE DATABASE \`${dbName}\``);
  base.pathname = `/${dbName}`;
  try {
    for (const url of [`sqlite:${file}`, base.toString()]) {
      const ds = await createDataSource(url);
      await ds.initialize();
      await ds.runMigrations();
      const log = await ds.driver.createSchemaBuilder().log();
      console.log(`// ${ds.options.type}`);
      for (const q of log.upQueries) console.log(`  ${JSON.stringify(q.query)},`);
      await ds.destroy();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await admin.end();
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
