// Supervision (R-RISK-MONTHLY, R-INSPECT): the monthly risk self-assessment filled on the heat map by
// the department head and reviewed by the quality department; a bimonthly inspection of SC-HARBOUR
// filled on one page and completed with a major hazard, whose public criticism reaches the board;
// the reports download.
import type { Page } from '@playwright/test';
import { expect, test, type DemoRole } from '../fixtures';

/** Ant Design spaces two-character CJK button texts ("提 交"). */
const btn = (text: string) => new RegExp(`^\\s*${[...text].join('\\s*')}\\s*$`);
/** A due date two weeks ahead, YYYY-MM-DD. */
const due = () => new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);

async function switchTo(page: Page, loginAs: (p: Page, r: DemoRole) => Promise<void>, role: DemoRole) {
  // Signs out through the user menu (the server ends the session; nothing is left polling).
  await page.getByRole('button', { name: /^帳戶/ }).click();
  await page.getByRole('menuitem', { name: '登出' }).click();
  await expect(page).toHaveURL(/\/login/);
  await loginAs(page, role);
}

/** Picks the first option of the antd Select labelled `label` inside `scope`, or the one matching `option`. */
async function choose(page: Page, label: string, option?: RegExp) {
  await page.getByRole('dialog').getByLabel(label, { exact: true }).click();
  const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
  await (option ? options.filter({ hasText: option }).first() : options.first()).click();
}

/** No table or page still loading (axe would see the half-transparent loading layer). */
async function settled(page: Page) {
  await expect(page.locator('.ant-spin-spinning')).toHaveCount(0);
}

async function expectDownload(page: Page, name: RegExp, file: RegExp) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  expect(d.suggestedFilename()).toMatch(file);
}

test('monthly risk assessment: opened, filled on the heat map, submitted, reviewed, exported', async ({ page, loginAs, checkA11y, shot }) => {
  test.setTimeout(120_000);
  await loginAs(page, 'quality_inspector');
  await page.goto('/supervision/assessments');
  await expect(page.getByRole('heading', { level: 1, name: '月度風險評估' })).toBeVisible();
  await page.getByRole('button', { name: '開啟評估' }).click();
  await choose(page, '部門', /PM1/);
  await page.getByRole('dialog').getByRole('button', { name: btn('開啟') }).click();
  await expect(page).toHaveURL(/\/supervision\/assessments\/\d+$/);
  const url = new URL(page.url()).pathname;

  await switchTo(page, loginAs, 'dept_head');
  await page.goto('/supervision/assessments');
  await expect(page.getByRole('link', { name: /開啟 PM1/ }).first()).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-assessments');
  await checkA11y(page, 'supervision-assessments');
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 2, name: '監測指標' })).toBeVisible();

  // Two risk items on the heat map: a high one (4 × 4) and a critical one (5 × 4).
  for (const [l, i, text] of [
    [4, 4, '離職員工仍持有客戶資料紙本'],
    [5, 4, '電腦 USB 端口未封閉'],
  ] as const) {
    await page.getByRole('button', { name: new RegExp(`^可能性 ${l}，影響 ${i}：`) }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('風險描述').fill(text);
    // On a busy machine a click during the dialog's opening animation can be lost (no request is
    // sent): click again until the item is posted (never twice once a request has gone out).
    await expect(async () => {
      const posted = page.waitForResponse((r) => r.request().method() === 'POST' && /\/risk-assessments\/\d+\/items$/.test(r.url()), { timeout: 5_000 });
      await dialog.getByRole('button', { name: btn('新增') }).click();
      expect((await posted).status()).toBe(201);
    }).toPass({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('button', { name: new RegExp(`^可能性 ${l}，影響 ${i}：.*，1 項$`) })).toBeVisible();
  }
  await expect(page.getByRole('button', { name: /^可能性 5，影響 4：分值 20，極高，1 項$/ })).toBeVisible();

  await page.getByRole('button', { name: '新增整改措施' }).click();
  const rect = page.getByRole('dialog');
  await rect.getByLabel('說明').fill('收回紙本並封閉 USB 端口');
  await choose(page, '責任人');
  await rect.getByLabel('完成期限').fill(due());
  await rect.getByLabel('完成期限').press('Enter');
  await rect.getByRole('button', { name: btn('新增') }).click();
  await expect(page.getByText('已新增整改措施')).toBeVisible();
  await expect(page.getByRole('cell', { name: '收回紙本並封閉 USB 端口', exact: true })).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-assessment-draft');
  await checkA11y(page, 'supervision-assessment-draft');
  // A department head on site, on a tablet (800 px): the heat map and the page fit the window.
  await page.setViewportSize({ width: 800, height: 1000 });
  await expect(page.getByRole('cell', { name: '收回紙本並封閉 USB 端口', exact: true })).toBeVisible();
  // Polled: the table lays itself out again a moment after the window changes.
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), { message: 'the assessment at 800 px' }).toBeLessThanOrEqual(0);
  await shot(page, 'supervision-assessment-draft-800');
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole('button', { name: btn('提交') }).click();
  await page.getByRole('dialog').getByRole('button', { name: btn('提交') }).click();
  await expect(page.getByText('已提交', { exact: true }).first()).toBeVisible();
  // The department records the action's progress after submission too.
  await page.getByRole('button', { name: '更新進度: 收回紙本並封閉 USB 端口' }).click();
  await choose(page, '狀態', /進行中/);
  await page.getByRole('dialog').getByLabel('整改證據').fill('已收回紙本 2 份');
  await page.getByRole('dialog').getByRole('button', { name: btn('儲存') }).click();
  await expect(page.getByRole('cell', { name: '已收回紙本 2 份', exact: true })).toBeVisible();

  await switchTo(page, loginAs, 'quality_inspector');
  await page.goto(url);
  await page.getByRole('button', { name: '審核通過' }).click();
  await page.getByRole('dialog').getByLabel('審核意見').fill('風險識別完整，整改措施可行。');
  await page.getByRole('dialog').getByRole('button', { name: '審核通過' }).click();
  await expect(page.getByText('已審核', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('風險識別完整，整改措施可行。')).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-assessment-reviewed');
  await checkA11y(page, 'supervision-assessment-reviewed');
  await expectDownload(page, /下載 PDF/, /\.pdf$/);
  await expectDownload(page, /下載 XLSX/, /\.xlsx$/);
});

test('inspection of SC-HARBOUR on one page, completed with a major hazard; the notice reaches the board', async ({ page, loginAs, checkA11y, shot }) => {
  test.setTimeout(120_000);
  await loginAs(page, 'quality_inspector');
  await page.goto('/supervision/inspections');
  await expect(page.getByRole('heading', { level: 1, name: '雙月檢查' })).toBeVisible();
  await page.getByRole('button', { name: '開啟檢查' }).click();
  await choose(page, '專案', /SC-HARBOUR/);
  await page.getByRole('dialog').getByRole('button', { name: btn('開啟') }).click();
  await expect(page).toHaveURL(/\/supervision\/inspections\/\d+$/);

  // The whole checklist on this page: the first item fails, the others pass; one save.
  const items = page.locator('section[aria-labelledby^="sv-item-"]');
  await expect(items.first()).toBeVisible();
  const n = await items.count();
  expect(n).toBeGreaterThan(3);
  for (let k = 0; k < n; k++) await items.nth(k).getByText(k === 0 ? '不符合' : '符合', { exact: true }).click();
  await items.nth(0).getByLabel('備註').fill('抽查發現離職員工仍保留客戶資料紙本');
  await page.getByRole('button', { name: '儲存檢查表' }).click();
  await expect(page.getByText('檢查表已儲存')).toBeVisible();
  await expect(page.getByText(`符合 ${n - 1}／不符合 1／不適用 0／未記錄 0`).first()).toBeVisible();

  await page.getByRole('button', { name: '新增發現' }).click();
  const finding = page.getByRole('dialog');
  await finding.getByText('重大隱患', { exact: true }).click();
  await finding.getByLabel('說明').fill('客戶資料紙本未按規定收回');
  await finding.getByRole('button', { name: btn('新增') }).click();
  await expect(page.getByText('已新增發現')).toBeVisible();
  await expect(page.getByRole('cell', { name: '重大隱患', exact: true })).toBeVisible();

  await page.getByRole('button', { name: /^新增整改措施: 客戶資料紙本未按規定收回/ }).click();
  const rect = page.getByRole('dialog');
  await rect.getByLabel('說明').fill('三日內收回並銷毀紙本');
  await choose(page, '責任人');
  await rect.getByLabel('完成期限').fill(due());
  await rect.getByLabel('完成期限').press('Enter');
  await rect.getByRole('button', { name: btn('新增') }).click();
  await expect(page.getByText('已指派整改')).toBeVisible();
  await expect(page.getByRole('cell', { name: '三日內收回並銷毀紙本', exact: true })).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-inspection');
  await checkA11y(page, 'supervision-inspection');

  await page.getByRole('button', { name: '完成檢查' }).click();
  await page.getByRole('dialog').getByLabel('結論').fill('發現重大隱患一項，予以通報批評。');
  await page.getByRole('dialog').getByRole('button', { name: '完成檢查' }).click();
  await expect(page.getByText('檢查已完成', { exact: true })).toBeVisible();
  await expect(page.getByText('已完成', { exact: true }).first()).toBeVisible();
  await expectDownload(page, /檢查報告 PDF/, /\.pdf$/);
  await expectDownload(page, /檢查報告 XLSX/, /\.xlsx$/);

  await page.goto('/supervision/inspections');
  await expect(page.getByText('重大隱患 1')).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-inspections');
  await checkA11y(page, 'supervision-inspections');

  // Every user reads the board.
  await switchTo(page, loginAs, 'staff');
  await page.goto('/supervision/notices');
  await expect(page.getByRole('heading', { level: 1, name: '通報批評' })).toBeVisible();
  await expect(page.getByText('SC-HARBOUR', { exact: false }).first()).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-notices');
  await checkA11y(page, 'supervision-notices');
});

test('port register, incidents (an anonymous report), rewards and penalties with the Rules’ bands', async ({ page, loginAs, checkA11y, shot }) => {
  test.setTimeout(120_000);
  // Any user reports, anonymously.
  await loginAs(page, 'staff');
  await page.goto('/supervision/incidents');
  await expect(page.getByRole('heading', { level: 1, name: '洩密事件' })).toBeVisible();
  await page.getByRole('button', { name: '通報事件' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('事件經過（至少 10 字）').fill('影印機旁發現一份未收回的客戶名單');
  await dialog.getByRole('checkbox', { name: /匿名通報/ }).check();
  await dialog.getByRole('button', { name: '通報事件' }).click();
  await expect(page.getByText('已送出通報，謝謝。')).toBeVisible();

  // The department head keeps the port register.
  await switchTo(page, loginAs, 'dept_head');
  await page.goto('/supervision/ports');
  await expect(page.getByRole('heading', { level: 1, name: '端口登記' })).toBeVisible();
  await page.getByRole('button', { name: '登記電腦' }).click();
  const port = page.getByRole('dialog');
  await port.getByLabel('資產編號').fill('PC-PM1-001');
  await port.getByLabel('使用者姓名（無帳號）').fill('前台電腦');
  await port.getByLabel('位置').fill('一樓服務台');
  await port.getByLabel('決定').fill('USB 與燒錄機一律封閉');
  await choose(page, '核准人');
  await port.getByRole('button', { name: btn('儲存') }).click();
  await expect(page.getByRole('cell', { name: 'PC-PM1-001', exact: true })).toBeVisible();
  await page.getByRole('button', { name: '記錄查核: PC-PM1-001' }).click();
  await expect(page.getByText('已記錄查核')).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-ports');
  await checkA11y(page, 'supervision-ports');

  // The quality department sees the anonymous report and the Rules' bands.
  await switchTo(page, loginAs, 'quality_inspector');
  await page.goto('/supervision/incidents');
  await expect(page.getByRole('cell', { name: '匿名', exact: true })).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-incidents');
  await checkA11y(page, 'supervision-incidents');
  await page.goto('/supervision/sanctions');
  await expect(page.getByText('獎勵 100–1000 元（R-REWARD）')).toBeVisible();
  await expect(page.getByText('罰款 300–2000 元（R-PENALTY）')).toBeVisible();
  await settled(page);
  await shot(page, 'supervision-sanctions');
  await checkA11y(page, 'supervision-sanctions');
});
