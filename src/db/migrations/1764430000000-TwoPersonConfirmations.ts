import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The two-person rule, witnessed (R-NO-PAPER, R-HANDOVER-DESTROY; issue 11): every destruction
 * of a copy or a handover file, and every return of a copy to a keeper, is one row of
 * two_person_confirmation that the named witness or keeper confirms or declines before it
 * lapses. The copy and the file point at their pending confirmation; the copy records where it
 * was destroyed and when the witness and the keeper confirmed; a destruction record notes when
 * it was requested and confirmed. Plain ADD COLUMNs on both drivers: every new column is
 * nullable, so existing rows stay as they are (older destructions show no confirmation).
 */
const CONFIRMATION_SQLITE = [
  'CREATE TABLE "two_person_confirmation" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "kind" varchar(30) NOT NULL, "objectType" varchar(30) NOT NULL, "objectId" varchar(40) NOT NULL, "projectId" integer NOT NULL, "requestedById" integer NOT NULL, "requestedAt" datetime(3) NOT NULL, "confirmerId" integer NOT NULL, "dueAt" datetime(3) NOT NULL, "state" varchar(20) NOT NULL DEFAULT (\'pending\'), "statusBefore" varchar(30) NOT NULL, "method" varchar(30), "note" varchar(500), "place" varchar(200), "actedAt" datetime(3), "reason" varchar(500), "decidedAt" datetime(3), "declineReason" varchar(500))',
  'CREATE INDEX "idx_confirmation_project_due" ON "two_person_confirmation" ("projectId", "dueAt") ',
  'CREATE INDEX "idx_confirmation_object" ON "two_person_confirmation" ("objectType", "objectId") ',
  'CREATE INDEX "idx_confirmation_confirmer" ON "two_person_confirmation" ("confirmerId", "state") ',
];

const CONFIRMATION_MYSQL = [
  "CREATE TABLE `two_person_confirmation` (`id` int NOT NULL AUTO_INCREMENT, `kind` varchar(30) NOT NULL, `objectType` varchar(30) NOT NULL, `objectId` varchar(40) NOT NULL, `projectId` int NOT NULL, `requestedById` int NOT NULL, `requestedAt` datetime(3) NOT NULL, `confirmerId` int NOT NULL, `dueAt` datetime(3) NOT NULL, `state` varchar(20) NOT NULL DEFAULT 'pending', `statusBefore` varchar(30) NOT NULL, `method` varchar(30) NULL, `note` varchar(500) NULL, `place` varchar(200) NULL, `actedAt` datetime(3) NULL, `reason` varchar(500) NULL, `decidedAt` datetime(3) NULL, `declineReason` varchar(500) NULL, INDEX `idx_confirmation_project_due` (`projectId`, `dueAt`), INDEX `idx_confirmation_object` (`objectType`, `objectId`), INDEX `idx_confirmation_confirmer` (`confirmerId`, `state`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

/** [table, column, SQLite type, MySQL type]: all nullable. */
const COLUMNS: Array<[string, string, string, string]> = [
  ['controlled_copy', 'destructionPlace', 'varchar(200)', 'varchar(200) NULL'],
  ['controlled_copy', 'witnessConfirmedAt', 'datetime(3)', 'datetime(3) NULL'],
  ['controlled_copy', 'keeperConfirmedAt', 'datetime(3)', 'datetime(3) NULL'],
  ['controlled_copy', 'pendingAct', 'varchar(20)', 'varchar(20) NULL'],
  ['controlled_copy', 'confirmationId', 'integer', 'int NULL'],
  ['controlled_copy', 'confirmationDueAt', 'datetime(3)', 'datetime(3) NULL'],
  ['handover_file', 'confirmationId', 'integer', 'int NULL'],
  ['handover_file', 'confirmationDueAt', 'datetime(3)', 'datetime(3) NULL'],
  ['handover_destruction', 'requestedAt', 'datetime(3)', 'datetime(3) NULL'],
  ['handover_destruction', 'witnessConfirmedAt', 'datetime(3)', 'datetime(3) NULL'],
  ['handover_destruction', 'confirmationId', 'integer', 'int NULL'],
];

export class TwoPersonConfirmations1764430000000 implements MigrationInterface {
  name = 'TwoPersonConfirmations1764430000000';

  public async up(q: QueryRunner): Promise<void> {
    const sqlite = q.connection.options.type === 'better-sqlite3';
    for (const sql of sqlite ? CONFIRMATION_SQLITE : CONFIRMATION_MYSQL) await q.query(sql);
    for (const [table, column, sqliteType, mysqlType] of COLUMNS) {
      await q.query(sqlite ? `ALTER TABLE "${table}" ADD COLUMN "${column}" ${sqliteType}` : `ALTER TABLE \`${table}\` ADD \`${column}\` ${mysqlType}`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const [table, column] of [...COLUMNS].reverse()) await q.dropColumn(table, column);
    await q.dropTable('two_person_confirmation');
  }
}
