// The app's security policy, in one place: vite.config.ts writes it into index.html as a <meta>
// (for hosts that cannot set headers), sends it as headers from `npm start` (vite preview), and
// writes it into dist/_headers, the file static hosts (Netlify, Cloudflare Pages) read.
//
// As a header the policy also covers the Web Worker that parses the archive: a worker gets the
// policy of its own script's response, not the page's <meta> (CSP 3, "Initialize a worker's
// policy"), so with the <meta> alone a fetch from the worker reached any host.

/** Directives a <meta> may carry (it ignores frame-ancestors, report-uri and sandbox). */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
];

export const META_CSP = CSP_DIRECTIVES.join('; ');

/** Headers for every response of the built app. */
export const SECURITY_HEADERS = {
  'Content-Security-Policy': [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=()',
};

/** dist/_headers: one rule for every path. */
export function headersFile() {
  const lines = Object.entries(SECURITY_HEADERS).map(([k, v]) => `  ${k}: ${v}`);
  return `/*\n${lines.join('\n')}\n`;
}
