import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type TestDbKind = 'sqlite' | 'mysql';

/** Which database this jest project runs on (jest.config.js sets the global per project). */
export function testDbKind(): TestDbKind {
  const kind = (globalThis as { TEST_DB?: string }).TEST_DB ?? process.env.TEST_DB ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'mysql') throw new Error(`Unknown TEST_DB ${kind}`);
  return kind;
}

export const MYSQL_BASE_URL = process.env.TEST_MYSQL_URL || 'mysql://root@127.0.0.1:3306/test';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function mysqlAdmin() {
  const mysql = await import('mysql2/promise');
  const u = new URL(MYSQL_BASE_URL);
  try {
    return await mysql.createConnection({
      host: u.hostname,
      port: Number(u.port || 3306),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
    });
  } catch (err) {
    // Never skip: the suite must fail when MariaDB/MySQL is missing.
    throw new Error(`MariaDB/MySQL is required for the mysql test project (${MYSQL_BASE_URL}): ${String(err)}`);
  }
}

/** A fresh, empty database for one test app: a temp SQLite file, or a new MySQL database. */
export async function createTestDatabase(kind: TestDbKind = testDbKind()): Promise<TestDatabase> {
  const tag = `${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  if (kind === 'sqlite') {
    const file = path.join(os.tmpdir(), `custodian-test-${tag}.sqlite`);
    return {
      url: `sqlite:${file}`,
      drop: async () => {
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      },
    };
  }
  const name = `ct_${tag}`;
  const admin = await mysqlAdmin();
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await admin.end();
  const u = new URL(MYSQL_BASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const a = await mysqlAdmin();
      await a.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await a.end();
    },
  };
}
