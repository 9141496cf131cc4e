// End-to-end tests of the console against the real, built server:
//   npm run build && npx playwright test -c e2e/playwright.config.ts
// global-setup.ts starts the server (fresh SQLite, demo organisation seeded) and sets E2E_BASE_URL
// before the workers start; each worker reads this file again and so sees it.
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// E2E_RESULTS_DIR: a run of its own (several people testing at once on one machine).
const RESULTS = process.env.E2E_RESULTS_DIR ? path.resolve(process.env.E2E_RESULTS_DIR) : path.join(__dirname, '.results');

export default defineConfig({
  testDir: path.join(__dirname, 'specs'),
  // 2 cores and one shared server: tests run one at a time.
  workers: 1,
  fullyParallel: false,
  // In CI one retry: a browser on a busy 2-core machine can lose a click in an animation. A test
  // that passes only on its retry is reported as flaky (printed by .ci/run), never hidden.
  retries: process.env.CI ? 1 : 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  globalSetup: path.join(__dirname, 'global-setup.ts'),
  // Failure screenshots and other per-test artifacts; Playwright empties this folder at the start of a run.
  outputDir: path.join(RESULTS, 'artifacts'),
  reporter: [
    ['list'],
    // The CI script reads stats.expected (passed) / stats.unexpected (failed) from here.
    ['json', { outputFile: path.join(RESULTS, 'results.json') }],
  ],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    locale: 'zh-TW',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    trace: 'off',
    // A missing element fails in 15 s, not at the 60 s test timeout.
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    video: 'off',
    headless: true,
    launchOptions: {
      // Debian's Chromium: Playwright's own browser downloads do not work here (never `npx playwright install`).
      executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
