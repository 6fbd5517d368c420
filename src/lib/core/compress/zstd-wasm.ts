/**
 * zstd through the reference decoder (libzstd's `ZSTD_decompressStream`) as zstddec builds it to
 * WebAssembly, driven here directly: stored bytes are copied into the module's memory and decoded
 * into one output buffer there, so decoding allocates nothing per chunk, and a view of that buffer
 * is handed on.
 *
 * Why not zstddec's own `decodeStreaming`: it takes a synchronous iterable (our input arrives by
 * awaited reads), copies every output piece out, and does not check libzstd's error codes (a
 * corrupt block would loop forever). Why not fzstd alone: it decodes the zstd bench archive's
 * 1.27 GB at ~0.25 GB/s and hands out a fresh buffer per block; this decoder did it in 0.3 s with
 * a fixed 17 MB of module memory (Node, same bytes). fzstd stays as the fallback where
 * WebAssembly cannot run (compress/decompress.ts).
 */
import { ZSTDDecoder } from 'zstddec/stream';
import { ArchiveError } from '../model/errors';

/** The module's exports this file uses (zstddec's build exports these and no more). */
export interface ZstdExports {
  memory: WebAssembly.Memory;
  malloc(bytes: number): number;
  free(ptr: number): void;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(dctx: number): number;
  /** Returns 0 once a frame is done, a size hint while one is going on, or -errorCode (i32). */
  ZSTD_decompressStream(dctx: number, output: number, input: number): number;
}

let loading: Promise<ZstdExports | undefined> | undefined;

/**
 * The decoder's module, instantiated once per realm; `undefined` where it cannot run (no
 * WebAssembly, or a content-security policy that refuses it).
 *
 * zstddec keeps its instance private; the one place it is handed over is `_init`, the callback its
 * `init()` passes the instantiated module to (declared in its types), so a subclass takes the
 * exports from there.
 */
export function loadZstdWasm(): Promise<ZstdExports | undefined> {
  loading ??= new Promise<ZstdExports | undefined>((resolve) => {
    class Capture extends ZSTDDecoder {
      override _init(result: WebAssembly.WebAssemblyInstantiatedSource): void {
        resolve(result.instance.exports as unknown as ZstdExports);
        super._init(result);
      }
    }
    new Capture().init().then(
      () => resolve(undefined), // no-op when _init already resolved
      () => resolve(undefined),
    );
  });
  return loading;
}

/** Stored bytes copied into the module per decode call. */
const IN_BYTES = 1 << 20;
/** Decoded bytes per call: the view handed on. */
const OUT_BYTES = 1 << 20;

/** libzstd's error codes (zstd_errors.h) that data can cause, in its own words. */
const ZSTD_ERRORS: Record<number, string> = {
  1: 'error',
  10: 'unknown frame descriptor',
  12: 'version not supported',
  14: 'unsupported frame parameter',
  16: 'frame requires too much memory for decoding',
  20: 'corrupted block detected',
  22: "restored data doesn't match checksum",
  24: 'header of literals block is wrong',
  30: 'dictionary is corrupted',
  32: 'dictionary mismatch',
  44: 'table log too large',
  46: 'max symbol value too large',
  64: 'not enough memory',
};

/**
 * One zstd stream (any number of frames, skippable ones skipped, as libzstd does) decoded through
 * the module. `free()` must be called when done, also after an error: the decoder's window lives
 * in the module's memory, not the collector's.
 */
export class ZstdWasmStream {
  readonly #x: ZstdExports;
  #dctx: number;
  /** One allocation: the input buffer, the output buffer, then ZSTD_inBuffer and ZSTD_outBuffer. */
  #mem: number;
  /** libzstd's last return: 0 when the last frame was finished. */
  #last = -1;

  constructor(x: ZstdExports) {
    this.#x = x;
    this.#mem = x.malloc(IN_BYTES + OUT_BYTES + 24);
    this.#dctx = this.#mem ? x.ZSTD_createDCtx() : 0;
    if (!this.#mem || !this.#dctx) {
      this.free();
      throw new ArchiveError(
        'limit',
        'There was not enough memory to start the zstd decoder. Close other tabs and open the file again.',
      );
    }
  }

  /**
   * Decodes `chunk`, handing every decoded piece to `emit`: a view into the module's memory,
   * valid only during the call. `emit` returning false stops; so does this, returning false.
   */
  push(chunk: Uint8Array, emit: (view: Uint8Array) => boolean | void): boolean {
    const x = this.#x;
    const inPtr = this.#mem;
    const outPtr = inPtr + IN_BYTES;
    const inBuf = outPtr + OUT_BYTES; // { src, size, pos }
    const outBuf = inBuf + 12; // { dst, size, pos }
    for (let at = 0; at < chunk.length; at += IN_BYTES) {
      const piece = chunk.subarray(at, at + IN_BYTES);
      // The module's memory may have grown (and its buffer been replaced) since the last call.
      new Uint8Array(x.memory.buffer).set(piece, inPtr);
      let words = new Uint32Array(x.memory.buffer, inBuf, 6);
      words[0] = inPtr;
      words[1] = piece.length;
      words[2] = 0;
      for (;;) {
        const before = words[2]!;
        words[3] = outPtr;
        words[4] = OUT_BYTES;
        words[5] = 0;
        const r = x.ZSTD_decompressStream(this.#dctx, outBuf, inBuf);
        if (r < 0) throw zstdError(-r);
        this.#last = r;
        words = new Uint32Array(x.memory.buffer, inBuf, 6);
        const produced = words[5]!;
        // libzstd always reads or writes something; a call that does neither would loop forever.
        if (produced === 0 && words[2] === before && before < piece.length) throw zstdError(1);
        if (produced > 0 && emit(new Uint8Array(x.memory.buffer, outPtr, produced)) === false)
          return false;
        // Done with this piece once it is all read and the output had room to spare; a full
        // output may have more waiting inside the decoder.
        if (words[2]! >= piece.length && produced < OUT_BYTES) break;
      }
    }
    return true;
  }

  /** Throws ArchiveError('truncated') unless the data ended at the end of a frame. */
  finish(): void {
    if (this.#last !== 0)
      throw new ArchiveError(
        'truncated',
        'The zstd-compressed data ends early (the last frame is incomplete): the file is incomplete. Download or save it again.',
      );
  }

  /** Frees the decoder's memory in the module. Safe to call more than once. */
  free(): void {
    if (this.#dctx) this.#x.ZSTD_freeDCtx(this.#dctx);
    if (this.#mem) this.#x.free(this.#mem);
    this.#dctx = 0;
    this.#mem = 0;
  }
}

function zstdError(code: number): ArchiveError {
  if (code === 64)
    return new ArchiveError(
      'limit',
      'There was not enough memory to decode this zstd data. Close other tabs and open the file again.',
    );
  return new ArchiveError(
    'corrupt',
    `The compressed data is corrupt (zstd: ${ZSTD_ERRORS[code] ?? `error ${code}`}). The file is damaged: download or save it again.`,
  );
}
