import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * R-IT-PERMS: which releases of the baseline policy (policies/policy.csv `# @since` groups) a
 * database has received. Empty on an existing installation: its first start of this version
 * adds the lines of every release it lacks, once, audited (src/bootstrap.ts).
 */
const SQLITE = ['CREATE TABLE "policy_baseline_release" ("tag" varchar(40) PRIMARY KEY NOT NULL, "appliedAt" datetime(3) NOT NULL)'];
const MYSQL = ['CREATE TABLE `policy_baseline_release` (`tag` varchar(40) NOT NULL, `appliedAt` datetime(3) NOT NULL, PRIMARY KEY (`tag`)) ENGINE=InnoDB'];

export class PolicyBaselineReleases1764450000000 implements MigrationInterface {
  name = 'PolicyBaselineReleases1764450000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('policy_baseline_release');
  }
}
