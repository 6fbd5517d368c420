/**
 * The command-line build: src/cli/entry.ts and the core it imports, bundled for Node 20 into
 * dist-cli/layerscope.mjs (`npm run build:cli`; `npm pack` runs it through `prepack`). Every
 * dependency is bundled in, so the package installs with nothing to fetch.
 */
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  publicDir: false,
  // `layerscope --version` without reading package.json at start-up.
  define: { __LAYERSCOPE_VERSION__: JSON.stringify(version) },
  build: {
    ssr: 'src/cli/entry.ts',
    outDir: 'dist-cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: { output: { entryFileNames: 'layerscope.mjs', format: 'es' } },
  },
  ssr: { noExternal: true, target: 'node' },
});
