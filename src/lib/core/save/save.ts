/**
 * Writes images as the archive Docker 25+ `docker save` writes with the classic image store
 * (docs/FORMATS.md 1.2; moby daemon/internal/image/tarexport/save.go):
 *
 *   blobs/sha256/<config>     the config, byte for byte (its sha256 is the image ID)
 *   blobs/sha256/<diffID>     each layer as an UNCOMPRESSED tar, named by its diffID
 *   blobs/sha256/<manifest>   an OCI manifest Docker writes (layer digests = diffIDs)
 *   index.json                one descriptor per tag, annotated with the full name
 *                             (`io.containerd.image.name`) and the tag (`...image.ref.name`)
 *   manifest.json             Config, RepoTags, Layers, Parent, LayerSources (+ "\n")
 *   oci-layout                `{"imageLayoutVersion": "1.0.0"}`
 *   repositories              {name: {tag: top layer diffID hex}} (+ "\n"), when tagged
 *
 * JSON is written as Go's encoding/json writes it. The outer tar is go-archive's `Tar` of that
 * directory: walk order, dirs 0755, files 0644, root-owned, mtimes as save.go leaves them (config
 * and layer blobs and `blobs/` at the image's created time, manifests, `blobs/sha256/` and the
 * top-level files at the epoch). Docker also writes one legacy v1 JSON blob per layer that nothing
 * references; those are left out.
 *
 * Nothing is read into one buffer: the result is a Blob made of slices of the source archive,
 * committed layers' Blobs, and small arrays. A compressed layer (OCI archives) is decompressed
 * once, as it must be stored uncompressed, into Blob chunks, and its diffID checked on the way.
 */
import type { OpenedArchive } from '../archive/open';
import { readMemberBytes, resolveMember } from '../archive/source';
import { decompressedStream, type DecoderKind } from '../compress/decompress';
import { sha256Hasher, sha256Hex } from '../hash/sha256';
import { entryHeaderBlocks, type TarWriteEntry } from '../tar/write';
import { goJson, goMap } from '../model/gojson';
import { isAbort } from '../model/errors';
import {
  familiarName,
  familiarString,
  parseNormalizedNamed,
  referenceString,
  tagNameOnly,
  InvalidReferenceError,
} from '../reference/reference';
import type { ImageInfo } from '../model/types';

export const MEDIA_TYPE_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MEDIA_TYPE_OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

/** Where one layer's uncompressed tar comes from. */
export type SaveLayerSource =
  /** A layer of an opened archive (decompressed when stored compressed). */
  | { kind: 'archive'; opened: OpenedArchive; key: string }
  /** An uncompressed tar held in memory (a committed layer). */
  | { kind: 'tar'; tar: Blob | Uint8Array };

export interface SaveImage {
  /** The config exactly as stored. */
  config: Uint8Array;
  /** Tags, any form Docker accepts (`busybox`, `localhost/app:1`, `docker.io/library/x:y`). */
  repoTags: string[];
  /** `rootfs.diff_ids`, bottom to top. */
  diffIds: string[];
  layers: SaveLayerSource[];
  /** The parent image ID (`docker commit`), written as `Parent` when that image is saved too. */
  parentId?: string;
}

export interface SaveOptions {
  signal?: AbortSignal;
}

export interface SavedArchive {
  blob: Blob;
  /** A safe download name: `busybox-app_latest.tar`. */
  fileName: string;
  /** Tags Docker would not accept, left out. */
  skippedTags: string[];
  /** The top-level documents as written. */
  documents: { 'manifest.json': string; 'index.json': string; repositories?: string };
}

export class SaveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaveError';
  }
}

const utf8 = new TextEncoder();

/** The config bytes as stored: the text when it hashes to the ID, else the archive's member. */
async function configBytes(image: ImageInfo, opened?: OpenedArchive): Promise<Uint8Array> {
  const fromText = utf8.encode(image.configDoc.text);
  if ((await sha256Hex(fromText)) === image.id) return fromText;
  const entry =
    opened && image.configDoc.path ? resolveMember(opened.outer, image.configDoc.path) : undefined;
  if (entry) {
    const raw = await readMemberBytes(opened!.outer, entry);
    if ((await sha256Hex(raw)) === image.id) return raw;
  }
  throw new SaveError(
    `The config of image ${image.id.slice(7, 19)} is not available byte for byte, so its ID would change.`,
  );
}

/**
 * What `saveArchive` needs for one image: layers from `opened` by key, or from `tars` (committed
 * layers: key → uncompressed tar).
 */
export async function saveInput(
  image: ImageInfo,
  from: { opened?: OpenedArchive; tars?: ReadonlyMap<string, Blob | Uint8Array> },
): Promise<SaveImage> {
  const layers = image.layerKeys.map((key): SaveLayerSource => {
    const tar = from.tars?.get(key);
    if (tar) return { kind: 'tar', tar };
    const info = from.opened?.model.layers[key];
    if (!from.opened || !info) throw new SaveError(`Layer ${key} is not available to save.`);
    if (!info.present)
      throw new SaveError(
        `Layer ${key} is not in the archive (${info.absentReason ?? 'missing'}), so the image cannot be saved.`,
      );
    return { kind: 'archive', opened: from.opened, key };
  });
  return {
    config: await configBytes(image, from.opened),
    repoTags: [...image.repoTags],
    diffIds: [...image.diffIds],
    layers,
    parentId: image.parentId,
  };
}

interface LayerBlob {
  parts: BlobPart[];
  size: number;
  /** Seconds: the created time of the first image that saved it. */
  mtime: number;
}

/** Decompressed bytes are gathered into Blobs of about this size (no giant buffer). */
const CHUNK_BLOB_BYTES = 8 << 20;

async function decompressLayer(
  opened: OpenedArchive,
  key: string,
  diffId: string,
  signal?: AbortSignal,
): Promise<{ parts: BlobPart[]; size: number }> {
  const layer = opened.model.layers[key]!;
  const { offset, size } = layer.blob!;
  const attempt = async (decoder?: DecoderKind) => {
    const hash = await sha256Hasher();
    const parts: BlobPart[] = [];
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    let total = 0;
    const reader = decompressedStream(
      opened.outer.source.slice(offset, offset + size),
      layer.compression,
      decoder,
    ).getReader();
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { value, done } = await reader.read();
        if (done) break;
        hash.update(value);
        total += value.length;
        batch.push(value);
        batchBytes += value.length;
        if (batchBytes >= CHUNK_BLOB_BYTES) {
          parts.push(new Blob(batch as Uint8Array<ArrayBuffer>[]));
          batch = [];
          batchBytes = 0;
        }
      }
    } catch (e) {
      await reader.cancel().catch(() => undefined);
      throw e;
    }
    if (batch.length > 0) parts.push(new Blob(batch as Uint8Array<ArrayBuffer>[]));
    return { parts, size: total, digest: hash.digest() };
  };
  let r;
  try {
    r = await attempt(layer.compression === 'gzip' ? 'native-gzip' : undefined);
  } catch (e) {
    // The native gzip decoder stops at the first member (eStargz): pako loops over them.
    if (layer.compression !== 'gzip' || isAbort(e)) throw e;
    r = await attempt('pako-gzip');
  }
  if (r.digest !== diffId)
    throw new SaveError(
      `Layer ${key} decompresses to ${r.digest}, not its diffID ${diffId}: the archive is damaged, and docker load would refuse the result.`,
    );
  return { parts: r.parts, size: r.size };
}

async function layerBlob(
  src: SaveLayerSource,
  diffId: string,
  signal?: AbortSignal,
): Promise<{ parts: BlobPart[]; size: number }> {
  if (src.kind === 'tar') {
    const tar = src.tar;
    const size = tar instanceof Blob ? tar.size : tar.length;
    return { parts: [tar as BlobPart], size };
  }
  const layer = src.opened.model.layers[src.key];
  if (!layer?.present || !layer.blob)
    throw new SaveError(`Layer ${src.key} is not in the archive, so the image cannot be saved.`);
  if (layer.compression === 'none') {
    const { offset, size } = layer.blob;
    return { parts: [src.opened.outer.source.slice(offset, offset + size)], size };
  }
  return decompressLayer(src.opened, src.key, diffId, signal);
}

interface ParsedTag {
  familiar: string;
  familiarName: string;
  full: string;
  tag: string;
}

/** `reference.ParseNormalizedNamed` + `TagNameOnly`, as `docker save NAME[:TAG]` resolves it. */
function parseTag(t: string): ParsedTag | undefined {
  try {
    const ref = tagNameOnly(parseNormalizedNamed(t));
    if (!ref.tag || ref.digest) return undefined; // canonical (digest) references are not tags
    return {
      familiar: familiarString(ref),
      familiarName: familiarName(ref),
      full: referenceString(ref),
      tag: ref.tag,
    };
  } catch (e) {
    if (e instanceof InvalidReferenceError) return undefined;
    throw e;
  }
}

function createdSeconds(config: Uint8Array): number {
  try {
    const c = JSON.parse(new TextDecoder().decode(config)) as { created?: unknown };
    const ms = typeof c.created === 'string' ? Date.parse(c.created) : NaN;
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
  } catch {
    return 0;
  }
}

const hexOf = (digest: string) => digest.slice(digest.indexOf(':') + 1);

/** A download name from the first tag (or the ID): only `[A-Za-z0-9._-]`, ending in `.tar`. */
export function saveFileName(repoTags: readonly string[], id: string): string {
  const first = repoTags.map(parseTag).find((t) => t !== undefined);
  const base = first ? first.familiar : `image-${hexOf(id).slice(0, 12)}`;
  const safe = base
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 120);
  return `${safe || 'image'}.tar`;
}

/**
 * The archive `docker save` writes for these images (in this order in manifest.json). Throws
 * SaveError for what Docker would refuse (an image without layers: "empty export").
 */
export async function saveArchive(
  images: readonly SaveImage[],
  opts: SaveOptions = {},
): Promise<SavedArchive> {
  if (images.length === 0) throw new SaveError('Nothing to save.');
  const blobs = new Map<string, { parts: BlobPart[]; size: number; mtime: number }>();
  const manifest: unknown[] = [];
  const indexDescriptors: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  const skippedTags: string[] = [];
  const ids: string[] = [];
  let blobsDirTime = 0;

  for (const img of images) ids.push(await sha256Hex(img.config));
  const saved = new Set(ids);

  for (const [i, img] of images.entries()) {
    opts.signal?.throwIfAborted();
    const id = ids[i]!;
    if (img.diffIds.length === 0) throw new SaveError('empty export - not implemented');
    if (img.layers.length !== img.diffIds.length)
      throw new SaveError(
        `Image ${id.slice(7, 19)} lists ${img.layers.length} layers for ${img.diffIds.length} diffIDs.`,
      );
    const ts = createdSeconds(img.config);
    blobsDirTime = ts;
    const layerSources: Record<string, unknown> = {};
    const layerDescs: unknown[] = [];
    for (const [j, diffId] of img.diffIds.entries()) {
      let b: LayerBlob | undefined = blobs.get(diffId);
      if (!b) {
        const lb = await layerBlob(img.layers[j]!, diffId, opts.signal);
        b = { ...lb, mtime: ts };
        blobs.set(diffId, b);
      }
      // distribution.Descriptor: mediaType, digest, size (urls, annotations, platform omitted).
      const desc = { mediaType: MEDIA_TYPE_OCI_LAYER, digest: diffId, size: b.size };
      layerSources[diffId] = desc;
      layerDescs.push(desc);
    }
    if (!blobs.has(id))
      blobs.set(id, { parts: [img.config as BlobPart], size: img.config.length, mtime: ts });

    const manifestBytes = utf8.encode(
      goJson({
        schemaVersion: 2,
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        config: { mediaType: MEDIA_TYPE_OCI_CONFIG, digest: id, size: img.config.length },
        layers: layerDescs,
      }),
    );
    const manifestDigest = await sha256Hex(manifestBytes);
    blobs.set(manifestDigest, { parts: [manifestBytes], size: manifestBytes.length, mtime: 0 });
    const untagged = {
      mediaType: MEDIA_TYPE_OCI_MANIFEST,
      digest: manifestDigest,
      size: manifestBytes.length,
    };

    const repoTags: string[] = [];
    const seen = new Set<string>();
    for (const t of img.repoTags) {
      const ref = parseTag(t);
      if (!ref) {
        skippedTags.push(t);
        continue;
      }
      if (seen.has(ref.full)) continue;
      seen.add(ref.full);
      (repositories[ref.familiarName] ??= {})[ref.tag] = hexOf(img.diffIds.at(-1)!);
      repoTags.push(ref.familiar);
      indexDescriptors.push({
        ...untagged,
        annotations: goMap({
          'io.containerd.image.name': ref.full,
          'org.opencontainers.image.ref.name': ref.tag,
        }),
      });
    }
    // save.go adds the untagged descriptor only while no descriptor was added at all (so an
    // untagged image after a tagged one is only in manifest.json, docs/FORMATS.md 1.2).
    if (indexDescriptors.length === 0) indexDescriptors.push(untagged);

    manifest.push({
      Config: `blobs/sha256/${hexOf(id)}`,
      RepoTags: repoTags.length > 0 ? repoTags : null,
      Layers: img.diffIds.map((d) => `blobs/sha256/${hexOf(d)}`),
      // validatedParentLinks: only a parent that is saved too.
      Parent: img.parentId && saved.has(img.parentId) ? img.parentId : undefined,
      LayerSources: goMap(layerSources),
    });
  }

  const manifestJson = goJson(manifest) + '\n';
  const indexJson = goJson({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_INDEX,
    manifests: indexDescriptors,
  });
  const reposJson =
    Object.keys(repositories).length > 0
      ? goJson(
          goMap(Object.fromEntries(Object.entries(repositories).map(([k, v]) => [k, goMap(v)]))),
        ) + '\n'
      : undefined;

  const parts: BlobPart[] = [];
  const add = (e: TarWriteEntry, body?: { parts: BlobPart[]; size: number }) => {
    parts.push(entryHeaderBlocks(e) as Uint8Array<ArrayBuffer>);
    if (body && body.size > 0) {
      parts.push(...body.parts);
      const pad = (512 - (body.size % 512)) % 512;
      if (pad > 0) parts.push(new Uint8Array(pad));
    }
  };
  const file = (path: string, data: Uint8Array | string, mtime = 0) => {
    const bytes = typeof data === 'string' ? utf8.encode(data) : data;
    add(
      { path, type: 'file', mode: 0o644, mtime, size: bytes.length },
      { parts: [bytes as BlobPart], size: bytes.length },
    );
  };
  add({ path: 'blobs/', type: 'dir', mode: 0o755, mtime: blobsDirTime });
  add({ path: 'blobs/sha256/', type: 'dir', mode: 0o755, mtime: 0 });
  for (const digest of [...blobs.keys()].sort()) {
    const b = blobs.get(digest)!;
    add(
      {
        path: `blobs/sha256/${hexOf(digest)}`,
        type: 'file',
        mode: 0o644,
        mtime: b.mtime,
        size: b.size,
      },
      b,
    );
  }
  file('index.json', indexJson);
  file('manifest.json', manifestJson);
  file('oci-layout', '{"imageLayoutVersion": "1.0.0"}');
  if (reposJson) file('repositories', reposJson);
  parts.push(new Uint8Array(1024));

  const first = images[0]!;
  return {
    blob: new Blob(parts, { type: 'application/x-tar' }),
    fileName: saveFileName(first.repoTags, ids[0]!),
    skippedTags,
    documents: {
      'manifest.json': manifestJson,
      'index.json': indexJson,
      ...(reposJson ? { repositories: reposJson } : {}),
    },
  };
}
