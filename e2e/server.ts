// Starts a REAL Custodian server (the built dist/, as `npm start` runs it) for the end-to-end tests:
// its own temp directory (SQLite file, handover and import stores), its own secrets, the demo
// organisation seeded, a free port. Used by global-setup.ts (the shared server) and by the
// worker fixture `idleServer` in fixtures.ts (a short idle timeout, started only when a spec asks).
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const RESULTS_DIR = process.env.E2E_RESULTS_DIR ? path.resolve(process.env.E2E_RESULTS_DIR) : path.join(__dirname, '.results');
export const SCREENSHOTS_DIR = path.join(RESULTS_DIR, 'screenshots');
export const BOOTSTRAP_ADMIN_PASSWORD = 'e2e-admin-password-1';
export const DEMO_PASSWORD = 'demo-password';

const MAIN_JS = path.join(REPO_ROOT, 'dist/src/main.js');
const SEED_JS = path.join(REPO_ROOT, 'dist/scripts/seed-demo.js');
// CONSOLE_DIR (the server's own setting) lets a run serve a console built elsewhere.
const WEB_INDEX = path.join(process.env.CONSOLE_DIR ? path.resolve(process.env.CONSOLE_DIR) : path.join(REPO_ROOT, 'dist/web'), 'index.html');
const READY_TIMEOUT_MS = 60_000;

export interface ServerOptions {
  /** Names the temp dir and the log file (e2e/.results/server-<name>.log). */
  name: string;
  /** SESSION_IDLE_SECONDS for this server. */
  idleSeconds: number;
}

export interface StartedServer {
  name: string;
  baseURL: string;
  pid: number;
  logFile: string;
  timings: { seedMs: number; startMs: number };
  stop(): Promise<void>;
}

/** Fails early, with what to do, when the tree was not built (the harness never builds it). */
export function assertBuilt(): void {
  const missing = [MAIN_JS, SEED_JS, WEB_INDEX]
    .filter((f) => !fs.existsSync(f))
    // E2E_ALLOW_NO_WEB=1: check the harness itself (server, seed, browser) before the console exists.
    .filter((f) => !(f === WEB_INDEX && process.env.E2E_ALLOW_NO_WEB === '1'));
  if (missing.length) {
    throw new Error(
      `e2e: the built tree is missing ${missing.map((f) => path.relative(REPO_ROOT, f)).join(', ')}.\n` +
        `Run \`npm run build\` first (it compiles the server into dist/ and the console into dist/web), then ` +
        '`npx playwright test -c e2e/playwright.config.ts`.',
    );
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything the server and the seed script read; the same for both, so they share the database and keys. */
function serverEnv(tmp: string, port: number, idleSeconds: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the caller's shell may point the server at another database or key set.
  for (const k of Object.keys(env)) {
    if (/^(DATABASE_URL|DATA_KEYS?_|DATA_KEY$|BLIND_INDEX_KEY|JWT_SECRET|TRUST_PROXY|ACCESS_TOKEN_TTL|DEMO_PASSWORD)/.test(k)) delete env[k];
  }
  return {
    ...env,
    // Development defaults (what a developer runs); nothing there refuses to start. Not `test`:
    // that only changes log level, bcrypt rounds and jobs, which are set explicitly below.
    NODE_ENV: 'development',
    PORT: String(port),
    DATABASE_URL: `sqlite:${path.join(tmp, 'e2e.sqlite')}`,
    BOOTSTRAP_ADMIN_PASSWORD,
    DEMO_PASSWORD,
    SESSION_IDLE_SECONDS: String(idleSeconds),
    // No cron jobs firing in the middle of a test.
    JOBS_ENABLED: 'false',
    HANDOVER_STORAGE_DIR: path.join(tmp, 'files'),
    IMPORT_DIR: path.join(tmp, 'imports'),
    // Per-run secrets: development would otherwise create/read var/dev-secrets.json in the repo.
    JWT_SECRET: crypto.randomBytes(32).toString('base64'),
    DATA_KEY: `e2e1:${crypto.randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: crypto.randomBytes(32).toString('base64'),
    // The signed audit digests belong to this server's database, not to the checkout's var/.
    AUDIT_SIGNING_KEY: signingKeyFile(tmp),
    AUDIT_DIGEST_DIR: path.join(tmp, 'audit-digests'),
    // Cheap hashes: the seed creates ~10 users and every test signs in.
    BCRYPT_ROUNDS: '4',
    // Every test signs in from 127.0.0.1; the production throttle (30/min) would trip a long run.
    LOGIN_RATE_LIMIT: '1000',
    // Notification delivery (no SMTP_URL: e-mail rows wait, pending): a group robot whose webhook
    // cannot be reached is dead-lettered at its first failure, so the dead-letter page has a row to
    // send again within a test (notifications.spec.ts).
    NOTIFY_MAX_ATTEMPTS: '1',
    NOTIFY_TIMEOUT_MS: '3000',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL || 'info',
  };
}

/** An Ed25519 key of the server's own (production reads AUDIT_SIGNING_KEY the same way). */
function signingKeyFile(tmp: string): string {
  const file = path.join(tmp, 'audit-signing-key.pem');
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}

export async function startServer(opts: ServerOptions): Promise<StartedServer> {
  assertBuilt();
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `custodian-e2e-${opts.name}-`));
  const port = await freePort();
  const env = serverEnv(tmp, port, opts.idleSeconds);
  const logFile = path.join(RESULTS_DIR, `server-${opts.name}.log`);
  fs.writeFileSync(logFile, '');
  const cleanupTmp = () => fs.rmSync(tmp, { recursive: true, force: true });

  // 1. Seed first: the script runs the same bootstrap as the server (migrations, baseline policy,
  //    the `admin` user with BOOTSTRAP_ADMIN_PASSWORD), so the server then starts on a complete
  //    database and loads a policy that already has the demo assignments.
  let t = Date.now();
  const seed = spawnSync(process.execPath, [SEED_JS], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  fs.appendFileSync(logFile, `--- seed-demo (exit ${seed.status})\n${seed.stdout ?? ''}${seed.stderr ?? ''}\n--- server\n`);
  if (seed.status !== 0) {
    cleanupTmp();
    throw new Error(`e2e: seed-demo failed (exit ${seed.status}${seed.error ? `, ${seed.error.message}` : ''}):\n${seed.stdout}${seed.stderr}`);
  }
  const seedMs = Date.now() - t;

  // 2. The server, in its own process group (detached) so that stop() ends it and anything it spawned.
  t = Date.now();
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [MAIN_JS], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited: number | string | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? signal ?? 'unknown';
      resolve();
    }),
  );
  const pid = child.pid!;
  // Safety net: if the runner dies without running teardown, do not leave the server behind.
  const onExit = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  process.once('exit', onExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    if (exited === null) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      // main.ts finishes in-flight requests and closes the pool; it force-exits after 10 s itself.
      const killed = await Promise.race([exitPromise.then(() => true), sleep(12_000).then(() => false)]);
      if (!killed) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await exitPromise;
      }
    }
    cleanupTmp();
  };

  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`e2e: the ${opts.name} server exited (${exited}) before it was ready. Log ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`e2e: the ${opts.name} server was not ready (GET /readyz 200) within ${READY_TIMEOUT_MS / 1000} s. Log ${logFile}:\n${tail(logFile)}`);
    }
    await sleep(150);
  }
  return { name: opts.name, baseURL, pid, logFile, timings: { seedMs, startMs: Date.now() - t }, stop };
}
