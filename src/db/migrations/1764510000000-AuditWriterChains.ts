import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 16, R-AUDIT: each writer's own chain of entries not yet sealed into the one chain
 * (audit_pending), and each writer's two heads (written by it, sealed by the sealer): on a
 * multi-primary cluster, writers on different nodes never update the same row.
 */
const SQLITE = [
  "CREATE TABLE \"audit_pending\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"writer\" varchar(64) NOT NULL, \"wseq\" integer NOT NULL, \"at\" datetime(3) NOT NULL, \"actorId\" integer, \"actorName\" varchar(64), \"action\" varchar(100) NOT NULL, \"objectType\" varchar(60), \"objectId\" varchar(120), \"scope\" varchar(120), \"decision\" varchar(10), \"reason\" text, \"requestId\" varchar(64), \"ip\" varchar(64), \"before\" text, \"after\" text, \"prevHash\" varchar(64) NOT NULL, \"hash\" varchar(64) NOT NULL)",
  "CREATE UNIQUE INDEX \"idx_audit_pending_writer\" ON \"audit_pending\" (\"writer\", \"wseq\") ",
  "CREATE TABLE \"audit_writer_head\" (\"writer\" varchar(64) NOT NULL, \"role\" varchar(8) NOT NULL, \"wseq\" integer NOT NULL, \"hash\" varchar(64) NOT NULL, \"updatedAt\" datetime(3) NOT NULL, PRIMARY KEY (\"writer\", \"role\"))",
];
const MYSQL = [
  "CREATE TABLE `audit_pending` (`id` int NOT NULL AUTO_INCREMENT, `writer` varchar(64) NOT NULL, `wseq` int NOT NULL, `at` datetime(3) NOT NULL, `actorId` int NULL, `actorName` varchar(64) NULL, `action` varchar(100) NOT NULL, `objectType` varchar(60) NULL, `objectId` varchar(120) NULL, `scope` varchar(120) NULL, `decision` varchar(10) NULL, `reason` text NULL, `requestId` varchar(64) NULL, `ip` varchar(64) NULL, `before` text NULL, `after` text NULL, `prevHash` varchar(64) NOT NULL, `hash` varchar(64) NOT NULL, UNIQUE INDEX `idx_audit_pending_writer` (`writer`, `wseq`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `audit_writer_head` (`writer` varchar(64) NOT NULL, `role` varchar(8) NOT NULL, `wseq` int NOT NULL, `hash` varchar(64) NOT NULL, `updatedAt` datetime(3) NOT NULL, PRIMARY KEY (`writer`, `role`)) ENGINE=InnoDB",
];

export class AuditWriterChains1764510000000 implements MigrationInterface {
  name = 'AuditWriterChains1764510000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_writer_head');
    await q.dropTable('audit_pending');
  }
}
