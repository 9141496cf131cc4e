// Audit trail (R-AUDIT): the auditor filters the trail (customer.revealed), opens an event (before
// and after side by side), verifies the chain (result shown plainly) and exports the CSV.
import { request as playwrightRequest } from '@playwright/test';
import { expect, test } from '../fixtures';

const bi = (zh: string, en: string) => new RegExp(`^\\s*(${zh}|${en})\\s*$`, 'i');

test('auditor: filter by action, open an event, verify, export', async ({ page, loginAs, checkA11y, shot, baseURL }) => {
  // A reveal to find: the info clerk creates a customer and reveals a phone, through the API.
  const clerk = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { 'X-Custodian-Console': '1' } });
  expect((await clerk.post('/api/v1/auth/session', { data: { username: 'demo.info_clerk', password: 'demo-password' } })).status()).toBe(200);
  const phone = `137${String(Date.now()).slice(-8)}`;
  const created = await clerk.post('/api/v1/customers', { data: { project: 'SC-HARBOUR', name: '稽核用客戶', unit: '9棟0909室', phones: [phone] } });
  expect(created.status()).toBe(201);
  const customerId = String((await created.json()).id);
  const reason = `audit e2e ${Date.now()}`;
  expect((await clerk.post(`/api/v1/customers/${customerId}/reveal`, { data: { fields: ['phones'], reason } })).status()).toBe(200);
  await clerk.dispose();

  await loginAs(page, 'auditor');
  await page.getByRole('menuitem', { name: /稽核軌跡|Audit trail/ }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole('heading', { level: 1, name: bi('稽核軌跡', 'Audit trail') })).toBeVisible();
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  await shot(page, 'audit-list');
  await checkA11y(page, 'audit-list');

  // Filter: action customer.revealed, object id of the customer.
  await page.getByLabel(bi('動作', 'Action')).fill('customer.revealed');
  await page.keyboard.press('Escape');
  await page.getByLabel(bi('對象編號', 'Object id')).fill(customerId);
  await page.getByRole('button', { name: /套\s*用|Apply/ }).click();
  const rows = page.locator('.ant-table-tbody tr.ant-table-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('customer.revealed');
  await expect(rows.first()).toContainText('demo.info_clerk');
  await shot(page, 'audit-filtered');

  // The event: reason, fields revealed (never the value).
  await rows.first().getByRole('button').click();
  const drawer = page.getByRole('dialog');
  await expect(drawer).toContainText(reason);
  await expect(drawer).toContainText('phones');
  await expect(drawer).not.toContainText(phone);
  await expect(drawer.getByRole('columnheader', { name: bi('變更前', 'Before') })).toBeVisible();
  await expect(drawer.getByRole('columnheader', { name: bi('變更後', 'After') })).toBeVisible();
  await shot(page, 'audit-event');
  await checkA11y(page, 'audit-event');
  await drawer.getByRole('button', { name: /關閉|Close/ }).click();
  await expect(drawer).toBeHidden();

  // A signed digest now (kept outside the database), then verify: the result in plain words,
  // with how far the signed digests reach (R-AUDIT).
  await page.getByRole('button', { name: /立即簽署摘要|Sign a digest now/ }).click();
  await expect(page.locator('.ant-message')).toContainText(/已簽署第 \d+ 份摘要|Digest no\. \d+ signed/);
  await page.getByRole('button', { name: /驗證雜湊鏈|Verify the chain/ }).click();
  const verified = page.getByRole('status').filter({ hasText: /雜湊鏈完整|The chain is intact/ });
  await expect(verified).toBeVisible();
  await expect(verified).toContainText(/份簽署摘要；最新第 \d+ 份|signed digests checked; the latest/);
  // The pointer off the button: its hover colour is not what the page shows at rest.
  await page.mouse.move(0, 0);
  await shot(page, 'audit-verified');
  await checkA11y(page, 'audit-verified');

  // The quick verify: only what follows the latest signed digest, and it says from where.
  await page.getByRole('button', { name: /快速驗證|Quick verify/ }).click();
  const quick = page.getByRole('status').filter({ hasText: /自序號 \d+（最新簽署摘要）之後的 \d+ 筆事件完整|events after seq \d+ \(the latest signed digest\) are intact/ });
  await expect(quick).toBeVisible();
  await page.mouse.move(0, 0);
  await shot(page, 'audit-verified-quick');

  // Export with the same filters: a CSV with the event.
  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: /匯出 CSV|Export CSV/ }).click();
  const file = await downloaded;
  expect(file.suggestedFilename()).toBe('audit.csv');
  const csv = await (await import('node:fs')).promises.readFile((await file.path())!, 'utf8');
  expect(csv.split('\n')[0]).toMatch(/^seq,at,actorId/);
  expect(csv).toContain('customer.revealed');
  expect(csv).toContain(reason);
  expect(csv).not.toContain(phone);
  await expect(page).toHaveURL(/\/audit$/);

  // 800 px wide: filters stack, the table scrolls.
  await page.setViewportSize({ width: 800, height: 800 });
  await shot(page, 'audit-800');
});

test('auditor: the next page is read by key (the cursor of the page before), and follows on from it', async ({ page, loginAs, shot }) => {
  await loginAs(page, 'auditor');
  await page.goto('/audit');
  const rows = page.locator('.ant-table-tbody tr.ant-table-row');
  await expect(rows).toHaveCount(20);
  const seqOf = async (row: ReturnType<typeof rows.first>) => Number((await row.locator('td').first().innerText()).trim());
  const lastOnPage1 = await seqOf(rows.last());

  // Issue 14 §3: page 2 starts at page 1's nextCursor; no OFFSET counting past the newer events.
  const request = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/audit');
  await page.locator('.ant-pagination').getByTitle('2', { exact: true }).click();
  const query = new URL((await request).url()).searchParams;
  expect(query.get('cursor')).toBe(String(lastOnPage1));
  expect(query.has('offset')).toBe(false);
  await expect(rows.first().locator('td').first()).not.toHaveText(/^\s*$/);
  await expect.poll(() => seqOf(rows.first())).toBeLessThan(lastOnPage1);
  // Newest first, without a gap: the trail's seq is gap-free, so page 2 starts right below page 1.
  expect(await seqOf(rows.first())).toBe(lastOnPage1 - 1);
  await expect(page.locator('.ant-pagination-item-active')).toHaveText('2');
  await shot(page, 'audit-page-2');
});
