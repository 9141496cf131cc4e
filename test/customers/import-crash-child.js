/**
 * A real Custodian instance in its own process, for test/customers/import-recovery.test.ts: the
 * test starts it on the test's database, sends it a large import and kills it with SIGKILL in
 * the middle. The TypeScript sources are compiled on the fly (transpile only, as the jest transformer does:
 * tsconfig has isolatedModules), so no build is needed.
 *
 * Environment: the instance's own (DATABASE_URL, JWT_SECRET, DATA_KEY, ...). Prints one line
 * `{"port":<n>,"runnerId":"..."}` on stdout once it listens.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const root = path.resolve(__dirname, '../..');
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
const options = { ...ts.convertCompilerOptionsFromJson(compilerOptions, root).options, sourceMap: false, inlineSourceMap: false };
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: options, fileName: filename });
  module._compile(outputText, filename);
};

require('reflect-metadata');
const http = require('node:http');
const { loadConfig } = require(path.join(root, 'src/config/env.ts'));
const { createDataSource } = require(path.join(root, 'src/db/data-source.ts'));
const { Database } = require(path.join(root, 'src/db/database.ts'));
const { buildContext } = require(path.join(root, 'src/context.ts'));
const { createApp } = require(path.join(root, 'src/app.ts'));
const { createLogger } = require(path.join(root, 'src/logger.ts'));

(async () => {
  const config = loadConfig(process.env);
  const logger = createLogger({ production: false, level: 'error' });
  const ds = await createDataSource(config.databaseUrl);
  await ds.initialize();
  const ctx = buildContext(config, logger, new Database(ds));
  // The database is the test's (migrated, bootstrapped): only the policy is loaded here.
  await ctx.policy.reload();
  const server = http.createServer(createApp(ctx));
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port, runnerId: ctx.imports.runnerId })}\n`);
  });
})().catch((err) => {
  process.stderr.write(`import child failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
