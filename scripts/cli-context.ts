import 'reflect-metadata';
import { bootstrap } from '../src/bootstrap';
import { ConfigError, loadConfig } from '../src/config/env';
import { AppContext, buildContext } from '../src/context';
import { createDataSource } from '../src/db/data-source';
import { Database } from '../src/db/database';
import { createLogger } from '../src/logger';

/** The same context the server builds (same DATABASE_URL, migrations, baseline), for CLI scripts. */
export async function withContext<T>(work: (ctx: AppContext) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ production: config.nodeEnv === 'production', level: process.env.LOG_LEVEL || 'warn' });
  const ds = await createDataSource(config.databaseUrl);
  await ds.initialize();
  try {
    const ctx = buildContext(config, logger, new Database(ds));
    await bootstrap(ctx);
    return await work(ctx);
  } finally {
    await ds.destroy();
  }
}
