import { createDataSource } from '../../src/db/data-source';
import { createTestDatabase, TestDatabase } from '../helpers/test-db';

describe('schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('migrations produce exactly the schema the entities describe (no pending change, no synchronize)', async () => {
    const ds = await createDataSource(db.url);
    expect(ds.options.synchronize).toBe(false);
    await ds.initialize();
    try {
      const ran = await ds.runMigrations();
      expect(ran.length).toBeGreaterThan(0);
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      // A second run finds nothing to do.
      expect(await ds.runMigrations()).toEqual([]);
      // And every migration can be undone, newest first.
      for (let i = 0; i < ran.length; i++) await ds.undoLastMigration();
      const tables = await ds.createQueryRunner().getTables(['user_account', 'audit_event', 'casbin_rule']);
      expect(tables).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});
