// The paper ledger's whole story (R-PRINT-APPROVE, R-NO-PAPER, R-NO-LEND, R-LEDGER-FORM), each person
// in their own browser context: staff asks for a printout, the project manager approves it, staff
// prints and signs for the copy and returns it to the project manager (the keeper), who confirms
// receipt; the project manager records the destruction before the department head (the witness),
// who confirms it; the §7 form lists the copy.
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test, type DemoRole } from '../fixtures';

const CONSOLE = { 'X-Custodian-Console': '1' };
const PROJECT = 'SC-HARBOUR';

/** A button's name: antd puts a space between two CJK characters ("核 准"). */
const btn = (zh: string, en: string) => new RegExp(`^\\s*(${zh.split('').join('\\s*')}|${en})\\s*$`, 'i');

/** A person in their own browser context, signed in; console errors of that context are collected. */
async function person(browser: Browser, baseURL: string | undefined, loginAs: (p: Page, r: DemoRole) => Promise<void>, role: DemoRole, errors: string[]) {
  const context: BrowserContext = await browser.newContext({ baseURL, locale: 'zh-TW', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
  context.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    // The session probe before signing in answers 401 (as ALLOWED_CONSOLE_ERRORS in fixtures.ts).
    if (/status of 401/.test(m.text()) && /\/api\/v1\/me(\?|$)/.test(url)) return;
    // The project manager tries to approve their own request on purpose: 403 own_request, which Chromium logs.
    if (role === 'project_manager' && /status of 403/.test(m.text()) && /\/api\/v1\/print-requests\/\d+\/approve$/.test(url)) return;
    errors.push(`[${role}] ${m.text()} ${url}`);
  });
  context.on('weberror', (e) => errors.push(`[${role}] ${e.error().message}`));
  const page = await context.newPage();
  await loginAs(page, role);
  return { context, page };
}

/** Picks an option of the antd Select labelled `label` inside `scope`. */
async function choose(page: Page, scope: ReturnType<Page['locator']> | Page, label: RegExp, option: RegExp) {
  await scope.getByLabel(label).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
}

/** The OK button of the open popconfirm. */
// The newest pop-confirm: an earlier one may still be fading out (its button no longer clickable).
const popOk = (page: Page, zh: string, en: string) => page.locator('.ant-popconfirm:not(.ant-popover-hidden)').last().getByRole('button', { name: btn(zh, en) });

test('paper: request, approve, print, sign, return to keeper, destroy before witness, §7 form', async ({ page, browser, baseURL, loginAs, checkA11y, shot }) => {
  test.setTimeout(240_000);
  const errors: string[] = [];

  // The info clerk enters a customer of SC-HARBOUR (the demo seed has none) through the API.
  const clerk = await person(browser, baseURL, loginAs, 'info_clerk', errors);
  const customerName = `紙本測試客戶 ${Date.now() % 100000}`;
  const created = await clerk.page.request.post('/api/v1/customers', {
    headers: CONSOLE,
    data: { project: PROJECT, name: customerName, unit: 'A-1203', phones: ['13800138000'] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const customerId: number = (await created.json()).id;
  await clerk.context.close();

  // 1. Staff asks for a printout from /print-requests (the test's own context).
  await loginAs(page, 'staff');
  await page.goto('/print-requests');
  await expect(page.getByRole('heading', { level: 1, name: /列印申請|Print requests/ })).toBeVisible();
  await page.getByRole('button', { name: /新增列印申請|New print request/ }).click();
  const dialog = page.getByRole('dialog');
  await choose(page, dialog, /^(專案|Project)$/, new RegExp(PROJECT));
  const purpose = `E2E 季度回訪名單 ${Date.now() % 100000}`;
  await dialog.getByLabel(/^(用途|Purpose)$/).fill(purpose);
  await dialog.getByRole('searchbox', { name: /以姓名搜尋客戶|Search customers/ }).fill(customerName);
  await dialog.getByRole('button', { name: /搜\s*尋|Search/ }).click();
  const customerRow = dialog.getByRole('row', { name: new RegExp(customerName) });
  await expect(customerRow).toBeVisible();
  // The picker shows masked values only.
  await expect(customerRow).not.toContainText('13800138000');
  await customerRow.getByRole('checkbox').check();
  await expect(dialog.getByText(/已選 1 筆|1 selected/)).toBeVisible();
  await shot(page, 'paper-new-request');
  await checkA11y(page, 'paper-new-request');
  await dialog.getByRole('button', { name: /送出申請|Submit request/ }).click();
  await expect(dialog).toBeHidden();
  const myRow = page.getByRole('row', { name: new RegExp(purpose) });
  await expect(myRow).toContainText(/待審核|Pending/);
  await shot(page, 'paper-print-requests');
  await checkA11y(page, 'paper-print-requests');

  // 2. The project manager approves it from the queue, in their own session.
  const pm = await person(browser, baseURL, loginAs, 'project_manager', errors);
  await pm.page.goto('/print-requests');
  await pm.page.getByRole('tab', { name: /待審核|Approval queue/ }).click();
  const queued = pm.page.getByRole('row', { name: new RegExp(purpose) });
  await expect(queued).toBeVisible();
  await shot(pm.page, 'paper-queue');
  await checkA11y(pm.page, 'paper-queue');
  // Nobody approves their own request: the server refuses (403 own_request) and the console shows why.
  const ownPurpose = `E2E 自己的申請 ${Date.now() % 100000}`;
  const own = await pm.page.request.post('/api/v1/print-requests', {
    headers: CONSOLE,
    data: { project: PROJECT, purpose: ownPurpose, customerIds: [customerId], copies: 1, usageDays: 3 },
  });
  expect(own.status(), await own.text()).toBe(201);
  await pm.page.reload();
  await pm.page.getByRole('tab', { name: /待審核|Approval queue/ }).click();
  const ownRow = pm.page.getByRole('row', { name: new RegExp(ownPurpose) });
  await ownRow.getByRole('button', { name: btn('核准', 'Approve') }).click();
  await popOk(pm.page, '核准', 'Approve').click();
  await expect(pm.page.locator('.ant-message')).toContainText(/own print request|自己/);
  await expect(ownRow).toContainText(/待審核|Pending/);
  // A manager on site, on a tablet (800 px): the queue fits the window (its table scrolls inside).
  await pm.page.setViewportSize({ width: 800, height: 1000 });
  await expect(queued).toBeVisible();
  await shot(pm.page, 'paper-approval-queue-800');
  // Polled: the table lays itself out again a moment after the window changes.
  await expect.poll(() => pm.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), { message: 'the approval queue at 800 px' }).toBeLessThanOrEqual(0);
  await pm.page.setViewportSize({ width: 1280, height: 800 });
  await queued.getByRole('button', { name: btn('核准', 'Approve') }).click();
  await popOk(pm.page, '核准', 'Approve').click();
  // Decided: it leaves the queue (pending by default).
  await expect(queued).toBeHidden();

  // 3. Staff (the recipient) downloads the printout and signs for the copy.
  const mine = await (await page.request.get('/api/v1/me/copies', { headers: CONSOLE })).json();
  const serial: string = mine.items[0].serial;
  expect(serial).toMatch(/^CC-\d{4}-\d{5}$/);
  await page.goto(`/copies/${serial}`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(serial);
  const [pdf, dl] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/api/v1/copies/${serial}/pdf`)),
    page.waitForEvent('download'),
    page.getByRole('button', { name: /下載 PDF|Download PDF/ }).click(),
  ]);
  expect(pdf.status()).toBe(200);
  expect(pdf.headers()['content-type']).toContain('application/pdf');
  expect(dl.suggestedFilename()).toBe(`${serial}.pdf`);
  expect(fs.readFileSync((await dl.path())!).subarray(0, 5).toString()).toBe('%PDF-');
  await page.getByRole('button', { name: btn('簽收', 'Sign for it') }).click();
  await popOk(page, '簽收', 'Sign for it').click();
  await expect(page.locator('.ant-descriptions').getByText(/^(已簽收|Signed for)$/)).toBeVisible();

  // 4. Staff returns it, naming the project manager as keeper.
  await page.getByRole('button', { name: btn('歸還', 'Return') }).click();
  const ret = page.getByRole('dialog');
  await choose(page, ret, /^(保管人|Keeper)$/, /demo\.project_manager/);
  await ret.getByRole('button', { name: btn('歸還', 'Return') }).click();
  await expect(ret).toBeHidden();
  await expect(page.locator('.ant-descriptions').getByText(/歸還待確認|Return awaiting keeper/)).toBeVisible();

  // 5. The keeper confirms receipt from their own session (what waits for them on /copies).
  await pm.page.goto('/copies');
  const waiting = pm.page.getByRole('row', { name: new RegExp(serial) });
  await expect(waiting).toContainText(/受控文件歸還|Copy return/);
  await waiting.getByRole('button', { name: btn('確認', 'Confirm') }).click();
  await popOk(pm.page, '確認', 'Confirm').click();
  await expect(waiting).toBeHidden();
  await pm.page.getByRole('tab', { name: /台帳|Ledger/ }).click();
  const ledgerRow = pm.page.getByRole('row', { name: new RegExp(serial) });
  await expect(ledgerRow).toContainText(/已歸還|Returned/);
  // The ledger by period: this month (the company's zone) has the copy; a past month has nothing.
  await pm.page.getByRole('textbox', { name: /^(起日|From)$/ }).click();
  await pm.page.locator('.ant-picker-dropdown:visible').getByText(/^(本月|This month)$/).click();
  await expect(ledgerRow).toBeVisible();
  await expect(pm.page.getByText(/曾在台帳上的副本|Copies on the ledger at some time/)).toBeVisible();
  await shot(pm.page, 'paper-copies-ledger');
  await checkA11y(pm.page, 'paper-copies-ledger');
  await pm.page.getByRole('textbox', { name: /^(起日|From)$/ }).click();
  await pm.page.locator('.ant-picker-dropdown:visible').getByText(/^(上月|Last month)$/).click();
  await expect(ledgerRow).toBeHidden();
  await pm.page.getByRole('textbox', { name: /^(起日|From)$/ }).click();
  await pm.page.locator('.ant-picker-dropdown:visible').getByText(/^(本月|This month)$/).click();

  // 6. The project manager (now keeping it) records the destruction before the department head.
  await ledgerRow.getByRole('link', { name: serial }).click();
  await expect(pm.page.getByRole('heading', { level: 1 })).toContainText(serial);
  await pm.page.getByRole('button', { name: /登記銷毀|Record destruction/ }).click();
  const destroy = pm.page.getByRole('dialog');
  await destroy.getByLabel(/^(地點|Place)$/).fill('三樓碎紙機 / 3F shredder');
  await choose(pm.page, destroy, /^(監銷人|Witness)$/, /demo\.dept_head/);
  await destroy.getByRole('button', { name: /登記銷毀|Record destruction/ }).click();
  await expect(destroy).toBeHidden();
  await expect(pm.page.locator('.ant-descriptions').getByText(/銷毀待見證|Destruction awaiting witness/)).toBeVisible();
  await shot(pm.page, 'paper-copy-detail');
  await checkA11y(pm.page, 'paper-copy-detail');

  // 7. The witness confirms from their own session.
  const head = await person(browser, baseURL, loginAs, 'dept_head', errors);
  await head.page.goto(`/copies/${serial}`);
  await head.page.getByRole('button', { name: btn('確認', 'Confirm') }).click();
  await popOk(head.page, '確認', 'Confirm').click();
  await expect(head.page.locator('.ant-descriptions').getByText(/^(已銷毀|Destroyed)$/)).toBeVisible();
  await expect(head.page.getByText(/確認銷毀|confirmed the destruction/)).toBeVisible();
  // The timeline: each step its own entry, in order (requested, approved, issued, signed, returned
  // and confirmed by the keeper, destruction recorded, destroyed (the time given), witnessed).
  const steps = [/提出列印申請|requested the printout/, /核准申請|approved the request|申請已核准|Request approved/, /發出第 1\/1 份|Copy 1 of 1 issued/, /領用人簽收|Signed for by the recipient/, /登記歸還|recorded the return/, /確認收到|confirmed receipt/, /登記銷毀|recorded the destruction/, /銷毀完成|Destroyed \(/, /確認銷毀|confirmed the destruction/];
  const lines = (await head.page.locator('.ant-timeline').innerText()).split('\n');
  let at = -1;
  for (const step of steps) {
    const found = lines.findIndex((l, i) => i > at && step.test(l));
    expect(found, `timeline step ${step} after line ${at}:\n${lines.join('\n')}`).toBeGreaterThan(at);
    at = found;
  }
  await shot(head.page, 'paper-copy-destroyed');
  await checkA11y(head.page, 'paper-copy-destroyed');

  // 8. The §7 form (the department head may read it) lists the copy.
  await head.page.goto('/ledger-form');
  await expect(head.page.getByRole('heading', { level: 1, name: /借閱、銷毀記錄表|Borrowing/ })).toBeVisible();
  await shot(head.page, 'paper-ledger-form');
  await checkA11y(head.page, 'paper-ledger-form');
  const [csv] = await Promise.all([head.page.waitForEvent('download'), head.page.getByRole('button', { name: /下載 CSV|Download CSV/ }).click()]);
  expect(csv.suggestedFilename()).toMatch(/\.csv$/);
  expect(fs.readFileSync((await csv.path())!, 'utf8')).toContain(serial);

  await pm.context.close();
  await head.context.close();
  expect(errors, 'console errors in the other people’s contexts').toEqual([]);
});

test('paper: an empty ledger period and empty paper tables fit the window at 1280 and 800 px', async ({ page, loginAs, checkA11y, shot }) => {
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize({ width: 1280, height: 800 });
  await loginAs(page, 'project_manager');
  await page.goto('/copies');
  await page.getByRole('tab', { name: /台帳|Ledger/ }).click();
  // A month long before the demo: nothing was on the ledger then.
  const from = page.getByRole('textbox', { name: /^(起日|From)$/ });
  await from.click();
  await from.fill('2001-01-01');
  await page.keyboard.press('Enter');
  const to = page.getByRole('textbox', { name: /^(訖日|To)$/ });
  await to.fill('2001-01-31');
  await page.keyboard.press('Enter');
  await expect(page.getByText(/這段期間沒有符合的副本|No copies match in this period/)).toBeVisible();
  // The calendar closed (an open one may reach past the window's edge, as any popup may).
  await page.keyboard.press('Escape');
  await page.getByRole('heading', { level: 1 }).click();
  await expect(page.locator('.ant-picker-dropdown:visible')).toHaveCount(0);
  await expect(to).toHaveValue('2001-01-31');
  for (const width of [1280, 800]) {
    await page.setViewportSize({ width, height: 800 });
    expect(await overflow(), `the empty ledger at ${width} px`).toBeLessThanOrEqual(0);
  }
  await shot(page, 'paper-ledger-empty-period-800');
  await checkA11y(page, 'paper-ledger-empty-period-800');
  for (const tab of [/我持有的|I hold/, /待我確認|Awaiting my confirmation/]) {
    const t = page.getByRole('tab', { name: tab });
    if (!(await t.count())) continue;
    await t.first().click();
    for (const width of [1280, 800]) {
      await page.setViewportSize({ width, height: 800 });
      expect(await overflow(), `${tab} at ${width} px`).toBeLessThanOrEqual(0);
    }
  }
});
