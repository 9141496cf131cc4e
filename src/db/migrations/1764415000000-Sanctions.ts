import { MigrationInterface, QueryRunner } from 'typeorm';

/** The reward/penalty register (R-REWARD, R-PENALTY, R-CASE-SANCTION). */
const SQLITE = [
  "CREATE TABLE \"sanction\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"kind\" varchar CHECK( \"kind\" IN ('reward','penalty') ) NOT NULL, \"ground\" varchar CHECK( \"ground\" IN ('report','remedy','negligent_leak','lost_written_list','selling_for_gain','case_responsibility') ) NOT NULL, \"sourceType\" varchar(40) NOT NULL, \"sourceId\" integer NOT NULL, \"sourceLabel\" varchar(200) NOT NULL, \"projectId\" integer, \"departmentId\" integer, \"userId\" integer NOT NULL, \"rewardAmount\" integer, \"fineAmount\" integer, \"dismissal\" boolean NOT NULL DEFAULT (0), \"compensationAmount\" integer, \"judicialReferral\" boolean NOT NULL DEFAULT (0), \"reason\" text NOT NULL, \"status\" varchar CHECK( \"status\" IN ('pending','approved','rejected') ) NOT NULL DEFAULT ('pending'), \"activeKey\" varchar(160), \"proposedById\" integer NOT NULL, \"decidedById\" integer, \"decidedAt\" datetime(3), \"decisionNote\" varchar(500), \"createdAt\" datetime(3) NOT NULL)",
  "CREATE UNIQUE INDEX \"uq_sanction_active\" ON \"sanction\" (\"activeKey\") ",
  "CREATE INDEX \"idx_sanction_user\" ON \"sanction\" (\"userId\") ",
  "CREATE INDEX \"idx_sanction_source\" ON \"sanction\" (\"sourceType\", \"sourceId\") ",
  "CREATE INDEX \"idx_sanction_status\" ON \"sanction\" (\"status\") ",
];

const MYSQL = [
  "CREATE TABLE `sanction` (`id` int NOT NULL AUTO_INCREMENT, `kind` enum ('reward', 'penalty') NOT NULL, `ground` enum ('report', 'remedy', 'negligent_leak', 'lost_written_list', 'selling_for_gain', 'case_responsibility') NOT NULL, `sourceType` varchar(40) NOT NULL, `sourceId` int NOT NULL, `sourceLabel` varchar(200) NOT NULL, `projectId` int NULL, `departmentId` int NULL, `userId` int NOT NULL, `rewardAmount` int NULL, `fineAmount` int NULL, `dismissal` tinyint NOT NULL DEFAULT 0, `compensationAmount` int NULL, `judicialReferral` tinyint NOT NULL DEFAULT 0, `reason` text NOT NULL, `status` enum ('pending', 'approved', 'rejected') NOT NULL DEFAULT 'pending', `activeKey` varchar(160) NULL, `proposedById` int NOT NULL, `decidedById` int NULL, `decidedAt` datetime(3) NULL, `decisionNote` varchar(500) NULL, `createdAt` datetime(3) NOT NULL, UNIQUE INDEX `uq_sanction_active` (`activeKey`), INDEX `idx_sanction_user` (`userId`), INDEX `idx_sanction_source` (`sourceType`, `sourceId`), INDEX `idx_sanction_status` (`status`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class Sanctions1764415000000 implements MigrationInterface {
  name = 'Sanctions1764415000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sanction');
  }
}
