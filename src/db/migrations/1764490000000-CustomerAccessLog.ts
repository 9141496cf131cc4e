import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 §2, R-SECRET, R-AUDIT: who viewed which customer. The reads (ids only), their
 * hash-linked batches and the single head row that orders batches from every instance.
 */
const SQLITE = [
  'CREATE TABLE "customer_access" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "batchSeq" integer NOT NULL, "at" datetime(3) NOT NULL, "userId" integer NOT NULL, "customerId" integer, "projectId" integer, "kind" varchar(16) NOT NULL, "revealed" boolean NOT NULL, "route" varchar(120) NOT NULL, "requestId" varchar(64), "ref" varchar(64))',
  'CREATE INDEX "idx_customer_access_batch" ON "customer_access" ("batchSeq") ',
  'CREATE INDEX "idx_customer_access_project" ON "customer_access" ("projectId", "at") ',
  'CREATE INDEX "idx_customer_access_user" ON "customer_access" ("userId", "at") ',
  'CREATE INDEX "idx_customer_access_customer" ON "customer_access" ("customerId", "at") ',
  'CREATE TABLE "customer_access_batch" ("seq" integer PRIMARY KEY NOT NULL, "at" datetime(3) NOT NULL, "rowCount" integer NOT NULL, "prevHash" varchar(64) NOT NULL, "hash" varchar(64) NOT NULL)',
  'CREATE INDEX "idx_customer_access_batch_at" ON "customer_access_batch" ("at") ',
  'CREATE TABLE "customer_access_head" ("id" integer PRIMARY KEY NOT NULL, "seq" integer NOT NULL, "hash" varchar(64) NOT NULL)',
];
const MYSQL = [
  'CREATE TABLE `customer_access` (`id` int NOT NULL AUTO_INCREMENT, `batchSeq` int NOT NULL, `at` datetime(3) NOT NULL, `userId` int NOT NULL, `customerId` int NULL, `projectId` int NULL, `kind` varchar(16) NOT NULL, `revealed` tinyint NOT NULL, `route` varchar(120) NOT NULL, `requestId` varchar(64) NULL, `ref` varchar(64) NULL, INDEX `idx_customer_access_batch` (`batchSeq`), INDEX `idx_customer_access_project` (`projectId`, `at`), INDEX `idx_customer_access_user` (`userId`, `at`), INDEX `idx_customer_access_customer` (`customerId`, `at`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
  'CREATE TABLE `customer_access_batch` (`seq` int NOT NULL, `at` datetime(3) NOT NULL, `rowCount` int NOT NULL, `prevHash` varchar(64) NOT NULL, `hash` varchar(64) NOT NULL, INDEX `idx_customer_access_batch_at` (`at`), PRIMARY KEY (`seq`)) ENGINE=InnoDB',
  'CREATE TABLE `customer_access_head` (`id` int NOT NULL, `seq` int NOT NULL, `hash` varchar(64) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB',
];

export class CustomerAccessLog1764490000000 implements MigrationInterface {
  name = 'CustomerAccessLog1764490000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
    // The genesis head: the first batch links to 64 zeros, as the audit chain's first event does.
    await q.query(`INSERT INTO customer_access_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const t of ['customer_access_head', 'customer_access_batch', 'customer_access']) await q.dropTable(t);
  }
}
