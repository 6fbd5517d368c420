import type { TarEntry } from '../tar/types';
import { TarFormatError } from '../tar/types';
import { indexTarBlob } from '../tar/index-blob';
import { indexTarChunks } from '../tar/index-stream';
import { forEachBlobChunk } from '../tar/blob-chunks';
import { decodeBlobRange, decompressedStream, type DecoderKind } from '../compress/decompress';
import { sha256Hasher } from '../hash/sha256';
import type { LayerInfo, LayerStats } from '../model/types';
import { ArchiveError, isAbort } from '../model/errors';
import type { OpenedArchive } from './open';
import type { ProgressReport } from './source';
import { LIMITS, formatLimit } from '../model/limits';
import { ColumnsBuilder, type EntryColumns } from '../tar/columns';

export interface LayerIndex {
  key: string;
  entries: TarEntry[];
  stats: LayerStats;
}

/** A layer's index as columns (what the worker builds and posts; see tar/columns.ts). */
export interface LayerColumns {
  key: string;
  columns: EntryColumns;
  stats: LayerStats;
}

export interface LayerTaskOptions {
  signal?: AbortSignal;
  /** Stored bytes of this layer consumed so far. */
  onProgress?: (p: ProgressReport) => void;
  /** Upper bound on entries per layer (hostile input); default LIMITS.layerEntries. */
  maxEntries?: number;
  /**
   * Compressed layers only: hash the stored and the uncompressed bytes while indexing (one pass
   * instead of two, but a slower first index). Default false: verifyLayer hashes later.
   */
  hash?: boolean;
}

export const MAX_LAYER_ENTRIES = LIMITS.layerEntries;

/**
 * What the indexes of an archive's layers hold, per layer key: the archive-wide budgets
 * (LIMITS.archiveEntries, archiveNameBytes) count every layer once however often it is indexed.
 */
const indexed = new WeakMap<OpenedArchive, Map<string, { entries: number; nameBytes: number }>>();

interface Budget {
  maxEntries: number;
  maxNameBytes: number;
  /** The archive-wide budget is the tighter one (for the message). */
  archiveEntries: boolean;
  archiveNames: boolean;
}

function budget(opened: OpenedArchive, key: string, opts: LayerTaskOptions): Budget {
  let entries = 0;
  let nameBytes = 0;
  for (const [k, v] of indexed.get(opened) ?? []) {
    if (k === key) continue;
    entries += v.entries;
    nameBytes += v.nameBytes;
  }
  const layerEntries = opts.maxEntries ?? MAX_LAYER_ENTRIES;
  const archiveEntries = LIMITS.archiveEntries - entries;
  const archiveNames = LIMITS.archiveNameBytes - nameBytes;
  return {
    maxEntries: Math.max(0, Math.min(layerEntries, archiveEntries)),
    maxNameBytes: Math.max(0, Math.min(LIMITS.layerNameBytes, archiveNames)),
    archiveEntries: archiveEntries < layerEntries,
    archiveNames: archiveNames < LIMITS.layerNameBytes,
  };
}

function remember(opened: OpenedArchive, key: string, tally: Tally): void {
  let m = indexed.get(opened);
  if (!m) indexed.set(opened, (m = new Map()));
  m.set(key, { entries: tally.entries, nameBytes: tally.nameBytes });
}

/** The message for a limit the tar reader hit, naming the limit and what to do. */
function limitMessage(where: string, e: TarFormatError, b: Budget): string {
  const list = `List it with \`tar -tvf\` instead, or open an archive of fewer images.`;
  if (e.limit === 'entries')
    return b.archiveEntries
      ? `The ${where} stopped at layerscope's limit of ${LIMITS.archiveEntries.toLocaleString('en')} entries for all the layers of one archive together (their index stays in memory). ${list}`
      : `The ${where} has more than ${b.maxEntries.toLocaleString('en')} entries, layerscope's limit for one layer (its index stays in memory). ${list}`;
  if (e.limit === 'name-bytes')
    return `The ${where} has more names (paths, link targets, owners, xattrs) than layerscope keeps in memory: ${formatLimit(b.archiveNames ? LIMITS.archiveNameBytes : LIMITS.layerNameBytes)} ${b.archiveNames ? 'for all the layers of one archive' : 'for one layer'}. ${list}`;
  return `The ${where} cannot be listed: ${e.message} The layer was made by hand or damaged.`;
}

function layerOf(
  opened: OpenedArchive,
  key: string,
): LayerInfo & { blob: NonNullable<LayerInfo['blob']> } {
  const layer = opened.model.layers[key];
  if (!layer) throw new ArchiveError('missing-layer', `No layer ${key} in this archive.`);
  if (!layer.present || !layer.blob)
    throw new ArchiveError(
      'missing-layer',
      layer.absentReason ?? `Layer ${key} is not in the archive.`,
    );
  return layer as LayerInfo & { blob: NonNullable<LayerInfo['blob']> };
}

/**
 * Per-layer counts. `contentSize` is what Docker's graphdriver reports as the layer size
 * (moby pkg/directory Size: every non-directory's Lstat size, hardlinks once), so a symlink counts
 * the length of its target and a hardlink nothing.
 */
export function layerStats(entries: TarEntry[], uncompressedSize: number): LayerStats {
  const tally = new Tally();
  for (const e of entries) tally.add(e);
  return tally.stats(uncompressedSize);
}

/** `layerStats` and the names kept (for the archive-wide budget), counted entry by entry. */
class Tally {
  entries = 0;
  nameBytes = 0;
  private whiteouts = 0;
  private opaqueWhiteouts = 0;
  private contentSize = 0;
  private readonly utf8 = new TextEncoder();

  add(e: TarEntry): void {
    this.entries++;
    this.nameBytes += e.path.length + e.linkname.length + e.uname.length + e.gname.length;
    if (e.xattrs)
      for (const [k, v] of Object.entries(e.xattrs)) this.nameBytes += k.length + v.length;
    // The base name is read in place: this runs for every entry the worker indexes.
    const p = e.path;
    const base = p.lastIndexOf('/') + 1;
    if (p.startsWith('.wh.', base)) {
      if (p.length - base === 12 && p.endsWith('.wh..wh..opq')) this.opaqueWhiteouts++;
      else this.whiteouts++;
    } else if (e.type === 'file') this.contentSize += e.size;
    // A GNU sparse file extracts as a regular file of its real size (Go's archive/tar expands it).
    else if (e.type === 'other' && e.realSize !== undefined) this.contentSize += e.realSize;
    else if (e.type === 'symlink') this.contentSize += this.utf8.encode(e.linkname).length;
  }

  stats(uncompressedSize: number): LayerStats {
    const { entries, whiteouts, opaqueWhiteouts, contentSize } = this;
    return { uncompressedSize, entries, whiteouts, opaqueWhiteouts, contentSize };
  }
}

function layerError(layer: LayerInfo, e: unknown, b?: Budget): unknown {
  const where = `layer ${layer.blob?.path ?? layer.key}`;
  // A decoder's corrupt or truncated data says what is wrong, not where: name the layer.
  if (
    e instanceof ArchiveError &&
    (e.code === 'corrupt' || e.code === 'truncated') &&
    /^The (zstd-)?compressed data/.test(e.message)
  )
    return new ArchiveError(e.code, `In the ${where}: ${e.message}`);
  if (isAbort(e) || e instanceof ArchiveError) return e;
  if (e instanceof TarFormatError && e.code === 'limit' && b)
    return new ArchiveError('limit', limitMessage(where, e, b));
  if (e instanceof TarFormatError) {
    if (e.code === 'truncated')
      return new ArchiveError(
        'truncated',
        `The ${where} is truncated (${e.message}). The archive is incomplete: download or save it again.`,
      );
    if (e.code === 'limit')
      return new ArchiveError('limit', `The ${where} is too large to index: ${e.message}`);
    return new ArchiveError(
      'corrupt',
      `The ${where} is damaged: ${e.message} Save the image again.`,
    );
  }
  return new ArchiveError(
    'corrupt',
    `The ${where} could not be read (${(e as Error)?.message ?? String(e)}): it is damaged or not a tar. Save the image again.`,
  );
}

/**
 * Indexes one layer. Uncompressed layers are read with skip-aware streaming over the archive's
 * Blob (only headers are touched); compressed ones must be decompressed in full, so their hashes
 * are computed on the way for free.
 */
export async function indexLayer(
  opened: OpenedArchive,
  key: string,
  opts: LayerTaskOptions = {},
): Promise<LayerIndex> {
  let entries: TarEntry[] = [];
  const stats = await indexInto(opened, key, opts, () => {
    entries = [];
    return (e) => entries.push(e);
  });
  return { key, entries, stats };
}

/**
 * `indexLayer` into columns: no object per entry outlives the parser's next few headers (the
 * worker's path, where those objects set the renderer's memory peak; tar/columns.ts).
 */
export async function indexLayerColumns(
  opened: OpenedArchive,
  key: string,
  opts: LayerTaskOptions = {},
): Promise<LayerColumns> {
  let builder: ColumnsBuilder | undefined;
  const stats = await indexInto(opened, key, opts, () => {
    const b = (builder = new ColumnsBuilder());
    return (e) => b.add(e);
  });
  return { key, columns: builder!.finish(), stats };
}

async function indexInto(
  opened: OpenedArchive,
  key: string,
  opts: LayerTaskOptions,
  /** Called as each pass over the layer starts (a gzip layer may need two): where entries go. */
  begin: () => (e: TarEntry) => void,
): Promise<LayerStats> {
  const layer = layerOf(opened, key);
  const { offset, size } = layer.blob;
  const src = opened.outer.source;
  const b = budget(opened, key, opts);
  const { maxEntries, maxNameBytes } = b;
  const report = (bytesDone: number) =>
    opts.onProgress?.({ phase: 'indexing', bytesDone, bytesTotal: size });
  let tally = new Tally();
  let sink: (e: TarEntry) => void = () => {};
  /** Each pass over the layer starts counting and collecting afresh. */
  const startPass = () => {
    tally = new Tally();
    sink = begin();
  };
  const onEntry = (e: TarEntry) => {
    tally.add(e);
    sink(e);
  };
  try {
    if (layer.compression === 'none') {
      startPass();
      await indexTarBlob(src, {
        start: offset,
        end: offset + size,
        signal: opts.signal,
        onProgress: report,
        onEntry,
        keep: false,
        maxEntries,
        maxNameBytes,
      });
      remember(opened, key, tally);
      return tally.stats(size);
    }
    const r = await withGzipFallback(layer, async (decoder) => {
      startPass();
      let stored = 0;
      let produced = 0;
      // Hashing here doubles the work on the path to the first complete index (measured: gzip
      // indexing at a third of raw DecompressionStream speed), so by default verifyLayer does
      // it afterwards, off the critical path; the CLI and tests may ask for both in one pass.
      const digest = opts.hash ? await sha256Hasher() : undefined;
      const diffId = opts.hash ? await sha256Hasher() : undefined;
      // The parser stops at the end-of-archive marker; the rest (padding, eStargz's TOC) is
      // still decoded, for the uncompressed size and the diffID, which cover every byte.
      await indexTarChunks(
        (push) =>
          decodeLayer(opened, layer, decoder, opts.signal, {
            onStored: (chunk) => {
              stored += chunk.length;
              digest?.update(chunk);
              report(stored);
            },
            onPlain: (chunk) => {
              produced += chunk.length;
              diffId?.update(chunk);
              push(chunk);
            },
          }),
        { maxEntries, maxNameBytes, onEntry, keep: false },
      );
      return { produced, digest: digest?.digest(), diffId: diffId?.digest() };
    });
    if (r.digest && r.diffId) applyHashes(layer, r.digest, r.diffId);
    remember(opened, key, tally);
    return tally.stats(r.produced);
  } catch (e) {
    throw layerError(layer, e, b);
  }
}

type PresentLayer = ReturnType<typeof layerOf>;

/**
 * Runs `attempt` with the layer's decoder. DecompressionStream stops at the first gzip member
 * (whatwg/compression#42): eStargz and padded streams need the pako 3 fallback, which loops over
 * members (docs/BROWSER.md), so a failed native gzip pass is run again with it. A limit is no decoder's
 * fault (the fallback would only hit it again), and an abort is the user's.
 */
async function withGzipFallback<T>(
  layer: PresentLayer,
  attempt: (decoder: DecoderKind) => Promise<T>,
): Promise<T> {
  try {
    return await attempt(layer.compression === 'gzip' ? 'native-gzip' : 'zstd');
  } catch (e) {
    const limit = (e instanceof ArchiveError || e instanceof TarFormatError) && e.code === 'limit';
    if (layer.compression !== 'gzip' || isAbort(e) || limit) throw e;
    return attempt('pako-gzip');
  }
}

/** Decodes a compressed layer's stored bytes, with the decompression-bomb guard. */
function decodeLayer(
  opened: OpenedArchive,
  layer: PresentLayer,
  decoder: DecoderKind,
  signal: AbortSignal | undefined,
  on: { onStored: (chunk: Uint8Array) => void; onPlain: (chunk: Uint8Array) => void },
): Promise<void> {
  const { offset, size, path } = layer.blob;
  return decodeBlobRange(
    opened.outer.source,
    offset,
    offset + size,
    layer.compression,
    decoder,
    on.onPlain,
    { signal, onStored: on.onStored, guard: { what: `The layer ${path}`, storedBytes: size } },
  );
}

function applyHashes(layer: LayerInfo, digest: string, diffId: string): void {
  if (layer.digest) {
    layer.digestState = layer.digest === digest ? 'verified' : 'mismatch';
    if (layer.digestState === 'mismatch') layer.computedDigest = digest;
  } else {
    // Nothing in the archive names this blob's digest: show it, but nothing was verified.
    layer.digest = digest;
    layer.digestState = 'unavailable';
  }
  if (layer.diffId) {
    layer.diffIdState = layer.diffId === diffId ? 'verified' : 'mismatch';
    if (layer.diffIdState === 'mismatch') layer.computedDiffId = diffId;
  } else layer.diffIdState = 'unavailable';
}

/**
 * Hashes a layer's stored bytes (digest) and its uncompressed tar (diffID) in one pass and records
 * whether each matches what the archive claims (`docker load` fails with "invalid diffID" on a
 * mismatch). Runs after the overview is shown; it never blocks the first view.
 */
export async function verifyLayer(
  opened: OpenedArchive,
  key: string,
  opts: LayerTaskOptions = {},
): Promise<
  Pick<LayerInfo, 'digestState' | 'diffIdState' | 'computedDigest' | 'computedDiffId' | 'digest'>
> {
  const layer = layerOf(opened, key);
  const { offset, size } = layer.blob;
  try {
    if (layer.digestState === 'pending' || layer.diffIdState === 'pending') {
      const r = await withGzipFallback(layer, async (decoder) => {
        const digest = await sha256Hasher();
        const diffId = layer.compression === 'none' ? digest : await sha256Hasher();
        let stored = 0;
        const onStored = (chunk: Uint8Array) => {
          stored += chunk.length;
          digest.update(chunk);
          opts.onProgress?.({ phase: 'verifying', bytesDone: stored, bytesTotal: size });
        };
        if (layer.compression === 'none') {
          await forEachBlobChunk(opened.outer.source, offset, offset + size, onStored, {
            signal: opts.signal,
          });
        } else {
          await decodeLayer(opened, layer, decoder, opts.signal, {
            onStored,
            onPlain: (chunk) => diffId.update(chunk),
          });
        }
        const storedDigest = digest.digest();
        return {
          storedDigest,
          diffId: layer.compression === 'none' ? storedDigest : diffId.digest(),
        };
      });
      applyHashes(layer, r.storedDigest, r.diffId);
    }
  } catch (e) {
    // A layer that cannot be read to the end cannot be vouched for: never leave it 'pending'.
    if (!isAbort(e)) {
      if (layer.digestState === 'pending') layer.digestState = 'unavailable';
      if (layer.diffIdState === 'pending') layer.diffIdState = 'unavailable';
    }
    throw layerError(layer, e);
  }
  return {
    digest: layer.digest,
    digestState: layer.digestState,
    diffIdState: layer.diffIdState,
    computedDigest: layer.computedDigest,
    computedDiffId: layer.computedDiffId,
  };
}

/**
 * The bytes of one file of a layer, at most `maxBytes` of them. Uncompressed layers are read by
 * slicing the archive; compressed ones are decompressed up to the file (no random access).
 */
/**
 * Bytes of a decompressed file gathered into Blobs this large: the JavaScript heap holds one
 * piece at a time, and the browser's blob storage (which pages large blobs to disk) the rest.
 */
const BLOB_PIECE_BYTES = 16 * 1024 * 1024;

/**
 * One whole file of a layer, of any size, as a Blob (a download). A file of an uncompressed
 * layer is a slice of the archive itself, no byte read; one of a compressed layer is decompressed
 * into pieces of `BLOB_PIECE_BYTES`, so a file of gigabytes never sits in memory whole.
 */
export async function readLayerFileBlob(
  opened: OpenedArchive,
  key: string,
  entry: Pick<TarEntry, 'dataOffset' | 'size'>,
  signal?: AbortSignal,
): Promise<Blob> {
  const layer = layerOf(opened, key);
  const { offset, size } = layer.blob;
  if (entry.dataOffset + entry.size > size && layer.compression === 'none')
    throw new ArchiveError(
      'truncated',
      'The file lies past the end of its layer: the archive is damaged.',
    );
  if (layer.compression === 'none') {
    const start = offset + entry.dataOffset;
    return opened.outer.source.slice(start, start + entry.size);
  }
  const pieces: Blob[] = [];
  let chunks: Uint8Array[] = [];
  let chunked = 0;
  let pos = 0;
  let filled = 0;
  const reader = decompressedStream(
    opened.outer.source.slice(offset, offset + size),
    layer.compression,
    layer.compression === 'gzip' ? 'pako-gzip' : 'zstd',
    { what: `The layer ${layer.blob.path}`, storedBytes: size },
  ).getReader();
  try {
    while (filled < entry.size) {
      signal?.throwIfAborted();
      const { value, done } = await reader.read();
      if (done) break;
      const end = pos + value.length;
      const from = Math.max(entry.dataOffset + filled, pos);
      if (end > from) {
        const take = Math.min(end - from, entry.size - filled);
        // A copy: the decompressor may reuse its output buffer.
        chunks.push(value.slice(from - pos, from - pos + take));
        chunked += take;
        filled += take;
        if (chunked >= BLOB_PIECE_BYTES) {
          pieces.push(new Blob(chunks as BlobPart[]));
          chunks = [];
          chunked = 0;
        }
      }
      pos = end;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (filled < entry.size)
    throw new ArchiveError(
      'truncated',
      'The layer ends before this file does: the archive is damaged.',
    );
  pieces.push(new Blob(chunks as BlobPart[]));
  return new Blob(pieces);
}

export async function readLayerFile(
  opened: OpenedArchive,
  key: string,
  entry: Pick<TarEntry, 'dataOffset' | 'size'>,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const layer = layerOf(opened, key);
  const want = Math.min(entry.size, maxBytes);
  if (want <= 0) return new Uint8Array(0);
  const { offset, size } = layer.blob;
  if (layer.compression === 'none') {
    const start = offset + entry.dataOffset;
    if (entry.dataOffset + want > size)
      throw new ArchiveError(
        'truncated',
        'The file lies past the end of its layer: the archive is damaged.',
      );
    return new Uint8Array(await opened.outer.source.slice(start, start + want).arrayBuffer());
  }
  const out = new Uint8Array(want);
  let pos = 0;
  let filled = 0;
  const reader = decompressedStream(
    opened.outer.source.slice(offset, offset + size),
    layer.compression,
    layer.compression === 'gzip' ? 'pako-gzip' : 'zstd',
    { what: `The layer ${layer.blob.path}`, storedBytes: size },
  ).getReader();
  try {
    while (filled < want) {
      signal?.throwIfAborted();
      const { value, done } = await reader.read();
      if (done) break;
      const end = pos + value.length;
      const from = Math.max(entry.dataOffset + filled, pos);
      if (end > from) {
        const take = Math.min(end - from, want - filled);
        out.set(value.subarray(from - pos, from - pos + take), filled);
        filled += take;
      }
      pos = end;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  if (filled < want)
    throw new ArchiveError(
      'truncated',
      'The layer ends before this file does: the archive is damaged.',
    );
  return out;
}
