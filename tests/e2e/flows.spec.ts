import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { SAMPLES_DIR, bigArchive, shot, waitState } from './helpers';

async function axe(page: Page, what: string) {
  const r = await new AxeBuilder({ page }).analyze();
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${what}: ${v.id} ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

test('cancel an indexing run, then open again', async ({ page }) => {
  const big = bigArchive(100_000, 3);
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(big);
  await expect(page.getByTestId('cancel')).toBeVisible();
  await page.getByTestId('cancel').click();
  await waitState(page, 'cancelled');
  await expect(page.getByTestId('cancelled')).toBeVisible();
  await page.locator('[data-sample="hello"]').click();
  await waitState(page, 'ready');
});

test('200,000 entries: the virtual list scrolls to the end', async ({ page }) => {
  test.setTimeout(120_000);
  const big = bigArchive(200_000, 1);
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(big);
  await waitState(page, 'ready', 90_000);
  await page.locator('[data-view="files"]').first().click();
  const tree = page.getByTestId('file-tree');
  const rows = Number(await tree.getAttribute('data-rows'));
  expect(rows).toBeGreaterThan(200_000);
  expect(await tree.locator('[role="treeitem"]').count()).toBeLessThan(200);
  await tree.focus();
  // Byte order, as tar and dive sort: d99/file-99.txt is the last path.
  await page.keyboard.press('End');
  await expect(tree.locator('[aria-selected="true"]')).toContainText('file-99.txt');
});

test('recent archives survive a reload; forget removes one', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(join(SAMPLES_DIR, 'hello.tar'));
  await waitState(page, 'ready');
  await page.getByTestId('close').click();
  await page.reload();
  const item = page.locator('[data-recent="hello.tar"]');
  await expect(item).toBeVisible();
  await item.getByRole('button', { name: 'hello.tar', exact: true }).click();
  await waitState(page, 'ready');
  await page.getByTestId('close').click();
  await page
    .locator('[data-recent="hello.tar"]')
    .getByRole('button', { name: /Forget/ })
    .click();
  await expect(page.locator('[data-recent="hello.tar"]')).toHaveCount(0);
});

test('a deep link opens the sample, view, layer and path', async ({ page }) => {
  await page.goto('/#sample=busybox-app&view=files&layer=2&path=app');
  await waitState(page, 'ready');
  await expect(page.getByTestId('files-view')).toBeVisible();
  await expect(page.getByTestId('files-layer')).toHaveValue('2');
  await expect(page.getByTestId('file-details')).toHaveAttribute('data-path', 'app');
});

test('screenshots of the main views, and no serious axe violations', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await expect(page.locator('[data-sample="busybox-app"]')).toBeVisible();
  await axe(page, 'open');
  await shot(page, 'open');
  await page.locator('[data-sample="busybox-app"]').click();
  await waitState(page, 'ready');
  for (const v of ['images', 'history', 'inspect', 'layers', 'wasted', 'names']) {
    await page.locator(`[data-view="${v}"]`).first().click();
    await expect(page.getByTestId(`${v}-view`)).toBeVisible();
    await axe(page, v);
    await shot(page, v);
  }
  await page.locator('[data-view="layers"]').first().click();
  await page.locator('.block[data-layer="8"]').click();
  await page.getByTestId('to-files').click();
  await page.getByTestId('mode-changes').check();
  await page.locator('[data-kind="deleted"]').first().click();
  await axe(page, 'files');
  await shot(page, 'files-changes');
  await page.getByTestId('mode-merged').check();
  await page.getByTestId('files-search').fill('index.html');
  await page.getByTestId('files-search').press('Enter');
  await expect(page.getByTestId('text-content')).toBeVisible();
  await shot(page, 'files-content');
  await page.getByTestId('theme').click();
  await page.locator('[data-view="layers"]').first().click();
  await axe(page, 'layers-dark');
  await shot(page, 'layers-dark');
  await page.getByTestId('lang').click();
  await page.locator('[data-view="history"]').first().click();
  await shot(page, 'history-zh-dark');
});
