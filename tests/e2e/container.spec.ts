/**
 * The container writable layer (issue 5) in real Chromium: run a container on busybox-app, change
 * its files, check `docker diff`, commit, save the new image and open the saved archive again,
 * reload to find the container kept, then `docker rm` it.
 */
import { expect, test, type Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { hugeArchive } from '../fixtures/huge';
import { shot, waitState } from './helpers';

const OUT_DIR = resolve(import.meta.dirname, '../../test-results');

/** `docker diff` after the three changes below (checked against the core in diff.test.ts). */
const DIFF = [
  'C /app',
  'C /app/cache',
  'D /app/cache/index-v2.txt',
  'C /app/docs',
  'D /app/docs/README.txt',
  'C /etc',
  'C /etc/app',
  'C /etc/app/app.conf',
];

const row = (page: Page, path: string) =>
  page.getByTestId('container-tree').locator(`[role="treeitem"][data-path="${path}"]`);

/** Opens the directories above `path` in the tree (by their ▸ buttons), then selects it. */
async function pick(page: Page, path: string) {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const dir = row(page, parts.slice(0, i).join('/'));
    if ((await dir.getAttribute('aria-expanded')) !== 'true') await dir.locator('.exp').click();
    await expect(dir).toHaveAttribute('aria-expanded', 'true');
  }
  await row(page, path).click();
  await expect(page.getByTestId('path-panel')).toHaveAttribute('data-path', path);
}

async function openContainerView(page: Page) {
  await page.goto('/#sample=busybox-app&view=container');
  await waitState(page, 'ready');
  await expect(page.getByTestId('container-view')).toHaveAttribute('data-loaded', 'true');
}

test('run, change, diff, commit, save, reload and remove a container', async ({ page }) => {
  test.setTimeout(120_000);
  await openContainerView(page);
  const view = page.getByTestId('container-view');
  await expect(view).toHaveAttribute('data-containers', '0');

  // docker run: a 12-hex ID, a Docker-like name, an empty writable layer above 9 image layers.
  await view.getByTestId('run-container').click();
  await expect(view).toHaveAttribute('data-containers', '1');
  const first = page.getByTestId('container-row').first();
  expect(await first.getAttribute('data-id')).toMatch(/^[0-9a-f]{12}$/);
  const name = (await first.getAttribute('data-name'))!;
  expect(name).toMatch(/^[a-z]+_[a-z]+$/);
  const upper = page.locator('[data-lesson-target="container-layer"]');
  await expect(upper).toHaveAttribute('data-entries', '0');
  await expect(page.getByTestId('image-layers').locator('li')).toHaveCount(9);
  const diffIdsBefore = await page.getByTestId('ro-diffid').allTextContents();

  // Edit a file from layer 8: copied up first, then written.
  await pick(page, 'etc/app/app.conf');
  const editor = page.getByTestId('editor');
  await expect(editor).toHaveValue(/port=8080/);
  await editor.fill('port=9090\n');
  await page.getByTestId('editor-save').click();
  const copyUp = page.getByTestId('event').first().locator('[data-effect="copy-up"]').last();
  await expect(copyUp).toHaveText('/etc/app/app.conf copied up from layer 8 before writing');
  await expect(row(page, 'etc/app/app.conf')).toHaveAttribute('data-diff', 'C');

  // Delete a file from the image: a whiteout.
  await pick(page, 'app/docs/README.txt');
  await page.getByTestId('delete-path').click();
  await expect(page.getByTestId('event').first().locator('[data-effect="whiteout"]')).toHaveText(
    "whiteout app/docs/.wh.README.txt written (hides the image's file)",
  );
  await expect(row(page, 'app/docs/README.txt')).toHaveAttribute('data-diff', 'D');

  // Remove a directory and make it again: opaque.
  await pick(page, 'app/cache');
  await page.getByTestId('delete-path').click();
  await page.getByTestId('new-path').fill('/app/cache');
  await page.getByTestId('new-dir').click();
  await expect(page.getByTestId('event').first().locator('[data-effect="opaque"]')).toHaveText(
    'opaque directory: app/cache/.wh..wh..opq',
  );

  // The writable layer as its tar would list it, and docker diff, exactly.
  const listing = page.getByTestId('writable-listing');
  for (const n of [
    'app/cache/',
    'app/cache/.wh..wh..opq',
    'app/docs/.wh.README.txt',
    'etc/app/app.conf',
  ])
    await expect(listing.locator(`li[data-name="${n}"]`)).toHaveCount(1);
  await expect(page.getByTestId('diff-line')).toHaveText(DIFF);
  await expect(row(page, 'app/cache/index-v2.txt')).toHaveAttribute('data-diff', 'D');
  // The image layers did not change.
  expect(await page.getByTestId('ro-diffid').allTextContents()).toEqual(diffIdsBefore);
  await page.setViewportSize({ width: 1280, height: 860 });
  await shot(page, 'container');
  await page.setViewportSize({ width: 1280, height: 720 });

  // docker commit: a new image beside the original, with one more layer.
  await page.getByTestId('commit-repo').fill('busybox-app-edited');
  await page.getByTestId('commit-tag').fill('v2');
  await page.getByTestId('commit-message').fill('edit app.conf');
  await page.getByTestId('commit-author').fill('learner');
  await page.getByTestId('commit-submit').click();
  await expect(page.getByTestId('commit-result')).toContainText('busybox-app-edited:v2');
  await page.getByTestId('to-committed').click();
  await expect(page.getByTestId('image-count')).toHaveText('2');
  const newRow = page.getByTestId('image-ls').locator('tr', { hasText: 'busybox-app-edited' });
  await expect(newRow).toContainText('v2');
  await expect(newRow.getByTestId('committed-tag')).toHaveText(`committed from ${name}`);
  await page.getByTestId('view-layers').click();
  await expect(page.getByTestId('layer-stack').locator('li')).toHaveCount(10);
  await page.getByTestId('view-history').click();
  await expect(page.getByTestId('history-view')).toContainText('edit app.conf');

  // A second container on the original image: two writable layers on the same layers.
  await page.getByTestId('image-select').selectOption('0');
  await page.getByTestId('view-layers').click();
  await page.getByTestId('containers-on-image').getByTestId('run-container').click();
  await expect(page.getByTestId('writable-layer')).toHaveCount(2);
  await expect(page.getByTestId('shared-note')).toContainText('2 containers');
  await shot(page, 'container-stack');

  // Reload: both containers, their changes and the committed image are still there.
  await page.reload();
  await waitState(page, 'ready');
  await page.getByTestId('view-container').click();
  await expect(page.getByTestId('container-view')).toHaveAttribute('data-loaded', 'true');
  await expect(page.getByTestId('container-row')).toHaveCount(2);
  await page.locator(`[data-testid="container-row"][data-name="${name}"] button`).first().click();
  await expect(page.getByTestId('diff-line')).toHaveText(DIFF);
  await expect(page.getByTestId('image-select').locator('option')).toHaveCount(2);

  // docker rm: the container and its writable layer go; after a reload too.
  await page
    .locator(`[data-testid="container-row"][data-name="${name}"]`)
    .getByTestId('remove-container')
    .click();
  await expect(page.getByTestId('container-row')).toHaveCount(1);
  await page.reload();
  await waitState(page, 'ready');
  await page.getByTestId('view-container').click();
  await expect(page.getByTestId('container-view')).toHaveAttribute('data-loaded', 'true');
  await expect(page.getByTestId('container-row')).toHaveCount(1);
  await expect(page.locator(`[data-testid="container-row"][data-name="${name}"]`)).toHaveCount(0);

  // docker save of the committed image, downloaded, then opened again: its diffIDs verify.
  await page.getByTestId('view-images').click();
  const saved = page.getByTestId('image-ls').locator('tr', { hasText: 'busybox-app-edited' });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    saved.getByTestId('save-image').click(),
  ]);
  expect(download.suggestedFilename()).toBe('busybox-app-edited_v2.tar');
  const file = join(OUT_DIR, 'container-saved.tar');
  await download.saveAs(file);
  await page.getByTestId('close').click();
  await page.getByTestId('file-input').setInputFiles(file);
  await waitState(page, 'ready');
  await expect(page.getByTestId('image-ls')).toContainText('busybox-app-edited');
  await page.getByTestId('view-layers').click();
  await expect(page.getByTestId('layer-stack').locator('li')).toHaveCount(10);
  await expect(page.getByTestId('layer-diffid').locator('.vs')).toHaveClass(/verified/, {
    timeout: 30_000,
  });
  await expect(page.getByTestId('layer-diffid')).not.toContainText('computed');
});

test('an image without CMD or ENTRYPOINT: Run says what docker run says, and makes no container', async ({
  page,
}) => {
  // Docker 20.10's text: docker/cli cli/command/container/run.go reportError over the daemon's
  // "No command specified" (daemon/create.go).
  const docker =
    "docker: Error response from daemon: No command specified.\nSee 'docker run --help'.";
  const file = join(OUT_DIR, 'no-cmd.tar');
  writeFileSync(file, hugeArchive({ cmd: null }));
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(file);
  await waitState(page, 'ready');
  await page.getByTestId('image-ls').getByTestId('run-container').click();
  const refusal = page.getByTestId('image-ls').getByTestId('run-refusal');
  await expect(refusal).toHaveAttribute('data-reason', 'no-command');
  expect((await refusal.locator('pre').textContent())?.trimEnd()).toBe(docker);
  await expect(refusal).toContainText('CMD');
  await page.getByTestId('view-container').click();
  const view = page.getByTestId('container-view');
  await view.getByTestId('run-container').click();
  await expect(view.getByTestId('run-refusal')).toBeVisible();
  await expect(view).toHaveAttribute('data-containers', '0');
});
