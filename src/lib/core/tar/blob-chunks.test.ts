import { describe, expect, it } from 'vitest';
import { blobChunks } from './blob-chunks';

/** Bytes whose value says where they are, so a misplaced chunk shows. */
function numbered(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + (i >> 8)) & 0xff;
  return out;
}

async function collect(blob: Blob, start: number, end: number, opts = {}) {
  const parts: Uint8Array[] = [];
  const sizes: number[] = [];
  for await (const c of blobChunks(blob, start, end, opts)) {
    parts.push(c.slice()); // a chunk is only valid until the next one
    sizes.push(c.length);
  }
  const all = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return { all, sizes };
}

/** Byte equality without a deep-equal walk over millions of elements. */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

describe('blobChunks', () => {
  const bytes = numbered(3_000_123);
  const blob = new Blob([bytes as BlobPart]);

  for (const reader of ['byob', 'default'] as const) {
    it(`${reader}: yields exactly the range, in order`, async () => {
      const { all } = await collect(blob, 12_345, 2_999_000, { reader });
      expect(same(all, bytes.subarray(12_345, 2_999_000))).toBe(true);
      expect((await collect(blob, 100, 100, { reader })).all.length).toBe(0);
    });
  }

  it('byob: starts small and doubles up to the buffer size, reusing one buffer', async () => {
    const seen = new Set<ArrayBufferLike>();
    const sizes: number[] = [];
    const pool = {};
    for await (const c of blobChunks(blob, 0, blob.size, {
      reader: 'byob',
      firstReadBytes: 1024,
      chunkBytes: 8192,
      pool,
    })) {
      sizes.push(c.length);
      seen.add(c.buffer);
    }
    expect(sizes.slice(0, 4).every((n, i) => n <= 1024 << i)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8192);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(blob.size);
    // The buffer travels with each read (a transfer), but it is one allocation: its size never
    // changes and the pool holds it afterwards for the next reader.
    expect([...seen].every((b) => b.byteLength === 8192 || b.byteLength === 0)).toBe(true);
    expect((pool as { buffer?: ArrayBuffer }).buffer?.byteLength).toBe(8192);
  });

  it('byob: breaking out early stops the read and the next reader reuses the pool', async () => {
    const pool: { buffer?: ArrayBuffer } = {};
    let first: Uint8Array | undefined;
    for await (const c of blobChunks(blob, 1000, blob.size, { reader: 'byob', pool })) {
      first = c.slice();
      break;
    }
    expect(same(first!, bytes.subarray(1000, 1000 + first!.length))).toBe(true);
    expect(pool.buffer?.byteLength).toBe(1 << 20);
    const { all } = await collect(blob, 2_000_000, 2_100_000, { reader: 'byob', pool });
    expect(same(all, bytes.subarray(2_000_000, 2_100_000))).toBe(true);
    expect(pool.buffer?.byteLength).toBe(1 << 20);
  });

  it('stops with the abort reason when the signal fires', async () => {
    const ctrl = new AbortController();
    const run = async () => {
      for await (const c of blobChunks(blob, 0, blob.size, { reader: 'byob', signal: ctrl.signal }))
        if (c.length) ctrl.abort(new DOMException('stop', 'AbortError'));
    };
    await expect(run()).rejects.toThrow('stop');
  });
});
