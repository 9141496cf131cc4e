import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Foundation schema: organisation, accounts, the casbin policy store (typeorm-adapter's
 * casbin_rule), the policy version and the audit chain. The SQL is what TypeORM's schema
 * builder produces for the entities on each driver; test/schema.test.ts proves that after
 * the migrations the entities and the database agree (no pending schema change).
 */
const SQLITE = [
  "CREATE TABLE \"casbin_rule\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"ptype\" varchar, \"v0\" varchar, \"v1\" varchar, \"v2\" varchar, \"v3\" varchar, \"v4\" varchar, \"v5\" varchar, \"v6\" varchar)",
  "CREATE TABLE \"audit_event\" (\"seq\" integer PRIMARY KEY NOT NULL, \"at\" datetime(3) NOT NULL, \"actorId\" integer, \"actorName\" varchar(64), \"action\" varchar(100) NOT NULL, \"objectType\" varchar(60), \"objectId\" varchar(120), \"scope\" varchar(120), \"decision\" varchar(10), \"reason\" text, \"requestId\" varchar(64), \"ip\" varchar(64), \"before\" text, \"after\" text, \"prevHash\" varchar(64) NOT NULL, \"hash\" varchar(64) NOT NULL)",
  "CREATE INDEX \"idx_audit_object\" ON \"audit_event\" (\"objectType\", \"objectId\") ",
  "CREATE INDEX \"idx_audit_action\" ON \"audit_event\" (\"action\") ",
  "CREATE INDEX \"idx_audit_actor\" ON \"audit_event\" (\"actorId\") ",
  "CREATE INDEX \"idx_audit_at\" ON \"audit_event\" (\"at\") ",
  "CREATE TABLE \"audit_head\" (\"id\" integer PRIMARY KEY NOT NULL, \"seq\" integer NOT NULL, \"hash\" varchar(64) NOT NULL)",
  "CREATE TABLE \"department\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"code\" varchar(40) NOT NULL, \"name\" varchar(200) NOT NULL, \"createdAt\" datetime(3) NOT NULL, CONSTRAINT \"UQ_62690f4fe31da9eb824d909285f\" UNIQUE (\"code\"))",
  "CREATE TABLE \"policy_meta\" (\"id\" integer PRIMARY KEY NOT NULL, \"version\" integer NOT NULL)",
  "CREATE TABLE \"project\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"code\" varchar(40) NOT NULL, \"name\" varchar(200) NOT NULL, \"departmentId\" integer, \"createdAt\" datetime(3) NOT NULL, CONSTRAINT \"UQ_b58774a8460d69d09c888158ab1\" UNIQUE (\"code\"))",
  "CREATE TABLE \"user_account\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"username\" varchar(64) NOT NULL, \"displayName\" varchar(200) NOT NULL, \"departmentId\" integer, \"status\" varchar CHECK( \"status\" IN ('pending_agreement','active','offboarded') ) NOT NULL DEFAULT ('pending_agreement'), \"passwordHash\" varchar(100) NOT NULL, \"tokenVersion\" integer NOT NULL DEFAULT (0), \"failedLoginCount\" integer NOT NULL DEFAULT (0), \"failedLoginWindowStart\" datetime(3), \"lockedUntil\" datetime(3), \"agreementVersion\" varchar(20), \"agreementSignedAt\" datetime(3), \"offboardedAt\" datetime(3), \"createdAt\" datetime(3) NOT NULL, CONSTRAINT \"UQ_3c4d4fae641bf9048ad324ee0d9\" UNIQUE (\"username\"))",
];

const MYSQL = [
  "CREATE TABLE `casbin_rule` (`id` int NOT NULL AUTO_INCREMENT, `ptype` varchar(255) NULL, `v0` varchar(255) NULL, `v1` varchar(255) NULL, `v2` varchar(255) NULL, `v3` varchar(255) NULL, `v4` varchar(255) NULL, `v5` varchar(255) NULL, `v6` varchar(255) NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `audit_event` (`seq` int NOT NULL, `at` datetime(3) NOT NULL, `actorId` int NULL, `actorName` varchar(64) NULL, `action` varchar(100) NOT NULL, `objectType` varchar(60) NULL, `objectId` varchar(120) NULL, `scope` varchar(120) NULL, `decision` varchar(10) NULL, `reason` text NULL, `requestId` varchar(64) NULL, `ip` varchar(64) NULL, `before` text NULL, `after` text NULL, `prevHash` varchar(64) NOT NULL, `hash` varchar(64) NOT NULL, INDEX `idx_audit_object` (`objectType`, `objectId`), INDEX `idx_audit_action` (`action`), INDEX `idx_audit_actor` (`actorId`), INDEX `idx_audit_at` (`at`), PRIMARY KEY (`seq`)) ENGINE=InnoDB",
  "CREATE TABLE `audit_head` (`id` int NOT NULL, `seq` int NOT NULL, `hash` varchar(64) NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `department` (`id` int NOT NULL AUTO_INCREMENT, `code` varchar(40) NOT NULL, `name` varchar(200) NOT NULL, `createdAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_62690f4fe31da9eb824d909285` (`code`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `policy_meta` (`id` int NOT NULL, `version` int NOT NULL, PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `project` (`id` int NOT NULL AUTO_INCREMENT, `code` varchar(40) NOT NULL, `name` varchar(200) NOT NULL, `departmentId` int NULL, `createdAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_b58774a8460d69d09c888158ab` (`code`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `user_account` (`id` int NOT NULL AUTO_INCREMENT, `username` varchar(64) NOT NULL, `displayName` varchar(200) NOT NULL, `departmentId` int NULL, `status` enum ('pending_agreement', 'active', 'offboarded') NOT NULL DEFAULT 'pending_agreement', `passwordHash` varchar(100) NOT NULL, `tokenVersion` int NOT NULL DEFAULT '0', `failedLoginCount` int NOT NULL DEFAULT '0', `failedLoginWindowStart` datetime(3) NULL, `lockedUntil` datetime(3) NULL, `agreementVersion` varchar(20) NULL, `agreementSignedAt` datetime(3) NULL, `offboardedAt` datetime(3) NULL, `createdAt` datetime(3) NOT NULL, UNIQUE INDEX `IDX_3c4d4fae641bf9048ad324ee0d` (`username`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

const DROP_ORDER = ['casbin_rule', 'policy_meta', 'audit_head', 'audit_event', 'user_account', 'project', 'department'];

export class Foundation1764300000000 implements MigrationInterface {
  name = 'Foundation1764300000000';

  public async up(q: QueryRunner): Promise<void> {
    const statements = q.connection.options.type !== 'better-sqlite3' ? MYSQL : SQLITE;
    for (const sql of statements) await q.query(sql);
    // The audit chain starts from 64 zeros; policy version 0 means "baseline not loaded yet".
    await q.query(`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`);
    await q.query('INSERT INTO policy_meta (id, version) VALUES (1, 0)');
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of DROP_ORDER) await q.dropTable(table);
  }
}
