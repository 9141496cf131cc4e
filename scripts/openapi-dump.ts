import 'reflect-metadata';
import { allRoutes } from '../src/api/routes';
import { loadConfig } from '../src/config/env';
import { buildContext } from '../src/context';
import { createDataSource } from '../src/db/data-source';
import { Database } from '../src/db/database';
import { createLogger } from '../src/logger';

/**
 * The OpenAPI document the server serves at /api/v1/openapi.json, built without a database:
 * the real context is built over a data source that is never initialized (building routes
 * calls no service; only serving them would). The configuration is the defaults, from a fixed
 * environment (never the caller's), so the document is the same on every machine: the console's
 * checked-in types (web/src/api/schema.d.ts) are generated from it by `npm run api:types`.
 */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const key = Buffer.alloc(32).toString('base64');
  const config = loadConfig({
    NODE_ENV: 'test',
    // Fixed stand-ins: loadConfig would otherwise create var/dev-secrets.json. Nothing is signed or encrypted here.
    JWT_SECRET: 'openapi-dump-'.padEnd(32, '0'),
    DATA_KEY: `dump:${key}`,
    BLIND_INDEX_KEY: key,
    DATABASE_URL: 'sqlite::memory:',
  });
  const ds = await createDataSource(config.databaseUrl);
  const ctx = buildContext(config, createLogger({ production: false, level: 'silent' }), new Database(ds));
  const routes = allRoutes(ctx);
  const self = routes.find((r) => r.method === 'get' && r.path === '/api/v1/openapi.json');
  if (!self) throw new Error('allRoutes() no longer serves /api/v1/openapi.json');
  return (await self.handler({} as Parameters<typeof self.handler>[0])) as Record<string, unknown>;
}

if (require.main === module) {
  openApiDocument().then(
    (doc) => process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
