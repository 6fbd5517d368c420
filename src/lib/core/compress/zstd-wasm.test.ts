import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { zstd } from '../../../../tests/fixtures/archives';
import { concat } from '../tar/fixtures.test-helpers';
import { ArchiveError } from '../model/errors';
import { decodeBlobRange, decompressedStream, fzstdStream } from './decompress';
import { loadZstdWasm } from './zstd-wasm';

/** ~3 MiB that compresses (text-like) with stretches that do not, so pieces cross every buffer. */
function sample(): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 48; i++) {
    parts.push(new TextEncoder().encode(`line ${i} `.repeat(4000)));
    parts.push(randomBytes(24_000));
  }
  return concat(...parts);
}

/** A skippable frame (RFC 8878 §3.1.2), as zstd:chunked writes its table of contents. */
function skippable(bytes: number): Uint8Array {
  const f = new Uint8Array(8 + bytes);
  new DataView(f.buffer).setUint32(0, 0x184d2a50, true);
  new DataView(f.buffer).setUint32(4, bytes, true);
  return f;
}

async function decodeRange(stored: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const blob = new Blob([stored as BlobPart]);
  await decodeBlobRange(blob, 0, blob.size, 'zstd', 'zstd', (view) => {
    parts.push(view.slice());
  });
  return concat(...parts);
}

/** Where two byte arrays first differ, or -1 (`toEqual` walks 6 MB one key at a time). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return concat(...parts);
}

describe('zstd through the WebAssembly reference decoder', () => {
  it('loads in Node, as in the browser', async () => {
    const wasm = await loadZstdWasm();
    expect(typeof wasm?.ZSTD_decompressStream).toBe('function');
  });

  it('decodes frames in a row with skippable frames between them, in place and as a stream', async () => {
    const a = sample();
    const b = sample();
    const stored = concat(skippable(100), zstd(a), skippable(70_000), zstd(b));
    const want = concat(a, b);
    expect(firstDifference(await decodeRange(stored), want)).toBe(-1);
    const streamed = await drain(decompressedStream(new Blob([stored as BlobPart]), 'zstd'));
    expect(firstDifference(streamed, want)).toBe(-1);
    // The fallback for where WebAssembly cannot run decodes the same bytes.
    const fallback = await drain(fzstdStream(new Blob([stored as BlobPart]).stream()));
    expect(firstDifference(fallback, want)).toBe(-1);
  });

  it('stops when the reader says so', async () => {
    const stored = zstd(sample());
    let calls = 0;
    const blob = new Blob([stored as BlobPart]);
    await decodeBlobRange(blob, 0, blob.size, 'zstd', 'zstd', () => {
      calls++;
      return false;
    });
    expect(calls).toBe(1);
  });

  it('names corrupt and truncated data, and frees its memory either way', async () => {
    const wasm = (await loadZstdWasm())!;
    const good = zstd(sample());
    const corrupt = good.slice();
    for (let i = 2000; i < 2400; i++) corrupt[i] ^= 0x5a;
    const truncated = good.subarray(0, good.length - 5000);
    await decodeRange(good); // the module grows to its working size once
    const size = wasm.memory.buffer.byteLength;
    for (let round = 0; round < 20; round++) {
      const c = await decodeRange(corrupt).catch((e: unknown) => e);
      expect(c).toBeInstanceOf(ArchiveError);
      expect((c as ArchiveError).code).toBe('corrupt');
      expect((c as ArchiveError).message).toMatch(/^The compressed data is corrupt \(zstd: .+\)/);
      const t = await decodeRange(truncated).catch((e: unknown) => e);
      expect(t).toBeInstanceOf(ArchiveError);
      expect((t as ArchiveError).code).toBe('truncated');
      const s = await drain(decompressedStream(new Blob([truncated as BlobPart]), 'zstd')).catch(
        (e: unknown) => e,
      );
      expect((s as ArchiveError).code).toBe('truncated');
    }
    // Twenty failed decodes of each kind later, the module has not grown: each freed its window.
    expect(wasm.memory.buffer.byteLength).toBe(size);
  });

  it('is not fooled by data that is not zstd at all', async () => {
    const e = await decodeRange(new TextEncoder().encode('plain text, not zstd')).catch(
      (err: unknown) => err,
    );
    expect((e as ArchiveError).code).toBe('corrupt');
    expect((e as ArchiveError).message).toContain('unknown frame descriptor');
  });
});
