// Notifications in the console (issue 13): an info clerk's print request reaches the project
// manager's bell (the count goes up), the inbox shows it with no customer data, opening it marks
// it read and its link leads to the print requests; a user sets their e-mail address and, per
// kind, how messages reach them, and the page refuses "in-app only" for a kind that asks them to
// act; the IT admin adds a group robot, sees its webhook URL masked, sends a test message, and
// finds it on the deliveries page (the dead letters first).
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { expect, test, type DemoRole } from '../fixtures';

const CONSOLE = { 'X-Custodian-Console': '1' };
const PROJECT = 'SC-HARBOUR';
const run = Date.now().toString(36).slice(-5);

/** A button's name: antd puts a space between two CJK characters ("儲 存"); a once-loading button keeps a hidden "loading" icon. */
const btn = (zh: string, en: string) => new RegExp(`^\\s*(loading\\s+)?(${[...zh].join('\\s*')}|${en})\\s*$`, 'i');

/** The header's bell, whatever its count. */
const bell = (page: Page) => page.getByTestId('notification-bell');

/** The caller's unread count as the server says it. */
async function unreadOf(page: Page): Promise<number> {
  const res = await page.request.get('/api/v1/me/notifications/unread-count', { headers: CONSOLE });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { unread: number }).unread;
}

/** The bell's accessible name says the count: "通知：3 則未讀" / "通知：沒有未讀". */
const bellSays = (n: number) => (n ? new RegExp(`(通知：${n} 則未讀|Notifications: ${n} unread)`) : /(通知：沒有未讀|Notifications: none unread)/);

/** Another person in their own browser context (their own session), signed in. */
async function person(browser: Browser, baseURL: string | undefined, loginAs: (p: Page, r: DemoRole) => Promise<void>, role: DemoRole, errors: string[]) {
  const context: BrowserContext = await browser.newContext({ baseURL, locale: 'zh-TW', timezoneId: 'Asia/Shanghai', viewport: { width: 1280, height: 800 } });
  context.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url;
    // The session probe before signing in answers 401 (as ALLOWED_CONSOLE_ERRORS in fixtures.ts).
    if (/status of 401/.test(m.text()) && /\/api\/v1\/me(\?|$)/.test(url)) return;
    errors.push(`[${role}] ${m.text()} ${url}`);
  });
  context.on('weberror', (e) => errors.push(`[${role}] ${e.error().message}`));
  const page = await context.newPage();
  await loginAs(page, role);
  return { context, page };
}

/** axe sees the page as it is: a button still under the mouse shows its lighter hover colour. */
async function a11y(page: Page, check: (page: Page, name: string) => Promise<void>, name: string) {
  await page.mouse.move(0, 0);
  await check(page, name);
}

/** What the browser keeps: nothing but the language choice (no customer data, no token). */
async function storageKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage).map((k) => `session:${k}`)]);
}

test('a print request reaches the approver: bell, inbox without customer data, read on open, link to the record', async ({ page, browser, baseURL, loginAs, checkA11y, shot }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];

  // The project manager (an approver of SC-HARBOUR) has the console open on "my work".
  await loginAs(page, 'project_manager');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  const before = await unreadOf(page);
  await expect(bell(page)).toHaveAccessibleName(bellSays(before));

  // The info clerk enters a customer and asks for a printout of it (through the API: the paper
  // spec drives these pages).
  const clerk = await person(browser, baseURL, loginAs, 'info_clerk', errors);
  const customerName = `通知測試客戶 ${run}`;
  const phone = `139${String(Date.now()).slice(-8)}`;
  const created = await clerk.page.request.post('/api/v1/customers', { headers: CONSOLE, data: { project: PROJECT, name: customerName, unit: 'B-0808', phones: [phone] } });
  expect(created.status(), await created.text()).toBe(201);
  const customerId: number = (await created.json()).id;
  const requested = await clerk.page.request.post('/api/v1/print-requests', {
    headers: CONSOLE,
    data: { project: PROJECT, purpose: `E2E 通知 ${run}`, customerIds: [customerId], copies: 1, usageDays: 3 },
  });
  expect(requested.status(), await requested.text()).toBe(201);
  const requestId: number = (await requested.json()).id;
  await clerk.context.close();

  // The bell counts it: the window regaining focus refetches the count (as the minute's poll would).
  expect(await unreadOf(page)).toBe(before + 1);
  await page.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));
  await expect(bell(page)).toHaveAccessibleName(bellSays(before + 1));
  // "My work" says it too, from the same cached count.
  await expect(page.getByText(new RegExp(`(您有 ${before + 1} 則未讀通知|You have ${before + 1} unread)`))).toBeVisible();
  const subject = new RegExp(`(列印申請 #${requestId} 待您核准|Print request #${requestId} awaits your approval)`);

  // The bell's panel lists it among the latest.
  await bell(page).click();
  const panel = page.getByRole('dialog', { name: /最新通知|Latest notifications/ });
  await expect(panel.getByRole('button', { name: subject })).toBeVisible();
  await expect(panel.getByRole('button', { name: btn('全部標為已讀', 'Mark all as read') })).toBeEnabled();
  await shot(page, 'notifications-bell');
  await a11y(page, checkA11y, 'notifications-bell');
  await page.keyboard.press('Escape');

  // The inbox: unread first in style, the unread filter, no customer data anywhere on the page.
  await page.goto('/inbox');
  await expect(page.getByRole('heading', { level: 1, name: /^(通知|Notifications)$/ })).toBeVisible();
  await segment(page, /^(未讀|Unread)$/);
  const item = page.getByRole('button', { name: new RegExp(`^(未讀|Unread): .*${subject.source}`) });
  await expect(item).toBeVisible();
  await expect(item).toHaveAttribute('data-unread', 'true');
  const text = await page.locator('#main').innerText();
  expect(text).not.toContain(customerName);
  expect(text).not.toContain(phone);
  expect(text).not.toContain('B-0808');
  expect(page.url()).not.toContain(phone);
  expect((await storageKeys(page)).filter((k) => k !== 'custodian.locale'), 'browser storage holds the language choice only').toEqual([]);
  await shot(page, 'notifications-inbox');
  await a11y(page, checkA11y, 'notifications-inbox');

  // Opening it shows it whole and marks it read (the bell goes down); its link opens the print requests.
  await item.click();
  const dialog = page.getByRole('dialog', { name: subject });
  await expect(dialog).toBeVisible();
  await expect(dialog).not.toContainText(customerName);
  await expect(bell(page)).toHaveAccessibleName(bellSays(before));
  await shot(page, 'notifications-message');
  await a11y(page, checkA11y, 'notifications-message');
  const mine = (await (await page.request.get('/api/v1/me/notifications?limit=20', { headers: CONSOLE })).json()) as {
    items: { subject: string; readAt: string | null; body: string }[];
  };
  const stored = mine.items.find((m) => subject.test(m.subject));
  expect(stored?.readAt, 'the opened message is read on the server').toBeTruthy();
  expect(JSON.stringify(mine)).not.toContain(customerName);
  expect(JSON.stringify(mine)).not.toContain(phone);
  await dialog.getByRole('button', { name: btn('前往相關頁面', 'Open the record') }).click();
  await expect(page).toHaveURL(/\/print-requests(\?|#|$)/);
  await expect(page.getByRole('heading', { level: 1, name: /列印申請|Print requests/ })).toBeVisible();

  expect(errors, 'console errors of the other person').toEqual([]);
});

test('a user sets e-mail and delivery per kind; "in-app only" is refused for a kind that asks to act', async ({ page, loginAs, checkA11y, shot }) => {
  await loginAs(page, 'staff');
  // From the user menu.
  await page.getByRole('button', { name: /^(帳戶|Account): / }).click();
  await page.getByRole('menuitem', { name: /通知設定|Notification settings/ }).click();
  await expect(page).toHaveURL(/\/settings\/notifications$/);
  await expect(page.getByRole('heading', { level: 1, name: /通知設定|Notification settings/ })).toBeVisible();

  // A wrong address is refused beside the field and stays as typed.
  const email = page.getByLabel(/^(電子郵件|E-mail)$/);
  await email.fill('not-an-address');
  const profile = page.locator('form[id="notification-profile"]');
  await profile.getByRole('button', { name: btn('儲存', 'Save') }).click();
  await expect(profile.getByText(/請輸入有效的電子郵件地址|Enter a valid e-mail address/)).toBeVisible();
  await expect(email).toHaveValue('not-an-address');
  const address = `staff.${run}@demo.custodian.test`;
  await email.fill(address);
  await profile.getByRole('button', { name: btn('儲存', 'Save') }).click();
  await expect(page.locator('.ant-message')).toContainText(/已儲存|Saved/);

  // The print request to approve asks the approver to act: in-app only is not offered.
  const kinds = page.locator('form[id="notification-kinds"]');
  const actionRow = kinds.getByRole('row', { name: /列印申請待核准|Print request to approve/ });
  await expect(actionRow.getByRole('radio', { name: /^(僅站內|In-app only)$/ })).toBeDisabled();
  await expect(page.getByText(/不能設為僅站內|cannot be set to in-app only/).first()).toBeVisible();
  await actionRow.getByRole('radio', { name: /^(每日摘要|Daily digest)$/ }).check();
  // A kind for information only may be in-app only.
  const infoRow = kinds.getByRole('row', { name: /列印申請已核准|Print request approved/ });
  await infoRow.getByRole('radio', { name: /^(僅站內|In-app only)$/ }).check();
  await shot(page, 'notifications-settings');
  await a11y(page, checkA11y, 'notifications-settings');
  await kinds.getByRole('button', { name: btn('儲存', 'Save') }).click();
  await expect(page.locator('.ant-message')).toContainText(/已儲存|Saved/);

  // Kept: the page shows the saved choices after a reload.
  await page.reload();
  await expect(page.getByLabel(/^(電子郵件|E-mail)$/)).toHaveValue(address);
  await expect(page.locator('form[id="notification-kinds"]').getByRole('row', { name: /列印申請待核准|Print request to approve/ }).getByRole('radio', { name: /^(每日摘要|Daily digest)$/ })).toBeChecked();
  await expect(page.locator('form[id="notification-kinds"]').getByRole('row', { name: /列印申請已核准|Print request approved/ }).getByRole('radio', { name: /^(僅站內|In-app only)$/ })).toBeChecked();

  // In English too (the console's language; the messages' own language is the setting above).
  await page.getByRole('combobox', { name: /^(語言|Language)$/ }).click();
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Notification settings' })).toBeVisible();
  await shot(page, 'notifications-settings-en');

  // The server refuses it too, naming the row.
  const refused = await page.request.put('/api/v1/me/notification-preferences', { headers: CONSOLE, data: { kinds: [{ kind: 'print_request.pending', mode: 'inapp' }] } });
  expect(refused.status()).toBe(400);
  expect(JSON.stringify(await refused.json())).toContain('kinds.0.mode');
});

test('the IT admin sets a user\'s e-mail, adds a group robot (URL masked), sends a test message, and sees the deliveries', async ({ page, loginAs, checkA11y, shot }) => {
  await loginAs(page, 'it_admin');
  const nav = page.getByRole('navigation', { name: /功能選單|Menu/ });
  await nav.getByText(/^(系統管理|Administration)$/).click();
  await expect(nav.getByRole('menuitem', { name: /群組機器人|Group robots/ })).toBeVisible();
  await expect(nav.getByRole('menuitem', { name: /未送達通知|Undelivered notifications/ })).toBeVisible();

  // A user's e-mail address and message language, set by the IT admin in the user dialog.
  await page.goto('/admin/users');
  await page.getByRole('searchbox', { name: /搜尋帳號或姓名|Search username or name/ }).fill('demo.auditor');
  await page.getByRole('button', { name: btn('搜尋', 'Search') }).click();
  const userRow = page.getByRole('row', { name: /demo\.auditor/ });
  await userRow.getByRole('button', { name: /^(編輯|Edit) demo\.auditor$/ }).click();
  const userDialog = page.getByRole('dialog', { name: /demo\.auditor/ });
  const auditorEmail = `auditor.${run}@demo.custodian.test`;
  await userDialog.getByLabel(/^(電子郵件|E-mail)$/).fill('auditor-at-nowhere');
  await userDialog.getByRole('button', { name: btn('儲存', 'Save') }).click();
  await expect(userDialog.getByText(/請輸入有效的電子郵件地址|Enter a valid e-mail address/)).toBeVisible();
  await userDialog.getByLabel(/^(電子郵件|E-mail)$/).fill(auditorEmail);
  await pickOption(page, userDialog.getByRole('combobox', { name: /^(通知語言|Language of notifications)$/ }), 'English', false);
  await expect(userDialog).toContainText('English');
  await shot(page, 'notifications-user-dialog');
  await userDialog.getByRole('button', { name: btn('儲存', 'Save') }).click();
  await expect(userDialog).toBeHidden();
  await userRow.getByRole('button', { name: /^(詳細|Details) demo\.auditor$/ }).click();
  await expect(page.locator('.ant-descriptions')).toContainText(auditorEmail);
  await expect(page.locator('.ant-descriptions')).toContainText('English');

  await nav.getByRole('menuitem', { name: /群組機器人|Group robots/ }).click();
  await expect(page).toHaveURL(/\/admin\/robots$/);
  await expect(page.getByRole('heading', { level: 1, name: /群組機器人|Group robots/ })).toBeVisible();
  const token = `e2e${run}0123456789abcdef`;
  const name = `E2E 海港群 ${run}`;
  await page.getByRole('button', { name: /新增機器人|New robot/ }).click();
  const dialog = page.getByRole('dialog', { name: /新增機器人|New robot/ });
  await dialog.getByLabel(/^(名稱|Name)$/).fill(name);
  await dialog.getByRole('radio', { name: /^(企業微信|WeCom)$/ }).check();
  await dialog.getByRole('radio', { name: /^(專案|Project)$/ }).check();
  await pickOption(page, dialog.getByRole('combobox', { name: /^\*?\s*(專案|Project)$/ }), PROJECT);
  // WeCom's webhook path on a local port where nothing listens (the delivery fails at once, below).
  await dialog.getByLabel(/^(Webhook 網址|Webhook URL)$/).fill(`http://127.0.0.1:9/cgi-bin/webhook/send?key=${token}`);
  await shot(page, 'notifications-robot-new');
  await a11y(page, checkA11y, 'notifications-robot-new');
  await dialog.getByRole('button', { name: btn('新增', 'Create') }).click();
  await expect(dialog).toBeHidden();

  // The list shows the URL masked: the host, never the token.
  const row = page.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('http://127.0.0.1:9');
  await expect(row).not.toContainText(token);
  expect(await page.locator('#main').innerText()).not.toContain(token);
  // Nor does the edit dialog show it back.
  await row.getByRole('button', { name: new RegExp(`^(編輯|Edit) ${name}$`) }).click();
  const edit = page.getByRole('dialog', { name: new RegExp(name) });
  await expect(edit.getByLabel(/^(Webhook 網址|Webhook URL)$/)).toHaveValue('');
  await expect(edit).not.toContainText(token);
  await edit.getByRole('button', { name: btn('取消', 'Cancel') }).click();
  await expect(edit).toBeHidden();

  await row.getByRole('button', { name: /(發送測試訊息|Send a test message)/ }).click();
  await expect(page.locator('.ant-message')).toContainText(/已排入測試訊息|test message is queued/);
  await expect(row.getByRole('button', { name: /(發送測試訊息|Send a test message)/ })).not.toHaveClass(/ant-btn-loading/);
  await shot(page, 'notifications-robots');
  await a11y(page, checkA11y, 'notifications-robots');

  // The deliveries page opens on the dead letters.
  await nav.getByRole('menuitem', { name: /未送達通知|Undelivered notifications/ }).click();
  await expect(page).toHaveURL(/\/admin\/deliveries$/);
  await expect(page.getByRole('heading', { level: 1, name: /未送達通知|Undelivered notifications/ })).toBeVisible();
  await expect(page.getByRole('radio', { name: /^(無法送達|Dead)$/ })).toBeChecked();
  await shot(page, 'notifications-deliveries');
  await a11y(page, checkA11y, 'notifications-deliveries');
  // The webhook cannot be reached (nothing listens there) and the e2e server tries once
  // (NOTIFY_MAX_ATTEMPTS=1, e2e/server.ts): the test message becomes a dead letter, with its
  // error and its robot by name, never by URL.
  const deadRow = page.getByRole('row', { name: new RegExp(`${name} \\(robot:\\d+\\)`) }).first();
  await expect(async () => {
    await page.getByRole('button', { name: /重\s*新\s*整\s*理|Refresh/ }).click();
    await expect(deadRow).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(deadRow).toContainText(/群組機器人測試訊息|Group robot test message/);
  await expect(page.locator('#main')).not.toContainText(token);
  await shot(page, 'notifications-deliveries-dead');
  await a11y(page, checkA11y, 'notifications-deliveries-dead');
  // Sent again: back to the queue with a fresh set of attempts.
  await deadRow.getByRole('button', { name: /^(重新寄送|Send again) #\d+$/ }).click();
  await page.locator('.ant-popconfirm:not(.ant-popover-hidden)').last().getByRole('button', { name: btn('重新寄送', 'Send again') }).click();
  await expect(page.locator('.ant-message')).toContainText(/已重新排入寄送|Queued again/);
});

/** Chooses an option of an antd Segmented (its radio input is hidden under the label). */
async function segment(page: Page, name: RegExp) {
  await page.getByRole('radio', { name }).locator('xpath=..').click();
  await expect(page.getByRole('radio', { name })).toBeChecked();
}

/**
 * Picks `option` in an antd Select (typing to filter when it has search), waiting until the list
 * has closed (a click during the opening animation can be lost: then it clicks again).
 */
async function pickOption(page: Page, box: Locator, option: string, search = true) {
  await box.click();
  if (search) await box.fill(option);
  const item = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: option }).first();
  await expect(async () => {
    if ((await box.getAttribute('aria-expanded')) === 'true') await item.click({ timeout: 2_000 });
    await expect(box).not.toHaveAttribute('aria-expanded', 'true', { timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
}
