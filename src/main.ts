import 'reflect-metadata';
import http from 'node:http';
import { createApp } from './app';
import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig } from './config/env';
import { buildContext } from './context';
import { createDataSource } from './db/data-source';
import { Database } from './db/database';
import { createLogger } from './logger';
import { preloadDocumentLibraries } from './lib/heavy-modules';
import { JobScheduler } from './jobs/scheduler';
import { startDeliveryWorker } from './features/notifications/delivery/delivery.worker';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`custodian: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ production: config.nodeEnv === 'production', level: config.logLevel });
  const ds = await createDataSource(config.databaseUrl);
  await ds.initialize();
  const db = new Database(ds);
  const ctx = buildContext(config, logger, db);
  await bootstrap(ctx);
  ctx.policy.startPolling(config.policyPollMs);
  const jobs = new JobScheduler(ctx);
  if (config.jobsEnabled) {
    jobs.start();
    // A period that fell due while no instance was up runs now (once across instances).
    void jobs.catchUp();
  }
  // R-AUDIT: every instance looks each minute; the interval's signed digest is made once.
  ctx.auditDigests.start();
  // Journal mode (issue 16): whatever a stopped instance committed but did not seal is sealed here.
  if (ctx.audit.mode === 'journal') ctx.auditSealer.start();
  // Every instance delivers notifications (e-mail, group robots); the claims send each once.
  const delivery = startDeliveryWorker(ctx);

  const server = http.createServer(createApp(ctx));
  server.listen(config.port, () => {
    logger.info('custodian listening', { port: config.port, database: ds.options.type, policyVersion: ctx.policy.version });
    // A moment after the start, not inside the first export (src/lib/heavy-modules.ts).
    setTimeout(preloadDocumentLibraries, 1000).unref();
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    jobs.stop();
    ctx.policy.stopPolling();
    ctx.imports.close();
    // Finish in-flight requests, then close the pool; force exit if something hangs.
    setTimeout(() => process.exit(1), 10_000).unref();
    // The worker finishes its round (and records it) before the pool closes.
    server.close(() => {
      void delivery
        .stop()
        .catch(() => undefined)
        // The reads still queued are written (issue 14 §2: a clean stop loses none), then the last
        // signed digest over what was written up to the shutdown (R-AUDIT).
        .then(() => ctx.accessLog.close())
        .then(() => ctx.auditSealer.stop())
        .then(() => ctx.auditSealer.request())
        .then(() => ctx.auditDigests.stop())
        .finally(() => void ds.destroy().finally(() => process.exit(0)));
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`custodian failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
