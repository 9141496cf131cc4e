import { MigrationInterface, QueryRunner } from 'typeorm';

/** Handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY): the files in custody, view delegations to clerks, destruction records. */
const SQLITE = [
  "CREATE TABLE \"handover_delegation\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"fileId\" integer NOT NULL, \"clerkId\" integer NOT NULL, \"grantedById\" integer NOT NULL, \"grantedAt\" datetime(3) NOT NULL, \"expiresAt\" datetime(3) NOT NULL, \"endedAt\" datetime(3), \"endedById\" integer, \"endReason\" varchar CHECK( \"endReason\" IN ('revoked','destroyed','transferred') ))",
  "CREATE INDEX \"idx_handover_delegation_clerk\" ON \"handover_delegation\" (\"clerkId\", \"endedAt\") ",
  "CREATE INDEX \"idx_handover_delegation_file\" ON \"handover_delegation\" (\"fileId\") ",
  "CREATE TABLE \"handover_destruction\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"fileId\" integer NOT NULL, \"projectId\" integer NOT NULL, \"fileName\" varchar(200) NOT NULL, \"format\" varchar(10) NOT NULL, \"sha256\" varchar(64) NOT NULL, \"byteSize\" integer NOT NULL, \"destroyedById\" integer NOT NULL, \"supervisorId\" integer NOT NULL, \"witnessId\" integer NOT NULL, \"method\" varchar(300) NOT NULL, \"reason\" varchar(500), \"statusBefore\" varchar(30) NOT NULL, \"destroyedAt\" datetime(3) NOT NULL, \"bytesShreddedAt\" datetime(3), CONSTRAINT \"UQ_32df92e6d44d2771490d24c0bdb\" UNIQUE (\"fileId\"))",
  "CREATE TABLE \"handover_file\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"projectId\" integer NOT NULL, \"fileName\" varchar(200) NOT NULL, \"format\" varchar CHECK( \"format\" IN ('xlsx','csv','pdf') ) NOT NULL, \"byteSize\" integer NOT NULL, \"sha256\" varchar(64) NOT NULL, \"storageName\" varchar(64) NOT NULL, \"wrappedKey\" text, \"keyId\" varchar(20), \"status\" varchar CHECK( \"status\" IN ('held','entry_reported','pending_destruction','destroyed') ) NOT NULL DEFAULT ('held'), \"holderId\" integer NOT NULL, \"uploadedById\" integer NOT NULL, \"uploadedAt\" datetime(3) NOT NULL, \"entryReportedById\" integer, \"entryReportedAt\" datetime(3), \"entryRecords\" integer, \"entryNote\" varchar(500), \"confirmedById\" integer, \"confirmedAt\" datetime(3), \"destructionDeadline\" datetime(3), \"destructionId\" integer, \"destroyedAt\" datetime(3), CONSTRAINT \"UQ_2be75848b18ab9857d63874b52b\" UNIQUE (\"storageName\"))",
  "CREATE INDEX \"idx_handover_file_holder\" ON \"handover_file\" (\"holderId\", \"status\") ",
  "CREATE INDEX \"idx_handover_file_project\" ON \"handover_file\" (\"projectId\", \"status\") ",
];

const MYSQL = [
  "CREATE TABLE `handover_delegation` (`id` int NOT NULL AUTO_INCREMENT, `fileId` int NOT NULL, `clerkId` int NOT NULL, `grantedById` int NOT NULL, `grantedAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, `endedAt` datetime(3) NULL, `endedById` int NULL, `endReason` enum ('revoked', 'destroyed', 'transferred') NULL, INDEX `idx_handover_delegation_clerk` (`clerkId`, `endedAt`), INDEX `idx_handover_delegation_file` (`fileId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `handover_destruction` (`id` int NOT NULL AUTO_INCREMENT, `fileId` int NOT NULL, `projectId` int NOT NULL, `fileName` varchar(200) NOT NULL, `format` varchar(10) NOT NULL, `sha256` varchar(64) NOT NULL, `byteSize` int NOT NULL, `destroyedById` int NOT NULL, `supervisorId` int NOT NULL, `witnessId` int NOT NULL, `method` varchar(300) NOT NULL, `reason` varchar(500) NULL, `statusBefore` varchar(30) NOT NULL, `destroyedAt` datetime(3) NOT NULL, `bytesShreddedAt` datetime(3) NULL, UNIQUE INDEX `IDX_32df92e6d44d2771490d24c0bd` (`fileId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `handover_file` (`id` int NOT NULL AUTO_INCREMENT, `projectId` int NOT NULL, `fileName` varchar(200) NOT NULL, `format` enum ('xlsx', 'csv', 'pdf') NOT NULL, `byteSize` int NOT NULL, `sha256` varchar(64) NOT NULL, `storageName` varchar(64) NOT NULL, `wrappedKey` text NULL, `keyId` varchar(20) NULL, `status` enum ('held', 'entry_reported', 'pending_destruction', 'destroyed') NOT NULL DEFAULT 'held', `holderId` int NOT NULL, `uploadedById` int NOT NULL, `uploadedAt` datetime(3) NOT NULL, `entryReportedById` int NULL, `entryReportedAt` datetime(3) NULL, `entryRecords` int NULL, `entryNote` varchar(500) NULL, `confirmedById` int NULL, `confirmedAt` datetime(3) NULL, `destructionDeadline` datetime(3) NULL, `destructionId` int NULL, `destroyedAt` datetime(3) NULL, INDEX `idx_handover_file_holder` (`holderId`, `status`), INDEX `idx_handover_file_project` (`projectId`, `status`), UNIQUE INDEX `IDX_2be75848b18ab9857d63874b52` (`storageName`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class HandoverFiles1764400000000 implements MigrationInterface {
  name = 'HandoverFiles1764400000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('handover_destruction');
    await q.dropTable('handover_delegation');
    await q.dropTable('handover_file');
  }
}
