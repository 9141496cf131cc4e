import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * R-INVENTORY (§3.2, §3.3), R-CLASSES (§5.1): the departments' customer-information inventory.
 * The SQL is what TypeORM's schema builder produces for the InventoryItem entity on each
 * driver; test/ops/schema.test.ts proves that entities and database agree after migrating.
 */
const SQLITE = [
  "CREATE TABLE \"inventory_item\" (\"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL, \"departmentId\" integer NOT NULL, \"infoClass\" varchar CHECK( \"infoClass\" IN ('paper_archive','electronic','control_data') ) NOT NULL, \"description\" varchar(500) NOT NULL, \"keeperUserId\" integer, \"keeperName\" varchar(200), \"location\" varchar(200) NOT NULL, \"approxCount\" integer NOT NULL, \"lastReviewedAt\" datetime(3), \"createdAt\" datetime(3) NOT NULL, \"updatedAt\" datetime(3) NOT NULL, \"createdById\" integer NOT NULL)",
  "CREATE INDEX \"idx_inventory_department\" ON \"inventory_item\" (\"departmentId\") ",
];

const MYSQL = [
  "CREATE TABLE `inventory_item` (`id` int NOT NULL AUTO_INCREMENT, `departmentId` int NOT NULL, `infoClass` enum ('paper_archive', 'electronic', 'control_data') NOT NULL, `description` varchar(500) NOT NULL, `keeperUserId` int NULL, `keeperName` varchar(200) NULL, `location` varchar(200) NOT NULL, `approxCount` int NOT NULL, `lastReviewedAt` datetime(3) NULL, `createdAt` datetime(3) NOT NULL, `updatedAt` datetime(3) NOT NULL, `createdById` int NOT NULL, INDEX `idx_inventory_department` (`departmentId`), PRIMARY KEY (`id`)) ENGINE=InnoDB",
];

export class Inventory1764320000000 implements MigrationInterface {
  name = 'Inventory1764320000000';

  public async up(q: QueryRunner): Promise<void> {
    const statements = q.connection.options.type === 'better-sqlite3' ? SQLITE : MYSQL;
    for (const sql of statements) await q.query(sql);
  }

  public async down(q: QueryRunner): Promise<void> {
    // Dropping the table drops its index on both drivers.
    await q.dropTable('inventory_item');
  }
}
