import { MigrationInterface, QueryRunner } from 'typeorm';

/** The paper ledger: print requests (R-PRINT-APPROVE), controlled copies and their serial counter (R-NO-PAPER, R-NO-LEND), incidents (R-PENALTY). */
const SQLITE = [
  "CREATE TABLE \"controlled_copy\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"serial\" varchar(20) NOT NULL, \"printRequestId\" integer NOT NULL, \"projectId\" integer NOT NULL, \"copyNumber\" integer NOT NULL, \"copiesTotal\" integer NOT NULL, \"holderUserId\" integer NOT NULL, \"status\" varchar CHECK( \"status\" IN ('awaiting_signature','issued','returned','destroyed','lost') ) NOT NULL DEFAULT ('awaiting_signature'), \"issuedAt\" datetime(3) NOT NULL, \"expiresAt\" datetime(3) NOT NULL, \"signedAt\" datetime(3), \"returnedAt\" datetime(3), \"returnedToUserId\" integer, \"destroyedAt\" datetime(3), \"destroyedById\" integer, \"destructionMethod\" varchar CHECK( \"destructionMethod\" IN ('shredding','pulping','burning','other') ), \"destructionNote\" varchar(500), \"witnessUserId\" integer, \"lostAt\" datetime(3), \"lostReportedById\" integer, \"incidentId\" integer, \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL, CONSTRAINT \"UQ_207f0cfecb4e7e29ea9edc2dfca\" UNIQUE (\"serial\"))",
  "CREATE INDEX \"idx_controlled_copy_request\" ON \"controlled_copy\" (\"printRequestId\") ",
  "CREATE INDEX \"idx_controlled_copy_issued\" ON \"controlled_copy\" (\"issuedAt\") ",
  "CREATE INDEX \"idx_controlled_copy_project\" ON \"controlled_copy\" (\"projectId\", \"status\") ",
  "CREATE INDEX \"idx_controlled_copy_holder\" ON \"controlled_copy\" (\"holderUserId\", \"status\") ",
  "CREATE TABLE \"incident\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"type\" varchar CHECK( \"type\" IN ('negligent_leak','lost_written_list','selling_for_gain','illegal_acquisition','other') ) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('reported','investigating','concluded') ) NOT NULL DEFAULT ('reported'), \"projectId\" integer, \"departmentId\" integer, \"reporterId\" integer, \"anonymous\" boolean NOT NULL DEFAULT (0), \"description\" text NOT NULL, \"copyId\" integer, \"holderUserId\" integer, \"findings\" text, \"responsibleUserIds\" text NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL, \"concludedAt\" datetime(3))",
  "CREATE INDEX \"idx_incident_copy\" ON \"incident\" (\"copyId\") ",
  "CREATE INDEX \"idx_incident_project\" ON \"incident\" (\"projectId\") ",
  "CREATE INDEX \"idx_incident_status\" ON \"incident\" (\"status\") ",
  "CREATE TABLE \"print_request\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"projectId\" integer NOT NULL, \"purpose\" varchar(500) NOT NULL, \"customerIds\" text, \"filter\" text, \"recordIds\" text, \"copies\" integer NOT NULL, \"usageDays\" integer NOT NULL, \"includePersonal\" boolean NOT NULL DEFAULT (0), \"status\" varchar CHECK( \"status\" IN ('pending','approved','rejected','cancelled') ) NOT NULL DEFAULT ('pending'), \"requestedById\" integer NOT NULL, \"decidedById\" integer, \"decidedAt\" datetime(3), \"decisionNote\" varchar(500), \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL)",
  "CREATE INDEX \"idx_print_request_requester\" ON \"print_request\" (\"requestedById\") ",
  "CREATE INDEX \"idx_print_request_project_status\" ON \"print_request\" (\"projectId\", \"status\") ",
  "CREATE TABLE \"serial_counter\" (\"prefix\" varchar(20) PRIMARY KEY NOT NULL, \"lastValue\" integer NOT NULL)",
];

const MYSQL = [
  "CREATE TABLE `controlled_copy` (`id` int NOT NULL AUTO_INCREMENT, `serial` varchar(20) NOT NULL, `printRequestId` int NOT NULL, `projectId` int NOT NULL, `copyNumber` int NOT NULL, `copiesTotal` int NOT NULL, `holderUserId` int NOT NULL, `status` enum ('awaiting_signature', 'issued', 'returned', 'destroyed', 'lost') NOT NULL DEFAULT 'awaiting_signature', `issuedAt` datetime(3) NOT NULL, `expiresAt` datetime(3) NOT NULL, `signedAt` datetime(3) NULL, `returnedAt` datetime(3) NULL, `returnedToUserId` int NULL, `destroyedAt` datetime(3) NULL, `destroyedById` int NULL, `destructionMethod` enum ('shredding', 'pulping', 'burning', 'other') NULL, `destructionNote` varchar(500) NULL, `witnessUserId` int NULL, `lostAt` datetime(3) NULL, `lostReportedById` int NULL, `incidentId` int NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_controlled_copy_request` (`printRequestId`), INDEX `idx_controlled_copy_issued` (`issuedAt`), INDEX `idx_controlled_copy_project` (`projectId`, `status`), INDEX `idx_controlled_copy_holder` (`holderUserId`, `status`), UNIQUE INDEX `IDX_207f0cfecb4e7e29ea9edc2dfc` (`serial`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `incident` (`id` int NOT NULL AUTO_INCREMENT, `type` enum ('negligent_leak', 'lost_written_list', 'selling_for_gain', 'illegal_acquisition', 'other') NOT NULL, `status` enum ('reported', 'investigating', 'concluded') NOT NULL DEFAULT 'reported', `projectId` int NULL, `departmentId` int NULL, `reporterId` int NULL, `anonymous` tinyint NOT NULL DEFAULT 0, `description` text NOT NULL, `copyId` int NULL, `holderUserId` int NULL, `findings` text NULL, `responsibleUserIds` text NOT NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, `concludedAt` datetime(3) NULL, INDEX `idx_incident_copy` (`copyId`), INDEX `idx_incident_project` (`projectId`), INDEX `idx_incident_status` (`status`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `print_request` (`id` int NOT NULL AUTO_INCREMENT, `projectId` int NOT NULL, `purpose` varchar(500) NOT NULL, `customerIds` text NULL, `filter` text NULL, `recordIds` text NULL, `copies` int NOT NULL, `usageDays` int NOT NULL, `includePersonal` tinyint NOT NULL DEFAULT 0, `status` enum ('pending', 'approved', 'rejected', 'cancelled') NOT NULL DEFAULT 'pending', `requestedById` int NOT NULL, `decidedById` int NULL, `decidedAt` datetime(3) NULL, `decisionNote` varchar(500) NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, INDEX `idx_print_request_requester` (`requestedById`), INDEX `idx_print_request_project_status` (`projectId`, `status`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
  "CREATE TABLE `serial_counter` (`prefix` varchar(20) NOT NULL, `lastValue` int NOT NULL, PRIMARY KEY (`prefix`)) ENGINE=InnoDB",
];

export class PaperLedger1764390000000 implements MigrationInterface {
  name = 'PaperLedger1764390000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('serial_counter');
    await q.dropTable('print_request');
    await q.dropTable('incident');
    await q.dropTable('controlled_copy');
  }
}
