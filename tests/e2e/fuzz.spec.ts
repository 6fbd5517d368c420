/**
 * The browser fuzz campaign (issue 20): archives opened in the real app in Chromium, every tab
 * visited. Two kinds of case:
 *
 *  - generated: archives inside every documented limit whose lists are huge (10⁵–5·10⁵ tags,
 *    10⁵ history entries, thousands of layers and images), a config nested past the depth limit
 *    and names of tens of kilobytes (tests/fixtures/huge.ts);
 *  - mutated: the Node fuzzer's seeded mutations of the samples and synthetic archives
 *    (tests/fuzz/harness.ts `caseAt`), the same bytes `npm run fuzz` feeds the engine.
 *
 * A case fails on any uncaught page error, on an app that ends in neither a view nor a specific
 * error message, on any tab that takes more than 5 s to show, and on heap growth past a budget
 * (the page's V8 heap after a full GC, over CDP):
 *  - `HEAP_OPEN_MB` (128) while the archive is open with every tab visited. Measured: the
 *    largest generated cases grow it 35–56 MB (500,000 tags; 100,000 history steps with the
 *    Inspect view open); the samples' mutations a few MB. Twice the worst leaves room for a
 *    slower GC without letting a view that renders a whole list (gigabytes, issue 20) pass.
 *  - `HEAP_LEAK_MB` (16) after the archive is closed: the app keeps nothing of a closed archive
 *    but the recent list's metadata. Measured 1–2 MB; a retained model is 10–40 MB (a derived
 *    in App.svelte held the last image until this campaign found it).
 *
 * `npm test` runs `LAYERSCOPE_FUZZ_CASES` (default 200) mutated cases, about 90 s;
 * `npm run fuzz -- --browser [--cases N] [--seed S]` runs thousands (default 2,000). The worker's
 * heap is its own isolate, bounded by the engine's limits (core/model/limits.ts) and measured by
 * the Node fuzzer; it is not measured here.
 */
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { VIEW_IDS, type ViewId } from '../../src/lib/views/registry';
import { hugeArchive, type HugeOptions } from '../fixtures/huge';
import { loadCorpus, nodeCodecs } from '../../scripts/fuzz';
import { caseAt, makePlan, prepare, type FuzzPlan, type PreparedInput } from '../fuzz/harness';
import { waitState } from './helpers';

const TAB_BUDGET_MS = 5_000;
const HEAP_OPEN_MB = 128;
const HEAP_LEAK_MB = 16;
const SEED = Number(process.env.LAYERSCOPE_FUZZ_SEED) || 20261207;
const MUTATED = Number(process.env.LAYERSCOPE_FUZZ_CASES) || 200;
const BATCH = 25;

/** Each generated case, and the state it must end in: inside the limits it opens; past one, the
 * limit's own message (core/model/limits.ts). */
const GENERATED: [string, HugeOptions, 'ready' | 'error'][] = [
  ['tags-500k', { tags: 500_000 }, 'ready'],
  ['history-100k', { history: 100_000 }, 'ready'],
  ['layers-3k', { layers: 3_000 }, 'ready'],
  ['images-3k', { images: 3_000 }, 'ready'],
  // 5,000 configs count 5,000 × 64 KiB against the 256 MiB of documents one archive may read.
  ['images-5k', { images: 5_000 }, 'error'],
  ['deep-3000', { deep: 3_000 }, 'error'],
  // A 4,000-byte path (PATH_MAX is 4,096), a 4,000-byte link target, a 384-character tag.
  ['long-names-4k', { longName: 4_000 }, 'ready'],
  ['long-names-60k', { longName: 60_000 }, 'error'],
];

interface Fuzzer {
  page: Page;
  cdp: CDPSession;
  errors: string[];
  baseline: number;
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize / 1e6;
}

async function start(page: Page): Promise<Fuzzer> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  // Bytes are served to the page by the test, under the app's own origin.
  const bodies = new Map<string, Buffer>();
  await page.route('**/__fuzz/**', (route) => {
    const body = bodies.get(new URL(route.request().url()).pathname);
    return body ? route.fulfill({ body }) : route.fulfill({ status: 404 });
  });
  (page as Page & { fuzzBodies?: Map<string, Buffer> }).fuzzBodies = bodies;
  await page.goto('/');
  await waitState(page, 'empty');
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp, errors, baseline: await heapMb(cdp) };
}

/** Opens `bytes` as a dropped file, as a user would. */
async function drop(f: Fuzzer, name: string, bytes: Uint8Array): Promise<void> {
  const path = `/__fuzz/${encodeURIComponent(name)}`;
  (f.page as Page & { fuzzBodies: Map<string, Buffer> }).fuzzBodies.set(path, Buffer.from(bytes));
  await f.page.evaluate(
    async ({ path, name }) => {
      const blob = await (await fetch(path)).blob();
      const dt = new DataTransfer();
      dt.items.add(new File([blob], name));
      document.body.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    },
    { path, name },
  );
  (f.page as Page & { fuzzBodies: Map<string, Buffer> }).fuzzBodies.delete(path);
}

/** The state the app settles in: a view of the archive, or a specific message. */
async function settle(page: Page, timeout: number): Promise<string> {
  await expect(page.getByTestId('app')).toHaveAttribute('data-state', /^(ready|error|cancelled)$/, {
    timeout,
  });
  return (await page.getByTestId('app').getAttribute('data-state'))!;
}

/** Visits every tab; returns each tab's time to show, and the failures. */
async function visitTabs(
  page: Page,
): Promise<{ times: Record<string, number>; failures: string[] }> {
  const times: Record<string, number> = {};
  const failures: string[] = [];
  for (const id of VIEW_IDS as readonly ViewId[]) {
    const t0 = Date.now();
    await page.getByTestId(`view-${id}`).click({ timeout: TAB_BUDGET_MS });
    try {
      await expect(page.getByTestId(`${id}-view`)).toBeVisible({ timeout: TAB_BUDGET_MS });
      await expect(page.getByTestId('app')).not.toHaveAttribute('data-state', 'analysing', {
        timeout: TAB_BUDGET_MS,
      });
      // Two frames: the view has been laid out and painted.
      await page.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
      );
    } catch {
      failures.push(`tab ${id} did not show within ${TAB_BUDGET_MS} ms`);
    }
    times[id] = Date.now() - t0;
    if (times[id]! > TAB_BUDGET_MS) failures.push(`tab ${id} took ${times[id]} ms`);
  }
  return { times, failures };
}

/** One case: open, settle, every tab, heap while open, close, heap after. */
async function runCase(
  f: Fuzzer,
  name: string,
  bytes: Uint8Array,
  openTimeout: number,
): Promise<{
  state: string;
  failures: string[];
  heapOpen: number;
  heapAfter: number;
  openMs: number;
  tabs: Record<string, number>;
}> {
  const failures: string[] = [];
  f.errors.length = 0;
  const t0 = Date.now();
  await drop(f, name, bytes);
  let state = 'timeout';
  let tabs: Record<string, number> = {};
  try {
    state = await settle(f.page, openTimeout);
  } catch {
    failures.push(`did not settle within ${openTimeout} ms`);
  }
  const openMs = Date.now() - t0;
  if (state === 'ready') {
    const visit = await visitTabs(f.page);
    tabs = visit.times;
    failures.push(...visit.failures);
  } else if (state === 'error') {
    // A specific message, never a blank panel.
    const text = (await f.page.getByTestId('error-panel').textContent()) ?? '';
    if (text.trim().length < 20)
      failures.push(`error panel says too little: ${JSON.stringify(text)}`);
  }
  const heapOpen = (await heapMb(f.cdp)) - f.baseline;
  if (heapOpen > HEAP_OPEN_MB)
    failures.push(`heap +${heapOpen.toFixed(0)} MB open (budget ${HEAP_OPEN_MB})`);
  await f.page.getByTestId('close').click();
  await waitState(f.page, 'empty');
  const heapAfter = (await heapMb(f.cdp)) - f.baseline;
  if (heapAfter > HEAP_LEAK_MB)
    failures.push(`heap +${heapAfter.toFixed(0)} MB after close (budget ${HEAP_LEAK_MB})`);
  failures.push(...f.errors);
  return { state, failures, heapOpen, heapAfter, openMs, tabs };
}

test.describe('browser fuzz: generated archives with huge lists', () => {
  for (const [name, opts, expected] of GENERATED) {
    test(name, async ({ page }) => {
      test.setTimeout(180_000);
      const f = await start(page);
      const r = await runCase(f, `${name}.tar`, hugeArchive(opts), 60_000);
      const slowest = Object.entries(r.tabs).sort((a, b) => b[1] - a[1])[0];
      console.log(
        `fuzz ${name}: ${r.state} in ${r.openMs} ms, slowest tab ${slowest?.join(' ') ?? '-'} ms, heap +${r.heapOpen.toFixed(0)} MB open, +${r.heapAfter.toFixed(0)} MB after close`,
      );
      expect(r.failures, name).toEqual([]);
      expect(r.state).toBe(expected);
    });
  }
});

test.describe('browser fuzz: seeded mutations', () => {
  let plan: FuzzPlan;
  test.beforeAll(async () => {
    const inputs: PreparedInput[] = [];
    // The small inputs: each case's bytes travel to the page, and every tab is visited.
    for (const input of loadCorpus().filter((c) => c.bytes.length < 4 * 1024 * 1024))
      inputs.push(await prepare({ ...input, sweep: 'all' }));
    plan = makePlan(inputs, { seed: SEED, random: MUTATED, sweep: false, codecs: nodeCodecs });
  });

  for (let from = 0; from < MUTATED; from += BATCH) {
    const to = Math.min(MUTATED, from + BATCH);
    test(`cases ${from}–${to - 1} (seed ${SEED})`, async ({ page }) => {
      test.setTimeout(BATCH * 60_000);
      const f = await start(page);
      const failed: string[] = [];
      for (let i = from; i < to; i++) {
        const { input, mutation } = caseAt(plan, i);
        const r = await runCase(f, `case-${i}.tar`, mutation.bytes, 30_000);
        if (r.failures.length)
          failed.push(
            `case ${i} (${input.input.name} ${mutation.op} ${mutation.detail}) → ${r.state}\n  ${r.failures.join('\n  ')}`,
          );
      }
      expect(failed, failed.join('\n')).toEqual([]);
    });
  }
});
