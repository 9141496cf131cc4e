import { MigrationInterface, QueryRunner } from 'typeorm';

/** Monthly risk self-assessments with their risk items (R-RISK-MONTHLY), rectification actions (R-RISK-MONTHLY, R-INSPECT), the port register (R-PORTS). */
const SQLITE = [
  "CREATE TABLE \"port_record\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"departmentId\" integer NOT NULL, \"assetTag\" varchar(60) NOT NULL, \"userId\" integer, \"userName\" varchar(200), \"location\" varchar(200) NOT NULL, \"usbStatus\" varchar CHECK( \"usbStatus\" IN ('sealed','open') ) NOT NULL, \"burnerStatus\" varchar CHECK( \"burnerStatus\" IN ('sealed','open','none') ) NOT NULL, \"decision\" varchar(1000) NOT NULL, \"approvedById\" integer NOT NULL, \"riskAssessmentId\" integer, \"lastVerifiedAt\" datetime(3), \"lastVerifiedById\" integer, \"createdById\" integer NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL, CONSTRAINT \"UQ_dc4b9de6ced36afc2396a1b5c20\" UNIQUE (\"assetTag\"))",
  "CREATE INDEX \"idx_port_record_department\" ON \"port_record\" (\"departmentId\") ",
  "CREATE TABLE \"rectification\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"sourceType\" varchar CHECK( \"sourceType\" IN ('risk_assessment','inspection') ) NOT NULL, \"sourceId\" integer NOT NULL, \"departmentId\" integer, \"projectId\" integer, \"description\" varchar(1000) NOT NULL, \"ownerUserId\" integer NOT NULL, \"dueDate\" varchar(10) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('open','in_progress','done') ) NOT NULL DEFAULT ('open'), \"evidenceNotes\" text, \"doneAt\" datetime(3), \"createdById\" integer NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL)",
  "CREATE INDEX \"idx_rectification_project\" ON \"rectification\" (\"projectId\") ",
  "CREATE INDEX \"idx_rectification_department\" ON \"rectification\" (\"departmentId\") ",
  "CREATE INDEX \"idx_rectification_due\" ON \"rectification\" (\"status\", \"dueDate\") ",
  "CREATE INDEX \"idx_rectification_source\" ON \"rectification\" (\"sourceType\", \"sourceId\") ",
  "CREATE TABLE \"risk_assessment\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"departmentId\" integer NOT NULL, \"period\" varchar(7) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('draft','submitted','reviewed') ) NOT NULL DEFAULT ('draft'), \"indicators\" text NOT NULL, \"indicatorsAsOf\" datetime(3) NOT NULL, \"submittedById\" integer, \"submittedAt\" datetime(3), \"reviewedById\" integer, \"reviewedAt\" datetime(3), \"reviewComment\" varchar(2000), \"returnedById\" integer, \"returnedAt\" datetime(3), \"returnReason\" varchar(2000), \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL)",
  "CREATE INDEX \"idx_risk_assessment_status\" ON \"risk_assessment\" (\"status\", \"period\") ",
  "CREATE UNIQUE INDEX \"uq_risk_assessment_period\" ON \"risk_assessment\" (\"departmentId\", \"period\") ",
  "CREATE TABLE \"risk_item\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"assessmentId\" integer NOT NULL, \"description\" varchar(1000) NOT NULL, \"likelihood\" integer NOT NULL, \"impact\" integer NOT NULL, \"score\" integer NOT NULL, \"level\" varchar CHECK( \"level\" IN ('low','medium','high','critical') ) NOT NULL, \"createdById\" integer NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL)",
  "CREATE INDEX \"idx_risk_item_assessment\" ON \"risk_item\" (\"assessmentId\") ",
];

const MYSQL = [
  "CREATE TABLE `port_record` (`id` int NOT NULL AUTO_INCREMENT, `departmentId` int NOT NULL, `assetTag` varchar(60) NOT NULL, `userId` int NULL, `userName` varchar(200) NULL, `location` varchar(200) NOT NULL, `usbStatus` enum ('sealed', 'open') NOT NULL, `burnerStatus` enum ('sealed', 'open', 'none') NOT NULL, `decision` varchar(1000) NOT NULL, `approvedById` int NOT NULL, `riskAssessmentId` int NULL, `lastVerifiedAt` datetime(3) NULL, `lastVerifiedById` int NULL, `createdById` int NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_port_record_department` (`departmentId`), UNIQUE INDEX `IDX_dc4b9de6ced36afc2396a1b5c2` (`assetTag`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `rectification` (`id` int NOT NULL AUTO_INCREMENT, `sourceType` enum ('risk_assessment', 'inspection') NOT NULL, `sourceId` int NOT NULL, `departmentId` int NULL, `projectId` int NULL, `description` varchar(1000) NOT NULL, `ownerUserId` int NOT NULL, `dueDate` varchar(10) NOT NULL, `status` enum ('open', 'in_progress', 'done') NOT NULL DEFAULT 'open', `evidenceNotes` text NULL, `doneAt` datetime(3) NULL, `createdById` int NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_rectification_project` (`projectId`), INDEX `idx_rectification_department` (`departmentId`), INDEX `idx_rectification_due` (`status`, `dueDate`), INDEX `idx_rectification_source` (`sourceType`, `sourceId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `risk_assessment` (`id` int NOT NULL AUTO_INCREMENT, `departmentId` int NOT NULL, `period` varchar(7) NOT NULL, `status` enum ('draft', 'submitted', 'reviewed') NOT NULL DEFAULT 'draft', `indicators` text NOT NULL, `indicatorsAsOf` datetime(3) NOT NULL, `submittedById` int NULL, `submittedAt` datetime(3) NULL, `reviewedById` int NULL, `reviewedAt` datetime(3) NULL, `reviewComment` varchar(2000) NULL, `returnedById` int NULL, `returnedAt` datetime(3) NULL, `returnReason` varchar(2000) NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_risk_assessment_status` (`status`, `period`), UNIQUE INDEX `uq_risk_assessment_period` (`departmentId`, `period`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `risk_item` (`id` int NOT NULL AUTO_INCREMENT, `assessmentId` int NOT NULL, `description` varchar(1000) NOT NULL, `likelihood` int NOT NULL, `impact` int NOT NULL, `score` int NOT NULL, `level` enum ('low', 'medium', 'high', 'critical') NOT NULL, `createdById` int NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_risk_item_assessment` (`assessmentId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class RiskAssessments1764410000000 implements MigrationInterface {
  name = 'RiskAssessments1764410000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('port_record');
    await q.dropTable('rectification');
    await q.dropTable('risk_item');
    await q.dropTable('risk_assessment');
  }
}
