// My rectifications (R-RISK-MONTHLY, R-INSPECT): a staff member, who may not read risk assessments,
// owns a rectification the department head opened in a monthly assessment. They open it from
// My work, record it done with evidence on "我的整改", and it leaves My work.
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { DEMO_PASSWORD } from '../server';
import { expect, test } from '../fixtures';

const CONSOLE = { 'X-Custodian-Console': '1' };

/** Ant Design spaces two-character CJK button texts ("儲 存"). */
const btn = (text: string) => new RegExp(`^\\s*${[...text].join('\\s*')}\\s*$`);
/** A local day `days` ahead, YYYY-MM-DD (the browser and the server run in Asia/Shanghai). */
const dayAhead = (days: number) => new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);

/** A context of its own signed in as demo.<role> through the API (the test's page stays signed out). */
async function signedIn(browser: Browser, baseURL: string | undefined, role: string): Promise<{ request: APIRequestContext; close: () => Promise<void> }> {
  const context = await browser.newContext({ baseURL });
  const res = await context.request.post('/api/v1/auth/session', { data: { username: `demo.${role}`, password: DEMO_PASSWORD } });
  expect(res.status(), `sign in as demo.${role}`).toBe(200);
  return { request: context.request, close: () => context.close() };
}

/**
 * A draft assessment of PM1 to add rectifications to: a past month nobody else uses (the
 * supervision spec reviews the month under way; a month already opened answers 409, so go back).
 */
async function draftAssessment(quality: APIRequestContext): Promise<number> {
  for (let back = 0; back < 24; back++) {
    const d = new Date(Date.UTC(2023, 11 - back, 1));
    const period = d.toISOString().slice(0, 7);
    const res = await quality.post('/api/v1/risk-assessments', { headers: CONSOLE, data: { department: 'PM1', period } });
    if (res.status() === 409) continue;
    expect(res.status(), await res.text()).toBe(201);
    return ((await res.json()) as { id: number }).id;
  }
  throw new Error('no free month for a PM1 assessment');
}

/**
 * Through the API, in contexts of their own: the quality department opens a PM1 assessment, its
 * department head opens two rectifications owned by demo.staff (due in 2 and in 20 days).
 */
async function setUp(browser: Browser, baseURL: string | undefined): Promise<{ rectId: number; laterId: number }> {
  const staff = await signedIn(browser, baseURL, 'staff');
  const quality = await signedIn(browser, baseURL, 'quality_inspector');
  const head = await signedIn(browser, baseURL, 'dept_head');
  try {
    const me = (await (await staff.request.get('/api/v1/me')).json()) as { user: { id: number } };
    // The staff member cannot read assessments: before this page, My work sent them to a refusal.
    expect((await staff.request.get('/api/v1/risk-assessments')).status()).toBe(403);
    const assessmentId = await draftAssessment(quality.request);
    const add = async (description: string, dueDate: string) => {
      const res = await head.request.post(`/api/v1/risk-assessments/${assessmentId}/rectifications`, {
        headers: CONSOLE,
        data: { description, ownerUserId: me.user.id, dueDate },
      });
      expect(res.status(), await res.text()).toBe(201);
      return ((await res.json()) as { id: number }).id;
    };
    return { rectId: await add('收回離職員工持有的客戶資料紙本', dayAhead(2)), laterId: await add('櫃台電腦 USB 端口加裝封條', dayAhead(20)) };
  } finally {
    await Promise.all([staff.close(), quality.close(), head.close()]);
  }
}

/** No table or page still loading (axe would see the half-transparent loading layer). */
async function settled(page: Page) {
  await expect(page.locator('.ant-spin-spinning')).toHaveCount(0);
}

test('a staff member opens their rectification from My work and records it done', async ({ browser, baseURL, page, loginAs, checkA11y, shot }) => {
  test.setTimeout(120_000);
  const { rectId, laterId } = await setUp(browser, baseURL);

  // My work: the rectification waits for its owner and links to their own list.
  await loginAs(page, 'staff');
  await expect(page).toHaveURL(/\/$/);
  const card = page.locator('[data-kind="rectification"]');
  await expect(card.getByRole('heading', { name: '待完成的整改' })).toBeVisible();
  await expect(card.getByTestId('work-open')).toHaveAttribute('href', '/supervision/my-rectifications');
  const link = card.getByRole('link', { name: `#${rectId}`, exact: true });
  await expect(link).toHaveAttribute('href', `/supervision/my-rectifications?rectification=${rectId}`);
  await link.click();

  // The page opens on that action's dialog (and drops the id from the address).
  await expect(page.locator('#main h1')).toHaveText('我的整改');
  await expect(page).toHaveURL(/\/supervision\/my-rectifications$/);
  const dialog = page.getByRole('dialog', { name: `更新進度: #${rectId}` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText('收回離職員工持有的客戶資料紙本')).toBeVisible();
  await expect(page.getByRole('menuitem', { name: '我的整改' })).toBeVisible();
  await settled(page);
  await shot(page, 'my-rectifications-dialog');
  await checkA11y(page, 'my-rectifications-dialog');

  // Done, with the evidence.
  await dialog.getByLabel('狀態', { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^已完成$/ }).click();
  await dialog.getByLabel('整改證據').fill('已收回紙本 2 份，交保管人簽收');
  await dialog.getByRole('button', { name: btn('儲存') }).click();
  await expect(page.getByText('已記錄進度')).toBeVisible();
  await expect(dialog).toBeHidden();

  // The list: the open one first, the done one after it with its evidence.
  const rows = page.locator('.ant-table-tbody tr.ant-table-row');
  await expect(rows.first()).toContainText(`#${laterId}`);
  const done = rows.filter({ hasText: `#${rectId}` });
  await expect(done).toContainText('已完成');
  await expect(done).toContainText('已收回紙本 2 份，交保管人簽收');
  await expect(done).toContainText(/月度風險評估 \d{4}-\d{2} · PM1/);
  await settled(page);
  await shot(page, 'my-rectifications');
  await checkA11y(page, 'my-rectifications');
  // The filter asks the server again: not done leaves the open one only.
  await page.getByLabel('依狀態篩選').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: /^未完成$/ }).click();
  await expect(rows.filter({ hasText: `#${rectId}` })).toHaveCount(0);
  await expect(rows.filter({ hasText: `#${laterId}` })).toHaveCount(1);

  // Back on My work, it no longer waits.
  await page.goto('/');
  await expect(page.locator('[data-kind="rectification"]').getByRole('link', { name: `#${laterId}`, exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: `#${rectId}`, exact: true })).toHaveCount(0);
});
