/**
 * The worker RPC in real Chromium, driven through the app: every call ends once, with the code of
 * what ended it. A worker cannot be made to crash on demand, so the tests that need one inject
 * the fault into the app's real worker from outside (Playwright's `worker.evaluate`): an uncaught
 * error thrown in it, which is what a bug in the worker would do. Nothing in the app is replaced.
 */
import { expect, test, type Page, type Worker } from '@playwright/test';
import { bigArchive, waitState } from './helpers';

/** The app's archive worker (started by the first open). */
async function archiveWorker(page: Page): Promise<Worker> {
  await expect.poll(() => page.workers().some((w) => /archive\.worker/.test(w.url()))).toBe(true);
  return page.workers().find((w) => /archive\.worker/.test(w.url()))!;
}

/** A sample opened, indexed and verified (the open is over: nothing of it is running). */
async function openVerified(page: Page, sample: string): Promise<Worker> {
  await page.goto('/');
  await page.locator(`[data-sample="${sample}"]`).click();
  await waitState(page, 'ready');
  await expect(page.getByTestId('timing')).not.toContainText('verifying');
  return archiveWorker(page);
}

async function selectPath(page: Page, find: string): Promise<void> {
  await page.getByTestId('files-search').fill(find);
  await page.getByTestId('files-search').press('Enter');
  await expect(page.getByTestId('file-details')).toHaveAttribute('data-path', new RegExp(find));
}

test('a read waiting when the worker crashes ends with worker-crashed; the app goes on', async ({
  page,
}) => {
  const worker = await openVerified(page, 'busybox-app');
  const closed = new Promise<void>((resolve) => worker.once('close', () => resolve()));
  await page.getByTestId('view-files').click();
  // The worker holds the next read without answering, then fails with an uncaught error.
  await worker.evaluate(() => {
    const scope = self as unknown as { onmessage: (e: MessageEvent) => void };
    const receive = scope.onmessage;
    scope.onmessage = (e) => {
      if ((e.data as { type: string }).type !== 'read') return receive(e);
      setTimeout(() => {
        throw new Error('fault injected by the test');
      });
    };
  });
  await selectPath(page, 'index.html');
  const error = page.getByTestId('read-error');
  await expect(error).toHaveAttribute('data-code', 'worker-crashed');
  await expect(error).toContainText('Open it again');
  await closed;
  // The views stay (everything they show is on this side), and a read now says the same.
  await selectPath(page, 'app.conf');
  await expect(page.getByTestId('read-error')).toHaveAttribute('data-code', 'worker-crashed');
  // Opened again, the archive reads in a fresh worker.
  await page.getByTestId('close').click();
  await page.locator('[data-sample="busybox-app"]').click();
  await waitState(page, 'ready');
  await page.getByTestId('view-files').click();
  await selectPath(page, 'index.html');
  await expect(page.getByTestId('text-content')).toBeVisible();
});

/**
 * Runs `patch` in the archive worker the next open starts, as soon as Chromium has started it
 * (before it has indexed anything of a big archive).
 */
function patchNextWorker(page: Page, patch: () => void): Promise<Worker> {
  return new Promise((resolve, reject) =>
    page.once('worker', (w) => void w.evaluate(patch).then(() => resolve(w), reject)),
  );
}

test('a crash while indexing ends the open with worker-crashed, and another archive opens', async ({
  page,
}) => {
  await page.goto('/');
  // The worker fails with an uncaught error instead of posting its first layer.
  const patched = patchNextWorker(page, () => {
    const scope = self as unknown as { postMessage: (m: unknown, t?: Transferable[]) => void };
    const post = scope.postMessage.bind(scope);
    scope.postMessage = (m, t) => {
      if ((m as { type: string }).type !== 'layer') return post(m, t);
      setTimeout(() => {
        throw new Error('fault injected by the test');
      });
    };
  });
  await page.getByTestId('file-input').setInputFiles(bigArchive(100_000, 3));
  await patched;
  await waitState(page, 'error');
  const panel = page.getByTestId('error-panel');
  await expect(panel).toHaveAttribute('data-code', 'worker-crashed');
  await expect(panel).toContainText('fault injected by the test');
  await panel.getByRole('button').click();
  await page.locator('[data-sample="hello"]').click();
  await waitState(page, 'ready');
});

test('cancel runs the worker’s abort, then terminates the worker', async ({ page }) => {
  await page.goto('/');
  // The worker tells the console what it answers with, so the test sees the abort run.
  const patched = patchNextWorker(page, () => {
    const scope = self as unknown as { postMessage: (m: unknown, t?: Transferable[]) => void };
    const post = scope.postMessage.bind(scope);
    scope.postMessage = (m, t) => {
      const a = m as { type: string; error?: { code: string } };
      if (a.type !== 'error') return post(m, t);
      console.log(`answered ${a.type} ${a.error?.code}`);
      // The page terminates the worker on this answer: the console message leaves first.
      setTimeout(() => post(m, t), 100);
    };
  });
  await page.getByTestId('file-input').setInputFiles(bigArchive(100_000, 3));
  const worker = await patched;
  const events: string[] = [];
  worker.on('console', (m) => events.push(m.text()));
  const closed = new Promise<void>((resolve) =>
    worker.once('close', () => {
      events.push('closed');
      resolve();
    }),
  );
  await page.getByTestId('cancel').click();
  await waitState(page, 'cancelled');
  await closed;
  expect(events).toEqual(['answered error cancelled', 'closed']);
  await page.locator('[data-sample="hello"]').click();
  await waitState(page, 'ready');
});

test('a worker that never answers the abort is terminated after the grace time', async ({
  page,
}) => {
  await page.goto('/');
  // As a read blocked in the browser's I/O would: the abort runs, its answer never comes.
  const patched = patchNextWorker(page, () => {
    const scope = self as unknown as { postMessage: (m: unknown, t?: Transferable[]) => void };
    const post = scope.postMessage.bind(scope);
    scope.postMessage = (m, t) => {
      if ((m as { type: string }).type !== 'error') post(m, t);
    };
  });
  await page.getByTestId('file-input').setInputFiles(bigArchive(100_000, 3));
  const worker = await patched;
  const closed = new Promise<number>((resolve) => worker.once('close', () => resolve(Date.now())));
  const clicked = Date.now();
  await page.getByTestId('cancel').click();
  await waitState(page, 'cancelled');
  // CANCEL_GRACE_MS (workers/client.ts) is 3000 ms; the click started before the cancel did.
  expect((await closed) - clicked).toBeGreaterThanOrEqual(3000);
  await page.locator('[data-sample="hello"]').click();
  await waitState(page, 'ready');
});

test('a read the view abandons is aborted in the worker', async ({ page }) => {
  const worker = await openVerified(page, 'busybox-app');
  await page.getByTestId('view-files').click();
  const events: string[] = [];
  worker.on('console', (m) => events.push(m.text()));
  // The first read is held unanswered; every abort the worker receives is told to the console.
  await worker.evaluate(() => {
    const scope = self as unknown as { onmessage: (e: MessageEvent) => void };
    const receive = scope.onmessage;
    let held: number | undefined;
    scope.onmessage = (e) => {
      const req = e.data as { id: number; type: string };
      if (req.type === 'read' && held === undefined) {
        held = req.id;
        console.log(`held ${req.id}`);
        return;
      }
      if (req.type === 'abort') console.log(`abort ${req.id}`);
      receive(e);
    };
  });
  await selectPath(page, 'index.html');
  await expect.poll(() => events.find((e) => e.startsWith('held'))).toBeTruthy();
  const held = events.find((e) => e.startsWith('held'))!.split(' ')[1];
  await selectPath(page, 'app.conf');
  await expect.poll(() => events).toContain(`abort ${held}`);
  await expect(page.getByTestId('text-content')).toContainText('port=');
});

test('the worker says no-archive to a read when no archive is open', async ({ page }) => {
  const worker = await openVerified(page, 'hello');
  // A second instance of the app's own worker script, asked before any open.
  const answer = await page.evaluate(async (url) => {
    const w = new Worker(url, { type: 'module' });
    const reply = new Promise<unknown>((resolve) => (w.onmessage = (e) => resolve(e.data)));
    w.postMessage({ id: 7, type: 'read', layerKey: 'x', dataOffset: 0, size: 1, maxBytes: 1 });
    const data = await reply;
    w.terminate();
    return data;
  }, worker.url());
  expect(answer).toMatchObject({ id: 7, type: 'error', error: { code: 'no-archive' } });
  expect((answer as { error: { message: string } }).error.message).toMatch(/open the archive/);
});
