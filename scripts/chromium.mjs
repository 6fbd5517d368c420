// Where the browser tests find Chromium: $LAYERSCOPE_CHROMIUM, Debian's /usr/bin/chromium, or a
// browser Playwright installed itself. Playwright cannot download browsers on every network, so
// Debian's package is the documented way.
import { existsSync } from 'node:fs';

export function findChromium() {
  const candidates = [
    process.env.LAYERSCOPE_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return undefined;
}

/** Launch flags measured to work here (docs/BROWSER.md): without the background-networking ones
 * Chromium floods a closed network with refused connections. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
