/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
// @ts-expect-error plain ESM module shared with the static hosts' _headers
import { META_CSP, SECURITY_HEADERS, headersFile } from './scripts/security-headers.mjs';

const SAMPLES_DIR = resolve(import.meta.dirname, 'sample-images');
const SAMPLES_INDEX = join(SAMPLES_DIR, 'samples.json');

interface SampleListing {
  samples: { file: string }[];
}

function sampleFiles(): string[] {
  if (!existsSync(SAMPLES_INDEX)) return [];
  const list = JSON.parse(readFileSync(SAMPLES_INDEX, 'utf8')) as SampleListing;
  return ['samples.json', ...list.samples.map((s) => s.file)];
}

/**
 * The bundled sample archives live in sample-images/ (beside the Dockerfiles that build them), not
 * in public/: this plugin serves them under /samples/ in dev and preview and copies them into the
 * build, so one folder stays the single source of truth.
 */
function bundledSamples(): Plugin {
  const serve = (url: string | undefined): string | undefined => {
    if (!url?.startsWith('/samples/')) return undefined;
    const name = decodeURIComponent(url.slice('/samples/'.length).split('?')[0] ?? '');
    return sampleFiles().includes(name) ? join(SAMPLES_DIR, name) : undefined;
  };
  const middleware = (
    req: { url?: string },
    res: {
      setHeader(k: string, v: string | number): void;
      end(): void;
      statusCode: number;
    } & NodeJS.WritableStream,
    next: () => void,
  ) => {
    const file = serve(req.url);
    if (!file) return next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS as Record<string, string>))
      res.setHeader(k, v);
    res.setHeader('Content-Length', statSync(file).size);
    res.setHeader(
      'Content-Type',
      file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    );
    createReadStream(file).pipe(res);
  };
  return {
    name: 'layerscope-bundled-samples',
    configureServer(server) {
      server.middlewares.use(middleware as never);
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware as never);
    },
    generateBundle() {
      for (const name of sampleFiles()) {
        this.emitFile({
          type: 'asset',
          fileName: `samples/${name}`,
          source: readFileSync(join(SAMPLES_DIR, name)),
        });
      }
    },
  };
}

/** debian-app.oci.tar, the largest sample, is about 30 MB. */
const MAX_PRECACHE_FILE_BYTES = 40 * 1024 * 1024;

/**
 * Offline use in a classroom (issue 6): after one visit the app, its lessons (bundled in the JS)
 * and the bundled samples are served by a service worker from our own origin (CSP `worker-src
 * 'self'`). Workbox precaches them all at install, so "after one visit" holds for every sample, not
 * only those opened; a sample's revision changes only when its bytes do. Registered from main.ts
 * (no inline script); the e2e tests block service workers except where a test allows them.
 */
function offline(): Plugin[] {
  return VitePWA({
    strategies: 'generateSW',
    registerType: 'autoUpdate',
    injectRegister: null,
    manifest: false,
    workbox: {
      globPatterns: ['**/*.{js,css,html,svg,wasm}', 'samples/*.{json,tar,gz}'],
      maximumFileSizeToCacheInBytes: MAX_PRECACHE_FILE_BYTES,
      navigateFallback: 'index.html',
      cleanupOutdatedCaches: true,
      // Samples opened before the precache finished are served from this cache offline.
      runtimeCaching: [
        {
          urlPattern: ({ url }) => url.pathname.startsWith('/samples/'),
          handler: 'CacheFirst',
          options: { cacheName: 'layerscope-samples' },
        },
      ],
    },
  });
}

/**
 * The security policy of scripts/security-headers.mjs: a <meta> in index.html, headers from
 * `vite preview` (`npm start`), and dist/_headers for static hosts. The worker is covered only by
 * the headers (a worker takes the policy of its own script's response).
 */
function securityPolicy(): Plugin {
  return {
    name: 'layerscope-security-policy',
    transformIndexHtml: (html) => html.replace('%LAYERSCOPE_CSP%', META_CSP as string),
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: headersFile() as string });
    },
  };
}

export default defineConfig({
  plugins: [svelte(), bundledSamples(), offline(), securityPolicy()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 1000 },
  preview: { host: '127.0.0.1', headers: SECURITY_HEADERS as Record<string, string> },
  test: {
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.ts',
            'tests/unit/**/*.test.ts',
            'tests/fuzz/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['src/**/*.svelte.test.ts'],
        },
      },
      {
        extends: true,
        resolve: { conditions: ['browser'] },
        test: {
          name: 'runes',
          include: ['src/**/*.svelte.test.ts'],
          environment: './tests/unit/runes-environment.ts',
        },
      },
    ],
  },
});
