#!/usr/bin/env node
// The CLI entry: runs src/cli/main.ts through tsx so the CLI and the app share one TypeScript core
// with no separate build step (`npx layerscope ...` works right after `npm install`).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

// `layerscope files X | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
register();
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const { run } = await import(main);
process.exitCode = await run(process.argv.slice(2));
