'use strict';
/*
 * After the whole run (jest's main process, whose pid names the run: see jest.config.js and
 * test/helpers/test-db.ts): removes the run's temp directory (SQLite files and template, the
 * workers' MySQL pool lists) and its pooled MySQL databases `ctp_<run>_…`. Plain JavaScript:
 * jest loads it outside the TypeScript transform.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function globalTeardown() {
  const run = String(process.pid);
  const dir = path.join(os.tmpdir(), `custodian-test-run-${run}`);
  if (!fs.existsSync(dir)) return;
  // Only a run that used MySQL has pool lists: a SQLite-only run never needs the server.
  const usedMysql = fs.readdirSync(dir).some((f) => f.startsWith('mysql-pool-'));
  fs.rmSync(dir, { recursive: true, force: true });
  if (!usedMysql) return;
  const mysql = require('mysql2/promise');
  const u = new URL(process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test');
  const c = await mysql.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  });
  try {
    const [rows] = await c.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [`ctp\\_${run}\\_%`]);
    for (const { name } of rows) await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await c.end();
  }
};
