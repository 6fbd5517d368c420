/**
 * The CLI as a program: what `bin/layerscope.mjs` starts. Built by `vite.cli.config.ts` into one
 * plain JavaScript file (dist-cli/layerscope.mjs) with the whole core bundled in, so an installed
 * package needs no TypeScript runner and no dependency at run time.
 */
import { run } from './main';

// `layerscope files X | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await run(process.argv.slice(2));
