import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The incident workflow (R-PENALTY, R-REWARD): who took an incident up and when
 * (reported → investigating), and who concluded it. Plain ADD COLUMNs on both drivers: the
 * columns are nullable, so existing incidents keep their rows as they are.
 */
const SQLITE = [
  'ALTER TABLE "incident" ADD COLUMN "investigatorId" integer',
  'ALTER TABLE "incident" ADD COLUMN "investigationStartedAt" datetime(3)',
  'ALTER TABLE "incident" ADD COLUMN "concludedById" integer',
];

const MYSQL = [
  'ALTER TABLE `incident` ADD `investigatorId` int NULL',
  'ALTER TABLE `incident` ADD `investigationStartedAt` datetime(3) NULL',
  'ALTER TABLE `incident` ADD `concludedById` int NULL',
];

export class IncidentWorkflow1764416000000 implements MigrationInterface {
  name = 'IncidentWorkflow1764416000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const column of ['concludedById', 'investigationStartedAt', 'investigatorId']) await q.dropColumn('incident', column);
  }
}
