// Checks the harness itself (server started and seeded, Chromium launches, idle server), not the
// console: it must pass even before the console exists (E2E_ALLOW_NO_WEB=1).
import fs from 'node:fs';
import path from 'node:path';
import { expect, IDLE_SERVER_SECONDS, idleTest, test } from '../fixtures';
import { REPO_ROOT } from '../server';

// Without dist/web (E2E_ALLOW_NO_WEB=1) the server answers `/` and /favicon.ico with an error.
const webBuilt = fs.existsSync(path.join(REPO_ROOT, 'dist/web/index.html'));

async function signIn(request: import('@playwright/test').APIRequestContext, username: string, password: string) {
  // The cookie session of the console, or the bearer-token login that predates it.
  const session = await request.post('/api/v1/auth/session', { data: { username, password }, headers: { 'X-Custodian-Console': '1' } });
  if (session.status() !== 404) return session;
  return request.post('/api/v1/auth/login', { data: { username, password } });
}

test('harness: server healthy, ready, seeded', async ({ request }) => {
  expect((await request.get('/healthz')).status()).toBe(200);
  const ready = await request.get('/readyz');
  expect(ready.status()).toBe(200);
  expect((await ready.json()).status).toBe('ready');
  expect((await signIn(request, 'demo.project_manager', 'demo-password')).status()).toBe(200);
  expect((await signIn(request, 'admin', 'e2e-admin-password-1')).status()).toBe(200);
  expect((await signIn(request, 'demo.project_manager', 'wrong-password')).status()).toBe(401);
});

test.describe('browser', () => {
  test.use({ allowedConsoleErrors: webBuilt ? [] : [{ why: 'console not built (E2E_ALLOW_NO_WEB=1)', text: /status of (404|503)/ }] });

  test('harness: Chromium opens the console URL', async ({ page, baseURL, shot }) => {
    const res = await page.goto('/');
    expect(res, 'a response for /').not.toBeNull();
    if (webBuilt) expect(res!.status()).toBe(200);
    expect(page.url().startsWith(baseURL!)).toBe(true);
    expect(await page.evaluate(() => navigator.language)).toBe('zh-TW');
    expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('Asia/Shanghai');
    await shot(page, 'harness-root');
  });
});

// The checks of fixtures.ts really fail a test (test.fail: this test passes only if it fails).
test('harness: checkA11y fails on a critical violation', async ({ page, checkA11y }) => {
  test.fail();
  await page.setContent('<html lang="en"><head><title>t</title></head><body><main><h1>x</h1><img src="data:,"></main></body></html>');
  await checkA11y(page, 'harness-bad-page');
});

test('harness: a console error fails the test', async ({ page }) => {
  test.fail();
  await page.setContent('<html><body><script>console.error("boom")</script></body></html>');
});

test('harness: an uncaught page error fails the test', async ({ page }) => {
  test.fail();
  await page.setContent('<html><body><script>setTimeout(() => { throw new Error("boom") })</script></body></html>');
  await page.waitForTimeout(100);
});

idleTest('harness: the idle-timeout server is separate, ready and seeded', async ({ request, baseURL }) => {
  expect(baseURL).not.toBe(process.env.E2E_BASE_URL);
  expect((await request.get('/readyz')).status()).toBe(200);
  const res = await signIn(request, 'demo.staff', 'demo-password');
  expect(res.status()).toBe(200);
  // The console session (once the server has it) reports the idle timeout this server was given.
  const body = await res.json();
  if ('idleTimeoutSeconds' in body) expect(body.idleTimeoutSeconds).toBe(IDLE_SERVER_SECONDS);
});
