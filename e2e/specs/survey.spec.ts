// Survey and census notes (R-SURVEY-REDACT): the customer manager posts a census note with a phone
// number (an empty note is refused beside its field); every list shows it redacted (the phone is
// in no page text); the information clerk reads the original for a reason (shown, then gone) and
// reconciles it into a customer record; then the customer manager archives it.
import type { Page } from '@playwright/test';
import { expect, test, type DemoRole } from '../fixtures';

const suffix = String(Date.now()).slice(-8);
// A mainland mobile, unique per run (1[3-9] + 9 digits).
const PHONE = `139${suffix}`;
// A marker without digit runs, to find the row (digits could be taken for a phone).
const MARKER = `車位${Date.now().toString(36).replace(/\d/g, 'q').toUpperCase()}`;
// The customer's own phone before reconciling, also unique per run: a retry after a failure that
// left the customer behind (never reconciled) must not be refused as a duplicate phone.
const OLD_PHONE = `137${suffix}`;
const NAME = `普查客戶${suffix.slice(-4).replace(/\d/g, (d) => '零一二三四五六七八九'[Number(d)])}`;

const bi = (zh: string, en: string) => new RegExp(`^\\s*(${zh}|${en})\\s*$`, 'i');
/** Ant Design spaces two-character CJK button texts ("歸 檔"). */
const btn = (zh: string, en: string) => new RegExp(`^\\s*(${[...zh].join('\\s*')}|${en})\\s*$`, 'i');

async function openSurvey(page: Page) {
  await page.getByRole('menuitem', { name: /走訪紀錄|Survey notes/ }).click();
  await expect(page).toHaveURL(/\/survey(\?|$)/);
  await expect(page.getByRole('heading', { level: 1, name: bi('走訪紀錄', 'Survey notes') })).toBeVisible();
  await expect(page.locator('.ant-spin-spinning')).toHaveCount(0);
}

async function switchTo(page: Page, loginAs: (p: Page, r: DemoRole) => Promise<void>, role: DemoRole) {
  await page.getByRole('button', { name: /^帳戶/ }).click();
  await page.getByRole('menuitem', { name: '登出' }).click();
  await expect(page).toHaveURL(/\/login/);
  await loginAs(page, role);
}

async function expectNoPhone(page: Page, where: string) {
  const text = await page.locator('body').innerText();
  expect(text, `${where}: the phone is in no page text`).not.toContain(PHONE);
  expect(text, `${where}: nor its last eight digits`).not.toContain(suffix);
  expect(decodeURIComponent(page.url()), `${where}: nor in the URL`).not.toContain(suffix);
}

test('survey note: posted redacted, original for a reason, reconciled by the clerk, archived by the customer manager', async ({ page, loginAs, checkA11y, shot }) => {
  test.setTimeout(120_000);
  await loginAs(page, 'customer_manager');
  await openSurvey(page);
  await expect(page.locator('.ant-select-content, .ant-select-selection-item').filter({ hasText: 'SC-HARBOUR' }).first()).toBeVisible();

  // New note: an empty text is refused beside its field; then a census note with a phone number.
  await page.getByRole('button', { name: /新增紀錄|New note/ }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: btn('儲存', 'Save') }).click();
  await expect(dialog.locator('.ant-form-item-explain-error')).toContainText(/請輸入紀錄內容|Enter the note/);
  await shot(page, 'survey-new-note');
  await checkA11y(page, 'survey-new-note');
  await dialog.getByLabel(bi('單位（房號）', 'Unit')).fill('3棟1204室');
  await dialog.getByLabel(bi('紀錄內容', 'Note')).fill(`3棟1204室 業主 ${PHONE} 希望增加${MARKER}`);
  await dialog.getByRole('button', { name: btn('儲存', 'Save') }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('row').filter({ hasText: MARKER });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(/待核對|To reconcile/);
  await expect(row).toContainText(/手機 × 1|mobile × 1/);
  // The customer manager neither reads the original nor reconciles; archiving waits for the clerk.
  await expect(row.getByRole('button', { name: /原文|Original/ })).toHaveCount(0);
  await expect(row.getByRole('button', { name: /核對紀錄|Reconcile note/ })).toHaveCount(0);
  await expect(row.getByRole('button', { name: /歸檔紀錄|Archive note/ })).toBeDisabled();
  await expectNoPhone(page, 'customer manager list');
  await shot(page, 'survey-list');
  await checkA11y(page, 'survey-list');

  // The clerk: a customer to reconcile into (created through the API with the console's session).
  await switchTo(page, loginAs, 'info_clerk');
  const created = await page.request.post('/api/v1/customers', {
    headers: { 'X-Custodian-Console': '1' },
    data: { project: 'SC-HARBOUR', name: NAME, unit: '3棟1204室', phones: [OLD_PHONE] },
  });
  expect(created.status()).toBe(201);
  await openSurvey(page);
  const clerkRow = page.getByRole('row').filter({ hasText: MARKER });
  await expectNoPhone(page, 'clerk list');

  // The original, for a stated reason: shown with its countdown, gone once the dialog closes.
  await clerkRow.getByRole('button', { name: /原文|Original/ }).click();
  const original = page.getByRole('dialog');
  await original.getByRole('button', { name: btn('顯示原文', 'Show the original') }).click();
  await expect(original.locator('.ant-form-item-explain-error')).toBeVisible();
  await original.getByLabel(bi('原因', 'Reason')).fill('核對普查資料 / reconciling the census');
  await original.getByRole('button', { name: btn('顯示原文', 'Show the original') }).click();
  await expect(original.getByText(PHONE, { exact: false })).toBeVisible();
  await shot(page, 'survey-original');
  await checkA11y(page, 'survey-original');
  // The dialog's own Close button (primary, in the footer), not the header's ×, whose label is also "Close".
  await original.locator('button.ant-btn-primary').filter({ hasText: btn('關閉', 'Close') }).click();
  await expect(original).toBeHidden();
  await expectNoPhone(page, 'after the original closed');

  // Reconcile: the customer and the new phone.
  await clerkRow.getByRole('button', { name: /核對紀錄|Reconcile note/ }).click();
  const rec = page.getByRole('dialog');
  await rec.getByLabel(bi('客戶', 'Customer')).click();
  await page.keyboard.type(NAME);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: NAME }).first().click();
  await rec.getByLabel(bi('電話', 'Phones')).click();
  await page.keyboard.type(PHONE);
  await page.keyboard.press('Enter');
  await expect(rec.locator('.ant-select-selection-item, .ant-select-selection-item-content, .ant-select-content-item').filter({ hasText: PHONE }).first()).toBeVisible();
  await shot(page, 'survey-reconcile');
  await checkA11y(page, 'survey-reconcile');
  await rec.getByRole('button', { name: btn('核對', 'Reconcile') }).click();
  await expect(rec).toBeHidden();
  await expect(clerkRow).toContainText(/已核對 1 筆|1 reconciled/);
  await expectNoPhone(page, 'after reconciling');

  // The customer manager archives it.
  await switchTo(page, loginAs, 'customer_manager');
  await openSurvey(page);
  const cmRow = page.getByRole('row').filter({ hasText: MARKER });
  await cmRow.getByRole('button', { name: /歸檔紀錄|Archive note/ }).click();
  await page.locator('.ant-popover:visible').getByRole('button', { name: btn('確定', 'Archive') }).click();
  await expect(cmRow).toContainText(/已歸檔|Archived/);
  await expect(cmRow.getByRole('button')).toHaveCount(0);
  await expectNoPhone(page, 'after archiving');
  await shot(page, 'survey-archived');
  await checkA11y(page, 'survey-archived');
});
