import { MigrationInterface, QueryRunner } from 'typeorm';

/** Control data: customer records (personal fields encrypted), their blind index, key check values. */
const SQLITE = [
  "CREATE TABLE \"customer\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"projectId\" integer NOT NULL, \"name\" varchar(100) NOT NULL, \"unit\" varchar(200) NOT NULL, \"nationality\" varchar CHECK( \"nationality\" IN ('domestic','foreign') ) NOT NULL DEFAULT ('domestic'), \"phonesEnc\" text, \"idNumberEnc\" text, \"employerEnc\" text, \"emailEnc\" text, \"emergencyContactEnc\" text, \"keyId\" varchar(20) NOT NULL, \"notes\" text, \"createdById\" integer, \"updatedById\" integer, \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL)",
  "CREATE INDEX \"idx_customer_project\" ON \"customer\" (\"projectId\", \"name\") ",
  "CREATE TABLE \"customer_lookup\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"customerId\" integer NOT NULL, \"projectId\" integer NOT NULL, \"kind\" varchar(20) NOT NULL, \"digest\" varchar(64) NOT NULL)",
  "CREATE INDEX \"idx_customer_lookup_customer\" ON \"customer_lookup\" (\"customerId\") ",
  "CREATE INDEX \"idx_customer_lookup_value\" ON \"customer_lookup\" (\"projectId\", \"kind\", \"digest\") ",
  "CREATE TABLE \"key_check\" (\"id\" varchar(40) PRIMARY KEY NOT NULL, \"checkValue\" varchar(64) NOT NULL, \"createdAt\" datetime(3) NOT NULL)",
];

const MYSQL = [
  "CREATE TABLE `customer` (`id` int NOT NULL AUTO_INCREMENT, `projectId` int NOT NULL, `name` varchar(100) NOT NULL, `unit` varchar(200) NOT NULL, `nationality` enum ('domestic', 'foreign') NOT NULL DEFAULT 'domestic', `phonesEnc` text NULL, `idNumberEnc` text NULL, `employerEnc` text NULL, `emailEnc` text NULL, `emergencyContactEnc` text NULL, `keyId` varchar(20) NOT NULL, `notes` text NULL, `createdById` int NULL, `updatedById` int NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_customer_project` (`projectId`, `name`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `customer_lookup` (`id` int NOT NULL AUTO_INCREMENT, `customerId` int NOT NULL, `projectId` int NOT NULL, `kind` varchar(20) NOT NULL, `digest` varchar(64) NOT NULL, INDEX `idx_customer_lookup_customer` (`customerId`), INDEX `idx_customer_lookup_value` (`projectId`, `kind`, `digest`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `key_check` (`id` varchar(40) NOT NULL, `checkValue` varchar(64) NOT NULL, `createdAt` datetime(3) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class CustomerRecords1764330000000 implements MigrationInterface {
  name = 'CustomerRecords1764330000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['customer_lookup', 'customer', 'key_check']) await q.dropTable(table);
  }
}
