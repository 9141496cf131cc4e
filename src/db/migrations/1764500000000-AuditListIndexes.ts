import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * Issue 14 §3: every filter of GET /api/v1/audit reads an index, in `seq` order (both databases
 * append the primary key `seq` to a secondary index), so a cursor page is one index range however
 * long the trail. Actor id and action already had theirs; the actor's name, the object id alone,
 * the scope and the decision had none (1,000,000 events: 0.1-0.3 s a page on SQLite, a scan of the
 * table each; see bench/audit-list.ts).
 */
const INDEXES: Array<[string, string]> = [
  ['idx_audit_actor_name', 'actorName'],
  ['idx_audit_object_id', 'objectId'],
  ['idx_audit_scope', 'scope'],
  ['idx_audit_decision', 'decision'],
];

export class AuditListIndexes1764500000000 implements MigrationInterface {
  name = 'AuditListIndexes1764500000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const [name, column] of INDEXES) await q.createIndex('audit_event', new TableIndex({ name, columnNames: [column] }));
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const [name] of [...INDEXES].reverse()) await q.dropIndex('audit_event', name);
  }
}
