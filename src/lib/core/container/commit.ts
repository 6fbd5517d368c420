/**
 * `docker commit [-a AUTHOR] [-m MESSAGE] [-c CHANGE...] CONTAINER [REPOSITORY[:TAG]]` with the
 * classic image store and overlay2 (moby daemon/commit.go `CreateImageFromContainer`,
 * daemon/images/image_commit.go `CommitImage`, daemon/internal/image/image.go `NewChildImage`).
 *
 * The layer: overlay2's native diff tars the container's upper directory as it is
 * (graphdriver/overlay2 `Diff` → go-archive `TarWithOptions(diffPath, OverlayWhiteoutFormat)`):
 * a `filepath.WalkDir` (children in byte order, parents first, the root itself left out) where
 * every copied-up parent directory is an entry, a whiteout char device becomes an empty regular
 * file `.wh.<name>` of mode 0600 at its own name's place in the walk, and an opaque directory is
 * followed by `<dir>/.wh..wh..opq` (mode = the directory's permission bits, its owner, mtime 0).
 * Headers are what `archive.FileInfoHeader` makes in Docker 20.10 (checked header for header
 * against its commit, tests/unit/docker-container.test.ts): PAX-capable (ustar when it fits; a
 * non-ASCII name keeps only its ASCII bytes in the ustar field and the whole name in the PAX
 * record), the file-type bits in the mode (`0040755`, `0100644`), `root`/`root` as the names of
 * uid/gid 0, mtime truncated to the second, only `security.capability` among the xattrs
 * (revision 3 turned into 2). Not reproduced, because the kernel decides it: overlayfs whiteouts
 * share one inode, so Docker's hard link detection gives the second and later whiteouts the
 * first one's path as linkname. The diffID is the sha256 of that tar; a container with no changes
 * gives the 1024-byte empty tar, which `layer.IsEmpty` turns into an `empty_layer` history step
 * and no new layer.
 *
 * The config: `NewChildImage` marshals image.Image with its top-level keys sorted (`MarshalJSON`):
 * architecture, os, variant, os.version, os.features, rootfs and history come from the parent
 * image (history re-marshalled: created/created_by/author/comment/empty_layer), `config` is the
 * container's config after `--change`, `container_config` the container's config, `container`
 * the container ID, `created` now, `docker_version` the daemon's, `author` and `comment` from -a
 * and -m (no `comment` without -m); anything else the
 * parent's config had is dropped. The new history step's `created_by` is the container's CMD
 * joined with spaces (`strings.Join(child.ContainerConfig.Cmd, " ")`), with or without
 * `--change`. The image ID is the sha256 of those bytes.
 */
import { entryHeaderBlocks, type TarWriteEntry } from '../tar/write';
import type { TarEntry } from '../tar/types';
import { indexTarBlob } from '../tar/index-blob';
import { sha256Hex, sha256Stream } from '../hash/sha256';
import { layerStats } from '../archive/layers';
import { chainIds } from '../model/ids';
import type { HistoryEntry, ImageConfig, ImageInfo, LayerInfo } from '../model/types';
import { parseImageReference } from '../reference/reference';
import type { Container } from './container';
import type { LowerReader } from './lower';
import { applyChanges, containerConfigJson, mergeConfig } from './config';
import { goJson, goMap, goTime } from '../model/gojson';

/** sha256 of 1024 zero bytes: moby layer.DigestSHA256EmptyTar. */
export const EMPTY_TAR_DIFF_ID =
  'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';

export interface CommitOptions {
  /** REPOSITORY (normalised like `docker commit` does: `app` → `app:latest`). */
  repo?: string;
  tag?: string;
  /** `-m` */
  message?: string;
  /** `-a` */
  author?: string;
  /** `-c`: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR. */
  changes?: string[];
  /** Reads copied-up files whose bytes are still in the image (`lowerFileReader(opened)`). */
  readLower?: LowerReader;
  /** Milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /** The daemon's version, written as `docker_version` (default {@link DOCKER_VERSION}). */
  dockerVersion?: string;
  signal?: AbortSignal;
}

/**
 * The Docker version whose `docker commit` layerscope's is checked against, byte for byte where
 * the clock and the kernel allow (tests/unit/docker-container.test.ts, tests/fixtures/docker):
 * what a committed config says in `docker_version` unless told otherwise.
 */
export const DOCKER_VERSION = '20.10.24';

export interface CommittedLayer {
  /** Key for `ArchiveModel.layers` and `ImageInfo.layerKeys`: `commit:<diffID>`. */
  key: string;
  diffId: string;
  /** The uncompressed layer tar. */
  tar: Blob;
  /** Its index (offsets into `tar`), as `indexLayer` gives for archive layers. */
  entries: TarEntry[];
  /** No `blob`: the bytes are `tar`, not a slice of an archive. */
  info: LayerInfo;
}

export interface CommitResult {
  /** The new image; `index` is -1 until the caller places it in a list. */
  image: ImageInfo;
  /** The new layer, or undefined for a container without changes (an `empty_layer` step). */
  layer?: CommittedLayer;
  configBytes: Uint8Array;
  emptyLayer: boolean;
}

/** `docker commit CONTAINER REPO[:TAG]` → the familiar tag (`app:latest`), or none. */
export function commitReference(repo?: string, tag?: string): string | undefined {
  if (!repo) {
    if (tag) throw new Error('A tag needs a repository name: docker commit CONTAINER REPO:TAG');
    return undefined;
  }
  if (tag && repo.includes('@'))
    throw new Error('A repository name with a digest cannot have a tag as well.');
  return parseImageReference(tag ? `${repo}:${tag}` : repo).familiar;
}

/** The binary value of a tar xattr string (tar/types.ts: UTF-8 text, else one char per byte). */
function xattrBytes(s: string): Uint8Array {
  if ([...s].some((c) => c.codePointAt(0)! > 0xff)) return new TextEncoder().encode(s);
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** `ReadSecurityXattrToTarHeader`: VFS_CAP_REVISION_3 becomes revision 2 (20 bytes). */
function capability(xattrs: Record<string, string> | undefined) {
  const v = xattrs?.['security.capability'];
  if (v === undefined) return undefined;
  let b = xattrBytes(v);
  if (b.length > 3 && b[3] === 3) {
    b = b.slice(0, 20);
    b[3] = 2;
  }
  return { 'security.capability': b };
}

/**
 * The file-type bits go-archive's `FileInfoHeader` puts in the tar mode (`fillGo18FileTypeBits`:
 * `0040755` for a directory, `0100644` for a file); the whiteouts it synthesises have none.
 */
const S_IFMT = {
  dir: 0o040000,
  file: 0o100000,
  symlink: 0o120000,
  char: 0o020000,
  block: 0o060000,
  fifo: 0o010000,
} as const;

/**
 * The user or group name the daemon's host gives an ID (go-archive looks them up there): `root`
 * for 0 on any Linux host; for other IDs it depends on that host's /etc/passwd and /etc/group,
 * and a host without the entry (the common case for image IDs) writes none.
 */
function hostName(id: number): string {
  return id === 0 ? 'root' : '';
}
const ROOT = { uid: 0, gid: 0, uname: 'root', gname: 'root' };

/** The writable layer as a tar, in the order and with the headers Docker's native diff gives. */
export async function writableLayerTar(
  container: Container,
  readLower?: LowerReader,
  signal?: AbortSignal,
): Promise<Blob> {
  const parts: BlobPart[] = [];
  const header = (e: TarWriteEntry) => parts.push(entryHeaderBlocks(e) as Uint8Array<ArrayBuffer>);
  for (const { path, entry: u } of container.upperEntries()) {
    signal?.throwIfAborted();
    const mtime = Math.floor(u.mtime);
    const owner = { uid: u.uid, gid: u.gid, uname: hostName(u.uid), gname: hostName(u.gid) };
    const mode = u.mode | (u.type === 'whiteout' ? 0 : S_IFMT[u.type]);
    switch (u.type) {
      case 'dir':
        header({ path: path + '/', type: 'dir', mode, ...owner, mtime });
        if (u.opaque)
          header({ path: `${path}/.wh..wh..opq`, type: 'file', mode: u.mode & 0o777, ...owner });
        break;
      case 'whiteout': {
        const i = path.lastIndexOf('/');
        const name = i < 0 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`;
        header({ path: name, type: 'file', mode: 0o600, ...ROOT, mtime });
        break;
      }
      case 'file': {
        let data: Blob | Uint8Array = u.data ?? new Uint8Array(0);
        if (!u.data && u.lower) {
          if (!readLower)
            throw new Error(
              `Committing needs the image's bytes of /${path} (copied up unchanged): pass readLower.`,
            );
          data = await readLower(u.lower);
          if (data instanceof Blob ? data.size !== u.lower.size : data.length !== u.lower.size)
            throw new Error(`The image's bytes of /${path} could not be read in full.`);
        }
        const size = data instanceof Blob ? data.size : data.length;
        header({
          path,
          type: 'file',
          mode,
          ...owner,
          mtime,
          size,
          xattrs: capability(u.xattrs),
        });
        if (size > 0) {
          parts.push(data as BlobPart);
          const pad = (512 - (size % 512)) % 512;
          if (pad > 0) parts.push(new Uint8Array(pad));
        }
        break;
      }
      case 'symlink':
        header({ path, type: 'symlink', mode, ...owner, mtime, linkname: u.linkname });
        break;
      case 'char':
      case 'block':
        header({
          path,
          type: u.type,
          mode,
          ...owner,
          mtime,
          devmajor: u.devmajor,
          devminor: u.devminor,
        });
        break;
      case 'fifo':
        header({ path, type: 'fifo', mode, ...owner, mtime });
        break;
    }
  }
  parts.push(new Uint8Array(1024));
  return new Blob(parts, { type: 'application/x-tar' });
}

type HistoryJson = NonNullable<ImageConfig['history']>[number];

function historyJson(h: HistoryJson) {
  return {
    created: typeof h?.created === 'string' ? goTime(h.created) : undefined,
    created_by: h?.created_by || undefined,
    author: h?.author || undefined,
    comment: h?.comment || undefined,
    empty_layer: h?.empty_layer === true ? true : undefined,
  };
}

function historyEntries(config: ImageConfig, layerCount: number): HistoryEntry[] {
  let layerIndex = 0;
  return (config.history ?? []).map((h) => {
    const e: HistoryEntry = {
      created: h.created,
      createdBy: h.created_by ?? '',
      author: h.author,
      comment: h.comment ?? '',
      emptyLayer: h.empty_layer === true,
    };
    if (!e.emptyLayer) {
      if (layerIndex < layerCount) e.layerIndex = layerIndex;
      layerIndex++;
    }
    return e;
  });
}

export async function commitContainer(
  container: Container,
  opts: CommitOptions = {},
): Promise<CommitResult> {
  const reference = commitReference(opts.repo, opts.tag);
  const base = container.image;
  const parent = base.config;
  // BuildFromConfig applies -c to a copy, then merge() fills it from the container's config.
  const newConfig = mergeConfig(
    opts.changes?.length ? applyChanges(container.config, opts.changes) : container.config,
    container.config,
  );

  const tar = await writableLayerTar(container, opts.readLower, opts.signal);
  const { digest: diffId } = await sha256Stream(tar.stream(), { signal: opts.signal });
  const emptyLayer = diffId === EMPTY_TAR_DIFF_ID;

  const created = goTime(new Date((opts.now ?? Date.now)()).toISOString());
  const diffIds = emptyLayer ? [...base.diffIds] : [...base.diffIds, diffId];
  const osFeatures = parent['os.features'];
  const doc = goMap({
    architecture: (typeof parent.architecture === 'string' && parent.architecture) || 'amd64',
    author: opts.author || undefined,
    comment: opts.message || undefined,
    config: containerConfigJson(newConfig),
    container: container.id,
    container_config: containerConfigJson(container.config),
    created,
    docker_version: opts.dockerVersion ?? DOCKER_VERSION,
    history: [
      ...(Array.isArray(parent.history) ? parent.history : []).map(historyJson),
      historyJson({
        created,
        created_by: (container.config.Cmd ?? []).join(' '),
        author: opts.author,
        comment: opts.message,
        empty_layer: emptyLayer,
      }),
    ],
    os: (typeof parent.os === 'string' && parent.os) || 'linux',
    'os.features': Array.isArray(osFeatures) && osFeatures.length > 0 ? osFeatures : undefined,
    'os.version': (typeof parent['os.version'] === 'string' && parent['os.version']) || undefined,
    rootfs: {
      type: parent.rootfs?.type ?? 'layers',
      diff_ids: diffIds.length > 0 ? diffIds : undefined,
    },
    variant: (typeof parent.variant === 'string' && parent.variant) || undefined,
  });
  const configText = goJson(doc);
  const configBytes = new TextEncoder().encode(configText);
  const id = await sha256Hex(configBytes);
  const config = JSON.parse(configText) as ImageConfig;

  let layer: CommittedLayer | undefined;
  if (!emptyLayer) {
    const entries = await indexTarBlob(tar, { signal: opts.signal });
    const key = `commit:${diffId}`;
    layer = {
      key,
      diffId,
      tar,
      entries,
      info: {
        key,
        digest: diffId,
        diffId,
        mediaType: OCI_LAYER_TAR,
        compression: 'none',
        storedSize: tar.size,
        present: true,
        stats: layerStats(entries, tar.size),
        digestState: 'verified',
        diffIdState: 'verified',
      },
    };
  }
  const layerKeys = layer ? [...base.layerKeys, layer.key] : [...base.layerKeys];
  const image: ImageInfo = {
    index: -1,
    id,
    repoTags: reference ? [reference] : [],
    created,
    author: opts.author || undefined,
    platform: {
      os: config.os ?? 'linux',
      architecture: config.architecture ?? 'amd64',
      variant: config.variant,
    },
    config,
    configDoc: { path: `blobs/sha256/${id.slice(7)}`, digest: id, text: configText },
    layerKeys,
    diffIds,
    chainIds: await chainIds(diffIds),
    history: historyEntries(config, layerKeys.length),
    size: base.size + (layer?.info.stats?.contentSize ?? 0),
    parentId: base.id,
  };
  return { image, layer, configBytes, emptyLayer };
}
