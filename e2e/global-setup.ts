// Starts the shared server for the whole run (see server.ts) and hands its address to the
// workers through process.env (workers are started after this and inherit the runner's env).
// The returned function is Playwright's global teardown: it stops the server and removes its temp dir.
import fs from 'node:fs';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { assertBuilt, RESULTS_DIR, SCREENSHOTS_DIR, startServer } from './server';

export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  assertBuilt();
  // Screenshots and axe reports of an earlier run would pass for this run's.
  fs.rmSync(SCREENSHOTS_DIR, { recursive: true, force: true });
  fs.rmSync(path.join(RESULTS_DIR, 'a11y'), { recursive: true, force: true });
  fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });

  const server = await startServer({ name: 'main', idleSeconds: Number(process.env.E2E_SESSION_IDLE_SECONDS || 900) });
  process.env.E2E_BASE_URL = server.baseURL;
  const info = { baseURL: server.baseURL, pid: server.pid, log: path.relative(process.cwd(), server.logFile), ...server.timings };
  fs.writeFileSync(path.join(RESULTS_DIR, 'server.json'), JSON.stringify(info, null, 2));
  process.stdout.write(`e2e: server ${server.baseURL} (pid ${server.pid}) seeded in ${server.timings.seedMs} ms, ready in ${server.timings.startMs} ms; log ${info.log}\n`);

  return async () => {
    await server.stop();
  };
}
