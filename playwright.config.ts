import { defineConfig } from '@playwright/test';
// @ts-expect-error plain ESM helper shared with scripts/test.mjs
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// LAYERSCOPE_E2E_PORT lets two checkouts run their browser tests side by side.
const PORT = Number(process.env.LAYERSCOPE_E2E_PORT) || 4317;

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    viewport: { width: 1280, height: 720 },
    // The app registers a service worker (offline use); a test that needs it allows it.
    serviceWorkers: 'block',
    launchOptions: {
      executablePath: (findChromium as () => string | undefined)(),
      args: CHROMIUM_ARGS as string[],
    },
  },
  webServer: {
    // The built app, as `npm start` serves it; `npm test` builds first.
    command: `node_modules/.bin/vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
