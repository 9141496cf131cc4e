import { MigrationInterface, QueryRunner } from 'typeorm';

/** R-INSPECT (§5.3.2): bimonthly inspections, their checklist items, findings, rectification links, and notices (通報批評). */
const SQLITE = [
  "CREATE TABLE \"inspection\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"projectId\" integer NOT NULL, \"departmentId\" integer, \"period\" varchar(10) NOT NULL, \"periodStart\" datetime(3) NOT NULL, \"periodEnd\" datetime(3) NOT NULL, \"figuresFrom\" datetime(3) NOT NULL, \"figuresTo\" datetime(3) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('in_progress','completed') ) NOT NULL, \"conclusion\" text, \"createdAt\" datetime(3) NOT NULL, \"createdById\" integer, \"updatedAt\" datetime(3) NOT NULL, \"completedAt\" datetime(3), \"completedById\" integer)",
  "CREATE INDEX \"idx_inspection_period\" ON \"inspection\" (\"period\", \"status\") ",
  "CREATE UNIQUE INDEX \"uq_inspection_project_period\" ON \"inspection\" (\"projectId\", \"period\") ",
  "CREATE TABLE \"inspection_finding\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"inspectionId\" integer NOT NULL, \"itemId\" integer NOT NULL, \"projectId\" integer NOT NULL, \"departmentId\" integer, \"severity\" varchar CHECK( \"severity\" IN ('minor','major_hazard') ) NOT NULL, \"description\" text NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"createdById\" integer NOT NULL)",
  "CREATE INDEX \"idx_inspection_finding_project\" ON \"inspection_finding\" (\"projectId\") ",
  "CREATE INDEX \"idx_inspection_finding_inspection\" ON \"inspection_finding\" (\"inspectionId\") ",
  "CREATE TABLE \"inspection_item\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"inspectionId\" integer NOT NULL, \"position\" integer NOT NULL, \"requirementId\" varchar(40) NOT NULL, \"clause\" varchar(60) NOT NULL, \"requirementText\" text NOT NULL, \"checkZh\" text NOT NULL, \"checkEn\" text NOT NULL, \"figures\" text NOT NULL, \"result\" varchar CHECK( \"result\" IN ('pending','pass','fail','na') ) NOT NULL, \"notes\" text, \"evidence\" text, \"recordedAt\" datetime(3), \"recordedById\" integer)",
  "CREATE UNIQUE INDEX \"uq_inspection_item_requirement\" ON \"inspection_item\" (\"inspectionId\", \"requirementId\") ",
  "CREATE TABLE \"inspection_rectification\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"inspectionId\" integer NOT NULL, \"findingId\" integer NOT NULL, \"rectificationId\" integer NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"createdById\" integer NOT NULL)",
  "CREATE INDEX \"idx_inspection_rectification_inspection\" ON \"inspection_rectification\" (\"inspectionId\") ",
  "CREATE UNIQUE INDEX \"uq_inspection_rectification\" ON \"inspection_rectification\" (\"rectificationId\") ",
  "CREATE TABLE \"notice\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"kind\" varchar CHECK( \"kind\" IN ('public_criticism','announcement') ) NOT NULL, \"projectId\" integer, \"departmentId\" integer, \"inspectionId\" integer, \"title\" varchar(300) NOT NULL, \"body\" text NOT NULL, \"publishedAt\" datetime(3) NOT NULL, \"publishedById\" integer NOT NULL, \"sourceKey\" varchar(80))",
  "CREATE UNIQUE INDEX \"uq_notice_source\" ON \"notice\" (\"sourceKey\") ",
  "CREATE INDEX \"idx_notice_published\" ON \"notice\" (\"publishedAt\") ",
  "CREATE INDEX \"idx_notice_project\" ON \"notice\" (\"projectId\", \"publishedAt\") ",
];

const MYSQL = [
  "CREATE TABLE `inspection` (`id` int NOT NULL AUTO_INCREMENT, `projectId` int NOT NULL, `departmentId` int NULL, `period` varchar(10) NOT NULL, `periodStart` datetime(3) NOT NULL, `periodEnd` datetime(3) NOT NULL, `figuresFrom` datetime(3) NOT NULL, `figuresTo` datetime(3) NOT NULL, `status` enum ('in_progress', 'completed') NOT NULL, `conclusion` text NULL, `createdAt` datetime(3) NOT NULL, `createdById` int NULL, `updatedAt` datetime(3) NOT NULL, `completedAt` datetime(3) NULL, `completedById` int NULL, INDEX `idx_inspection_period` (`period`, `status`), UNIQUE INDEX `uq_inspection_project_period` (`projectId`, `period`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `inspection_finding` (`id` int NOT NULL AUTO_INCREMENT, `inspectionId` int NOT NULL, `itemId` int NOT NULL, `projectId` int NOT NULL, `departmentId` int NULL, `severity` enum ('minor', 'major_hazard') NOT NULL, `description` text NOT NULL, `createdAt` datetime(3) NOT NULL, `createdById` int NOT NULL, INDEX `idx_inspection_finding_project` (`projectId`), INDEX `idx_inspection_finding_inspection` (`inspectionId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `inspection_item` (`id` int NOT NULL AUTO_INCREMENT, `inspectionId` int NOT NULL, `position` int NOT NULL, `requirementId` varchar(40) NOT NULL, `clause` varchar(60) NOT NULL, `requirementText` text NOT NULL, `checkZh` text NOT NULL, `checkEn` text NOT NULL, `figures` text NOT NULL, `result` enum ('pending', 'pass', 'fail', 'na') NOT NULL, `notes` text NULL, `evidence` text NULL, `recordedAt` datetime(3) NULL, `recordedById` int NULL, UNIQUE INDEX `uq_inspection_item_requirement` (`inspectionId`, `requirementId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `inspection_rectification` (`id` int NOT NULL AUTO_INCREMENT, `inspectionId` int NOT NULL, `findingId` int NOT NULL, `rectificationId` int NOT NULL, `createdAt` datetime(3) NOT NULL, `createdById` int NOT NULL, INDEX `idx_inspection_rectification_inspection` (`inspectionId`), UNIQUE INDEX `uq_inspection_rectification` (`rectificationId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `notice` (`id` int NOT NULL AUTO_INCREMENT, `kind` enum ('public_criticism', 'announcement') NOT NULL, `projectId` int NULL, `departmentId` int NULL, `inspectionId` int NULL, `title` varchar(300) NOT NULL, `body` text NOT NULL, `publishedAt` datetime(3) NOT NULL, `publishedById` int NOT NULL, `sourceKey` varchar(80) NULL, UNIQUE INDEX `uq_notice_source` (`sourceKey`), INDEX `idx_notice_published` (`publishedAt`), INDEX `idx_notice_project` (`projectId`, `publishedAt`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class Inspections1764412000000 implements MigrationInterface {
  name = 'Inspections1764412000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of ['notice', 'inspection_rectification', 'inspection_finding', 'inspection_item', 'inspection']) await q.dropTable(table);
  }
}
