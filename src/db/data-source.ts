import fs from 'node:fs';
import path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from '../entities';
import { MIGRATIONS } from './migrations';

/**
 * One code path, two databases: `sqlite:<file>` (embedded default, one instance) or
 * `mysql://user:pass@host:port/db` (production, several instances on one database).
 */
export function dataSourceOptions(databaseUrl: string, flavor: 'mysql' | 'mariadb' = 'mysql'): DataSourceOptions {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, synchronize: false, logging: false } as const;
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length) || 'var/custodian.sqlite';
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: file,
      // Several readers while one writer works; foreign keys and a busy timeout for the CLI scripts.
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
      },
    };
  }
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  return {
    ...common,
    // TypeORM reads MariaDB's catalog differently (nullable defaults): it must know which it is.
    type: databaseUrl.startsWith('mariadb:') ? 'mariadb' : flavor,
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.replace(/^\//, ''),
    // Dates in UTC both ways, so that audit hashes computed before insert match what is read back.
    timezone: 'Z',
    charset: 'utf8mb4',
    extra: { connectionLimit: Number(url.searchParams.get('connectionLimit') ?? 10) },
    connectTimeout: 5000,
  };
}

/** Asks a mysql:// server whether it is MariaDB, so that one URL scheme serves both. */
export async function detectFlavor(databaseUrl: string): Promise<'mysql' | 'mariadb'> {
  if (databaseUrl.startsWith('mariadb:')) return 'mariadb';
  const opts = dataSourceOptions(databaseUrl) as { host: string; port: number; username: string; password: string };
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    host: opts.host,
    port: opts.port,
    user: opts.username,
    password: opts.password,
    connectTimeout: 5000,
  });
  try {
    const [rows] = await conn.query('SELECT VERSION() AS v');
    return /mariadb/i.test(String((rows as Array<{ v: string }>)[0].v)) ? 'mariadb' : 'mysql';
  } finally {
    await conn.end();
  }
}

export async function createDataSource(databaseUrl: string): Promise<DataSource> {
  if (databaseUrl.startsWith('sqlite:')) return new DataSource(dataSourceOptions(databaseUrl));
  return new DataSource(dataSourceOptions(databaseUrl, await detectFlavor(databaseUrl)));
}

export function isMysql(ds: DataSource): boolean {
  return ds.options.type === 'mysql' || ds.options.type === 'mariadb';
}
