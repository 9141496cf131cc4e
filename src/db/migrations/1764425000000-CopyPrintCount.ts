import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R-NO-PAPER: each download of a controlled copy's printout is numbered (print n, on the page
 * footer), so a reprint under the same serial shows on paper and in the ledger. A plain ADD
 * COLUMN on both drivers: existing copies start at 0 prints recorded.
 */
const SQLITE = ['ALTER TABLE "controlled_copy" ADD COLUMN "printCount" integer NOT NULL DEFAULT (0)'];

const MYSQL = ["ALTER TABLE `controlled_copy` ADD `printCount` int NOT NULL DEFAULT '0'"];

export class CopyPrintCount1764425000000 implements MigrationInterface {
  name = 'CopyPrintCount1764425000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('controlled_copy', 'printCount');
  }
}
