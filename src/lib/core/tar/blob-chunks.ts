/**
 * Reads a byte range of a Blob into one buffer that is reused for every chunk.
 *
 * Why by hand: `blob.stream()` with a default reader hands out a fresh ArrayBuffer per chunk, and
 * those only go back to the system when the garbage collector gets round to them. Measured in a
 * Chromium worker reading the 3.2 GB bench archive (docs/PERFORMANCE.md): default reader 282 MB/s
 * with the renderer 289 MB larger at its peak; a BYOB reader filling one reused 1 MiB buffer
 * 1,006 MB/s and +92 MB. Blob streams are byte streams in Chromium and Node, so `{mode: 'byob'}`
 * is available; the default reader stays as the fallback for runtimes without it.
 */
import { discarded } from '../platform/gc-hint';
import { IS_NODE } from '../platform/runtime';
import { positionalOf, type PositionalReader } from '../platform/positional';

/**
 * Streams with a BYOB read in flight. Chromium 156 can garbage-collect a Blob stream whose only
 * reference is its pending BYOB read (measured: reads under allocation pressure never settle, in
 * a worker and on the main thread; the default reader does not have this problem), so every
 * stream being read is held here until its reader is released.
 */
const reading = new Set<unknown>();

/** Size of the reused buffer: large enough that one read is cheap against its fixed cost. */
export const CHUNK_BYTES = 1 << 20;

export interface BlobChunkOptions {
  signal?: AbortSignal;
  /** Size of the reused buffer (default `CHUNK_BYTES`). */
  chunkBytes?: number;
  /**
   * The first read asks for this much (default `FIRST_READ_BYTES`), each later one for twice the
   * last, up to `chunkBytes`: a reader that stops early (the tar indexer reopens the Blob after
   * every large body) then reads little past where it stops.
   */
  firstReadBytes?: number;
  /**
   * Holds the reused buffer across calls (a reader that reopens the Blob often passes the same
   * object each time, so no new buffer is allocated per reopen). Updated after every read.
   */
  pool?: { buffer?: ArrayBuffer };
  /** Which reader to use; default 'byob' in browsers and 'default' in Node (see below). */
  reader?: 'byob' | 'default';
}

/** See `BlobChunkOptions.firstReadBytes`. */
export const FIRST_READ_BYTES = 64 * 1024;

/**
 * Yields `blob[start, end)` in order. Each chunk is a view into a buffer the next iteration
 * overwrites: consume it (parse, hash, write and await) before asking for the next one, and copy
 * what must be kept. Breaking out of the loop cancels the read.
 */
export async function* blobChunks(
  blob: Blob,
  start = 0,
  end = blob.size,
  opts: BlobChunkOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const { signal } = opts;
  const positional = positionalOf(blob);
  if (positional) {
    yield* positionalChunks(positional, start, end, opts);
    return;
  }
  const stream = blob.slice(start, end).stream();
  let byob: ReadableStreamBYOBReader | undefined;
  // Node's file-backed Blob streams are byte streams too, but BYOB reads measured no faster there
  // (the CLI indexing the 3.2 GB bench archive: 5.2–5.4 s with them, 4.5–5.3 s without) and Node
  // frees stream chunks promptly, so Node keeps the default reader.
  if ((opts.reader ?? (IS_NODE ? 'default' : 'byob')) === 'byob') {
    try {
      byob = stream.getReader({ mode: 'byob' });
    } catch {
      byob = undefined; // not a byte stream here: fall back to the default reader below
    }
  }
  if (byob === undefined) {
    const reader = stream.getReader();
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
        discarded(value.byteLength);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  const held = [blob, stream, byob];
  reading.add(held);
  const max = opts.chunkBytes ?? CHUNK_BYTES;
  const pool = opts.pool ?? {};
  if (pool.buffer === undefined || pool.buffer.byteLength !== max)
    pool.buffer = new ArrayBuffer(max);
  let want = Math.min(max, opts.firstReadBytes ?? FIRST_READ_BYTES);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await byob.read(new Uint8Array(pool.buffer, 0, want));
      want = Math.min(max, want * 2);
      // The read transferred the buffer; the view it returns (empty when done) owns the same
      // memory, so the pool keeps that for the next read or reader.
      if (value !== undefined) pool.buffer = value.buffer as ArrayBuffer;
      if (done || value === undefined) return;
      // The engine read the bytes into a buffer of its own before copying them into ours.
      discarded(value.byteLength);
      yield value;
    }
  } finally {
    await byob.cancel().catch(() => {});
    reading.delete(held);
  }
}

/**
 * `blobChunks` over a host's positional reads (the CLI's files): the same growing reads into the
 * same reused buffer, with no stream to open or cancel, so stopping early costs nothing.
 */
async function* positionalChunks(
  reader: PositionalReader,
  start: number,
  end: number,
  opts: BlobChunkOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const max = opts.chunkBytes ?? CHUNK_BYTES;
  const pool = opts.pool ?? {};
  if (pool.buffer === undefined || pool.buffer.byteLength !== max)
    pool.buffer = new ArrayBuffer(max);
  let want = Math.min(max, opts.firstReadBytes ?? FIRST_READ_BYTES);
  for (let pos = start; pos < end;) {
    opts.signal?.throwIfAborted();
    const n = await reader.readAt(pos, new Uint8Array(pool.buffer, 0, Math.min(want, end - pos)));
    if (n === 0) return; // the file ended early: the reader names what is missing
    pos += n;
    want = Math.min(max, want * 2);
    yield new Uint8Array(pool.buffer, 0, n);
  }
}

/** Calls `fn` on every chunk of `blob[start, end)` (see `blobChunks` for the chunk's lifetime). */
export async function forEachBlobChunk(
  blob: Blob,
  start: number,
  end: number,
  fn: (chunk: Uint8Array) => void,
  opts: BlobChunkOptions = {},
): Promise<void> {
  for await (const chunk of blobChunks(blob, start, end, opts)) fn(chunk);
}
