/**
 * Privacy (issue 8, item 4): every request the page and its workers make is recorded while a
 * bundled sample and an uploaded archive are explored through every view, a file is read and
 * downloaded. None may leave the page's own origin, none may carry a body, and none may carry
 * the archive's marker or bytes. WebSocket, EventSource, beacons and WebRTC are never used.
 */
import {
  expect,
  test,
  type BrowserContext,
  type Page,
  type Request,
  type TestInfo,
} from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dir, file, podmanArchive } from '../fixtures/archives';
import { waitState } from './helpers';
// @ts-expect-error plain ESM helper shared with the test runner
import { CHROMIUM_ARGS, findChromium } from '../../scripts/chromium.mjs';

// These walks download many files from one origin. Chromium's download limiter keeps its verdict
// per origin for the whole browser, so after other specs' downloads it may silently block ours:
// a browser of this file's own (different launch options make Playwright start one).
test.use({
  launchOptions: {
    executablePath: (findChromium as () => string | undefined)(),
    args: [...(CHROMIUM_ARGS as string[]), '--layerscope-spec=privacy'],
  },
});

interface Seen {
  url: string;
  method: string;
  type: string;
  body?: Buffer;
  headers: string;
  via: string;
}

/** Spies on the page's own channels that a request log could miss. */
function spyChannels() {
  const w = window as unknown as { __channels: string[] };
  w.__channels = [];
  const note = (what: string) => w.__channels.push(what);
  const wrap = (name: 'WebSocket' | 'EventSource' | 'RTCPeerConnection') => {
    const Orig = (window as unknown as Record<string, unknown>)[name];
    if (typeof Orig !== 'function') return;
    (window as unknown as Record<string, unknown>)[name] = new Proxy(Orig, {
      construct(target, args) {
        note(`${name} ${String(args[0])}`);
        return Reflect.construct(target as new (...a: unknown[]) => object, args);
      },
    });
  };
  wrap('WebSocket');
  wrap('EventSource');
  wrap('RTCPeerConnection');
  const beacon = navigator.sendBeacon?.bind(navigator);
  if (beacon)
    navigator.sendBeacon = (url, data) => {
      note(`sendBeacon ${String(url)}`);
      return beacon(url, data);
    };
}

async function record(context: BrowserContext, page: Page, origin: string): Promise<Seen[]> {
  const seen: Seen[] = [];
  const keep = (r: Request, via: string) =>
    seen.push({
      url: r.url(),
      method: r.method(),
      type: r.resourceType(),
      body: r.postDataBuffer() ?? undefined,
      headers: JSON.stringify(r.headers()),
      via,
    });
  // Routing the whole context sees the page's and its workers' requests alike.
  // Anything foreign is recorded and aborted, so a leak would fail the test without leaking.
  await context.route('**/*', async (route) => {
    const r = route.request();
    keep(r, 'route');
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && u.origin !== origin) await route.abort();
    else await route.continue();
  });
  context.on('request', (r) => keep(r, 'context'));
  page.on('request', (r) => keep(r, 'page'));
  page.on('websocket', (ws) =>
    seen.push({ url: ws.url(), method: 'WS', type: 'websocket', headers: '', via: 'ws' }),
  );
  page.on('worker', (wk) =>
    seen.push({ url: wk.url(), method: 'WORKER', type: 'worker', headers: '', via: 'worker' }),
  );
  await context.addInitScript(spyChannels);
  return seen;
}

function check(seen: Seen[], origin: string, secrets: { text: string[]; bytes: Buffer[] }) {
  expect(seen.length, 'requests were recorded').toBeGreaterThan(0);
  const bad: string[] = [];
  for (const s of seen) {
    const u = new URL(s.url);
    const own =
      u.origin === origin ||
      (u.protocol === 'blob:' && new URL(s.url.slice(5)).origin === origin) ||
      u.protocol === 'data:';
    if (!own) bad.push(`foreign origin: ${s.via} ${s.method} ${s.url}`);
    if (!['GET', 'HEAD', 'WORKER'].includes(s.method)) bad.push(`${s.method} ${s.url}`);
    if (['websocket', 'eventsource', 'ping', 'beacon'].includes(s.type))
      bad.push(`${s.type} ${s.url}`);
    if (s.body?.length) bad.push(`a request body (${s.body.length} bytes) to ${s.url}`);
    for (const t of secrets.text) {
      const forms = [t, encodeURIComponent(t), Buffer.from(t).toString('base64')];
      for (const f of forms) {
        if (s.url.includes(f)) bad.push(`the marker in the URL ${s.url}`);
        if (s.headers.includes(f)) bad.push(`the marker in the headers of ${s.url}`);
      }
    }
    for (const b of secrets.bytes)
      if (s.body?.includes(b)) bad.push(`archive bytes in the body of ${s.url}`);
  }
  expect(bad).toEqual([]);
}

async function channels(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __channels: string[] }).__channels);
}

const view = async (page: Page, v: string) => {
  await page.locator(`[data-view="${v}"]`).first().click();
  await expect(page.getByTestId(`${v}-view`)).toBeVisible();
};

/** Every view; `find` names a file to open, read and download in Files. */
async function explore(page: Page, find: string, shows: string): Promise<void> {
  await expect(page.getByTestId('images-view')).toBeVisible();
  await view(page, 'history');
  await page.getByTestId('no-trunc').check();
  await expect(page.getByTestId('history-table').locator('tbody tr').first()).toBeVisible();
  await view(page, 'inspect');
  for (const raw of await page.getByTestId('inspect-view').locator('button[aria-pressed]').all())
    await raw.click();
  await expect(page.getByTestId('config-json').locator('pre')).toBeVisible();
  await view(page, 'layers');
  const blocks = await page.locator('.block[data-layer]').count();
  for (let k = 0; k < blocks; k++) {
    await page.locator(`.block[data-layer="${k}"]`).click();
    await expect(page.getByTestId('layer-detail')).toHaveAttribute('data-layer', String(k));
  }
  await view(page, 'files');
  await page.getByTestId('files-search').fill(find);
  await page.getByTestId('files-search').press('Enter');
  const details = page.getByTestId('file-details');
  await expect(details.getByTestId('text-content')).toContainText(shows);
  const [dl] = await Promise.all([
    page.waitForEvent('download'),
    details.getByTestId('download').click(),
  ]);
  expect(await dl.failure()).toBeNull();
  await view(page, 'wasted');
  await expect(page.getByTestId('efficiency')).toBeVisible();
  await view(page, 'names');
  await expect(page.getByTestId('ref-parts').or(page.getByTestId('ref-error'))).toBeVisible();
}

const originOf = (info: TestInfo) => new URL(info.project.use.baseURL!).origin;

test.describe('control', () => {
  // The app's CSP would stop these leaks before they are requests: bypass it to test the recorder.
  test.use({ bypassCSP: true });
  test('control: the recorder catches a leak from the page and from a worker', async ({
    page,
    context,
  }, info) => {
    const origin = originOf(info);
    const seen = await record(context, page, origin);
    await page.goto('/');
    await waitState(page, 'empty');
    await page.evaluate(() => {
      navigator.sendBeacon('/beacon', 'privacy-control');
      // A same-origin worker (the app's CSP allows only 'self') that posts to another origin.
      const src = `fetch('http://127.0.0.2:9/leak?privacy-control', { method: 'POST', body: 'x' }).catch(() => {});`;
      new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    });
    await expect.poll(() => seen.some((s) => s.url.includes('127.0.0.2'))).toBe(true);
    expect(() => check(seen, origin, { text: ['privacy-control'], bytes: [] })).toThrow(/foreign/);
    expect(await channels(page)).toContainEqual(expect.stringContaining('sendBeacon'));
  });
});

test('a bundled sample, explored everywhere, stays on this origin', async ({
  page,
  context,
}, info) => {
  const origin = originOf(info);
  const seen = await record(context, page, origin);
  await page.goto('/');
  await page.locator('[data-sample="busybox-app"]').click();
  await waitState(page, 'ready');
  await explore(page, 'index.html', '<');
  await info.attach('requests', {
    body: JSON.stringify(seen, null, 1),
    contentType: 'application/json',
  });
  check(seen, origin, { text: [], bytes: [] });
  expect(await channels(page)).toEqual([]);
  // The worker's own requests (its script) were seen by the context route.
  expect(seen.some((s) => s.via === 'route' && /worker/i.test(s.url))).toBe(true);
});

test('an uploaded archive never leaves the page', async ({ page, context }, info) => {
  const origin = originOf(info);
  const marker = `privacy-marker-${randomUUID()}`;
  const archive = podmanArchive([
    {
      tags: [`localhost/${marker}:v1`],
      layers: [
        [dir('etc'), file('etc/hostname', 'box\n')],
        [dir('secret'), file(`secret/${marker}.txt`, `the secret is ${marker}\n`)],
      ],
    },
  ]);
  const path = info.outputPath(`${marker}.tar`);
  writeFileSync(path, archive);
  const seen = await record(context, page, origin);
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(path);
  await waitState(page, 'ready');
  await expect(page.getByTestId('image-ls')).toContainText(marker);
  await explore(page, `${marker}.txt`, `the secret is ${marker}`);
  // Reopening from the recent list reads it from this browser, not from a server.
  await page.getByTestId('close').click();
  await page.locator(`[data-recent="${marker}.tar"]`).getByRole('button').first().click();
  await waitState(page, 'ready');
  await info.attach('requests', {
    body: JSON.stringify(seen, null, 1),
    contentType: 'application/json',
  });

  // Windows of the archive's bytes (its layer tars hold the marker file).
  const buf = Buffer.from(archive);
  const windows = [0, 1, 2, 3].map((i) => {
    const at = Math.floor((buf.length * i) / 4);
    return buf.subarray(at, at + 64);
  });
  check(seen, origin, { text: [marker], bytes: [Buffer.from(marker), ...windows] });
  expect(context.serviceWorkers(), 'no service worker').toEqual([]);
  expect(seen.some((s) => s.url.includes('/samples/') && s.url.endsWith('.tar'))).toBe(false);
  expect(await channels(page)).toEqual([]);
});
