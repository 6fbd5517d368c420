#!/usr/bin/env node
// The `layerscope` command. An installed package runs the built bundle (dist-cli/layerscope.mjs,
// plain JavaScript, no TypeScript runner: start-up is Node's own). In a clone of the project,
// where src/ is present, it runs the TypeScript sources through tsx instead, so `npx layerscope`
// always runs the code as it is now, with no build step after an edit.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const sources = fileURLToPath(new URL('../src/cli/entry.ts', import.meta.url));
if (existsSync(sources) && !process.env.LAYERSCOPE_BUILT_CLI) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources);
} else {
  await import('../dist-cli/layerscope.mjs');
}
