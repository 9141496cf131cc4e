import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13, notifications that reach people: the inbox's new columns (rendered link, action,
 * params for the channels, read mark, the event's scope), the user's e-mail address and
 * language, one delivery row per channel and target (claimed by the delivery worker), the
 * user's per-kind preferences and the IT admin's group robots. Plain ADD COLUMN on both
 * drivers: existing messages stay unread, existing users read zh-Hant and have no address.
 */
const SQLITE = [
  'CREATE TABLE "notification_delivery" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "notificationId" integer NOT NULL, "channel" varchar(12) NOT NULL, "target" varchar(254) NOT NULL, "digest" boolean NOT NULL DEFAULT (0), "dedupeKey" varchar(250) NOT NULL, "status" varchar(12) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "nextAttemptAt" datetime(3) NOT NULL, "claimToken" varchar(40), "claimedUntil" datetime(3), "lastError" varchar(500), "sentAt" datetime(3), "createdAt" datetime(3) NOT NULL)',
  'CREATE INDEX "idx_notification_delivery_notification" ON "notification_delivery" ("notificationId") ',
  'CREATE INDEX "idx_notification_delivery_due" ON "notification_delivery" ("status", "nextAttemptAt") ',
  'CREATE UNIQUE INDEX "uq_notification_delivery_key" ON "notification_delivery" ("dedupeKey") ',
  'CREATE TABLE "notification_preference" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "userId" integer NOT NULL, "kind" varchar(60) NOT NULL, "mode" varchar(10) NOT NULL)',
  'CREATE UNIQUE INDEX "uq_notification_preference" ON "notification_preference" ("userId", "kind") ',
  `CREATE TABLE "notification_robot" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "name" varchar(100) NOT NULL, "platform" varchar(10) NOT NULL, "scope" varchar(100) NOT NULL, "webhookUrl" text NOT NULL, "secret" text, "kinds" text, "language" varchar(10) NOT NULL DEFAULT ('zh-Hant'), "enabled" boolean NOT NULL DEFAULT (1), "createdAt" datetime(3) NOT NULL, "updatedAt" datetime(3) NOT NULL)`,
  'CREATE INDEX "idx_notification_robot_scope" ON "notification_robot" ("scope", "enabled") ',
  'ALTER TABLE "notification" ADD COLUMN "params" text',
  'ALTER TABLE "notification" ADD COLUMN "link" varchar(300)',
  'ALTER TABLE "notification" ADD COLUMN "action" boolean NOT NULL DEFAULT (0)',
  'ALTER TABLE "notification" ADD COLUMN "scope" varchar(100)',
  'ALTER TABLE "notification" ADD COLUMN "readAt" datetime(3)',
  'CREATE INDEX "idx_notification_unread" ON "notification" ("recipientId", "readAt") ',
  'CREATE INDEX "idx_notification_object" ON "notification" ("objectType", "objectId") ',
  'ALTER TABLE "user_account" ADD COLUMN "email" varchar(254)',
  `ALTER TABLE "user_account" ADD COLUMN "language" varchar(10) NOT NULL DEFAULT ('zh-Hant')`,
];

const MYSQL = [
  'CREATE TABLE `notification_delivery` (`id` int NOT NULL AUTO_INCREMENT, `notificationId` int NOT NULL, `channel` varchar(12) NOT NULL, `target` varchar(254) NOT NULL, `digest` tinyint NOT NULL DEFAULT 0, `dedupeKey` varchar(250) NOT NULL, `status` varchar(12) NOT NULL, `attempts` int NOT NULL DEFAULT \'0\', `nextAttemptAt` datetime(3) NOT NULL, `claimToken` varchar(40) NULL, `claimedUntil` datetime(3) NULL, `lastError` varchar(500) NULL, `sentAt` datetime(3) NULL, `createdAt` datetime(3) NOT NULL, INDEX `idx_notification_delivery_notification` (`notificationId`), INDEX `idx_notification_delivery_due` (`status`, `nextAttemptAt`), UNIQUE INDEX `uq_notification_delivery_key` (`dedupeKey`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
  'CREATE TABLE `notification_preference` (`id` int NOT NULL AUTO_INCREMENT, `userId` int NOT NULL, `kind` varchar(60) NOT NULL, `mode` varchar(10) NOT NULL, UNIQUE INDEX `uq_notification_preference` (`userId`, `kind`), PRIMARY KEY (`id`)) ENGINE=InnoDB',
  "CREATE TABLE `notification_robot` (`id` int NOT NULL AUTO_INCREMENT, `name` varchar(100) NOT NULL, `platform` varchar(10) NOT NULL, `scope` varchar(100) NOT NULL, `webhookUrl` text NOT NULL, `secret` text NULL, `kinds` text NULL, `language` varchar(10) NOT NULL DEFAULT 'zh-Hant', `enabled` tinyint NOT NULL DEFAULT 1, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_notification_robot_scope` (`scope`, `enabled`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  'ALTER TABLE `notification` ADD `params` text NULL',
  'ALTER TABLE `notification` ADD `link` varchar(300) NULL',
  'ALTER TABLE `notification` ADD `action` tinyint NOT NULL DEFAULT 0',
  'ALTER TABLE `notification` ADD `scope` varchar(100) NULL',
  'ALTER TABLE `notification` ADD `readAt` datetime(3) NULL',
  'CREATE INDEX `idx_notification_unread` ON `notification` (`recipientId`, `readAt`)',
  'CREATE INDEX `idx_notification_object` ON `notification` (`objectType`, `objectId`)',
  'ALTER TABLE `user_account` ADD `email` varchar(254) NULL',
  "ALTER TABLE `user_account` ADD `language` varchar(10) NOT NULL DEFAULT 'zh-Hant'",
];

export class Notifications1764460000000 implements MigrationInterface {
  name = 'Notifications1764460000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('user_account', 'language');
    await q.dropColumn('user_account', 'email');
    await q.dropIndex('notification', 'idx_notification_object');
    await q.dropIndex('notification', 'idx_notification_unread');
    for (const c of ['readAt', 'scope', 'action', 'link', 'params']) await q.dropColumn('notification', c);
    await q.dropTable('notification_robot');
    await q.dropTable('notification_preference');
    await q.dropTable('notification_delivery');
  }
}
