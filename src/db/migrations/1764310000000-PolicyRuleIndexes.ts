import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/** Memberships are looked up by user (ptype, v0) on every /me and by role (ptype, v1) for guards. */
export class PolicyRuleIndexes1764310000000 implements MigrationInterface {
  name = 'PolicyRuleIndexes1764310000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.createIndex('casbin_rule', new TableIndex({ name: 'idx_casbin_rule_v0', columnNames: ['ptype', 'v0'] }));
    await q.createIndex('casbin_rule', new TableIndex({ name: 'idx_casbin_rule_v1', columnNames: ['ptype', 'v1'] }));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('casbin_rule', 'idx_casbin_rule_v1');
    await q.dropIndex('casbin_rule', 'idx_casbin_rule_v0');
  }
}
