// State conflicts (409): two sessions look at the same record; one acts first, and the other's
// action is refused. The console says why ("the record changed and was reloaded: …") and shows the
// record's current state at once, without the user reloading the page; what the user typed stays.
//   - an inspection completed in one session: the other session's checklist save and its Complete;
//   - a print request approved by one approver: the other approver's rejection (reason kept).
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test, type DemoRole } from '../fixtures';

const CONSOLE = { 'X-Custodian-Console': '1' };
/** Ant Design spaces two-character CJK button texts ("核 准"). */
const btn = (zh: string, en: string) => new RegExp(`^\\s*(${[...zh].join('\\s*')}|${en})\\s*$`, 'i');
/** The conflict message of forms/apiErrors.ts (i18n core `conflict`). */
const CONFLICT = /資料已被變更，已重新載入最新內容|The record changed meanwhile and was reloaded/;

/**
 * A second session (own browser context, own cookie) of `role`. Its console errors are collected
 * into `errors`, except the 409s this test provokes on purpose (`expected`: the refused request's URL),
 * which Chromium logs as failed resources.
 */
async function secondSession(browser: Browser, baseURL: string | undefined, loginAs: (p: Page, r: DemoRole) => Promise<void>, role: DemoRole, errors: string[], expected: RegExp) {
  const context: BrowserContext = await browser.newContext({ baseURL, locale: 'zh-TW', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
  context.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    // The session probe before signing in answers 401 (as ALLOWED_CONSOLE_ERRORS in fixtures.ts).
    if (/status of 401/.test(m.text()) && /\/api\/v1\/me(\?|$)/.test(url)) return;
    if (/status of 409/.test(m.text()) && expected.test(url)) return;
    errors.push(`[second ${role}] ${m.text()} ${url}`);
  });
  context.on('weberror', (e) => errors.push(`[second ${role}] ${e.error().message}`));
  const page = await context.newPage();
  await loginAs(page, role);
  return { context, page };
}

/** The newest message toast (antd message) with this text. */
const toast = (page: Page, text: RegExp) => page.locator('.ant-message-notice').filter({ hasText: text }).last();

test('inspection completed in one session: the other session’s save and Complete say so, and its page shows the completed inspection', async ({ page, browser, baseURL, loginAs, checkA11y, shot }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  await loginAs(page, 'quality_inspector');

  // Two inspections of SC-GARDEN for past periods (other specs use SC-HARBOUR's current one), every item recorded.
  const year = new Date().getFullYear() - 1;
  type Opened = { id: number; items: { id: number }[] };
  const opened: Opened[] = [];
  for (const period of [`${year}-B5`, `${year}-B6`]) {
    const r = await page.request.post('/api/v1/inspections', { headers: CONSOLE, data: { project: 'SC-GARDEN', period } });
    expect(r.status(), await r.text()).toBe(201);
    const i = (await r.json()) as Opened;
    const saved = await page.request.put(`/api/v1/inspections/${i.id}/checklist`, {
      headers: CONSOLE,
      data: { items: i.items.map((it) => ({ itemId: it.id, result: 'pass' })) },
    });
    expect(saved.status(), await saved.text()).toBe(200);
    opened.push(i);
  }
  const [first, second] = opened;

  // The same inspector in a second session (another tab, another computer).
  const other = await secondSession(browser, baseURL, loginAs, 'quality_inspector', errors, /\/api\/v1\/inspections\/\d+\/(checklist|complete)$/);
  try {
    // 1. Both open the first inspection; the first session completes it.
    await page.goto(`/supervision/inspections/${first.id}`);
    await other.page.goto(`/supervision/inspections/${first.id}`);
    for (const p of [page, other.page]) await expect(p.getByText('進行中', { exact: true }).first()).toBeVisible();
    await page.getByRole('button', { name: '完成檢查' }).click();
    await page.getByRole('dialog').getByLabel('結論').fill('抽查無異常。');
    await page.getByRole('dialog').getByRole('button', { name: '完成檢查' }).click();
    await expect(page.getByText('檢查已完成', { exact: true })).toBeVisible();

    // The second session still shows it in progress; a note typed there and saved is refused (409):
    // the message says why, the page now shows the completed inspection, the note typed stays.
    const item = other.page.locator('section[aria-labelledby^="sv-item-"]').first();
    const note = '第二個工作階段輸入的備註';
    await item.getByLabel('備註').fill(note);
    await other.page.getByRole('button', { name: '儲存檢查表' }).click();
    await expect(toast(other.page, CONFLICT)).toContainText('此檢查已完成，紀錄不能再修改');
    await expect(other.page.getByText('已完成', { exact: true }).first()).toBeVisible();
    await expect(other.page.getByText('完成時間')).toBeVisible();
    await expect(other.page.getByText('抽查無異常。')).toBeVisible();
    await expect(other.page.getByRole('button', { name: '儲存檢查表' })).toHaveCount(0);
    await expect(other.page.getByRole('button', { name: '完成檢查' })).toHaveCount(0);
    await expect(item.getByLabel('備註')).toHaveValue(note);
    await shot(other.page, 'conflict-inspection-save');
    await checkA11y(other.page, 'conflict-inspection-save');

    // 2. Both open the second inspection; the first session completes it; the second session's
    // Complete is refused (409): the message, the dialog closes, the page shows the completed inspection.
    await page.goto(`/supervision/inspections/${second.id}`);
    await other.page.goto(`/supervision/inspections/${second.id}`);
    for (const p of [page, other.page]) await expect(p.getByText('進行中', { exact: true }).first()).toBeVisible();
    await page.getByRole('button', { name: '完成檢查' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '完成檢查' }).click();
    await expect(page.getByText('檢查已完成', { exact: true })).toBeVisible();

    await other.page.getByRole('button', { name: '完成檢查' }).click();
    const dialog = other.page.getByRole('dialog');
    await dialog.getByLabel('結論').fill('第二個工作階段的結論');
    await dialog.getByRole('button', { name: '完成檢查' }).click();
    await expect(toast(other.page, CONFLICT)).toContainText('此檢查已由他人完成');
    await expect(dialog).toBeHidden();
    await expect(other.page.getByText('已完成', { exact: true }).first()).toBeVisible();
    await expect(other.page.getByText('完成時間')).toBeVisible();
    await expect(other.page.getByRole('button', { name: '完成檢查' })).toHaveCount(0);
    await shot(other.page, 'conflict-inspection-complete');
    await checkA11y(other.page, 'conflict-inspection-complete');
  } finally {
    await other.context.close();
  }
  expect(errors, 'console errors of the second session').toEqual([]);
});

test('print request approved by one approver: the other approver’s rejection says so, keeps the reason, and the queue reloads', async ({ page, browser, baseURL, loginAs, checkA11y, shot }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];

  // A customer of SC-HARBOUR (the info clerk, through the API) and staff's request for its printout.
  await loginAs(page, 'info_clerk');
  const created = await page.request.post('/api/v1/customers', {
    headers: CONSOLE,
    data: { project: 'SC-HARBOUR', name: `衝突測試客戶 ${Date.now() % 100000}`, unit: 'B-0802', phones: ['13900139000'] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const customerId = ((await created.json()) as { id: number }).id;
  await page.context().clearCookies();
  await loginAs(page, 'staff');
  const purpose = `E2E 衝突 ${Date.now() % 100000}`;
  const asked = await page.request.post('/api/v1/print-requests', {
    headers: CONSOLE,
    data: { project: 'SC-HARBOUR', purpose, customerIds: [customerId], copies: 1, usageDays: 3 },
  });
  expect(asked.status(), await asked.text()).toBe(201);
  await page.context().clearCookies();

  // Two sessions of the approver both show the request pending in the queue.
  await loginAs(page, 'project_manager');
  const other = await secondSession(browser, baseURL, loginAs, 'project_manager', errors, /\/api\/v1\/print-requests\/\d+\/reject$/);
  try {
    for (const p of [page, other.page]) {
      await p.goto('/print-requests?view=queue');
      await expect(p.getByRole('row', { name: new RegExp(purpose) })).toContainText('待審核');
    }

    // The first session approves it.
    await page.getByRole('row', { name: new RegExp(purpose) }).getByRole('button', { name: btn('核准', 'Approve') }).click();
    await page.locator('.ant-popconfirm:not(.ant-popover-hidden)').last().getByRole('button', { name: btn('核准', 'Approve') }).click();
    await expect(toast(page, /已核准/)).toBeVisible();

    // The second session, still showing it pending, rejects it: refused (409). The message says it
    // was decided already; the reason typed stays in the dialog; the queue behind no longer lists it.
    await other.page.getByRole('row', { name: new RegExp(purpose) }).getByRole('button', { name: btn('駁回', 'Reject') }).click();
    const dialog = other.page.getByRole('dialog');
    const reason = '用途與專案無關';
    await dialog.getByLabel('原因').fill(reason);
    await dialog.getByRole('button', { name: btn('確定', 'OK') }).click();
    await expect(toast(other.page, CONFLICT)).toContainText('已由他人決定或取消');
    await expect(dialog.getByLabel('原因')).toHaveValue(reason);
    await expect(other.page.getByRole('row', { name: new RegExp(purpose) })).toHaveCount(0);
    await shot(other.page, 'conflict-print-request-reject');
    await checkA11y(other.page, 'conflict-print-request-reject');

    // Closing the dialog: the request, with any status, shows approved.
    await dialog.getByRole('button', { name: btn('取消', 'Cancel') }).click();
    await other.page.getByRole('combobox', { name: /狀態|Status/ }).click();
    await other.page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '已核准' }).first().click();
    await expect(other.page.getByRole('row', { name: new RegExp(purpose) })).toContainText('已核准');
    await shot(other.page, 'conflict-print-request-current');
  } finally {
    await other.context.close();
  }
  expect(errors, 'console errors of the second session').toEqual([]);
});
