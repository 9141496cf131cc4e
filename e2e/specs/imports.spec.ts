// Issue 12: the IT admin's customer imports and exports in the console (R-CTRL-IT). A dry run
// lists its row errors; the IT admin commits that dry run without uploading the file again and
// sees the progress reach "done"; the export just made is in the record of exports.
import type { Page } from '@playwright/test';
import { expect, test } from '../fixtures';

const CONSOLE = { 'X-Custodian-Console': '1' };
const HARBOUR = 'SC-HARBOUR';
const run = Date.now().toString(36).slice(-5);

/** Ant Design puts a space between two CJK characters of a button; a button once loading keeps its hidden "loading" icon. */
const btn = (text: string) => new RegExp(`^(loading\\s+)?(check-circle\\s+)?${[...text].join('\\s*')}\\s*$`);

/** Picks in an antd Select with search by its label, and waits until the list has closed. */
async function pick(page: Page, label: string, search: string) {
  const box = page.getByRole('combobox', { name: new RegExp(`^\\*?\\s*${label}\\s*[:：]?$`) });
  await box.click();
  await box.fill(search);
  const item = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: search }).first();
  await expect(async () => {
    if ((await box.getAttribute('aria-expanded')) === 'true') await item.click({ timeout: 2_000 });
    await expect(box).not.toHaveAttribute('aria-expanded', 'true', { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
}

async function a11y(page: Page, check: (page: Page, name: string) => Promise<void>, name: string) {
  await page.mouse.move(0, 0);
  await check(page, name);
}

test('the IT admin: dry run with its row errors, commit without uploading again, progress to done, the record of exports', async ({ page, loginAs, checkA11y, shot }) => {
  await loginAs(page, 'it_admin');

  // 1. Dry run (the default), skipping failing rows: the bad row is listed, nothing is written.
  await page.goto('/admin/imports');
  await expect(page.getByRole('heading', { level: 1, name: '匯入客戶資料' })).toBeVisible();
  await pick(page, '專案', HARBOUR);
  const csv = `name,unit,nationality\nE2E 匯入 ${run} 甲,E2E-21,domestic\nE2E 匯入 ${run} 乙,E2E-22,domestic\n,E2E-23,martian\n`;
  await page.locator('input[type=file]').setInputFiles({ name: 'import.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await expect(page.getByTestId('import-file')).toHaveText('import.csv');
  await page.getByRole('radio', { name: '略過錯誤列' }).check();
  await page.getByRole('button', { name: btn('上傳') }).click();
  await expect(page.getByText('試算完成：沒有寫入任何資料')).toBeVisible();
  const progress = page.getByTestId('import-progress');
  await expect(progress).toHaveAttribute('data-status', 'succeeded');
  await expect(progress).toContainText('完成：已處理 3 / 3 列');
  // Line 4 of the file (the third data row) is listed with what is wrong in it.
  await expect(page.getByRole('row', { name: /^4 / }).first()).toBeVisible();
  const commit = page.getByRole('button', { name: btn('正式匯入沒有錯誤的列') });
  await expect(commit).toBeVisible();
  await expect(page.getByText(/不必重新上傳檔案；請在 .+ 前完成/)).toBeVisible();
  await shot(page, 'imports-dry-run');
  await a11y(page, checkA11y, 'imports-dry-run');

  // 2. Commit the dry run: no new upload; the real import runs and its progress ends at done.
  await commit.click();
  await expect(page.getByText('已開始正式匯入')).toBeVisible();
  await expect(progress).toHaveAttribute('data-status', 'succeeded');
  await expect(progress).toContainText('完成：已處理 3 / 3 列');
  await expect(progress.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByText('試算完成：沒有寫入任何資料')).toBeHidden();
  await expect(page.getByText('匯入完成：資料已寫入')).toBeVisible();
  await expect(page.getByText('這次試算已經正式匯入')).toBeHidden();
  await shot(page, 'imports-committed');
  await a11y(page, checkA11y, 'imports-committed');

  // The customers are there (masked list of the project).
  const found = await page.request.get(`/api/v1/customers?project=${HARBOUR}&q=${encodeURIComponent(`E2E 匯入 ${run}`)}`, { headers: CONSOLE });
  expect(found.status()).toBe(200);
  expect(((await found.json()) as { total: number }).total).toBe(2);

  // 3. An export (as on /customers), then the record of exports in the admin menu.
  const purpose = `E2E ${run}: quarterly reconciliation`;
  const exp = await page.request.get(`/api/v1/customers/export?project=${HARBOUR}&purpose=${encodeURIComponent(purpose)}&fields=phones`, { headers: CONSOLE });
  expect(exp.status()).toBe(200);
  await page.getByRole('menuitem', { name: '匯出紀錄' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '匯出紀錄' })).toBeVisible();
  await pick(page, '專案', HARBOUR);
  const row = page.getByRole('row', { name: new RegExp(purpose) });
  await expect(row).toContainText(HARBOUR);
  await expect(row).toContainText('電話');
  await expect(row).toContainText('CSV');
  await expect(page.getByText(/共 \d+ 筆/)).toBeVisible();
  await shot(page, 'exports-list');
  await a11y(page, checkA11y, 'exports-list');
});
