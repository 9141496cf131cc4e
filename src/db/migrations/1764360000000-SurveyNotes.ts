import { MigrationInterface, QueryRunner } from 'typeorm';

/** Survey and census notes: original encrypted until reconciled, archive redacted (R-SURVEY-REDACT). */
const SQLITE = [
  "CREATE TABLE \"survey_note\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"projectId\" integer NOT NULL, \"customerId\" integer, \"unit\" varchar(200), \"source\" varchar CHECK( \"source\" IN ('interview','census') ) NOT NULL, \"status\" varchar CHECK( \"status\" IN ('pending_reconciliation','archived') ) NOT NULL DEFAULT ('pending_reconciliation'), \"rawEnc\" text, \"keyId\" varchar(20), \"archivedText\" text, \"removed\" text, \"reconciledCustomerIds\" text NOT NULL, \"createdById\" integer NOT NULL, \"createdAt\" datetime(3) NOT NULL, \"archivedById\" integer, \"archivedAt\" datetime(3))",
  "CREATE INDEX \"idx_survey_note_project\" ON \"survey_note\" (\"projectId\", \"status\") ",
];

const MYSQL = [
  "CREATE TABLE `survey_note` (`id` int NOT NULL AUTO_INCREMENT, `projectId` int NOT NULL, `customerId` int NULL, `unit` varchar(200) NULL, `source` enum ('interview', 'census') NOT NULL, `status` enum ('pending_reconciliation', 'archived') NOT NULL DEFAULT 'pending_reconciliation', `rawEnc` text NULL, `keyId` varchar(20) NULL, `archivedText` text NULL, `removed` text NULL, `reconciledCustomerIds` text NOT NULL, `createdById` int NOT NULL, `createdAt` datetime(3) NOT NULL, `archivedById` int NULL, `archivedAt` datetime(3) NULL, INDEX `idx_survey_note_project` (`projectId`, `status`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class SurveyNotes1764360000000 implements MigrationInterface {
  name = 'SurveyNotes1764360000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('survey_note');
  }
}
