import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 12: a dry run committed without a second upload names the import it was committed as (one commit per dry run). */
const SQLITE = ['ALTER TABLE "customer_import" ADD COLUMN "committedAsId" varchar(36)'];
const MYSQL = ['ALTER TABLE `customer_import` ADD `committedAsId` varchar(36) NULL'];

export class ImportCommittedAs1764495000000 implements MigrationInterface {
  name = 'ImportCommittedAs1764495000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('customer_import', 'committedAsId');
  }
}
