// Handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY) through the console, three people in their
// own sessions: the project lead takes a developer's XLSX into custody and delegates viewing to the
// information clerk; the clerk views it in the browser (view only: no download control) and
// reports the entry; the lead confirms and records the destruction naming the department head as
// witness; the witness confirms from their own session; the file then shows its destruction record.
import ExcelJS from 'exceljs';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test, type DemoRole } from '../fixtures';

/** A small workbook: a header and three owner lines. */
async function xlsx(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('owners');
  ws.addRow(['name', 'unit', 'phone']);
  for (let i = 1; i <= 3; i++) ws.addRow([`業主${i}`, `${i}棟101室`, `1390000000${i}`]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A one-page PDF. */
async function pdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595, 842]).drawText('Developer handover list: unit 1, unit 2', { x: 50, y: 780, size: 14, font });
  return Buffer.from(await doc.save());
}

/** Picks an option of the antd Select labelled `label` (the dropdown renders apart from the field). */
async function pick(page: Page, label: string | RegExp, option: string | RegExp) {
  await page.getByLabel(label).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
}

/**
 * A second person's session in its own browser context (own cookie), signed in through the login
 * page; its console errors are collected and checked at the end like the main page's.
 */
async function otherSession(browser: Browser, loginAs: (p: Page, r: DemoRole) => Promise<void>, role: DemoRole, errors: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL, locale: 'zh-TW', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
  context.on('console', (m) => {
    // The session probe before signing in answers 401 (the shared allowlist's one entry).
    if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(`[${role}] ${m.text()} ${m.location().url}`);
  });
  context.on('weberror', (e) => errors.push(`[${role}] ${e.error().message}`));
  const page = await context.newPage();
  await loginAs(page, role);
  return { context, page };
}

test('handover file: upload, delegate, view in the browser, entry, destruction witnessed in another session', async ({ page, browser, loginAs, checkA11y, shot }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];

  // The project lead takes the file into custody.
  await loginAs(page, 'project_manager');
  await page.goto('/handover');
  await expect(page.getByRole('heading', { level: 1, name: '移交檔案' })).toBeVisible();
  await expect(page.getByLabel('專案')).toBeVisible();
  await expect(page.locator('.ant-select').filter({ hasText: 'SC-HARBOUR' }).first()).toBeVisible();
  await page.getByRole('button', { name: '上傳檔案' }).click();
  const modal = page.getByRole('dialog');
  await modal.locator('input[type=file]').setInputFiles({ name: 'owners.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await xlsx() });
  await modal.getByRole('button', { name: '上傳檔案' }).click();
  await expect(page).toHaveURL(/\/handover\/\d+$/);
  const id = Number(/\/handover\/(\d+)$/.exec(page.url())![1]);
  const serial = `HF-${id}`;
  await expect(page.getByRole('heading', { level: 1, name: `移交檔案 ${serial}` })).toBeVisible();
  await expect(page.getByText('owners.xlsx')).toBeVisible();

  // Delegates viewing to the project's information clerk for 7 days.
  await pick(page, '資訊員', 'demo.info_clerk');
  await page.getByRole('button', { name: /^委\s*派$/ }).click();
  await expect(page.locator('.ant-table-row').filter({ hasText: 'demo.info_clerk' }).getByText('有效')).toBeVisible();
  await shot(page, 'handover-file-holder');
  await checkA11y(page, 'handover-file-holder');

  await page.goto('/handover');
  await expect(page.getByRole('link', { name: serial })).toBeVisible();
  await shot(page, 'handover-list');
  await checkA11y(page, 'handover-list');

  // The clerk, in their own session, finds the file, views it in the browser and reports the entry.
  const clerk = await otherSession(browser, loginAs, 'info_clerk', errors);
  await clerk.page.goto('/handover/delegated');
  await clerk.page.getByRole('link', { name: serial }).click();
  await expect(clerk.page.getByRole('heading', { name: '我的檢視權限' })).toBeVisible();
  await clerk.page.getByRole('button', { name: '檢視檔案' }).click();
  await expect(clerk.page).toHaveURL(new RegExp(`/handover/${id}/view$`));
  const viewer = clerk.page.getByTestId('handover-viewer');
  await expect(viewer.getByRole('cell', { name: '業主2' })).toBeVisible();
  await expect(viewer.getByText('共 4 列')).toBeVisible();
  await expect(viewer.getByText(/僅供檢視 · demo\.info_clerk/)).toBeVisible();
  // View only: no download control anywhere on the page.
  await expect(clerk.page.getByRole('button', { name: /下載|download/i })).toHaveCount(0);
  await expect(clerk.page.getByRole('link', { name: /下載|download/i })).toHaveCount(0);
  // The context menu (save as, print) is refused on the viewer: the event's default is prevented.
  expect(await viewer.evaluate((el) => el.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true })))).toBe(false);
  await shot(clerk.page, 'handover-viewer');
  await checkA11y(clerk.page, 'handover-viewer');
  await clerk.page.getByRole('button', { name: /返\s*回/ }).click();
  await clerk.page.getByLabel('錄入筆數').fill('3');
  await clerk.page.getByRole('button', { name: '回報錄入' }).click();
  await expect(clerk.page.getByText(/已回報錄入（/)).toBeVisible();
  await shot(clerk.page, 'handover-file-clerk');
  await checkA11y(clerk.page, 'handover-file-clerk');

  // The lead confirms the entry and records the destruction naming the department head as witness.
  await page.goto(`/handover/${id}`);
  await page.getByRole('button', { name: '確認錄入' }).click();
  await expect(page.locator('.ant-descriptions').getByText('待銷毀')).toBeVisible();
  await expect(page.locator('.ant-descriptions').getByText(/Demo info_clerk \(demo\.info_clerk\) 於 .* 回報 3 筆/)).toBeVisible();
  await pick(page, '監銷人', 'demo.dept_head');
  await page.getByRole('button', { name: '記錄銷毀' }).click();
  await expect(page.getByText(/等待 .*demo\.dept_head.* 確認/)).toBeVisible();
  await shot(page, 'handover-file-pending-destruction');

  // The witness confirms from their own session: the file is destroyed now.
  const witness = await otherSession(browser, loginAs, 'dept_head', errors);
  await witness.page.goto('/handover/witness');
  await expect(witness.page.getByRole('link', { name: serial })).toBeVisible();
  await shot(witness.page, 'handover-witness-list');
  await checkA11y(witness.page, 'handover-witness-list');
  await witness.page.getByRole('link', { name: serial }).click();
  await expect(witness.page.getByRole('heading', { name: '監銷確認' })).toBeVisible();
  await shot(witness.page, 'handover-file-witness');
  await checkA11y(witness.page, 'handover-file-witness');
  await witness.page.getByRole('button', { name: '確認銷毀' }).click();
  await witness.page.locator('.ant-popover:visible').getByRole('button', { name: '確認銷毀' }).click();
  await expect(witness.page.getByRole('heading', { name: '銷毀紀錄' })).toBeVisible();

  // The lead sees the destruction record in place of the file.
  await page.goto(`/handover/${id}`);
  await expect(page.getByRole('heading', { name: '銷毀紀錄' })).toBeVisible();
  await expect(page.getByText('此檔案已銷毀。')).toBeVisible();
  await expect(page.locator('.ant-descriptions').getByText(/demo\.dept_head/)).toBeVisible();
  await shot(page, 'handover-destroyed');
  await checkA11y(page, 'handover-destroyed');

  await clerk.context.close();
  await witness.context.close();
  expect(errors, 'console errors in the clerk and witness sessions').toEqual([]);
});

test('handover file: a PDF is shown inline in the viewer from an object URL, without download control; the list at 800 px', async ({ page, loginAs, shot }) => {
  await loginAs(page, 'project_manager');
  await page.goto('/handover');
  await page.getByRole('button', { name: '上傳檔案' }).click();
  const modal = page.getByRole('dialog');
  await modal.locator('input[type=file]').setInputFiles({ name: 'handover-list.pdf', mimeType: 'application/pdf', buffer: await pdf() });
  await modal.getByRole('button', { name: '上傳檔案' }).click();
  await expect(page).toHaveURL(/\/handover\/\d+$/);
  await page.getByRole('button', { name: '檢視檔案' }).click();
  const frame = page.getByTestId('handover-viewer').locator('iframe');
  await expect(frame).toHaveAttribute('src', /^blob:.*#toolbar=0/);
  await expect(page.getByRole('button', { name: /下載|download/i })).toHaveCount(0);
  await shot(page, 'handover-viewer-pdf');

  await page.setViewportSize({ width: 800, height: 800 });
  await page.goto('/handover');
  await expect(page.getByRole('link', { name: /^HF-\d+$/ }).first()).toBeVisible();
  await shot(page, 'handover-list-800');
});
