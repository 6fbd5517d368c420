/**
 * Storage faults (issue 8, item 5): with IndexedDB missing, refused, blocked, foreign or full,
 * layerscope still opens and explores a bundled sample and an uploaded archive, and a visible,
 * translated notice says that recent items cannot be kept. Corrupt stored records are skipped
 * (and removed) with a message while the rest of the recent list still shows.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { family, podmanArchive } from '../fixtures/archives';
import { waitState } from './helpers';

const I18N = resolve(import.meta.dirname, '../../src/lib/i18n');
interface StorageStrings {
  problem: Record<string, string>;
  stillWorks: string;
}
const strings = (lang: 'en' | 'zh') =>
  (JSON.parse(readFileSync(resolve(I18N, `${lang}.json`), 'utf8')) as { storage: StorageStrings })
    .storage;

type Problem = 'missing' | 'denied' | 'blocked' | 'full' | 'error';

interface Fault {
  name: string;
  problem: Problem;
  /** Known before anything is opened (the list is read at start); `full` shows on a write. */
  atStart: boolean;
  init?: () => void;
  setup?: (page: Page) => Promise<void>;
}

const FAULTS: Fault[] = [
  {
    name: 'IndexedDB missing',
    problem: 'missing',
    atStart: true,
    init: () => {
      delete (window as { indexedDB?: unknown }).indexedDB;
      Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true });
    },
  },
  {
    name: 'indexedDB.open throws',
    problem: 'denied',
    atStart: true,
    init: () => {
      IDBFactory.prototype.open = () => {
        throw new DOMException(
          'The user denied permission to access the database.',
          'SecurityError',
        );
      };
    },
  },
  {
    name: 'the open never succeeds (another tab blocks it)',
    problem: 'blocked',
    atStart: true,
    // Another tab of this origin holds the database open and has asked to delete it: the delete
    // waits for that connection, and every later open waits behind the delete.
    setup: async (page) => {
      const holder = await page.context().newPage();
      await holder.goto('/favicon.svg');
      await holder.evaluate(
        () =>
          new Promise<void>((done) => {
            const r = indexedDB.open('layerscope', 1);
            r.onupgradeneeded = () =>
              r.result
                .createObjectStore('recent', { keyPath: 'id' })
                .createIndex('openedAt', 'openedAt');
            r.onsuccess = () => {
              (window as unknown as { held: IDBDatabase }).held = r.result;
              const del = indexedDB.deleteDatabase('layerscope');
              del.onblocked = () => done();
            };
          }),
      );
    },
  },
  {
    name: 'a foreign database under the same name',
    problem: 'error',
    atStart: true,
    setup: async (page) => {
      await page.goto('/favicon.svg');
      await page.evaluate(
        () =>
          new Promise<void>((done) => {
            const r = indexedDB.open('layerscope', 1);
            r.onupgradeneeded = () => r.result.createObjectStore('something-else');
            r.onsuccess = () => {
              r.result.close();
              done();
            };
          }),
      );
    },
  },
  {
    name: 'storage full (put throws QuotaExceededError)',
    problem: 'full',
    atStart: false,
    init: () => {
      IDBObjectStore.prototype.put = () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
    },
  },
  {
    name: 'storage full (the write transaction aborts with QuotaExceededError)',
    problem: 'full',
    atStart: false,
    init: () => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args) {
        const req = put.apply(this, args);
        const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        Object.defineProperty(req, 'error', { get: () => quota });
        Object.defineProperty(this.transaction, 'error', { get: () => quota });
        this.transaction.abort();
        return req;
      };
    },
  },
];

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function expectProblem(page: Page, problem: Problem): Promise<void> {
  const p = page.getByTestId('storage-problem');
  await expect(p).toBeVisible();
  await expect(p).toHaveAttribute('data-problem', problem);
  await expect(p).toContainText(strings('en').problem[problem]!);
  await expect(p).toContainText(strings('en').stillWorks);
}

/** A sample and an uploaded archive, each explored down to a file's contents. */
async function openAndExplore(page: Page, upload: string): Promise<void> {
  await page.locator('[data-sample="hello"]').click();
  await waitState(page, 'ready');
  await page.locator('[data-view="history"]').first().click();
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toBeVisible();
  await page.locator('[data-view="files"]').first().click();
  await expect(page.getByTestId('files-view').getByRole('treeitem').first()).toBeVisible();
  await page.getByTestId('close').click();

  await page.getByTestId('file-input').setInputFiles(upload);
  await waitState(page, 'ready');
  await expect(page.getByTestId('image-count')).toHaveText('2');
  await page.locator('[data-view="files"]').first().click();
  await page.getByTestId('files-search').fill('c.conf');
  await page.getByTestId('files-search').press('Enter');
  await expect(page.getByTestId('file-details').getByTestId('text-content')).toHaveText('c');
}

for (const fault of FAULTS) {
  test(`${fault.name}: archives still open, and the app says recent items cannot be kept`, async ({
    page,
  }, info) => {
    const errors = watchErrors(page);
    const upload = info.outputPath('family.tar');
    writeFileSync(upload, podmanArchive(family()));
    if (fault.init) await page.addInitScript(fault.init);
    if (fault.setup) await fault.setup(page);
    await page.goto('/');
    await expect(page.locator('[data-sample="hello"]')).toBeVisible();
    if (fault.atStart) await expectProblem(page, fault.problem);

    await openAndExplore(page, upload);
    await expectProblem(page, fault.problem);

    // Translated: the same notice in Chinese.
    await page.getByTestId('lang').click();
    await expect(page.getByTestId('storage-problem')).toContainText(
      strings('zh').problem[fault.problem]!,
    );
    await page.getByTestId('lang').click();

    // Nothing was kept: after a reload the list is empty and the notice is back.
    await page.getByTestId('close').click();
    await page.reload();
    await expect(page.locator('[data-sample="hello"]')).toBeVisible();
    if (fault.atStart) await expectProblem(page, fault.problem);
    await expect(page.locator('[data-recent]')).toHaveCount(0);
    // The notice can be dismissed.
    if (fault.atStart) {
      await page.getByTestId('storage-dismiss').click();
      await expect(page.getByTestId('storage-notice')).toHaveCount(0);
    }
    expect(errors, 'no uncaught errors or rejections').toEqual([]);
  });
}

test('corrupt stored records are skipped with a message; the rest of the list shows', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await page.locator('[data-sample="hello"]').click();
  await waitState(page, 'ready');
  await page.getByTestId('close').click();
  await expect(page.locator('[data-recent="hello.tar"]')).toBeVisible();

  // Garbage written straight into the store, as a damaged profile or an old bug could leave it.
  await page.evaluate(
    () =>
      new Promise<void>((done, fail) => {
        const r = indexedDB.open('layerscope', 1);
        r.onerror = () => fail(r.error);
        r.onsuccess = () => {
          const tx = r.result.transaction('recent', 'readwrite');
          const s = tx.objectStore('recent');
          s.put({ id: 'corrupt-1', name: 42 });
          s.put({ id: 'corrupt-2', name: 'ghost.tar', size: 'big', openedAt: {}, file: 'x' });
          s.put({ id: 7, name: 'numeric-key.tar', size: 1, openedAt: 1 });
          // Newest of all, and its "file" is no Blob: opening it must never be attempted.
          s.put({
            id: 'corrupt-4',
            name: 'evil.tar',
            size: 10,
            openedAt: Date.now() + 1e9,
            file: 'x',
          });
          tx.oncomplete = () => {
            r.result.close();
            done();
          };
          tx.onerror = () => fail(tx.error);
        };
      }),
  );
  await page.reload();
  await expect(page.locator('[data-recent="hello.tar"]')).toBeVisible();
  const skipped = page.getByTestId('storage-skipped');
  await expect(skipped).toHaveAttribute('data-skipped', '4');
  await expect(skipped).toContainText('4 saved recent items could not be read');
  await expect(page.getByTestId('storage-problem')).toHaveCount(0);
  await expect(page.locator('[data-recent]')).toHaveCount(1);
  await page.getByTestId('lang').click();
  await expect(skipped).toContainText('4 条');
  await page.getByTestId('lang').click();

  // The list still works.
  await page
    .locator('[data-recent="hello.tar"]')
    .getByRole('button', { name: 'hello.tar', exact: true })
    .click();
  await waitState(page, 'ready');
  await page.getByTestId('close').click();

  // They were removed: the next start lists the good record and says nothing.
  await page.reload();
  await expect(page.locator('[data-recent="hello.tar"]')).toBeVisible();
  await expect(page.getByTestId('storage-notice')).toHaveCount(0);
  expect(errors, 'no uncaught errors or rejections').toEqual([]);
});
