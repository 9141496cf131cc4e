import { MigrationInterface, QueryRunner } from 'typeorm';

/** Bulk imports of customer records: the import record (status, progress, counts, row errors). */
const SQLITE = [
  "CREATE TABLE \"customer_import\" (\"id\" varchar(36) PRIMARY KEY NOT NULL, \"projectId\" integer NOT NULL, \"status\" varchar(20) NOT NULL, \"dryRun\" boolean NOT NULL DEFAULT (0), \"onError\" varchar(10) NOT NULL, \"format\" varchar(10) NOT NULL, \"fileName\" varchar(200), \"byteSize\" integer NOT NULL, \"totalRows\" integer NOT NULL DEFAULT (0), \"processedRows\" integer NOT NULL DEFAULT (0), \"created\" integer NOT NULL DEFAULT (0), \"updated\" integer NOT NULL DEFAULT (0), \"skipped\" integer NOT NULL DEFAULT (0), \"errors\" text, \"errorCount\" integer NOT NULL DEFAULT (0), \"createdById\" integer, \"runnerId\" varchar(64), \"createdAt\" datetime(3) NOT NULL, \"startedAt\" datetime(3), \"finishedAt\" datetime(3), \"message\" varchar(500))",
  "CREATE INDEX \"idx_customer_import_project\" ON \"customer_import\" (\"projectId\", \"createdAt\") ",
  "CREATE INDEX \"idx_customer_import_status\" ON \"customer_import\" (\"status\") ",
];

const MYSQL = [
  "CREATE TABLE `customer_import` (`id` varchar(36) NOT NULL, `projectId` int NOT NULL, `status` varchar(20) NOT NULL, `dryRun` tinyint NOT NULL DEFAULT 0, `onError` varchar(10) NOT NULL, `format` varchar(10) NOT NULL, `fileName` varchar(200) NULL, `byteSize` int NOT NULL, `totalRows` int NOT NULL DEFAULT '0', `processedRows` int NOT NULL DEFAULT '0', `created` int NOT NULL DEFAULT '0', `updated` int NOT NULL DEFAULT '0', `skipped` int NOT NULL DEFAULT '0', `errors` text NULL, `errorCount` int NOT NULL DEFAULT '0', `createdById` int NULL, `runnerId` varchar(64) NULL, `createdAt` datetime(3) NOT NULL, `startedAt` datetime(3) NULL, `finishedAt` datetime(3) NULL, `message` varchar(500) NULL, INDEX `idx_customer_import_project` (`projectId`, `createdAt`), INDEX `idx_customer_import_status` (`status`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class CustomerImports1764340000000 implements MigrationInterface {
  name = 'CustomerImports1764340000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('customer_import');
  }
}
