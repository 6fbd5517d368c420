/**
 * The security policy as a static host and `npm start` serve it (issue 20, item 8): the page and
 * the archive worker's script carry the Content-Security-Policy header, a foreign page cannot
 * frame the app, and the worker — which parses every byte of an untrusted archive — cannot reach
 * another origin. Measured in Chromium against a server that counts what reaches it.
 */
import { expect, test } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitState } from './helpers';
// @ts-expect-error plain ESM module shared with vite.config.ts
import { META_CSP, SECURITY_HEADERS } from '../../scripts/security-headers.mjs';

let probe: Server;
let hits = 0;
let foreign = '';

test.beforeAll(async () => {
  probe = createServer((_req, res) => {
    hits++;
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.end('reached');
  });
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  // Another port is another origin.
  foreign = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/leak`;
});
test.afterAll(() => closeServer(probe));

/** Close a server without waiting on the keep-alive sockets Chromium holds open. */
function closeServer(server: Server): Promise<void> {
  return new Promise<void>((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
}

test('every response carries the policy, frame-ancestors and nosniff', async ({ request }) => {
  for (const path of ['/', '/samples/samples.json', '/favicon.svg']) {
    const res = await request.get(path);
    expect(res.ok(), path).toBe(true);
    const h = res.headers();
    expect(h['content-security-policy'], path).toContain("connect-src 'self'");
    expect(h['content-security-policy'], path).toContain("frame-ancestors 'none'");
    expect(h['x-content-type-options'], path).toBe('nosniff');
  }
});

test('a foreign page cannot frame the app', async ({ page, baseURL }) => {
  const blocked = page.waitForEvent(
    'console',
    (m) => m.type() === 'error' && /frame-ancestors/.test(m.text()),
  );
  await page.setContent(`<iframe src="${baseURL}/" width="600" height="400"></iframe>`);
  await blocked;
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(await frame?.locator('[data-testid=app]').count()).toBe(0);
});

test('the archive worker is served with the policy', async ({ page, context }) => {
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.goto('/');
  await page.locator('[data-sample="hello"]').click();
  await waitState(page, 'ready');
  const workerUrl = workers.find((u) => /archive\.worker/.test(u));
  expect(workerUrl, `workers seen: ${workers.join(', ')}`).toBeTruthy();
  const res = await context.request.get(workerUrl!);
  expect(res.headers()['content-security-policy']).toBe(
    SECURITY_HEADERS['Content-Security-Policy'],
  );
});

/**
 * What that header does to a worker, measured in this Chromium: a page with no policy of its own
 * starts a worker whose script tries to reach another origin. Served with the app's header, the
 * fetch is refused and nothing arrives; served without it (the control, as with the <meta> alone),
 * it arrives. (A worker takes the policy of its own script's response, not the page's <meta>.)
 */
test('a worker served with that policy cannot reach another origin', async ({ page }) => {
  // Under load the two worker starts take a while; each also ends itself after 20 s, so a hang
  // reads as a message, not as the test's timeout.
  test.setTimeout(90_000);
  const host = createServer((req, res) => {
    if (req.url === '/') {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<meta http-equiv="Content-Security-Policy" content="${META_CSP}">probe`);
      return;
    }
    res.setHeader('Content-Type', 'text/javascript');
    if (req.url === '/worker.js?policy')
      res.setHeader('Content-Security-Policy', SECURITY_HEADERS['Content-Security-Policy']);
    res.end(
      `fetch(${JSON.stringify(foreign)}).then(() => postMessage('reached'), (e) => postMessage('blocked: ' + e));`,
    );
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  try {
    await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
    const start = (url: string) =>
      page.evaluate(
        (u) =>
          new Promise<string>((resolve) => {
            const w = new Worker(u, { type: 'module' });
            const timer = setTimeout(() => resolve('no answer from the worker in 20 s'), 20_000);
            w.onmessage = (e) => {
              clearTimeout(timer);
              resolve(String(e.data));
            };
            w.onerror = (e) => {
              clearTimeout(timer);
              resolve(`error: ${e.message}`);
            };
          }),
        url,
      );
    hits = 0;
    expect(await start('/worker.js?policy')).toMatch(/^blocked/);
    expect(hits).toBe(0);
    expect(await start('/worker.js')).toBe('reached');
    expect(hits).toBe(1);
  } finally {
    await closeServer(host);
  }
});
