import { Inflate } from 'pako';
import { Decompress as ZstdDecompress } from 'fzstd';
import type { Compression } from '../model/types';
import { ArchiveError } from '../model/errors';
import { LIMITS, formatLimit, maxExpandedBytes } from '../model/limits';
import { blobChunks } from '../tar/blob-chunks';
import { IS_NODE } from '../platform/runtime';
import { discarded, release, relinquish } from '../platform/gc-hint';
import { loadZstdWasm, ZstdWasmStream, type ZstdExports } from './zstd-wasm';

/** Bytes handed to the decompressors per read. */
const PAKO_CHUNK_BYTES = 1 << 20;

/** `zstd`: libzstd built to WebAssembly (zstd-wasm.ts), or fzstd where WebAssembly cannot run. */
export type DecoderKind = 'native-gzip' | 'pako-gzip' | 'zstd';

/** The decompression-bomb guard: what the stream is, for the message, and its compressed size. */
export interface ExpansionGuard {
  /** Sentence start naming the data, e.g. "The layer blobs/sha256/ab…" or "This archive". */
  what: string;
  storedBytes: number;
}

/**
 * A stream of the uncompressed bytes of `blob`.
 *
 * gzip uses the browser's native DecompressionStream (fastest measured, docs/BROWSER.md), which stops
 * at the first gzip member (whatwg/compression#42); `decoder: 'pako-gzip'` is the fallback that
 * loops over members (eStargz) and tolerates zero padding after the stream, used when the native
 * one fails. zstd has no native decoder in Chromium: the reference decoder built to WebAssembly
 * (zstd-wasm.ts), or where that cannot run fzstd, a maintained pure-JS one; both decode every
 * frame and skip skippable ones (zstd:chunked).
 */
export function decompressedStream(
  input: Blob | ReadableStream<Uint8Array>,
  compression: Compression,
  decoder?: DecoderKind,
  guard?: ExpansionGuard,
): ReadableStream<Uint8Array> {
  const out = decoded(input, compression, decoder);
  return guard && compression !== 'none' ? out.pipeThrough(expansionLimit(guard)) : out;
}

/**
 * Stops a stream at `maxExpandedBytes(storedBytes)` (LIMITS.expansionRatio, expansionFloorBytes)
 * with `ArchiveError('limit')`: a gzip or zstd bomb (1000× and more) ends after about 1 GiB of
 * output instead of running for minutes.
 */
export function expansionLimit(guard: ExpansionGuard): TransformStream<Uint8Array, Uint8Array> {
  const max = maxExpandedBytes(guard.storedBytes);
  let produced = 0;
  return new TransformStream({
    transform(chunk, controller) {
      produced += chunk.length;
      if (produced > max) {
        controller.error(expansionError(guard, max));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}

function decoded(
  input: Blob | ReadableStream<Uint8Array>,
  compression: Compression,
  decoder?: DecoderKind,
): ReadableStream<Uint8Array> {
  const raw = () => (input instanceof ReadableStream ? input : input.stream());
  switch (compression) {
    case 'none':
      return raw();
    case 'gzip':
      if (decoder === 'pako-gzip') return pakoGunzip(raw());
      return raw().pipeThrough(
        new DecompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
      );
    case 'zstd':
      return zstdStream(raw());
    case 'xz':
      return xzStream(raw());
    default:
      throw new ArchiveError(
        'unsupported-compression',
        `This data is ${compression}-compressed, which layerscope cannot decompress in the browser. Decompress it first (\`bunzip2 FILE\`) and open the result.`,
      );
  }
}

function chunkedTransform(
  source: ReadableStream<Uint8Array>,
  start: (emit: (c: Uint8Array) => void) => {
    push(chunk: Uint8Array): void;
    finish(): void;
  },
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let pending: Uint8Array[] = [];
  const sink = start((c) => pending.push(c));
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // Pull until the decoder produced something or the input ended.
      while (pending.length === 0) {
        const { value, done } = await reader.read();
        if (done) {
          sink.finish();
          for (const c of pending) controller.enqueue(c);
          pending = [];
          controller.close();
          return;
        }
        sink.push(value);
      }
      for (const c of pending) controller.enqueue(c);
      pending = [];
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/** gzip through pako 3, restarting a new Inflate after each member (multi-member gzip). */
function pakoGunzip(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return chunkedTransform(source, (emit) => {
    let inflate = makeInflate(emit);
    let finished = false;
    let trailing = false;
    const feed = (input: Uint8Array): void => {
      let data = input;
      while (data.length > 0) {
        if (trailing) {
          // After a member ends, only another member (1f 8b) or zero padding may follow.
          let i = 0;
          while (i < data.length && data[i] === 0) i++;
          if (i === data.length) return;
          data = data.subarray(i);
          if (data[0] !== 0x1f) throw corrupt('unexpected bytes after the end of a gzip member');
          trailing = false;
          inflate = makeInflate(emit);
        }
        inflate.push(data, false);
        if (inflate.err) throw corrupt(inflate.msg || `zlib error ${inflate.err}`);
        if (!inflate.ended) return;
        // The member ended inside this chunk: the rest belongs to the next member (or padding).
        const used = data.length - (inflate.strm?.avail_in ?? 0);
        data = data.subarray(used);
        trailing = true;
      }
    };
    return {
      push: feed,
      finish() {
        if (finished) return;
        finished = true;
        if (!trailing && !inflate.ended) {
          throw new ArchiveError(
            'truncated',
            'The compressed data ends early (the gzip stream is truncated): the file is incomplete. Download or save it again.',
          );
        }
      },
    };
  });
}

interface PakoInflate {
  push(data: Uint8Array, mode: boolean): boolean;
  err: number;
  msg: string;
  ended: boolean;
  strm?: { avail_in: number };
  onData(chunk: Uint8Array): void;
}

function makeInflate(emit: (c: Uint8Array) => void): PakoInflate {
  const inflate = new Inflate({ chunkSize: PAKO_CHUNK_BYTES }) as unknown as PakoInflate;
  inflate.onData = (chunk) => emit(chunk);
  return inflate;
}

function corrupt(why: string): ArchiveError {
  return new ArchiveError(
    'corrupt',
    `The compressed data is corrupt (${why}). The file is damaged: download or save it again.`,
  );
}

/** zstd as a stream of chunks of its own: the WebAssembly decoder if it loads, else fzstd. */
function zstdStream(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async start() {
      const wasm = await loadZstdWasm();
      reader = (wasm ? wasmZstdStream(source, wasm) : fzstdStream(source)).getReader();
    },
    async pull(controller) {
      const { value, done } = await reader!.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
}

/** The WebAssembly decoder, each decoded piece copied out (a stream's chunks must stay valid). */
function wasmZstdStream(
  source: ReadableStream<Uint8Array>,
  wasm: ZstdExports,
): ReadableStream<Uint8Array> {
  const input = source.getReader();
  const guard = new ZstdWindowGuard();
  let dec: ZstdWasmStream | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        dec ??= new ZstdWasmStream(wasm);
        let emitted = false;
        while (!emitted) {
          const { value, done } = await input.read();
          if (done) {
            dec.finish();
            dec.free();
            controller.close();
            return;
          }
          guard.push(value);
          dec.push(value, (view) => {
            controller.enqueue(view.slice());
            emitted = true;
          });
        }
      } catch (e) {
        dec?.free();
        input.cancel(e).catch(() => {});
        throw e;
      }
    },
    cancel(reason) {
      dec?.free();
      return input.cancel(reason);
    },
  });
}

/**
 * Walks zstd frame and block headers (RFC 8878 §3.1) ahead of the decoder, to refuse a frame whose
 * window is larger than LIMITS.zstdWindowBytes before the decoder allocates it (fzstd allocates
 * whatever a frame header asks, up to 2 GiB; libzstd refuses past 128 MiB with a message of its
 * own, less helpful than this one). Bytes it cannot make sense of are left to the decoder to
 * reject.
 */
export class ZstdWindowGuard {
  private readonly head = new Uint8Array(18);
  private fill = 0;
  /** Header bytes wanted before the next decision. */
  private need = 4;
  private state: 'magic' | 'frame' | 'skippable' | 'block' | 'off' = 'magic';
  private skip = 0;
  private last = false;
  private checksum = false;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.state !== 'off') {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      const n = Math.min(this.need - this.fill, chunk.length - i);
      this.head.set(chunk.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === this.need) this.decide();
    }
  }

  private decide(): void {
    const h = this.head;
    const u32 = (o: number) =>
      (h[o]! | (h[o + 1]! << 8) | (h[o + 2]! << 16) | (h[o + 3]! << 24)) >>> 0;
    switch (this.state) {
      case 'magic': {
        const magic = u32(0);
        if (magic === 0xfd2fb528) {
          this.state = 'frame';
          this.need = 5;
          return;
        }
        if ((magic & 0xfffffff0) === 0x184d2a50) {
          this.state = 'skippable';
          this.need = 8;
          return;
        }
        this.state = 'off';
        return;
      }
      case 'frame': {
        const fhd = h[4]!;
        const single = (fhd >> 5) & 1;
        const fcsSize = [single, 2, 4, 8][fhd >> 6]!;
        const dictSize = [0, 1, 2, 4][fhd & 3]!;
        const total = 5 + (single ? 0 : 1) + dictSize + fcsSize;
        if (this.need < total) {
          this.need = total;
          return;
        }
        let window: number;
        if (single) {
          const o = 5 + dictSize;
          let fcs = 0;
          for (let k = fcsSize - 1; k >= 0; k--) fcs = fcs * 256 + h[o + k]!;
          window = fcsSize === 2 ? fcs + 256 : fcs;
        } else {
          const wd = h[5]!;
          const base = 2 ** (10 + (wd >> 3));
          window = base + (base / 8) * (wd & 7);
        }
        if (window > LIMITS.zstdWindowBytes)
          throw new ArchiveError(
            'limit',
            `This zstd data asks for a ${formatLimit(window)} decoding window, more than layerscope's limit (${formatLimit(LIMITS.zstdWindowBytes)}, the zstd tool's own default): it was made with \`zstd --long=28\` or more, or to exhaust memory. Recompress it with default zstd settings.`,
          );
        this.checksum = ((fhd >> 2) & 1) === 1;
        this.toBlock();
        return;
      }
      case 'skippable':
        this.skip = u32(4);
        this.toMagic();
        return;
      case 'block': {
        const b = h[0]! | (h[1]! << 8) | (h[2]! << 16);
        this.last = (b & 1) === 1;
        const type = (b >> 1) & 3;
        const size = b >>> 3;
        if (type === 3) {
          this.state = 'off';
          return;
        }
        this.skip = type === 1 ? 1 : size;
        if (this.last) {
          this.skip += this.checksum ? 4 : 0;
          this.toMagic();
        } else this.toBlock();
        return;
      }
    }
  }

  private toMagic(): void {
    this.state = 'magic';
    this.need = 4;
    this.fill = 0;
  }

  private toBlock(): void {
    this.state = 'block';
    this.need = 3;
    this.fill = 0;
  }
}

/** fzstd, for where WebAssembly cannot run (exported for its tests). */
export function fzstdStream(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return chunkedTransform(source, (emit) => {
    let ended = false;
    const dec = new ZstdDecompress((data, final) => {
      if (data.length) emit(data);
      if (final) ended = true;
    });
    const guard = new ZstdWindowGuard();
    return {
      push(chunk) {
        guard.push(chunk);
        try {
          dec.push(chunk, false);
        } catch (e) {
          throw corrupt(`zstd: ${(e as Error).message}`);
        }
      },
      finish() {
        try {
          dec.push(new Uint8Array(0), true);
        } catch (e) {
          throw new ArchiveError(
            'truncated',
            `The zstd-compressed data ends early or is damaged (${(e as Error).message}): the file is incomplete. Download or save it again.`,
          );
        }
        void ended;
      },
    };
  });
}

/**
 * xz (`docker save | xz`): xz-decompress, a maintained WASM build of xz-embedded. Loaded only
 * when an xz file is opened, so it costs nothing on the first page load.
 */
function xzStream(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async start() {
      const { XzReadableStream } = await import('xz-decompress');
      reader = (new XzReadableStream(source) as ReadableStream<Uint8Array>).getReader();
    },
    async pull(controller) {
      try {
        const { value, done } = await reader!.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (e) {
        controller.error(corrupt(`xz: ${(e as Error)?.message ?? String(e)}`));
      }
    },
    cancel(reason) {
      return reader?.cancel(reason);
    },
  });
}

/**
 * The Compression Streams spec decompresses a written chunk synchronously in the transform, so
 * once `write()` settles the chunk is consumed and its buffer may be refilled (Chromium, Firefox).
 * Node's DecompressionStream wraps zlib's asynchronous stream and may still read a chunk after
 * its write settled (it aborts on a reused buffer): there each chunk is copied.
 */
const WRITE_CONSUMES_CHUNK = !IS_NODE;

/**
 * Stored bytes per `DecompressionStream` write in a browser. The native decoder turns a written
 * chunk into output at once, all of it queued before the first is read: 1 MiB of a file of zeros
 * is a gigabyte. Fed 64 KiB at a time, the gzip bench archive's largest burst went from ~100 MB to
 * a few, at the same speed. Node frees its chunks promptly and gets the whole read.
 */
const NATIVE_WRITE_BYTES = IS_NODE ? Infinity : 64 << 10;

export interface DecodeRangeOptions {
  signal?: AbortSignal;
  /** Every stored (compressed) chunk, in order; a view valid only during the call. */
  onStored?: (chunk: Uint8Array) => void;
  /** The bomb guard: output past `maxExpandedBytes(guard.storedBytes)` throws ArchiveError('limit'). */
  guard?: ExpansionGuard;
}

/**
 * Decodes `blob[start, end)` and hands every decoded chunk to `onPlain` (a view valid only during
 * the call) until the data ends or `onPlain` returns false.
 *
 * Why not `blob.stream().pipeThrough(new DecompressionStream(...))`: that hands out a fresh
 * ArrayBuffer per stored chunk and adds a stream hop per stage. Native gzip here is fed from one
 * reused buffer (blob-chunks.ts), each write awaited (a TransformStream's write settles once its
 * transform consumed the chunk), and the counting, hashing and bomb guard run inline instead of
 * as TransformStreams. The JS decoders (pako, fzstd, xz) may keep references to their input
 * between pushes, so they still read a default stream.
 */
export async function decodeBlobRange(
  blob: Blob,
  start: number,
  end: number,
  compression: Compression,
  decoder: DecoderKind | undefined,
  onPlain: (chunk: Uint8Array) => boolean | void,
  opts: DecodeRangeOptions = {},
): Promise<void> {
  if (compression === 'zstd') {
    const wasm = await loadZstdWasm();
    if (wasm) return decodeZstdRange(blob, start, end, wasm, onPlain, opts);
  }
  const { signal, onStored, guard } = opts;
  const max = guard ? maxExpandedBytes(guard.storedBytes) : Infinity;
  let produced = 0;
  let source: ReadableStream<Uint8Array>;
  let pump: Promise<void> | undefined;
  if (compression === 'gzip' && (decoder ?? 'native-gzip') === 'native-gzip') {
    const ds = new DecompressionStream('gzip') as unknown as ReadableWritablePair<
      Uint8Array,
      Uint8Array
    >;
    const writer = ds.writable.getWriter();
    source = ds.readable;
    pump = (async () => {
      try {
        for await (const chunk of blobChunks(blob, start, end, { signal })) {
          onStored?.(chunk);
          for (let at = 0; at < chunk.length; at += NATIVE_WRITE_BYTES) {
            const piece = chunk.subarray(at, at + NATIVE_WRITE_BYTES);
            await writer.write(WRITE_CONSUMES_CHUNK ? piece : piece.slice());
          }
        }
        await writer.close();
      } catch (e) {
        // A failed read must end the decoded side too, or its reader would wait forever.
        writer.abort(e).catch(() => {});
        throw e;
      }
    })();
    pump.catch(() => {}); // observed below, or moot once the reader stopped early
  } else {
    const stored = blob.slice(start, end).stream();
    const tapped = stored.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          onStored?.(chunk);
          c.enqueue(chunk);
          discarded(chunk.byteLength);
        },
      }),
    );
    source = decoded(tapped, compression, decoder);
  }
  const fresh = compression === 'zstd' ? 'ours' : pump ? 'native' : undefined;
  const reader = source.getReader();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { value, done } = await reader.read();
      if (done) break;
      produced += value.length;
      if (produced > max) throw expansionError(guard!, max);
      if (onPlain(value) === false) return;
      // Every decoder hands out a fresh buffer per chunk, which neither looks at again once read
      // (onPlain's views end with the call): fzstd's are the engine's own and are detached, the
      // native decoder's the browser's and are given away (gc-hint.ts has why each, and the
      // figures). pako fills one output buffer across calls, so its chunks are only counted.
      if (fresh === 'ours') release(value);
      else if (fresh === 'native') relinquish(value);
      else discarded(value.byteLength);
    }
    await pump;
  } finally {
    reader.cancel().catch(() => {});
  }
}

/**
 * `decodeBlobRange` for zstd through the WebAssembly decoder: stored bytes read into one reused
 * buffer (blob-chunks.ts), copied into the module and decoded into its fixed output buffer, whose
 * view goes to `onPlain`. Nothing is allocated per chunk, so nothing waits for the collector.
 */
async function decodeZstdRange(
  blob: Blob,
  start: number,
  end: number,
  wasm: ZstdExports,
  onPlain: (chunk: Uint8Array) => boolean | void,
  { signal, onStored, guard }: DecodeRangeOptions,
): Promise<void> {
  const max = guard ? maxExpandedBytes(guard.storedBytes) : Infinity;
  let produced = 0;
  const frames = new ZstdWindowGuard();
  const dec = new ZstdWasmStream(wasm);
  try {
    for await (const chunk of blobChunks(blob, start, end, { signal })) {
      onStored?.(chunk);
      frames.push(chunk);
      const more = dec.push(chunk, (view) => {
        produced += view.length;
        if (produced > max) throw expansionError(guard!, max);
        return onPlain(view);
      });
      if (!more) return;
    }
    dec.finish();
  } finally {
    dec.free();
  }
}

function expansionError(guard: ExpansionGuard, max: number): ArchiveError {
  return new ArchiveError(
    'limit',
    `${guard.what} expands to more than ${formatLimit(max)} from ${guard.storedBytes} compressed bytes, past layerscope's limit for decompressed data (${LIMITS.expansionRatio}× the compressed size, at least ${formatLimit(LIMITS.expansionFloorBytes)}): it looks like a decompression bomb, so layerscope stopped reading it. Real image layers expand 2–10×; if you trust this file, inspect it with \`docker load\` and \`docker image inspect\` instead.`,
  );
}
