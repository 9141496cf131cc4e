// Access log (R-AUDIT, R-SECRET, issue 14 §2): the info clerk opens a customer (masked, then a
// reveal) through the API; the auditor, who may not read customer records, opens that customer's
// page and sees only who viewed it: the clerk's reads with their kind and masked/revealed, filtered
// by period, exported as CSV; then the clerk's user page lists the customer, linked back.
// No customer data in page URLs or browser storage: the log holds ids only.
import fs from 'node:fs';
import { request as playwrightRequest, type Page } from '@playwright/test';
import { expect, test } from '../fixtures';

const bi = (zh: string, en: string) => new RegExp(`^\\s*(${zh}|${en})\\s*$`, 'i');
const CLERK_LABEL = 'Demo info_clerk (demo.info_clerk)';

async function assertNothingLeaked(page: Page, where: string, secrets: string[]) {
  const url = decodeURIComponent(page.url());
  const storage = await page.evaluate(() => {
    const dump = (s: Storage) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i)!)}`).join('\n');
    return `${dump(localStorage)}\n${dump(sessionStorage)}`;
  });
  for (const secret of secrets) {
    expect(url, `${where}: page URL`).not.toContain(secret);
    expect(storage, `${where}: local/session storage`).not.toContain(secret);
  }
}

test.describe.serial('access log', () => {
  let customerId = 0;

  test('auditor: who viewed a customer (kind, masked/revealed), period filter, CSV; the clerk\'s user page lists the customer', async ({ page, loginAs, checkA11y, shot, baseURL }) => {
    // The clerk reads a customer through the API: opened (masked), then revealed for a reason.
    const clerk = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { 'X-Custodian-Console': '1' } });
    expect((await clerk.post('/api/v1/auth/session', { data: { username: 'demo.info_clerk', password: 'demo-password' } })).status()).toBe(200);
    const clerkId = (await (await clerk.get('/api/v1/me')).json()).user.id as number;
    const suffix = String(Date.now()).slice(-8);
    const phone = `136${suffix}`;
    const name = `存取紀錄客戶${suffix}`;
    const created = await clerk.post('/api/v1/customers', { data: { project: 'SC-HARBOUR', name, unit: '8棟0808室', phones: [phone] } });
    expect(created.status()).toBe(201);
    customerId = (await created.json()).id as number;
    expect((await clerk.get(`/api/v1/customers/${customerId}`)).status()).toBe(200);
    expect((await clerk.post(`/api/v1/customers/${customerId}/reveal`, { data: { fields: ['phones'], reason: '回覆客戶來電 access-log e2e' } })).status()).toBe(200);
    await clerk.dispose();

    // The auditor holds access_log:read but not customer:read: the page shows the log only.
    await loginAs(page, 'auditor');
    const customerAsked = page.waitForRequest((r) => new URL(r.url()).pathname === `/api/v1/customers/${customerId}`, { timeout: 3_000 }).catch(() => null);
    await page.goto(`/customers/${customerId}`);
    await expect(page.getByRole('heading', { level: 1, name: bi(`客戶 ${customerId}`, `Customer ${customerId}`) })).toBeVisible();
    await expect(page.getByText(/您沒有查看客戶資料的權限|You may not read customer records/)).toBeVisible();
    const card = page.locator('.ant-card').filter({ has: page.getByRole('heading', { level: 2, name: bi('存取紀錄', 'Access log') }) });
    await expect(card).toBeVisible();

    // Reads are written at least every second: poll (refreshing the table) until the clerk's rows show.
    const rows = card.locator('.ant-table-tbody tr.ant-table-row');
    const clerkRows = rows.filter({ hasText: 'demo.info_clerk' });
    await expect(async () => {
      await card.getByRole('button', { name: /重新整理|Refresh/ }).click();
      await expect(clerkRows).toHaveCount(2, { timeout: 1_500 });
    }).toPass({ timeout: 15_000 });
    // Newest first: the reveal (opened, revealed), then the plain open (masked).
    await expect(clerkRows.nth(0)).toContainText(CLERK_LABEL);
    await expect(clerkRows.nth(0)).toContainText(/開啟|Opened/);
    await expect(clerkRows.nth(0)).toContainText(/完整內容|Revealed/);
    await expect(clerkRows.nth(0)).toContainText(`POST /api/v1/customers/:id/reveal`);
    await expect(clerkRows.nth(1)).toContainText(/開啟|Opened/);
    await expect(clerkRows.nth(1)).toContainText(/遮蔽|Masked/);
    await expect(clerkRows.nth(1)).toContainText(`GET /api/v1/customers/:id`);
    await expect(card).toContainText(/共 2 筆|2 in all/);
    // Nothing of the customer's own data is shown, and the record itself was never asked for.
    await expect(page.getByText(phone)).toHaveCount(0);
    await expect(page.getByText(name)).toHaveCount(0);
    expect(await customerAsked, 'the auditor\'s page does not read the customer record').toBeNull();
    await page.mouse.move(0, 0);
    await shot(page, 'access-log-customer');
    await checkA11y(page, 'access-log-customer');

    // Period: last month holds none of these reads (asked with from/to); the last 7 days hold them.
    const period = card.getByLabel(bi('期間', 'Period'));
    let asked = page.waitForRequest((r) => r.url().includes(`/api/v1/customers/${customerId}/access-log?`) && r.url().includes('from=') && r.url().includes('to='));
    await period.click();
    await page.locator('.ant-picker-presets').getByText(bi('上個月', 'Last month')).click();
    await asked;
    await expect(card.getByText(/此期間沒有存取紀錄|No reads in this period/)).toBeVisible();
    await expect(clerkRows).toHaveCount(0);
    await shot(page, 'access-log-customer-last-month');
    asked = page.waitForRequest((r) => r.url().includes(`/api/v1/customers/${customerId}/access-log?`) && r.url().includes('from='));
    await period.click();
    await page.locator('.ant-picker-presets').getByText(bi('最近 7 天', 'Last 7 days')).click();
    await asked;
    await expect(clerkRows).toHaveCount(2);

    // Export the same period: a CSV, oldest first, ids and usernames only.
    const downloaded = page.waitForEvent('download');
    await card.getByRole('button', { name: /匯出 CSV|Export CSV/ }).click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toBe(`access-log-customer-${customerId}.csv`);
    const csv = (await fs.promises.readFile((await file.path())!, 'utf8')).replace(/^\ufeff/, '');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('at,userId,username,customerId,project,kind,revealed,route,requestId,ref');
    expect(lines.slice(1).filter((l) => l.includes(`,${clerkId},demo.info_clerk,${customerId},SC-HARBOUR,open,`))).toHaveLength(2);
    expect(csv).not.toContain(phone);
    expect(csv).not.toContain(name);
    await expect(page.locator('.ant-message')).toContainText(/已開始下載|Download started/);
    await assertNothingLeaked(page, 'customer access log', [phone, name]);

    // The clerk's user page: the customers they viewed, each linked to its page.
    await clerkRows.first().getByRole('link', { name: new RegExp(CLERK_LABEL.replace(/[()]/g, '\\$&')) }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/users/${clerkId}$`));
    const viewed = page.locator('.ant-card').filter({ has: page.getByRole('heading', { level: 2, name: bi('此使用者查看過的客戶', 'Customers this user viewed') }) });
    await expect(viewed).toBeVisible();
    const customerRows = viewed.locator('.ant-table-tbody tr.ant-table-row').filter({ hasText: `客戶 ${customerId}` });
    await expect(customerRows).toHaveCount(2);
    await expect(customerRows.first()).toContainText('SC-HARBOUR');
    await expect(customerRows.first()).toContainText(/完整內容|Revealed/);
    await page.mouse.move(0, 0);
    await shot(page, 'access-log-user');
    await checkA11y(page, 'access-log-user');

    await customerRows.first().getByRole('link', { name: new RegExp(`查看客戶 ${customerId}|Open customer ${customerId}`) }).click();
    await expect(page).toHaveURL(new RegExp(`/customers/${customerId}$`));
    await expect(page.getByRole('heading', { level: 2, name: bi('存取紀錄', 'Access log') })).toBeVisible();
    await assertNothingLeaked(page, 'user access log', [phone, name]);
  });

  test('IT admin, in English: the customer record with its access log below (their own open recorded too)', async ({ page, loginAs, checkA11y, shot }) => {
    expect(customerId, 'the auditor test created the customer').toBeGreaterThan(0);
    await loginAs(page, 'it_admin');
    await page.getByRole('combobox', { name: /語言|Language/ }).click();
    await page.locator('.ant-select-item-option', { hasText: 'English' }).click();
    await page.goto(`/customers/${customerId}`);
    await expect(page.getByRole('heading', { level: 1, name: `Customer ${customerId}` })).toBeVisible();
    await expect(page.getByText('masked').first()).toBeVisible();
    const card = page.locator('.ant-card').filter({ has: page.getByRole('heading', { level: 2, name: 'Access log' }) });
    const rows = card.locator('.ant-table-tbody tr.ant-table-row');
    await expect(async () => {
      await card.getByRole('button', { name: 'Refresh' }).click();
      await expect(rows.first(), 'the newest read: the IT admin opening the page').toContainText('demo.it_admin', { timeout: 1_500 });
    }).toPass({ timeout: 15_000 });
    await expect(rows.filter({ hasText: 'demo.info_clerk' })).toHaveCount(2);
    await expect(rows.first()).toContainText('Opened');
    await expect(rows.first()).toContainText('Masked');
    await expect(card.getByRole('button', { name: 'Export CSV' })).toBeVisible();
    await page.setViewportSize({ width: 800, height: 900 });
    await page.mouse.move(0, 0);
    await shot(page, 'access-log-customer-it-admin-en-800');
    await checkA11y(page, 'access-log-customer-it-admin-en-800');
  });
});
