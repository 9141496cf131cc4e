import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 §1, R-AUDIT: the database's record of the signed audit digests written outside it
 * (numbered once across instances, one per interval, signed part kept for late file writes).
 */
const SQLITE = [
  'CREATE TABLE "audit_digest" ("number" integer PRIMARY KEY NOT NULL, "periodKey" varchar(40), "reason" varchar(16) NOT NULL, "fromSeq" integer NOT NULL, "toSeq" integer NOT NULL, "headHash" varchar(64) NOT NULL, "digestHash" varchar(64) NOT NULL, "keyId" varchar(32) NOT NULL, "createdAt" datetime(3) NOT NULL, "body" text NOT NULL, "writtenAt" datetime(3))',
  'CREATE UNIQUE INDEX "idx_audit_digest_period" ON "audit_digest" ("periodKey") ',
];
const MYSQL = [
  'CREATE TABLE `audit_digest` (`number` int NOT NULL, `periodKey` varchar(40) NULL, `reason` varchar(16) NOT NULL, `fromSeq` int NOT NULL, `toSeq` int NOT NULL, `headHash` varchar(64) NOT NULL, `digestHash` varchar(64) NOT NULL, `keyId` varchar(32) NOT NULL, `createdAt` datetime(3) NOT NULL, `body` text NOT NULL, `writtenAt` datetime(3) NULL, UNIQUE INDEX `idx_audit_digest_period` (`periodKey`), PRIMARY KEY (`number`)) ENGINE=InnoDB',
];

export class AuditDigests1764480000000 implements MigrationInterface {
  name = 'AuditDigests1764480000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_digest');
  }
}
