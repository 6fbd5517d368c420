import { Inflate } from 'pako';
import { Decompress as ZstdDecompress } from 'fzstd';
import type { Compression } from '../image/types';
import { ArchiveError } from '../archive/errors';

/** Bytes handed to the decompressors per read. */
const PAKO_CHUNK_BYTES = 1 << 20;

export type DecoderKind = 'native-gzip' | 'pako-gzip' | 'fzstd';

/**
 * A stream of the uncompressed bytes of `blob`.
 *
 * gzip uses the browser's native DecompressionStream (fastest measured, BROWSER.md), which stops
 * at the first gzip member (whatwg/compression#42); `decoder: 'pako-gzip'` is the fallback that
 * loops over members (eStargz) and tolerates zero padding after the stream, used when the native
 * one fails. zstd has no native decoder in Chromium: fzstd, a maintained pure-JS one that also
 * skips skippable frames (zstd:chunked).
 */
export function decompressedStream(
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

function zstdStream(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return chunkedTransform(source, (emit) => {
    let ended = false;
    const dec = new ZstdDecompress((data, final) => {
      if (data.length) emit(data);
      if (final) ended = true;
    });
    return {
      push(chunk) {
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
