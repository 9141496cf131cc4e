import { MigrationInterface, QueryRunner } from 'typeorm';

/** Exports of control data (traceable by id) and external releases approved by the general manager (R-EXTERNAL). */
const SQLITE = [
  "CREATE TABLE \"customer_export\" (\"id\" varchar(36) PRIMARY KEY NOT NULL, \"projectId\" integer NOT NULL, \"format\" varchar(10) NOT NULL, \"purpose\" varchar(500) NOT NULL, \"fields\" text NOT NULL, \"rowCount\" integer NOT NULL, \"releaseId\" integer, \"createdById\" integer NOT NULL, \"createdAt\" datetime(3) NOT NULL)",
  "CREATE TABLE \"external_release\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"projectId\" integer NOT NULL, \"recipient\" varchar(200) NOT NULL, \"purpose\" varchar(500) NOT NULL, \"fields\" text NOT NULL, \"format\" varchar(10) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('pending','approved','rejected','downloaded','cancelled') ) NOT NULL DEFAULT ('pending'), \"requestedById\" integer NOT NULL, \"decidedById\" integer, \"decidedAt\" datetime(3), \"decisionNote\" varchar(500), \"availableUntil\" datetime(3), \"downloadedAt\" datetime(3), \"exportId\" varchar(36), \"createdAt\" datetime(3) NOT NULL)",
  "CREATE INDEX \"idx_release_status\" ON \"external_release\" (\"status\") ",
];

const MYSQL = [
  "CREATE TABLE `customer_export` (`id` varchar(36) NOT NULL, `projectId` int NOT NULL, `format` varchar(10) NOT NULL, `purpose` varchar(500) NOT NULL, `fields` text NOT NULL, `rowCount` int NOT NULL, `releaseId` int NULL, `createdById` int NOT NULL, `createdAt` datetime(3) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `external_release` (`id` int NOT NULL AUTO_INCREMENT, `projectId` int NOT NULL, `recipient` varchar(200) NOT NULL, `purpose` varchar(500) NOT NULL, `fields` text NOT NULL, `format` varchar(10) NOT NULL, `status` enum ('pending', 'approved', 'rejected', 'downloaded', 'cancelled') NOT NULL DEFAULT 'pending', `requestedById` int NOT NULL, `decidedById` int NULL, `decidedAt` datetime(3) NULL, `decisionNote` varchar(500) NULL, `availableUntil` datetime(3) NULL, `downloadedAt` datetime(3) NULL, `exportId` varchar(36) NULL, `createdAt` datetime(3) NOT NULL, INDEX `idx_release_status` (`status`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class ExportsAndReleases1764350000000 implements MigrationInterface {
  name = 'ExportsAndReleases1764350000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['external_release', 'customer_export']) await q.dropTable(table);
  }
}
