import type {
  AbsentManifest,
  ArchiveKind,
  ArchiveModel,
  HistoryEntry,
  ImageConfig,
  ImageInfo,
  LayerInfo,
  Platform,
  RawDocument,
} from '../model/types';
import { sniffCompression } from '../compress/sniff';
import { sha256Hex } from '../hash/sha256';
import { ArchiveError } from '../model/errors';
import {
  openOuter,
  readMemberBytes,
  readMemberJson,
  resolveMember,
  type OuterArchive,
  type SourceOptions,
} from './source';
import { classifyNonImage } from './detect';
import { parseArchiveJson } from '../model/json';
import { chainIds } from '../model/ids';
import { familiarizeTag } from '../reference/reference';

const KIND_LABELS: Record<ArchiveKind, string> = {
  'docker-legacy': 'Docker docker save (legacy layout, Docker < 25)',
  'docker-oci': 'Docker 25+ docker save (OCI layout + manifest.json)',
  containerd: 'containerd export (Docker 29 default, ctr, nerdctl, BuildKit)',
  'docker-archive': 'podman / skopeo docker-archive',
  'oci-archive': 'OCI image layout archive (podman / skopeo oci-archive, BuildKit type=oci)',
  'ggcr-tarball': 'go-containerregistry tarball (crane, kaniko, ko)',
};

/** manifest.json item (moby tarexport manifestItem; containers/image ManifestItem). */
interface ManifestItem {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[] | null;
  Parent?: string;
  LayerSources?: Record<string, Descriptor>;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
  urls?: string[];
}

interface OciIndex {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: Descriptor[] | null;
}

interface OciManifest {
  schemaVersion?: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[] | null;
}

/** One image found through the OCI index, before assembly. */
interface OciImage {
  manifestDoc: RawDocument;
  manifest: OciManifest;
  indexDoc?: RawDocument;
  repoTags: string[];
  refName?: string;
  platform?: Platform;
}

export interface OpenedArchive {
  model: ArchiveModel;
  outer: OuterArchive;
}

const ATTESTATION = 'attestation-manifest';
const NONDISTRIBUTABLE = /foreign|nondistributable/;

function blobPath(digest: string | undefined): string | undefined {
  if (!digest) return undefined;
  const m = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest);
  return m ? `blobs/${m[1]}/${m[2]}` : undefined;
}

// Every JSON document comes from the archive, so none is trusted to have the shape the specs give:
// the helpers below keep a field only when it has the right type (fuzzing found each of these).
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((s) => typeof s === 'string') ? v : undefined;

/** A descriptor with only well-typed fields, or undefined when it is not an object. */
function descriptor(v: unknown): Descriptor | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const p = obj(o.platform);
  const a = obj(o.annotations);
  return {
    mediaType: str(o.mediaType),
    digest: str(o.digest),
    size: typeof o.size === 'number' && Number.isSafeInteger(o.size) ? o.size : undefined,
    annotations: a
      ? Object.fromEntries(Object.entries(a).filter((e): e is [string, string] => !!str(e[1])))
      : undefined,
    platform: p
      ? { os: str(p.os), architecture: str(p.architecture), variant: str(p.variant) }
      : undefined,
  };
}

/** An OCI index or manifest document with only well-typed fields. */
function ociDocument(v: unknown): OciIndex & OciManifest {
  const o = obj(v) ?? {};
  const list = (x: unknown) =>
    Array.isArray(x) ? x.map(descriptor).filter((d): d is Descriptor => !!d) : undefined;
  return {
    schemaVersion: typeof o.schemaVersion === 'number' ? o.schemaVersion : undefined,
    mediaType: str(o.mediaType),
    manifests: list(o.manifests),
    config: o.config === undefined ? undefined : (descriptor(o.config) ?? {}),
    layers: o.layers === undefined ? undefined : (list(o.layers) ?? null),
  };
}

/** A manifest.json item; a `Layers` that is not a list of paths makes the archive unreadable. */
function manifestItem(v: unknown, i: number): ManifestItem {
  const o = obj(v);
  if (!o) return {};
  const layers = o.Layers === undefined || o.Layers === null ? null : strings(o.Layers);
  if (layers === undefined)
    throw new ArchiveError(
      'bad-json',
      `manifest.json is damaged: the Layers of its item ${i + 1} are not a list of file paths. Save the image again.`,
    );
  return {
    Config: str(o.Config),
    RepoTags: strings(o.RepoTags) ?? null,
    Layers: layers,
    Parent: str(o.Parent),
  };
}

function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === ATTESTATION ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

function asPlatform(p: Descriptor['platform']): Platform | undefined {
  if (!p?.os && !p?.architecture) return undefined;
  return { os: p.os ?? '', architecture: p.architecture ?? '', variant: p.variant };
}

/**
 * Opens an image archive: reads only the outer tar's headers and the small JSON documents, so the
 * overview is ready long before any layer is indexed (docs/FORMATS.md 1.13).
 */
export async function openArchive(
  blob: Blob,
  opts: SourceOptions & { fileName?: string } = {},
): Promise<OpenedArchive> {
  const outer = await openOuter(blob, opts);
  const m = outer.members;
  const warnings: string[] = [];
  const documents: Record<string, RawDocument> = {};

  const manifestJson = m.has('manifest.json')
    ? await readMemberJson<unknown>(outer, 'manifest.json')
    : undefined;
  const hasIndex = m.has('index.json');

  if (manifestJson && !Array.isArray(manifestJson.value)) {
    if (manifestJson.value === null)
      throw new ArchiveError(
        'null-manifest',
        'manifest.json is null: the archive was produced by a buggy tool and lists no images. Save the image again with `docker save` or `podman save`.',
      );
    if (
      typeof manifestJson.value === 'object' &&
      'schemaVersion' in (manifestJson.value as object) &&
      !hasIndex
    )
      throw new ArchiveError(
        'docker-dir',
        'This is a `podman save --format docker-dir` (containers "dir:") directory packed as a tar, not a docker-archive. Save it with `podman save --format docker-archive -o image.tar IMAGE`.',
      );
  }
  if (manifestJson) documents['manifest.json'] = { path: 'manifest.json', text: manifestJson.text };

  if (!manifestJson && !hasIndex) throw classifyNonImage(outer);

  // The images named by manifest.json (Docker / podman / crane layouts).
  const items: ManifestItem[] = Array.isArray(manifestJson?.value)
    ? (manifestJson.value as unknown[]).map(manifestItem)
    : [];
  if (manifestJson && items.length === 0 && !hasIndex)
    throw new ArchiveError(
      'no-images',
      'This archive contains no images: its manifest.json is an empty list. Save an image with `docker save -o image.tar IMAGE`.',
    );

  // The images named by index.json (OCI layouts), walking nested indexes.
  const absentManifests: AbsentManifest[] = [];
  const ociImages: OciImage[] = [];
  if (hasIndex) {
    const index = await readMemberJson<unknown>(outer, 'index.json');
    if (index) {
      const value = ociDocument(index.value);
      documents['index.json'] = {
        path: 'index.json',
        mediaType: value.mediaType,
        text: index.text,
      };
      await walkIndex(
        outer,
        value,
        documents['index.json'],
        undefined,
        0,
        ociImages,
        absentManifests,
      );
    }
  }
  for (const name of ['repositories', 'oci-layout']) {
    const e = resolveMember(outer, name);
    if (e) {
      const bytes = await readMemberBytes(outer, e);
      documents[name] = { path: name, text: new TextDecoder().decode(bytes) };
    }
  }

  const kind = detectKind(outer, items, hasIndex);
  const layers: Record<string, LayerInfo> = {};
  const images: ImageInfo[] = [];
  const byConfig = new Map<string, ImageInfo>();

  // manifest.json is the complete list for Docker-produced archives (docs/FORMATS.md 1.2); the OCI
  // index adds what manifest.json lacks (other platforms, containerd skip-manifest-json).
  for (const item of items) {
    if (!item || typeof item !== 'object' || typeof item.Config !== 'string') {
      warnings.push('manifest.json has an item without a Config; it was skipped.');
      continue;
    }
    const ociMatch = ociImages.find(
      (o) => o.manifest.config?.digest && configPathMatches(item.Config!, o.manifest.config.digest),
    );
    const img = await assembleImage(outer, {
      index: images.length,
      configPath: item.Config,
      layerPaths: item.Layers ?? [],
      layerDescriptors: ociMatch?.manifest.layers ?? undefined,
      repoTags: item.RepoTags ?? ociMatch?.repoTags ?? [],
      manifestDoc: ociMatch?.manifestDoc,
      indexDoc: ociMatch?.indexDoc,
      platform: ociMatch?.platform,
      layers,
      warnings,
    });
    images.push(img);
    byConfig.set(img.id, img);
  }
  for (const o of ociImages) {
    const cfgPath = blobPath(o.manifest.config?.digest);
    if (!cfgPath) continue;
    const cfgEntry = resolveMember(outer, cfgPath);
    if (!cfgEntry) {
      absentManifests.push({
        digest: o.manifestDoc.digest ?? '',
        platform: o.platform,
        reason: 'its config is not included in this archive',
      });
      continue;
    }
    if (o.manifest.config?.digest && byConfig.has(o.manifest.config.digest)) {
      const existing = byConfig.get(o.manifest.config.digest)!;
      existing.manifestDoc ??= o.manifestDoc;
      existing.indexDoc ??= o.indexDoc;
      // manifest.json lists familiar names (`demo:1`), index.json full ones
      // (`docker.io/library/demo:1`): the same tag, so keep one (docs/FORMATS.md 1.2).
      const known = new Set(existing.repoTags.map(familiarizeTag));
      for (const t of o.repoTags) if (!known.has(familiarizeTag(t))) existing.repoTags.push(t);
      continue;
    }
    const img = await assembleImage(outer, {
      index: images.length,
      configPath: cfgPath,
      layerPaths: (o.manifest.layers ?? []).map((d) => blobPath(d.digest) ?? ''),
      layerDescriptors: o.manifest.layers ?? [],
      repoTags: o.repoTags,
      manifestDoc: o.manifestDoc,
      indexDoc: o.indexDoc,
      platform: o.platform,
      layers,
      warnings,
    });
    images.push(img);
    byConfig.set(img.id, img);
  }

  if (images.length === 0) {
    if (hasIndex)
      throw new ArchiveError(
        'oci-no-image',
        "This OCI archive's index doesn't reference any image whose blobs are in the file" +
          (absentManifests.length
            ? ` (${absentManifests.length} manifest(s) for other platforms are referenced but not included).`
            : '.') +
          ' Save it again with the platform you want, e.g. `docker save --platform linux/amd64 -o image.tar IMAGE`.',
      );
    throw new ArchiveError(
      'no-images',
      'This archive contains no images. Save one with `docker save -o image.tar IMAGE`.',
    );
  }
  // `Parent` links (legacy saves of builder intermediates) give history rows real IDs.
  for (const [i, item] of items.entries()) {
    if (item?.Parent && images[i]) images[i].parentId = item.Parent;
  }

  return {
    outer,
    model: {
      kind,
      kindLabel: KIND_LABELS[kind],
      outerCompression: outer.outerCompression,
      fileName: opts.fileName ?? (blob instanceof File ? blob.name : 'archive.tar'),
      fileSize: blob.size,
      images,
      layers,
      absentManifests,
      documents,
      warnings,
    },
  };
}

function configPathMatches(configPath: string, digest: string): boolean {
  const hex = digest.slice(digest.indexOf(':') + 1);
  return configPath === digest || configPath.endsWith(hex) || configPath.endsWith(`${hex}.json`);
}

function detectKind(outer: OuterArchive, items: ManifestItem[], hasIndex: boolean): ArchiveKind {
  if (hasIndex) {
    if (items.length === 0) return 'oci-archive';
    return outer.members.has('repositories') ? 'docker-oci' : 'containerd';
  }
  const first = items[0];
  if (first?.Layers?.some((l) => l.endsWith('/layer.tar'))) return 'docker-legacy';
  if (first?.Config?.startsWith('sha256:') || first?.Layers?.some((l) => l.endsWith('.tar.gz')))
    return 'ggcr-tarball';
  return 'docker-archive';
}

const MAX_INDEX_DEPTH = 4;

async function walkIndex(
  outer: OuterArchive,
  index: OciIndex,
  indexDoc: RawDocument,
  parentRefs: { repoTags: string[]; refName?: string } | undefined,
  depth: number,
  out: OciImage[],
  absent: AbsentManifest[],
): Promise<void> {
  if (depth > MAX_INDEX_DEPTH) return;
  for (const d of index.manifests ?? []) {
    if (!d || typeof d !== 'object' || isAttestation(d)) continue;
    // Referrers appended by newer containerd point at a subject; they are not images.
    if (d.annotations?.['io.containerd.manifest.subject']) continue;
    const refs = parentRefs ?? refsOf(d);
    const path = blobPath(d.digest);
    const entry = path ? resolveMember(outer, path) : undefined;
    if (!entry) {
      absent.push({
        digest: d.digest ?? '',
        platform: asPlatform(d.platform),
        reason: 'not included in this archive (another platform)',
      });
      continue;
    }
    const bytes = await readMemberBytes(outer, entry);
    const text = new TextDecoder().decode(bytes);
    const doc: OciIndex & OciManifest = ociDocument(
      parseArchiveJson(text, `The blob ${d.digest} that index.json points to`),
    );
    const raw: RawDocument = {
      path,
      digest: d.digest,
      mediaType: doc.mediaType ?? d.mediaType,
      text,
    };
    if (Array.isArray(doc.manifests)) {
      await walkIndex(outer, doc, raw, refs, depth + 1, out, absent);
    } else if (doc.config) {
      out.push({
        manifestDoc: raw,
        manifest: doc,
        indexDoc: depth > 0 ? indexDoc : undefined,
        repoTags: refs.repoTags,
        refName: refs.refName,
        platform: asPlatform(d.platform),
      });
    }
  }
}

/** Tags from index annotations: containerd's full name, or an OCI ref.name that is a reference. */
function refsOf(d: Descriptor): { repoTags: string[]; refName?: string } {
  const full = str(d.annotations?.['io.containerd.image.name']);
  const ref = str(d.annotations?.['org.opencontainers.image.ref.name']);
  if (full) return { repoTags: [full], refName: ref };
  if (ref && /[/:]/.test(ref) && !ref.startsWith(':')) return { repoTags: [ref], refName: ref };
  return { repoTags: [], refName: ref };
}

interface AssembleInput {
  index: number;
  configPath: string;
  layerPaths: string[];
  layerDescriptors?: Descriptor[];
  repoTags: string[];
  manifestDoc?: RawDocument;
  indexDoc?: RawDocument;
  platform?: Platform;
  layers: Record<string, LayerInfo>;
  warnings: string[];
}

async function assembleImage(outer: OuterArchive, a: AssembleInput): Promise<ImageInfo> {
  const cfgEntry = resolveMember(outer, a.configPath);
  if (!cfgEntry)
    throw new ArchiveError(
      'missing-config',
      `The image config ${a.configPath} is missing from the archive: it is incomplete. Save the image again.`,
    );
  const cfgBytes = await readMemberBytes(outer, cfgEntry);
  const cfgText = new TextDecoder().decode(cfgBytes);
  const config = parseArchiveJson<ImageConfig>(cfgText, `The image config ${a.configPath}`);
  if (!config || typeof config !== 'object' || Array.isArray(config))
    throw new ArchiveError(
      'bad-json',
      `The image config ${a.configPath} is not a JSON object: the archive is damaged.`,
    );
  const id = await sha256Hex(cfgBytes);
  const diffIds = Array.isArray(config.rootfs?.diff_ids)
    ? config.rootfs.diff_ids.filter((d): d is string => typeof d === 'string')
    : [];
  if (a.layerPaths.length !== diffIds.length)
    throw new ArchiveError(
      'layer-count',
      `Inconsistent layer count: the archive lists ${a.layerPaths.length} layer(s) for ${a.repoTags[0] ?? id.slice(7, 19)} but its config has ${diffIds.length} diff_ids. The archive is damaged or was edited; save the image again.`,
    );

  const layerKeys: string[] = [];
  for (const [i, path] of a.layerPaths.entries()) {
    const desc = a.layerDescriptors?.[i];
    const entry = path ? resolveMember(outer, path) : undefined;
    const key = entry ? entry.path : `absent:${desc?.digest ?? diffIds[i] ?? i}`;
    layerKeys.push(key);
    if (a.layers[key]) continue;
    const mediaType = desc?.mediaType;
    if (!entry) {
      const foreign = mediaType && NONDISTRIBUTABLE.test(mediaType);
      a.layers[key] = {
        key,
        digest: desc?.digest,
        diffId: diffIds[i],
        mediaType,
        compression: 'none',
        storedSize: desc?.size ?? 0,
        present: false,
        absentReason: foreign
          ? 'not included: a foreign / non-distributable layer (Windows base layers are fetched from their URLs)'
          : `layer ${path} is missing from the archive`,
        digestState: 'unavailable',
        diffIdState: 'unavailable',
      };
      if (!foreign)
        a.warnings.push(
          `Layer ${i + 1} of ${a.repoTags[0] ?? id.slice(7, 19)} (${path}) is missing from the archive: it is incomplete.`,
        );
      continue;
    }
    const head = new Uint8Array(
      await outer.source
        .slice(entry.dataOffset, entry.dataOffset + Math.min(entry.size, 8))
        .arrayBuffer(),
    );
    const compression = sniffCompression(head);
    // The stored digest: given by an OCI descriptor, or by the blob's own name.
    const nameDigest = /(?:^|\/)(?:blobs\/sha256\/)?([0-9a-f]{64})(?:\.tar(?:\.gz)?)?$/.exec(
      entry.path,
    );
    const digest =
      desc?.digest ??
      (compression === 'none' ? diffIds[i] : nameDigest ? `sha256:${nameDigest[1]}` : undefined);
    a.layers[key] = {
      key,
      digest,
      diffId: diffIds[i],
      mediaType,
      compression,
      storedSize: entry.size,
      blob: { path: entry.path, offset: entry.dataOffset, size: entry.size },
      present: true,
      digestState: 'pending',
      diffIdState: 'pending',
    };
  }

  const history: HistoryEntry[] = [];
  let layerIndex = 0;
  for (const h of Array.isArray(config.history) ? config.history : []) {
    const empty = h?.empty_layer === true;
    const entry: HistoryEntry = {
      created: typeof h?.created === 'string' ? h.created : undefined,
      createdBy: typeof h?.created_by === 'string' ? h.created_by : '',
      author: typeof h?.author === 'string' ? h.author : undefined,
      comment: typeof h?.comment === 'string' ? h.comment : '',
      emptyLayer: empty,
    };
    if (!empty) {
      if (layerIndex < layerKeys.length) entry.layerIndex = layerIndex;
      layerIndex++;
    }
    history.push(entry);
  }
  if (layerIndex > layerKeys.length)
    a.warnings.push(
      `The history of ${a.repoTags[0] ?? id.slice(7, 19)} has more non-empty steps (${layerIndex}) than the image has layers (${layerKeys.length}); docker image history would fail with "too many non-empty layers in History section".`,
    );

  return {
    index: a.index,
    id,
    repoTags: [...a.repoTags],
    created: typeof config.created === 'string' ? config.created : undefined,
    author: typeof config.author === 'string' ? config.author : undefined,
    platform: a.platform ?? {
      os: typeof config.os === 'string' ? config.os : '',
      architecture: typeof config.architecture === 'string' ? config.architecture : '',
      variant: typeof config.variant === 'string' ? config.variant : undefined,
    },
    config,
    configDoc: {
      path: cfgEntry.path,
      digest: id,
      mediaType: undefined,
      text: cfgText,
    },
    manifestDoc: a.manifestDoc,
    indexDoc: a.indexDoc,
    layerKeys,
    diffIds,
    chainIds: await chainIds(diffIds),
    history,
    size: 0,
  };
}
