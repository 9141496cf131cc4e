import fs from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { Writable } from 'node:stream';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { createApp, AppOptions } from '../../src/app';
import { bootstrap } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/env';
import { AppContext, buildContext } from '../../src/context';
import { createDataSource } from '../../src/db/data-source';
import { Database } from '../../src/db/database';
import { User } from '../../src/entities/User';
import { createLogger } from '../../src/logger';
import { loadSigningKey } from '../../src/audit/digest/signing-key';
import { createMigratedTestDatabase, runDir, TestDatabase } from './test-db';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const ADMIN_PASSWORD = 'admin-password-123';
/** Fixed test keys (32 bytes each, base64). */
export const TEST_DATA_KEY = `t1:${Buffer.alloc(32, 7).toString('base64')}`;
export const TEST_BLIND_INDEX_KEY = Buffer.alloc(32, 9).toString('base64');

/** The run's Ed25519 audit signing key (made once per run, in the run's directory). */
export function testSigningKeyFile(): string {
  const file = path.join(runDir(), 'audit-signing-key.pem');
  if (!fs.existsSync(file)) loadSigningKey(file, true);
  return file;
}

/**
 * For a server or CLI process a test starts: the run's signing key and a digest directory of its
 * own in the run's directory, never the checkout's var/ (its digests belong to the test's database).
 */
export function childAuditEnv(): { AUDIT_SIGNING_KEY: string; AUDIT_DIGEST_DIR: string } {
  return { AUDIT_SIGNING_KEY: testSigningKeyFile(), AUDIT_DIGEST_DIR: fs.mkdtempSync(path.join(runDir(), 'digests-')) };
}

export interface TestApp {
  ctx: AppContext;
  server: http.Server;
  /** supertest agent bound to the running HTTP server. */
  http: () => ReturnType<typeof request>;
  baseUrl: string;
  admin: { id: number; username: string; token: string };
  dbUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions extends AppOptions {
  /** Reuse an existing database (a second "instance" on the same database). */
  dbUrl?: string;
  env?: Record<string, string>;
  /** Keep the database when this app closes (the first instance owns it). */
  keepDatabase?: boolean;
  /** Receives the production (JSON) log lines instead of a silent logger. */
  logSink?: (line: string) => void;
}

/**
 * A real instance: real database (fresh per app unless dbUrl is given), migrations, baseline
 * policy, the real enforcer, a real HTTP server on an ephemeral port. The bootstrap admin has
 * signed the agreement and holds it_admin in "*".
 *
 * "Fresh" is a database in the state the migrations leave (createMigratedTestDatabase: a copy of
 * a template migrated once, or a pooled MySQL database emptied back to it); the bootstrap then
 * runs on it exactly as on a first start: pending migrations (none), baseline policy, the admin.
 */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  let ownStorageDir: string | undefined;
  let testDb: TestDatabase | null = null;
  const dbUrl = opts.dbUrl ?? (testDb = await createMigratedTestDatabase()).url;
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    DATABASE_URL: dbUrl,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOGIN_RATE_LIMIT: '100000',
    POLICY_POLL_MS: '200',
    DATA_KEY: TEST_DATA_KEY,
    BLIND_INDEX_KEY: TEST_BLIND_INDEX_KEY,
    // Never the checkout's var/files: a test app's start-up sweep would treat a dev server's files as orphans.
    // In the run's directory, so that one a test keeps (keepDatabase) goes when the run ends.
    HANDOVER_STORAGE_DIR: ownStorageDir ??= fs.mkdtempSync(path.join(runDir(), 'files-')),
    // One signing key for the run (as one company has one), the digests beside the app's files.
    AUDIT_SIGNING_KEY: testSigningKeyFile(),
    AUDIT_DIGEST_DIR: path.join(ownStorageDir, 'audit-digests'),
    // The whole suite can run with the audit trail in journal mode (issue 16): TEST_AUDIT_CHAIN=journal.
    ...(process.env.TEST_AUDIT_CHAIN ? { AUDIT_CHAIN: process.env.TEST_AUDIT_CHAIN } : {}),
    ...opts.env,
  });
  const logger = opts.logSink
    ? createLogger({
        production: true,
        level: 'info',
        stream: new Writable({
          write(chunk, _enc, cb) {
            for (const line of String(chunk).split('\n')) if (line.trim()) opts.logSink!(line);
            cb();
          },
        }),
      })
    : createLogger({ production: false, level: config.logLevel });
  const ds = await createDataSource(dbUrl);
  await ds.initialize();
  const db = new Database(ds);
  let ctx: AppContext;
  try {
    ctx = buildContext(config, logger, db);
    await bootstrap(ctx, { print: () => undefined });
  } catch (err) {
    // A refused start (e.g. a wrong key) must not leave a pool open or a database behind.
    await ds.destroy();
    if (testDb) await testDb.drop();
    throw err;
  }
  // As in src/main.ts: every instance polls the policy version (POLICY_POLL_MS is 200 here).
  ctx.policy.startPolling(config.policyPollMs);
  if (ctx.audit.mode === 'journal') ctx.auditSealer.start();
  const admin = await db.manager.getRepository(User).findOneByOrFail({ username: 'admin' });
  if (admin.status !== 'active') await ctx.users.signAgreement({ id: admin.id, username: admin.username }, '2026-1');
  const app = createApp(ctx, opts);
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ctx,
    server,
    http: () => request(server),
    baseUrl: `http://127.0.0.1:${port}`,
    admin: { id: admin.id, username: admin.username, token: ctx.tokens.issue(admin.id, admin.tokenVersion) },
    dbUrl,
    async close() {
      ctx.policy.stopPolling();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ds.isInitialized) await ctx.auditSealer.stop();
      // As src/main.ts at shutdown: the queued customer reads are written before the pool closes.
      if (ds.isInitialized) await ctx.accessLog.close();
      if (ds.isInitialized) await ds.destroy();
      if (testDb && !opts.keepDatabase) await testDb.drop();
      if (ownStorageDir && !opts.keepDatabase) fs.rmSync(ownStorageDir, { recursive: true, force: true });
    },
  };
}
