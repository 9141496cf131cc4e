import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 §3, the monthly indicators on a large trail: the two audit counts of a department
 * (reveals: action, scope IN the projects, at in the month; refusals: decision "deny", scope IN
 * the projects and the department, at in the month, action not a refused offboarding) scanned the
 * whole of audit_event on MariaDB, once per department; and customer_export had no index at all
 * (exports: projectId IN the projects, createdAt in the month). Secondary indexes only: InnoDB
 * adds them in place without blocking writes to the trail (bench:audit measures the gain).
 */
const SQLITE = [
  'CREATE INDEX "idx_audit_decision_scope_at" ON "audit_event" ("decision", "scope", "at", "action") ',
  'CREATE INDEX "idx_audit_action_scope_at" ON "audit_event" ("action", "scope", "at") ',
  'CREATE INDEX "idx_customer_export_project_at" ON "customer_export" ("projectId", "createdAt") ',
];
const MYSQL = [
  'CREATE INDEX `idx_audit_decision_scope_at` ON `audit_event` (`decision`, `scope`, `at`, `action`)',
  'CREATE INDEX `idx_audit_action_scope_at` ON `audit_event` (`action`, `scope`, `at`)',
  'CREATE INDEX `idx_customer_export_project_at` ON `customer_export` (`projectId`, `createdAt`)',
];

export class IndicatorIndexes1764475000000 implements MigrationInterface {
  name = 'IndicatorIndexes1764475000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('customer_export', 'idx_customer_export_project_at');
    await q.dropIndex('audit_event', 'idx_audit_action_scope_at');
    await q.dropIndex('audit_event', 'idx_audit_decision_scope_at');
  }
}
