import { expect, test } from '@playwright/test';
import { join } from 'node:path';
import { SAMPLES_DIR, dropFile, expected, samples, waitState } from './helpers';
import { coreWastedSpace } from './core-oracle';

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

for (const [n, sample] of samples().entries()) {
  // Each sample is opened one way: clicking it, the file picker, or a synthetic drop.
  const how = (['click', 'picker', 'drop'] as const)[n % 3];
  test(`${sample.id}: opened by ${how}, every view matches the oracle`, async ({ page }) => {
    const exp = expected(sample);
    await page.goto('/');
    await expect(page.locator(`[data-sample="${sample.id}"]`)).toBeVisible();
    const path = join(SAMPLES_DIR, sample.file);
    if (how === 'click') await page.locator(`[data-sample="${sample.id}"]`).click();
    else if (how === 'picker') await page.getByTestId('file-input').setInputFiles(path);
    else await dropFile(page, path, sample.file);

    if (exp.kind === 'not-an-image') {
      await waitState(page, 'error');
      await expect(page.getByTestId('error-panel')).toBeVisible();
      await expect(page.getByTestId('error-panel')).toContainText(/export|filesystem/i);
      return;
    }
    await waitState(page, 'ready');
    const ms = await page.getByTestId('timing').getAttribute('data-overview-ms');
    test.info().annotations.push({ type: 'overview-ms', description: `${sample.file}: ${ms}` });
    console.log(`time to overview, ${sample.file} (${how}): ${ms} ms`);
    const images = exp.images!;
    // Images: every image ID and tag of the oracle is listed.
    for (const img of images) {
      const row = page.locator(`[data-image-id="${img.id}"]`).first();
      await expect(row).toContainText(short(img.id));
      for (const t of img.repoTags) {
        const colon = t.lastIndexOf(':');
        await expect(page.getByTestId('image-ls')).toContainText(t.slice(colon + 1));
      }
    }
    await expect(page.getByTestId('image-count')).toHaveText(String(images.length));

    for (const [i, img] of images.entries()) {
      if (images.length > 1) await page.getByTestId('image-select').selectOption(String(i));
      // History: one row per config history entry (podman image history lists the same).
      await page.locator('[data-view="history"]').first().click();
      await expect(page.getByTestId('history-table').locator('tbody tr')).toHaveCount(
        img.podmanHistory.length,
      );
      await expect(page.getByTestId('history-table').locator('tbody tr').first()).toContainText(
        short(img.id),
      );
      // Inspect: the diffIDs in order.
      await page.locator('[data-view="inspect"]').first().click();
      await expect(page.getByTestId('diffid')).toHaveText(img.layers.map((l) => l.diffId));
      // Layers: each layer's diffID, entry count, whiteouts and compression.
      await page.locator('[data-view="layers"]').first().click();
      for (const [k, l] of img.layers.entries()) {
        await page.locator(`.block[data-layer="${k}"]`).click();
        const d = page.getByTestId('layer-detail');
        await expect(d).toHaveAttribute('data-layer', String(k));
        await expect(page.getByTestId('layer-diffid')).toContainText(l.diffId);
        await expect(page.getByTestId('entry-count')).toHaveText(String(l.entries));
        await expect(page.getByTestId('whiteouts')).toContainText(
          `${l.whiteouts} .wh. · ${l.opaqueWhiteouts} .wh..wh..opq`,
        );
        await expect(page.getByTestId('compression')).toContainText(l.compression);
      }
      // Files: the merged filesystem at the top layer has the oracle's entries (all expanded).
      await page.locator('[data-view="files"]').first().click();
      // (deleted paths of the top layer are shown too, so count the live rows.)
      await expect(page.getByTestId('row-count')).toHaveAttribute(
        'data-live',
        String(img.merged.length),
      );
      // Wasted space renders its three figures.
      await page.locator('[data-view="wasted"]').first().click();
      await expect(page.getByTestId('efficiency')).toBeVisible();
      await page.locator('[data-view="names"]').first().click();
      if (img.repoTags[0]) await expect(page.getByTestId('ref-parts')).toBeVisible();
    }
    if (sample.id === 'busybox-app') {
      // Wasted space: the three figures and every costly file are the core's, and the learner
      // sentence tells the story of the 4 MiB file deleted two layers after it was added.
      const core = await coreWastedSpace(path);
      await page.locator('[data-view="wasted"]').first().click();
      await expect(page.getByTestId('efficiency')).toHaveAttribute(
        'data-score',
        String(core.dive.score),
      );
      await expect(page.getByTestId('dive-wasted')).toHaveAttribute(
        'data-bytes',
        String(core.dive.wastedBytes),
      );
      await expect(page.getByTestId('reclaimable')).toHaveAttribute(
        'data-bytes',
        String(core.reclaimableBytes),
      );
      expect(core.dive.wastedBytes).toBeGreaterThan(core.reclaimableBytes); // dive issue #684
      const rows = page.getByTestId('waste-table').locator('tbody tr');
      await expect(rows).toHaveCount(core.rows.length);
      for (const [i, r] of core.rows.entries()) {
        await expect(rows.nth(i)).toHaveAttribute('data-path', r.path);
        await expect(rows.nth(i)).toHaveAttribute('data-reclaimable', String(r.reclaimable));
      }
      await expect(
        page.locator('[data-path="tmp/seed-data.bin"] [data-testid="waste-why"]'),
      ).toHaveText(
        /^added in layer 6 by COPY .*seed-data\.bin, deleted in layer 9 by RUN rm .*: still shipped in the archive$/,
      );

      // The top layer's changes show whiteouts and the opaque directory for what they are.
      await page.locator('[data-view="files"]').first().click();
      await page.getByTestId('mode-changes').check();
      const deleted = page.locator('[data-kind="deleted"]');
      await expect(deleted.first()).toBeVisible();
      await deleted.first().click();
      await expect(page.getByTestId('whiteout-note')).toBeVisible();
      await expect(page.locator('.tag', { hasText: 'opaque' }).first()).toBeVisible();
    }
  });
}
