import { blobChunks } from './blob-chunks';
import { positionalOf } from '../platform/positional';
import { TarParser } from './parser';
import { TarFormatError, type TarEntry } from './types';

export interface IndexTarBlobOptions {
  /** Where the tar starts in `blob` (default 0); entry offsets are relative to it. */
  start?: number;
  /** Where the tar's bytes end in `blob` (default `blob.size`). */
  end?: number;
  signal?: AbortSignal;
  /** Bytes of the tar passed over so far (read or skipped), relative to `start`. */
  onProgress?: (bytesDone: number) => void;
  onEntry?: (e: TarEntry) => void;
  /** False: entries only reach `onEntry`, and the result is empty (TarParserOptions.keep). */
  keep?: boolean;
  /** More entries than this throws `TarFormatError('limit')`. */
  maxEntries?: number;
  /** More name bytes than this (see `TarParserOptions.maxNameBytes`) throws too. */
  maxNameBytes?: number;
  /** Bodies with more than this many bytes left are skipped by reopening (default 1 MiB). */
  skipThreshold?: number;
}

/**
 * A body with more than this left is skipped by reopening the Blob after it rather than read:
 * docs/BROWSER.md measured skip-aware streaming fastest with a 1–4 MiB threshold (reopening costs
 * about as much as reading a few hundred KiB).
 */
export const SKIP_THRESHOLD = 1 << 20;

/**
 * With positional reads a skip costs nothing (no stream to reopen), so any body larger than one
 * small read is hopped over, and the read after a hop starts small: the reader then visits the
 * headers and the small bodies between them, as `tar -t` on a seekable file does.
 */
const POSITIONAL_SKIP_THRESHOLD = 16 * 1024;
const POSITIONAL_FIRST_READ = 16 * 1024;

/**
 * Indexes the uncompressed tar in `blob` between `start` and `end` without reading the bodies of
 * large entries: it streams `blob.slice(pos, end)` and, when more than `SKIP_THRESHOLD` bytes of
 * the current body remain, cancels that stream and reopens the Blob at the next header. Memory
 * stays at one reused chunk whatever the archive's size.
 *
 * Throws `TarFormatError` (with `partial` set to the entries read before the problem) for a
 * damaged or truncated tar, and the signal's reason (an `AbortError`) when aborted.
 */
export async function indexTarBlob(
  blob: Blob,
  opts: IndexTarBlobOptions = {},
): Promise<TarEntry[]> {
  const start = opts.start ?? 0;
  const end = opts.end ?? blob.size;
  const { signal, onProgress } = opts;
  const positional = positionalOf(blob) !== undefined;
  const threshold = opts.skipThreshold ?? (positional ? POSITIONAL_SKIP_THRESHOLD : SKIP_THRESHOLD);
  const firstReadBytes = positional ? POSITIONAL_FIRST_READ : undefined;
  if (!(start >= 0 && start <= end && end <= blob.size)) {
    throw new RangeError(`indexTarBlob: bad range ${start}..${end} of a ${blob.size}-byte Blob`);
  }
  const length = end - start;
  const parser = new TarParser({
    onEntry: opts.onEntry,
    keep: opts.keep,
    maxEntries: opts.maxEntries,
    maxNameBytes: opts.maxNameBytes,
  });
  try {
    let eof = false;
    const pool = {};
    while (!parser.done && !eof && parser.pos < length) {
      signal?.throwIfAborted();
      eof = true;
      // Each chunk is a view into one reused buffer (blob-chunks.ts): the parser copies the few
      // bytes it keeps between chunks, so nothing refers to a chunk once `push` returns.
      for await (const chunk of blobChunks(blob, start + parser.pos, end, {
        signal,
        pool,
        firstReadBytes,
      })) {
        signal?.throwIfAborted();
        parser.push(chunk);
        if (parser.done) {
          eof = false;
          break;
        }
        const skip = parser.skippable;
        if (skip > threshold) {
          // Skipping past `end` leaves the parser inside the body, so `finish` names the entry.
          parser.skip(Math.min(skip, length - parser.pos));
          onProgress?.(parser.pos);
          eof = false;
          break; // ends this read (the generator cancels it) and reopens after the body
        }
        onProgress?.(parser.pos);
      }
    }
    parser.finish(Math.min(parser.pos, length));
  } catch (e) {
    if (e instanceof TarFormatError) e.partial = parser.entries;
    throw e;
  }
  return parser.entries;
}
