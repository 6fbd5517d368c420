/**
 * Archives whose lists are huge but inside every limit (issue 20, items 1–2): each view that
 * shows an unbounded list renders a page of it with a count and a way to see the rest, so the
 * tab stays responsive. The archives are generated (tests/fixtures/huge.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hugeArchive } from '../fixtures/huge';
import { dropFile, waitState } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'layerscope-huge-'));

async function open(page: Page, name: string, bytes: Uint8Array) {
  const path = join(work, name);
  writeFileSync(path, bytes);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await dropFile(page, path, name);
  await waitState(page, 'ready', 60_000);
  return errors;
}

test('a config of 100,000 history entries: Inspect shows a page of them', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await open(page, 'history100k.tar', hugeArchive({ history: 100_000 }));
  await page.getByTestId('view-inspect').click();
  const more = page.getByTestId('json-more').first();
  await expect(more).toBeVisible({ timeout: 5_000 });
  await expect(more).toContainText('99,800');
  await more.click();
  await expect(page.getByTestId('json-more').first()).toContainText('99,600');
  expect(errors).toEqual([]);
});

test('500,000 tags: Images and Names show a page of them, with a count and more', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors = await open(page, 'tags500k.tar', hugeArchive({ tags: 500_000 }));
  await expect(page.getByTestId('image-ls').locator('tbody tr')).toHaveCount(200);
  const more = page.getByTestId('image-ls-more');
  await expect(more).toContainText('200');
  await expect(more).toContainText('500,000');
  await more.getByRole('button').click();
  await expect(page.getByTestId('image-ls').locator('tbody tr')).toHaveCount(400);
  // In the daemon's order: moby's reference store sorts an image's references as strings (Go's
  // sort.Strings, byte order), so the 400th row is the 400th tag in that order.
  const tags = Array.from({ length: 500_000 }, (_, t) => `localhost/huge-0:t${t}`).sort();
  const tag400 = tags[399]!.split(':')[1]!;
  await expect(
    page.getByTestId('image-ls').locator('tbody tr').nth(399).locator('td').nth(1),
  ).toHaveText(tag400);
  await page.getByTestId('view-names').click();
  await expect(page.getByTestId('tags-more')).toContainText('500,000');
  expect(errors).toEqual([]);
});

test('100,000 history steps: History shows a page of them, newest first', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await open(page, 'history100k-rows.tar', hugeArchive({ history: 100_000 }));
  await page.getByTestId('view-history').click();
  const rows = page.getByTestId('history-table').locator('tbody tr');
  await expect(rows).toHaveCount(200);
  // Newest first: the config's last step (index 99,999) heads the table.
  await expect(rows.first()).toContainText('LABEL step=99999');
  await page.getByTestId('history-more').getByRole('button').click();
  await expect(rows).toHaveCount(400);
  await page.getByTestId('no-trunc').check();
  await expect(rows).toHaveCount(400);
  expect(errors).toEqual([]);
});
