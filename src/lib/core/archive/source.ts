import type { TarEntry } from '../tar/types';
import { TarFormatError } from '../tar/types';
import { indexTarBlob } from '../tar/index-blob';
import { decompressedStream } from '../compress/decompress';
import { isZip, looksLikeTarHeader, sniffCompression } from '../compress/sniff';
import type { Compression } from '../model/types';
import { ArchiveError } from '../model/errors';
import { LIMITS, formatLimit } from '../model/limits';
import { parseArchiveJson } from '../model/json';

/** Largest JSON document (manifest, index, config) read into memory. */
export const MAX_JSON_BYTES = LIMITS.jsonBytes;
/** Symlinks followed when resolving a member path (podman's layer.tar links are one level). */
const MAX_LINK_DEPTH = LIMITS.memberLinkDepth;
/** Each metadata read counts at least this much against LIMITS.archiveJsonBytes (fan-out). */
const MIN_READ_CHARGE = LIMITS.jsonReadCharge;
/** The decompressed archive is handed to a Blob in parts of this size (the heap stays flat). */
const OUTER_PART_BYTES = 64 * 1024 * 1024;

export interface ProgressReport {
  phase: 'decompressing' | 'listing' | 'reading' | 'indexing' | 'verifying';
  bytesDone: number;
  bytesTotal: number;
  layersDone?: number;
  layersTotal?: number;
}

export interface SourceOptions {
  signal?: AbortSignal;
  onProgress?: (p: ProgressReport) => void;
}

/**
 * The outer archive as an uncompressed tar in a Blob, plus the index of its members. For a plain
 * tar the Blob is the dropped file itself (random access through slice, nothing read whole).
 */
export interface OuterArchive {
  source: Blob;
  outerCompression: Compression;
  members: Map<string, TarEntry>;
  /** Members in archive order (re-rooted paths). */
  order: TarEntry[];
  /** Prefix removed when the image sat one directory deep ('' normally). */
  root: string;
}

async function head(blob: Blob, n: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, n).arrayBuffer());
}

/** Classifies what is not a tar at all, with the message docs/FORMATS.md 1.13 step 1 gives. */
function notTarError(bytes: Uint8Array, inside?: Compression): ArchiveError {
  if (inside)
    return new ArchiveError(
      'compressed-not-tar',
      `This is a ${inside} file, but what's inside isn't a tar archive. layerscope opens image archives made by \`docker save -o image.tar IMAGE\` (also gzipped).`,
    );
  if (isZip(bytes))
    return new ArchiveError(
      'zip',
      'This is a ZIP file. Image archives are tar files: make one with `docker save -o image.tar IMAGE` (or `podman save`).',
    );
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    return jsonDocumentError(text);
  }
  return new ArchiveError(
    'not-tar',
    'This is not a tar archive (and not gzip or zstd compressed), so it is not an image archive. Make one with `docker save -o image.tar IMAGE` or `podman save -o image.tar IMAGE`.',
  );
}

function jsonDocumentError(text: string): ArchiveError {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (Array.isArray(doc) && doc.some((d) => d && typeof d === 'object' && 'Config' in d))
    return new ArchiveError(
      'lone-manifest',
      'This is only the manifest.json from an image archive. Drop the whole .tar that `docker save` wrote, not a file from inside it.',
    );
  if (
    (doc && typeof doc === 'object' && 'schemaVersion' in doc) ||
    /"schemaVersion"\s*:/.test(text)
  )
    return new ArchiveError(
      'registry-manifest',
      'This is an image manifest (JSON), not an image archive: it only lists the layers. Save the whole image with `docker save -o image.tar IMAGE`.',
    );
  return new ArchiveError(
    'not-tar',
    'This is a JSON file, not an image archive. Make one with `docker save -o image.tar IMAGE`.',
  );
}

/**
 * Decompresses a whole compressed archive (`docker save | gzip`) into a Blob so the rest of the
 * engine reads it like a plain tar. Chromium keeps large Blobs in its blob store (paged to disk),
 * not in the JS heap; a gzipped archive has no random access, so one full pass is unavoidable.
 */
async function decompressOuter(
  blob: Blob,
  compression: Compression,
  opts: SourceOptions,
): Promise<Blob> {
  // Parts are moved into Blobs as they grow: a browser keeps Blobs in its blob store (paged to
  // disk), not in the worker's heap.
  const blobs: Blob[] = [];
  let parts: Uint8Array[] = [];
  let partBytes = 0;
  let done = 0;
  const counting = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, c) {
      done += chunk.length;
      c.enqueue(chunk);
    },
  });
  const decoded = decompressedStream(blob.stream().pipeThrough(counting), compression, undefined, {
    what: `This ${compression}-compressed archive`,
    storedBytes: blob.size,
  });
  const reader = decoded.getReader();
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const { value, done: end } = await reader.read();
      if (end) break;
      parts.push(value);
      partBytes += value.length;
      if (partBytes >= OUTER_PART_BYTES) {
        blobs.push(new Blob(parts as BlobPart[]));
        parts = [];
        partBytes = 0;
      }
      opts.onProgress?.({ phase: 'decompressing', bytesDone: done, bytesTotal: blob.size });
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    if (e instanceof ArchiveError || (e as Error).name === 'AbortError') throw e;
    throw new ArchiveError(
      'truncated',
      `The ${compression}-compressed archive is truncated or damaged (${(e as Error).message}). Download or save it again.`,
    );
  }
  return new Blob([...blobs, ...(parts as BlobPart[])]);
}

/** Reads the outer archive: sniffs, decompresses one level if needed, indexes the members. */
export async function openOuter(blob: Blob, opts: SourceOptions = {}): Promise<OuterArchive> {
  if (blob.size === 0) throw new ArchiveError('empty', 'The file is empty (0 bytes).');
  let bytes = await head(blob, 4096);
  let source = blob;
  const outerCompression: Compression = sniffCompression(bytes);
  if (outerCompression === 'bzip2') {
    throw new ArchiveError(
      'unsupported-compression',
      'This archive is bzip2-compressed as a whole. layerscope reads plain tars and gzip, zstd or xz-compressed ones: decompress it first (`bunzip2 FILE`) and open the .tar.',
    );
  }
  if (outerCompression !== 'none') {
    source = await decompressOuter(blob, outerCompression, opts);
    bytes = await head(source, 4096);
    if (source.size === 0 || !looksLikeTarHeader(bytes.subarray(0, 512)))
      throw notTarError(bytes, outerCompression);
  } else if (!looksLikeTarHeader(bytes.subarray(0, 512))) {
    throw notTarError(bytes);
  }

  let order: TarEntry[];
  try {
    order = await indexTarBlob(source, {
      signal: opts.signal,
      onProgress: (n) =>
        opts.onProgress?.({ phase: 'listing', bytesDone: n, bytesTotal: source.size }),
      // The archive's own member list is held like a layer's index, with a layer's bounds.
      maxEntries: LIMITS.layerEntries,
      maxNameBytes: LIMITS.layerNameBytes,
    });
  } catch (e) {
    if (e instanceof TarFormatError) {
      if (e.code === 'limit')
        throw new ArchiveError(
          'limit',
          e.limit === 'path-bytes'
            ? `This archive cannot be listed: ${e.message}`
            : `This archive has more members than layerscope lists (${LIMITS.layerEntries.toLocaleString('en')} files, or ${formatLimit(LIMITS.layerNameBytes)} of names): image archives hold a few files per layer. Save the image again with \`docker save\`.`,
        );
      if (e.code === 'truncated')
        throw new ArchiveError(
          'truncated',
          // The parser's message already says what to do; add only how to make a new archive.
          `${e.message} To save it again: \`docker save -o image.tar IMAGE\`.`,
        );
      throw new ArchiveError(
        'corrupt',
        /save it again/.test(e.message)
          ? `The archive is damaged: ${e.message}`
          : `The archive is damaged: ${e.message} Download or save it again.`,
      );
    }
    throw e;
  }
  const { members, root, rerooted } = memberMap(order);
  return { source, outerCompression, members, order: rerooted, root };
}

const IMAGE_MARKERS = ['manifest.json', 'index.json', 'oci-layout'];

/**
 * Member map by path. Ignores macOS litter (`._*`, `.DS_Store`) and, when the image markers are
 * not at the root but in exactly one top-level directory, re-roots there (a saved image that was
 * extracted and re-tarred as a folder; docs/FORMATS.md 1.10 and 1.13 step 2).
 */
function memberMap(order: TarEntry[]): {
  members: Map<string, TarEntry>;
  root: string;
  rerooted: TarEntry[];
} {
  const litter = (p: string) => {
    const base = p.slice(p.lastIndexOf('/') + 1);
    return base.startsWith('._') || base === '.DS_Store' || p.startsWith('__MACOSX/');
  };
  const clean = order.filter((e) => e.path !== '' && !litter(e.path));
  let root = '';
  if (!clean.some((e) => IMAGE_MARKERS.includes(e.path))) {
    const dirs = new Set<string>();
    for (const e of clean) {
      const slash = e.path.indexOf('/');
      if (slash > 0 && IMAGE_MARKERS.includes(e.path.slice(slash + 1)))
        dirs.add(e.path.slice(0, slash));
    }
    if (dirs.size === 1) root = [...dirs][0]! + '/';
  }
  const rerooted: TarEntry[] = [];
  const members = new Map<string, TarEntry>();
  for (const e of clean) {
    if (root && !e.path.startsWith(root)) continue;
    const r = root ? { ...e, path: e.path.slice(root.length) } : e;
    if (r.path === '') continue;
    rerooted.push(r);
    members.set(r.path, r);
  }
  return { members, root, rerooted };
}

/**
 * Follows symlinks (relative to the link's directory) and hardlinks to the member with data.
 * Undefined when nothing is there; `ArchiveError('limit')` for a chain longer than
 * LIMITS.memberLinkDepth (a loop such as `layer.tar -> layer.tar`).
 */
export function resolveMember(outer: OuterArchive, path: string): TarEntry | undefined {
  let current = normalise(path);
  for (let depth = 0; depth <= MAX_LINK_DEPTH; depth++) {
    const e = outer.members.get(current);
    if (!e) return undefined;
    if (e.type === 'symlink') {
      const dir = current.includes('/') ? current.slice(0, current.lastIndexOf('/') + 1) : '';
      current = normalise(e.linkname.startsWith('/') ? e.linkname : dir + e.linkname);
    } else if (e.type === 'hardlink') {
      current = normalise(outer.root ? e.linkname.replace(outer.root, '') : e.linkname);
    } else return e;
  }
  throw new ArchiveError(
    'limit',
    `${path} in this archive is a link that leads through more than ${MAX_LINK_DEPTH} links (a loop), layerscope's limit (podman's layer.tar links need one): the archive was made by hand or damaged. Save the image again.`,
  );
}

/** POSIX-style normalisation that never climbs above the root. */
export function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** Metadata bytes read so far per archive (LIMITS.archiveJsonBytes). */
const jsonRead = new WeakMap<OuterArchive, number>();

export async function readMemberBytes(
  outer: OuterArchive,
  entry: TarEntry,
  maxBytes = MAX_JSON_BYTES,
): Promise<Uint8Array> {
  if (entry.size > maxBytes)
    throw new ArchiveError(
      'limit',
      `${entry.path} is ${entry.size} bytes, larger than layerscope's ${formatLimit(maxBytes)} limit for a metadata file (manifest, index or config; real ones are kilobytes): this is not a normal image archive. Save the image again with \`docker save\`.`,
    );
  const total = (jsonRead.get(outer) ?? 0) + Math.max(entry.size, MIN_READ_CHARGE);
  jsonRead.set(outer, total);
  if (total > LIMITS.archiveJsonBytes)
    throw new ArchiveError(
      'limit',
      `This archive makes layerscope read more than ${formatLimit(LIMITS.archiveJsonBytes)} of manifests and configs (each read counting at least ${MIN_READ_CHARGE} bytes), its limit for one archive: its documents point at each other over and over, as no image tool writes them. Save the images again with \`docker save\`.`,
    );
  return new Uint8Array(
    await outer.source.slice(entry.dataOffset, entry.dataOffset + entry.size).arrayBuffer(),
  );
}

export async function readMemberJson<T>(
  outer: OuterArchive,
  path: string,
): Promise<{ value: T; bytes: Uint8Array; text: string; entry: TarEntry } | undefined> {
  const entry = resolveMember(outer, path);
  if (!entry) return undefined;
  const bytes = await readMemberBytes(outer, entry);
  const text = new TextDecoder().decode(bytes);
  return { value: parseArchiveJson<T>(text, `${path} in this archive`), bytes, text, entry };
}
