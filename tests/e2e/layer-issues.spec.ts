/**
 * Entries the merge drops are reported (issue 20, item 9): a layer holding `..` components, an
 * absolute path and a bare `.wh.` marker shows, in the Layers view, how many of each were not
 * applied and which, as text. The expected entries come from GNU tar's listing of the layer.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTar } from '../../src/lib/core/tar/write';
import { dir, file, podmanArchive } from '../fixtures/archives';
import { dropFile, waitState } from './helpers';

const LAYER = [
  dir('ok'),
  file('ok/a.txt', 'a'),
  file('../escape.txt', 'x'),
  file('/abs/path.txt', 'x'),
  file('ok/../../up.txt', 'x'),
  file('.wh.', ''),
  file('ok/<img src=x onerror=window.__pwned=1>', 'x'),
];

test('dropped entries are listed in the Layers view with their reason', async ({ page }) => {
  const work = mkdtempSync(join(tmpdir(), 'layerscope-issues-'));
  const layerTar = join(work, 'layer.tar');
  writeFileSync(layerTar, writeTar(LAYER));
  // GNU tar's own names, -P so it does not strip the leading / or ../ it warns about.
  const names = execFileSync('tar', ['-tPf', layerTar], { encoding: 'utf8' }).trim().split('\n');
  // A `..` component could climb out of the root: dropped. An absolute path is read relative to
  // the root, as Docker extracts it (it names abs/path.txt), so it is not among them.
  const unsafe = names.filter((n) => n.split('/').includes('..'));
  expect(unsafe).toHaveLength(2);

  const archive = join(work, 'issues.tar');
  writeFileSync(archive, podmanArchive([{ tags: ['localhost/issues:1'], layers: [LAYER] }]));
  await page.goto('/');
  await dropFile(page, archive, 'issues.tar');
  await waitState(page, 'ready');
  await page.getByTestId('view-layers').click();
  const panel = page.getByTestId('layer-issues');
  await expect(panel).toBeVisible();
  await expect(panel.locator('[data-issue="unsafe-path"]')).toHaveAttribute(
    'data-count',
    String(unsafe.length),
  );
  await expect(panel.locator('[data-issue="empty-whiteout"]')).toHaveAttribute('data-count', '1');
  for (const n of unsafe) await expect(panel).toContainText(JSON.stringify(n));
  await expect(panel).not.toContainText('abs/path.txt');
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/layer-issues.png' });
});
