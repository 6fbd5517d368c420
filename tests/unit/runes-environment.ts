import type { Environment } from 'vitest/environments';

/**
 * Node, with modules transformed for the client: `.svelte.ts` files compile to Svelte's client
 * runtime, so `$derived` and `$effect` run in `*.svelte.test.ts` files (the `ssr` transform of
 * the plain node environment compiles runes to their server form, where effects never run).
 */
export default {
  name: 'runes',
  viteEnvironment: 'client',
  setup() {
    return { teardown() {} };
  },
} satisfies Environment;
