/** `until` in Svelte's client runtime (the `runes` vitest project): waiting on state, not a clock. */
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { until } from './until.svelte';

class Box {
  status = $state<'opening' | 'ready' | 'error'>('opening');
  reads = 0;
  get ready() {
    this.reads++;
    return this.status === 'ready' && this.status;
  }
}

describe('until', () => {
  it('resolves when the state it reads changes to make the condition hold', async () => {
    const box = new Box();
    const p = until(() => box.ready);
    flushSync();
    expect(box.reads).toBe(1);
    box.status = 'error';
    flushSync();
    expect(box.reads).toBe(2);
    box.status = 'ready';
    flushSync();
    await expect(p).resolves.toBe('ready');
    // Checked once per change, no more; and not after it resolved.
    expect(box.reads).toBe(3);
    box.status = 'opening';
    flushSync();
    await Promise.resolve();
    expect(box.reads).toBe(3);
  });

  it('resolves at once when the condition already holds', async () => {
    const box = new Box();
    box.status = 'ready';
    await expect(until(() => box.ready)).resolves.toBe('ready');
  });

  it('gives up on abort and on timeout', async () => {
    const box = new Box();
    const ac = new AbortController();
    const aborted = until(() => box.ready, { signal: ac.signal });
    ac.abort();
    await expect(aborted).resolves.toBeUndefined();
    await expect(until(() => box.ready, { ms: 5 })).resolves.toBeUndefined();
    const already = new AbortController();
    already.abort();
    box.status = 'ready';
    await expect(until(() => box.ready, { signal: already.signal })).resolves.toBeUndefined();
  });
});
