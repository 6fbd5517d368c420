import { TarParser } from './parser';
import { TarFormatError, type TarEntry } from './types';

export interface IndexTarStreamOptions {
  signal?: AbortSignal;
  /** Bytes of the tar read so far. */
  onProgress?: (bytesDone: number) => void;
  onEntry?: (e: TarEntry) => void;
  /** False: entries only reach `onEntry`, and the result is empty (TarParserOptions.keep). */
  keep?: boolean;
  /** More entries than this throws `TarFormatError('limit')`. */
  maxEntries?: number;
  /** More name bytes than this (see `TarParserOptions.maxNameBytes`) throws too. */
  maxNameBytes?: number;
  /** Asked for each entry with data (`size > 0`): should its bytes go to `onData`? */
  wantData?: (e: TarEntry) => boolean;
  /**
   * Receives the data of wanted entries, in one or more pieces adding up to `e.size`. A piece is a
   * view into the stream's chunk: copy it to keep it.
   */
  onData?: (e: TarEntry, chunk: Uint8Array) => void;
}

/**
 * Indexes a tar whose chunks a caller delivers: `run` gets a `push` that parses one chunk (a view
 * may be reused once `push` returns) and answers whether the parser wants more (false after the
 * end-of-archive marker; later chunks are ignored). When `run` settles the input has ended.
 *
 * Throws like `indexTarStream`, with `partial` set on a `TarFormatError`.
 */
export async function indexTarChunks(
  run: (push: (chunk: Uint8Array) => boolean) => Promise<void>,
  opts: Omit<IndexTarStreamOptions, 'signal'> = {},
): Promise<TarEntry[]> {
  const parser = new TarParser(opts);
  try {
    await run((chunk) => {
      if (parser.done) return false;
      parser.push(chunk);
      opts.onProgress?.(parser.pos);
      return !parser.done;
    });
    parser.finish();
  } catch (e) {
    if (e instanceof TarFormatError) e.partial = parser.entries;
    throw e;
  }
  return parser.entries;
}

/**
 * Indexes a tar arriving as a stream that cannot seek (a decompressed gzip or zstd layer): every
 * byte is read, bodies are passed over unless `wantData` asks for them. Stops reading (and cancels
 * the stream) at the end-of-archive marker or on an error.
 *
 * Throws `TarFormatError` (with `partial` set to the entries read before the problem) for a
 * damaged or truncated tar, and the signal's reason (an `AbortError`) when aborted. Errors of the
 * stream itself (a corrupt gzip) are rethrown as they are.
 */
export async function indexTarStream(
  stream: ReadableStream<Uint8Array>,
  opts: IndexTarStreamOptions = {},
): Promise<TarEntry[]> {
  const { signal } = opts;
  const reader = stream.getReader();
  try {
    return await indexTarChunks(async (push) => {
      for (;;) {
        signal?.throwIfAborted();
        const { done, value } = await reader.read();
        signal?.throwIfAborted();
        if (done || !push(value)) return;
      }
    }, opts);
  } finally {
    reader.cancel().catch(() => {});
  }
}
