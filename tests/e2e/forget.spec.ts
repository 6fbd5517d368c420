/**
 * "Forget" removes everything derived from an archive (issue 20, item 7): the containers run on
 * it and their writable layers, kept in their own database, go with the recent entry. Read back
 * from IndexedDB itself, not from the app's state.
 */
import { expect, test, type Page } from '@playwright/test';
import { waitState } from './helpers';

/** Records kept in layerscope-containers for an archive, counted in IndexedDB directly. */
function keptFor(page: Page, archive: string): Promise<number> {
  return page.evaluate(
    (archive) =>
      new Promise<number>((resolve, reject) => {
        const req = indexedDB.open('layerscope-containers');
        req.onerror = () => reject(new Error(String(req.error)));
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['containers', 'commits']);
          let n = 0;
          let left = 2;
          for (const name of ['containers', 'commits']) {
            const count = tx.objectStore(name).index('archive').count(archive);
            count.onsuccess = () => {
              n += count.result;
              if (--left === 0) {
                db.close();
                resolve(n);
              }
            };
          }
        };
      }),
    archive,
  );
}

test('forgetting an archive removes its containers too', async ({ page }) => {
  await page.goto('/#sample=busybox-app&view=container');
  await waitState(page, 'ready');
  const view = page.getByTestId('container-view');
  await expect(view).toHaveAttribute('data-loaded', 'true');
  await view.getByTestId('run-container').click();
  await view.getByTestId('run-container').click();
  await expect(view).toHaveAttribute('data-containers', '2');
  await expect.poll(() => keptFor(page, 'sample:busybox-app')).toBe(2);

  await page.getByTestId('close').click();
  const entry = page.getByTestId('recent').locator('li').filter({ hasText: 'busybox-app' });
  await expect(entry).toHaveCount(1);
  await entry.locator('button.forget').click();
  await expect(entry).toHaveCount(0);
  expect(await keptFor(page, 'sample:busybox-app')).toBe(0);

  // Opened again, the archive starts with no container.
  await page.goto('/#sample=busybox-app&view=container');
  await waitState(page, 'ready');
  await expect(view).toHaveAttribute('data-loaded', 'true');
  await expect(view).toHaveAttribute('data-containers', '0');
});
