/**
 * The image model: what an archive holds, as the engine reads it. Plain data (structured-clone
 * safe) so it crosses the worker boundary unchanged.
 */

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2';

/** The archive variants of docs/FORMATS.md section 1; the reading logic is shared, the label is shown. */
export type ArchiveKind =
  /** Docker < 25 `docker save`: `<v1id>/layer.tar`, manifest.json, repositories (FORMATS 1.1). */
  | 'docker-legacy'
  /** Docker >= 25 classic store: OCI layout + manifest.json, uncompressed layers (FORMATS 1.2). */
  | 'docker-oci'
  /** containerd writer: Docker 29 default, ctr, nerdctl, BuildKit type=docker (FORMATS 1.3). */
  | 'containerd'
  /** containers/image docker-archive: podman save, skopeo (FORMATS 1.4). */
  | 'docker-archive'
  /** OCI image layout in a tar: podman/skopeo oci-archive, BuildKit type=oci (FORMATS 1.5). */
  | 'oci-archive'
  /** go-containerregistry tarball: crane, kaniko, ko (FORMATS 1.6). */
  | 'ggcr-tarball';

/** Where a blob sits in the (uncompressed) outer archive. */
export interface BlobLocation {
  /** Path of the member inside the outer tar (after following symlinks). */
  path: string;
  offset: number;
  size: number;
}

export type VerifyState = 'pending' | 'verified' | 'mismatch' | 'unavailable';

export interface LayerInfo {
  /** Key of this layer in `ArchiveModel.layers`: the stored blob path, or `absent:<digest>`. */
  key: string;
  /** sha256 of the stored (possibly compressed) blob: from the manifest, else computed. */
  digest?: string;
  /** sha256 of the uncompressed tar, from the config's rootfs.diff_ids. */
  diffId?: string;
  mediaType?: string;
  /** Sniffed from the magic bytes, never from the name or media type. */
  compression: Compression;
  storedSize: number;
  blob?: BlobLocation;
  /** False when the archive references the layer but does not contain it. */
  present: boolean;
  absentReason?: string;
  /** Filled when the layer has been indexed. */
  stats?: LayerStats;
  digestState: VerifyState;
  diffIdState: VerifyState;
  /** The hashes actually computed, when they differ from what the archive claims. */
  computedDigest?: string;
  computedDiffId?: string;
}

export interface LayerStats {
  uncompressedSize: number;
  /** Every tar entry, whiteout markers included. */
  entries: number;
  /** `.wh.` markers other than opaque ones. */
  whiteouts: number;
  /** `.wh..wh..opq` markers. */
  opaqueWhiteouts: number;
  /** Sum of regular-file sizes: what `docker image history` shows as SIZE (FORMATS 1.11). */
  contentSize: number;
}

export interface HistoryEntry {
  created?: string;
  createdBy: string;
  author?: string;
  comment: string;
  emptyLayer: boolean;
  /** Index into `ImageInfo.layerKeys` of the layer this step made; undefined for empty layers. */
  layerIndex?: number;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface RawDocument {
  /** Path inside the archive, or undefined when not stored (e.g. legacy formats have no manifest). */
  path?: string;
  digest?: string;
  mediaType?: string;
  /** The exact text as stored. Untrusted: display as text only. */
  text: string;
}

export interface ImageInfo {
  /** Position in `ArchiveModel.images`. */
  index: number;
  /** Image ID as Docker's classic store computes it: sha256 of the config bytes. */
  id: string;
  /** Tags as the archive lists them; empty when untagged (shown as `<none>:<none>`). */
  repoTags: string[];
  created?: string;
  author?: string;
  platform: Platform;
  /** The parsed config JSON (untrusted strings). */
  config: ImageConfig;
  configDoc: RawDocument;
  /** The image manifest when the archive has one (OCI layouts). */
  manifestDoc?: RawDocument;
  /** The index (or nested index) the image was reached through. */
  indexDoc?: RawDocument;
  /** Layer keys into `ArchiveModel.layers`, bottom to top. */
  layerKeys: string[];
  diffIds: string[];
  chainIds: string[];
  /** Oldest first, as stored in the config, with each step mapped to its layer. */
  history: HistoryEntry[];
  /** Sum of the layers' content sizes (what `docker image ls` shows as SIZE); 0 until indexed. */
  size: number;
  /** `Parent` from manifest.json (legacy saves of builder intermediates), if any. */
  parentId?: string;
}

/** The subset of the OCI/Docker image config the views use; the rest stays in the raw JSON. */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, object> | null;
    Volumes?: Record<string, object> | null;
    StopSignal?: string;
    [key: string]: unknown;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: {
    created?: string;
    created_by?: string;
    author?: string;
    comment?: string;
    empty_layer?: boolean;
  }[];
  [key: string]: unknown;
}

/** A platform an index lists whose blobs the archive does not contain. */
export interface AbsentManifest {
  digest: string;
  platform?: Platform;
  reason: string;
}

export interface ArchiveModel {
  kind: ArchiveKind;
  /** Human label of the variant, e.g. "podman/skopeo docker-archive". */
  kindLabel: string;
  /** Compression of the whole archive (`docker save | gzip`). */
  outerCompression: Compression;
  fileName: string;
  fileSize: number;
  images: ImageInfo[];
  layers: Record<string, LayerInfo>;
  absentManifests: AbsentManifest[];
  /** The raw top-level documents (manifest.json, index.json, repositories, oci-layout). */
  documents: Record<string, RawDocument>;
  warnings: string[];
}
