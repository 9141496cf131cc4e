import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 §4, R-SCOPE: the sign-in throttle's counters move from each instance's memory to the
 * database, so that several instances on one database allow the attempts of one. One row per
 * client key and window; swept once the window has ended.
 */
const SQLITE = [
  'CREATE TABLE "login_throttle" ("bucket" varchar(100) PRIMARY KEY NOT NULL, "hits" integer NOT NULL, "resetAt" datetime(3) NOT NULL)',
  'CREATE INDEX "idx_login_throttle_reset" ON "login_throttle" ("resetAt") ',
];
const MYSQL = [
  'CREATE TABLE `login_throttle` (`bucket` varchar(100) NOT NULL, `hits` int NOT NULL, `resetAt` datetime(3) NOT NULL, INDEX `idx_login_throttle_reset` (`resetAt`), PRIMARY KEY (`bucket`)) ENGINE=InnoDB',
];

export class LoginThrottle1764470000000 implements MigrationInterface {
  name = 'LoginThrottle1764470000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const sql of q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.dropTable('login_throttle');
  }
}
