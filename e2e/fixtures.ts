// The `test` every spec imports: Playwright's, plus
//   loginAs(page, role)       sign in as demo.<role> through the login page
//   login(page, user, pass)   the same for any account (e.g. the bootstrap `admin`)
//   checkA11y(page, name)     axe (WCAG 2.0 A/AA, 2.1 AA); serious/critical violations fail the test
//   shot(page, name)          full-page PNG in e2e/.results/screenshots/<name>.png
//   consoleErrors             what the browser reported so far (read-only; the check below is automatic)
// and, automatically for every test that opens a page: any console error or uncaught page error
// fails the test, except the entries of ALLOWED_CONSOLE_ERRORS (or a spec's `allowedConsoleErrors`).
// `idleTest` is the same `test` against a second server whose sessions expire after 20 s idle.
// Playwright reads a fixture's dependencies from its first parameter, which must be a destructuring
// pattern, `{}` when there are none.
/* eslint-disable no-empty-pattern */
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { DEMO_PASSWORD, RESULTS_DIR, SCREENSHOTS_DIR, startServer } from './server';

export { expect };

export const DEMO_ROLES = [
  'it_admin',
  'quality_inspector',
  'general_manager',
  'auditor',
  'dept_head',
  'project_manager',
  'info_clerk',
  'staff',
  'customer_manager',
] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

/** Idle timeout of the second server (`idleTest`). */
export const IDLE_SERVER_SECONDS = 20;

/** One tolerated console error: every given matcher must match. Say why in `why`. */
export interface ConsoleAllow {
  why: string;
  /** Matches the console text (or the error message of an uncaught error). */
  text?: RegExp;
  /** Matches the URL the message is about (for a failed request: the request's URL). */
  url?: RegExp;
}

export interface ConsoleProblem {
  kind: 'console.error' | 'pageerror';
  text: string;
  url: string;
}

/**
 * Console errors every test tolerates. Keep this short; each entry says why it is not a bug.
 * A spec that provokes an error on purpose adds its own with `test.use({ allowedConsoleErrors: [...] })`.
 */
export const ALLOWED_CONSOLE_ERRORS: ConsoleAllow[] = [
  {
    // The console asks GET /api/v1/me at start to learn whether a session exists; without one the
    // server answers 401 (contract) and Chromium logs every 4xx resource as a console error.
    why: '401 from the session probe GET /api/v1/me before signing in (or after signing out / idle expiry)',
    text: /status of 401/,
    url: /\/api\/v1\/me(\?|$)/,
  },
];

// Labels of the login form; English too, for the language switch.
const USERNAME_LABEL = /^\s*(帳號|Username)\s*[:：]?\s*$/i;
const PASSWORD_LABEL = /^\s*(密碼|Password)\s*[:：]?\s*$/i;
// Ant Design puts a space between two CJK characters of a button ("登 入").
const SIGN_IN_BUTTON = /^\s*(登\s*入|Sign in)\s*$/i;
const LOGIN_PATH = /\/login(\?|#|$)/;

const collectors = new WeakMap<BrowserContext, ConsoleProblem[]>();

function fileName(name: string): string {
  const safe = name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '');
  if (!safe) throw new Error(`shot/checkA11y: unusable name "${name}"`);
  return safe;
}

function allowed(p: ConsoleProblem, list: ConsoleAllow[]): boolean {
  return list.some((a) => (a.text || a.url) && (!a.text || a.text.test(p.text)) && (!a.url || a.url.test(p.url)));
}

interface A11yOptions {
  /** CSS selectors axe skips (say why at the call). */
  exclude?: string[];
  /** axe rule ids not run (say why at the call). */
  disableRules?: string[];
}

type Fixtures = {
  allowedConsoleErrors: ConsoleAllow[];
  consoleErrors: ConsoleProblem[];
  login: (page: Page, username: string, password: string) => Promise<void>;
  loginAs: (page: Page, role: DemoRole) => Promise<void>;
  checkA11y: (page: Page, name: string, opts?: A11yOptions) => Promise<void>;
  shot: (page: Page, name: string) => Promise<string>;
};
type WorkerFixtures = {
  /** A second server (own database, seeded) with SESSION_IDLE_SECONDS=20, started on first use. */
  idleServer: { baseURL: string };
};

export const test = base.extend<Fixtures, WorkerFixtures>({
  allowedConsoleErrors: [[], { option: true }],

  // Wraps the built-in context: every page of it (popups too) is watched.
  context: async ({ context, allowedConsoleErrors }, use, testInfo) => {
    const problems: ConsoleProblem[] = [];
    collectors.set(context, problems);
    context.on('console', (msg) => {
      if (msg.type() === 'error') problems.push({ kind: 'console.error', text: msg.text(), url: msg.location().url || msg.page()?.url() || '' });
    });
    context.on('weberror', (err) => {
      const e = err.error();
      problems.push({ kind: 'pageerror', text: `${e.name}: ${e.message}`, url: err.page()?.url() ?? '' });
    });
    await use(context);
    const list = [...ALLOWED_CONSOLE_ERRORS, ...allowedConsoleErrors];
    const bad = problems.filter((p) => !allowed(p, list));
    if (problems.length) await testInfo.attach('console-errors.json', { body: JSON.stringify(problems, null, 2), contentType: 'application/json' });
    if (bad.length) {
      throw new Error(
        `The page reported ${bad.length} console error(s) not in the allowlist (e2e/fixtures.ts ALLOWED_CONSOLE_ERRORS):\n` +
          bad.map((p) => `  [${p.kind}] ${p.text}${p.url ? `\n      at ${p.url}` : ''}`).join('\n'),
      );
    }
  },

  consoleErrors: async ({ context }, use) => {
    await use(collectors.get(context) ?? []);
  },

  login: async ({}, use) => {
    await use(async (page, username, password) => {
      // Already on the login page (e.g. redirected there from `/`): sign in there, else open it.
      if (!/^https?:/.test(page.url()) || !LOGIN_PATH.test(page.url())) await page.goto('/login');
      await page.getByLabel(USERNAME_LABEL).fill(username);
      await page.getByLabel(PASSWORD_LABEL).fill(password);
      await page.getByRole('button', { name: SIGN_IN_BUTTON }).click();
      await expect(page, `signing in as ${username} should leave the login page`).not.toHaveURL(LOGIN_PATH);
    });
  },

  loginAs: async ({ login }, use) => {
    await use((page, role) => login(page, `demo.${role}`, DEMO_PASSWORD));
  },

  checkA11y: async ({}, use, testInfo) => {
    await use(async (page, name, opts = {}) => {
      let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']);
      for (const sel of opts.exclude ?? []) builder = builder.exclude(sel);
      if (opts.disableRules?.length) builder = builder.disableRules(opts.disableRules);
      const results = await builder.analyze();
      const dir = path.join(RESULTS_DIR, 'a11y');
      fs.mkdirSync(dir, { recursive: true });
      const report = JSON.stringify({ url: results.url, violations: results.violations }, null, 2);
      fs.writeFileSync(path.join(dir, `${fileName(name)}.json`), report);
      await testInfo.attach(`a11y-${fileName(name)}.json`, { body: report, contentType: 'application/json' });
      const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      const text = blocking
        .map((v) => {
          const nodes = v.nodes.slice(0, 5).map((n) => `      - ${n.target.join(' ')}: ${(n.failureSummary ?? '').split('\n').slice(0, 2).join(' ').trim()}`);
          const more = v.nodes.length > 5 ? [`      … and ${v.nodes.length - 5} more`] : [];
          return [`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`, ...nodes, ...more].join('\n');
        })
        .join('\n');
      // Soft: the test goes on (later pages are still checked and shot) but ends failed.
      expect.soft(blocking.length, `axe found serious/critical violations on "${name}" (${results.url}):\n${text}\n`).toBe(0);
    });
  },

  shot: async ({}, use, testInfo) => {
    await use(async (page, name) => {
      const file = path.join(SCREENSHOTS_DIR, `${fileName(name)}.png`);
      fs.mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      await testInfo.attach(`${fileName(name)}.png`, { path: file, contentType: 'image/png' });
      return file;
    });
  },

  idleServer: [
    async ({}, use) => {
      // Someone may run one already (E2E_IDLE_BASE_URL); otherwise this worker starts its own.
      if (process.env.E2E_IDLE_BASE_URL) {
        await use({ baseURL: process.env.E2E_IDLE_BASE_URL });
        return;
      }
      const server = await startServer({ name: 'idle', idleSeconds: IDLE_SERVER_SECONDS });
      process.env.E2E_IDLE_BASE_URL = server.baseURL;
      process.stdout.write(`e2e: idle server ${server.baseURL} (SESSION_IDLE_SECONDS=${IDLE_SERVER_SECONDS}) seeded in ${server.timings.seedMs} ms, ready in ${server.timings.startMs} ms\n`);
      try {
        await use({ baseURL: server.baseURL });
      } finally {
        delete process.env.E2E_IDLE_BASE_URL;
        await server.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

/** `test` against the idle-timeout server: page.goto('/') and `request` go there. */
export const idleTest = test.extend({
  baseURL: async ({ idleServer }, use) => {
    await use(idleServer.baseURL);
  },
});
