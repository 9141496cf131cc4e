import { MigrationInterface, QueryRunner } from 'typeorm';

/** Complaint cases (R-CASE-CONFIDENTIAL): the cases, their steps, the per-month number counter (R-CASE-NO), the monthly statistics (R-CASE-STATS). */
const SQLITE = [
  "CREATE TABLE \"case_event\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"caseId\" integer NOT NULL, \"step\" varchar CHECK( \"step\" IN ('registered','investigated','proposed','returned','decided','communicated','closed','reopened') ) NOT NULL, \"actorId\" integer, \"at\" datetime(3) NOT NULL, \"note\" text)",
  "CREATE INDEX \"idx_case_event_case\" ON \"case_event\" (\"caseId\", \"id\") ",
  "CREATE TABLE \"case_number_counter\" (\"month\" varchar(4) PRIMARY KEY NOT NULL, \"lastSerial\" integer NOT NULL)",
  "CREATE TABLE \"case_statistics\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"period\" varchar(7) NOT NULL, \"periodStart\" datetime(3) NOT NULL, \"periodEnd\" datetime(3) NOT NULL, \"caseCount\" integer NOT NULL, \"onTimeCount\" integer NOT NULL, \"lateCount\" integer NOT NULL, \"content\" text NOT NULL, \"computedAt\" datetime(3) NOT NULL)",
  "CREATE UNIQUE INDEX \"uq_case_statistics_period\" ON \"case_statistics\" (\"period\") ",
  "CREATE TABLE \"complaint_case\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"caseNo\" varchar(20) NOT NULL, \"projectId\" integer NOT NULL, \"customerId\" integer NOT NULL, \"nationality\" varchar CHECK( \"nationality\" IN ('domestic','foreign') ) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('registered','investigating','proposed','decided','communicated','closed') ) NOT NULL DEFAULT ('registered'), \"channel\" varchar CHECK( \"channel\" IN ('phone','visit','letter','email','online','sales_rep','other') ) NOT NULL, \"type\" varchar CHECK( \"type\" IN ('quality_complaint','non_quality_complaint','repair_request','other') ) NOT NULL, \"request\" text NOT NULL, \"items\" text NOT NULL, \"notes\" text, \"acceptedAt\" datetime(3) NOT NULL, \"dueDate\" varchar(10) NOT NULL, \"dueAt\" datetime(3) NOT NULL, \"departmentId\" integer, \"cause\" varchar CHECK( \"cause\" IN ('quality','non_quality') ), \"findings\" text, \"responsibleUserIds\" text NOT NULL, \"proposal\" varchar CHECK( \"proposal\" IN ('return','replacement','discount','compensation','rejected') ), \"amountFen\" integer, \"proposalNote\" text, \"proposedById\" integer, \"decidedById\" integer, \"decidedAt\" datetime(3), \"decidedAs\" varchar(80), \"decisionNote\" text, \"result\" text, \"communicatedAt\" datetime(3), \"closedAt\" datetime(3), \"closedById\" integer, \"late\" boolean, \"lateReason\" text, \"reopenedFromId\" integer, \"reopenedToId\" integer, \"createdById\" integer NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL)",
  "CREATE INDEX \"idx_complaint_case_customer\" ON \"complaint_case\" (\"customerId\") ",
  "CREATE INDEX \"idx_complaint_case_closed\" ON \"complaint_case\" (\"closedAt\") ",
  "CREATE INDEX \"idx_complaint_case_due\" ON \"complaint_case\" (\"status\", \"dueAt\") ",
  "CREATE INDEX \"idx_complaint_case_project\" ON \"complaint_case\" (\"projectId\", \"status\") ",
  "CREATE UNIQUE INDEX \"uq_complaint_case_no\" ON \"complaint_case\" (\"caseNo\") ",
];

const MYSQL = [
  "CREATE TABLE `case_event` (`id` int NOT NULL AUTO_INCREMENT, `caseId` int NOT NULL, `step` enum ('registered', 'investigated', 'proposed', 'returned', 'decided', 'communicated', 'closed', 'reopened') NOT NULL, `actorId` int NULL, `at` datetime(3) NOT NULL, `note` text NULL, INDEX `idx_case_event_case` (`caseId`, `id`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `case_number_counter` (`month` varchar(4) NOT NULL, `lastSerial` int NOT NULL, PRIMARY KEY (`month`)) ENGINE=InnoDB",
  "CREATE TABLE `case_statistics` (`id` int NOT NULL AUTO_INCREMENT, `period` varchar(7) NOT NULL, `periodStart` datetime(3) NOT NULL, `periodEnd` datetime(3) NOT NULL, `caseCount` int NOT NULL, `onTimeCount` int NOT NULL, `lateCount` int NOT NULL, `content` text NOT NULL, `computedAt` datetime(3) NOT NULL, UNIQUE INDEX `uq_case_statistics_period` (`period`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `complaint_case` (`id` int NOT NULL AUTO_INCREMENT, `caseNo` varchar(20) NOT NULL, `projectId` int NOT NULL, `customerId` int NOT NULL, `nationality` enum ('domestic', 'foreign') NOT NULL, `status` enum ('registered', 'investigating', 'proposed', 'decided', 'communicated', 'closed') NOT NULL DEFAULT 'registered', `channel` enum ('phone', 'visit', 'letter', 'email', 'online', 'sales_rep', 'other') NOT NULL, `type` enum ('quality_complaint', 'non_quality_complaint', 'repair_request', 'other') NOT NULL, `request` text NOT NULL, `items` text NOT NULL, `notes` text NULL, `acceptedAt` datetime(3) NOT NULL, `dueDate` varchar(10) NOT NULL, `dueAt` datetime(3) NOT NULL, `departmentId` int NULL, `cause` enum ('quality', 'non_quality') NULL, `findings` text NULL, `responsibleUserIds` text NOT NULL, `proposal` enum ('return', 'replacement', 'discount', 'compensation', 'rejected') NULL, `amountFen` int NULL, `proposalNote` text NULL, `proposedById` int NULL, `decidedById` int NULL, `decidedAt` datetime(3) NULL, `decidedAs` varchar(80) NULL, `decisionNote` text NULL, `result` text NULL, `communicatedAt` datetime(3) NULL, `closedAt` datetime(3) NULL, `closedById` int NULL, `late` tinyint NULL, `lateReason` text NULL, `reopenedFromId` int NULL, `reopenedToId` int NULL, `createdById` int NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_complaint_case_customer` (`customerId`), INDEX `idx_complaint_case_closed` (`closedAt`), INDEX `idx_complaint_case_due` (`status`, `dueAt`), INDEX `idx_complaint_case_project` (`projectId`, `status`), UNIQUE INDEX `uq_complaint_case_no` (`caseNo`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class ComplaintCases1764420000000 implements MigrationInterface {
  name = 'ComplaintCases1764420000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('case_statistics');
    await q.dropTable('case_number_counter');
    await q.dropTable('case_event');
    await q.dropTable('complaint_case');
  }
}
