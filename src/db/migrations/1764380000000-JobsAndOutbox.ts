import { MigrationInterface, QueryRunner } from 'typeorm';

/** Job runs (once per period across instances) and the notification outbox. */
const SQLITE = [
  "CREATE TABLE \"job_run\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"job\" varchar(60) NOT NULL, \"period\" varchar(20) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('running','succeeded','failed') ) NOT NULL, \"trigger\" varchar CHECK( \"trigger\" IN ('schedule','catch_up','manual') ) NOT NULL, \"attempts\" integer NOT NULL, \"instanceId\" varchar(80) NOT NULL, \"requestedById\" integer, \"startedAt\" datetime(3) NOT NULL, \"finishedAt\" datetime(3), \"leaseUntil\" datetime(3) NOT NULL, \"result\" text, \"error\" text)",
  "CREATE UNIQUE INDEX \"uq_job_run_period\" ON \"job_run\" (\"job\", \"period\") ",
  "CREATE TABLE \"notification\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"recipientId\" integer NOT NULL, \"kind\" varchar(60) NOT NULL, \"subject\" varchar(300) NOT NULL, \"body\" text NOT NULL, \"objectType\" varchar(60), \"objectId\" varchar(100), \"dedupeKey\" varchar(200) NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"deliveredAt\" datetime(3), CONSTRAINT \"UQ_0e0a4efa44850566408fa4a1fa0\" UNIQUE (\"dedupeKey\"))",
  "CREATE INDEX \"idx_notification_undelivered\" ON \"notification\" (\"deliveredAt\") ",
  "CREATE INDEX \"idx_notification_recipient\" ON \"notification\" (\"recipientId\", \"createdAt\") ",
];

const MYSQL = [
  "CREATE TABLE `job_run` (`id` int NOT NULL AUTO_INCREMENT, `job` varchar(60) NOT NULL, `period` varchar(20) NOT NULL, `status` enum ('running', 'succeeded', 'failed') NOT NULL, `trigger` enum ('schedule', 'catch_up', 'manual') NOT NULL, `attempts` int NOT NULL, `instanceId` varchar(80) NOT NULL, `requestedById` int NULL, `startedAt` datetime(3) NOT NULL, `finishedAt` datetime(3) NULL, `leaseUntil` datetime(3) NOT NULL, `result` text NULL, `error` text NULL, UNIQUE INDEX `uq_job_run_period` (`job`, `period`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `notification` (`id` int NOT NULL AUTO_INCREMENT, `recipientId` int NOT NULL, `kind` varchar(60) NOT NULL, `subject` varchar(300) NOT NULL, `body` text NOT NULL, `objectType` varchar(60) NULL, `objectId` varchar(100) NULL, `dedupeKey` varchar(200) NOT NULL, `createdAt` datetime(3) NOT NULL, `deliveredAt` datetime(3) NULL, INDEX `idx_notification_undelivered` (`deliveredAt`), INDEX `idx_notification_recipient` (`recipientId`, `createdAt`), UNIQUE INDEX `IDX_0e0a4efa44850566408fa4a1fa` (`dedupeKey`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class JobsAndOutbox1764380000000 implements MigrationInterface {
  name = 'JobsAndOutbox1764380000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('notification');
    await q.dropTable('job_run');
  }
}
