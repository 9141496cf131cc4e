import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One customer per phone number and per ID number in a project, guaranteed by the database:
 * two concurrent creates (or a create racing an import) cannot both commit the same value.
 */
const SQLITE = [
  'DROP INDEX "idx_customer_lookup_value"',
  'CREATE UNIQUE INDEX "idx_customer_lookup_value" ON "customer_lookup" ("projectId", "kind", "digest") ',
];
const MYSQL = [
  'DROP INDEX `idx_customer_lookup_value` ON `customer_lookup`',
  'CREATE UNIQUE INDEX `idx_customer_lookup_value` ON `customer_lookup` (`projectId`, `kind`, `digest`)',
];
const SQLITE_DOWN = [
  'DROP INDEX "idx_customer_lookup_value"',
  'CREATE INDEX "idx_customer_lookup_value" ON "customer_lookup" ("projectId", "kind", "digest") ',
];
const MYSQL_DOWN = [
  'DROP INDEX `idx_customer_lookup_value` ON `customer_lookup`',
  'CREATE INDEX `idx_customer_lookup_value` ON `customer_lookup` (`projectId`, `kind`, `digest`)',
];

export class UniqueCustomerLookup1764370000000 implements MigrationInterface {
  name = 'UniqueCustomerLookup1764370000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE_DOWN : MYSQL_DOWN) await q.query(sql);
  }
}
