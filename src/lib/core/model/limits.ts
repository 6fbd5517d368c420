/**
 * Every bound the engine puts on hostile or broken input, in one place so the docs
 * (docs/SECURITY.md), the UI and the error messages cite the same numbers. Going past one ends the
 * work with `ArchiveError('limit', …)`, whose message names the limit and says what to do.
 *
 * Why these values (real archives for comparison):
 *  - The big layers of real images expand 1.8–2.5× (the samples; the Debian base 2.5×), layers of
 *    a few KB up to ~50× (tar headers compress well), a layer of zero-filled files rarely beyond
 *    100×. 200× with a 1 GiB floor keeps every real layer while a 1000× bomb stops after about
 *    1 GiB of output (seconds of work).
 *  - The largest real layers hold a few hundred thousand entries (texlive, node_modules monorepos);
 *    a base image about 3,500–10,000. The index costs ~210 bytes per entry plus its names.
 *  - Linux takes paths of at most 4096 bytes (PATH_MAX), so no extractable layer has longer names;
 *    this also bounds a path's depth (≤ 2048 components) for the tree walks.
 *  - The JSON documents of real images nest at most 5 levels (config → config → Healthcheck → Test
 *    → a string; an index's manifests → platform → os.features). Chromium's structured clone (the
 *    worker's postMessage) overflows its stack at about 3,000 levels and Node's JSON.stringify at
 *    about 5,000 (measured): 64 keeps every real document and stays far from both.
 *  - Registries refuse manifests above 4 MiB (distribution, containerd); image configs are
 *    kilobytes. 16 MiB leaves room for a manifest.json naming thousands of images.
 */
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const LIMITS = {
  /** A compressed stream (a layer, or the whole archive) may expand to this many times its size… */
  expansionRatio: 200,
  /** …or to this many bytes, whichever is larger. */
  expansionFloorBytes: GiB,
  /**
   * Entries (every tar header: files, dirs, links, whiteout markers) in one layer; also the
   * members of the archive itself.
   */
  layerEntries: 1_000_000,
  /** Entries in all the layers of one archive together (the index stays in memory). */
  archiveEntries: 2_000_000,
  /** Bytes of one entry's path or link target (Linux PATH_MAX). */
  pathBytes: 4096,
  /**
   * Characters of the names one layer's index keeps: paths, link targets, user/group names,
   * xattrs (a layer of long PAX names could otherwise fill memory within the entry limit).
   */
  layerNameBytes: 256 * MiB,
  /** Characters of the names the index of all layers of an archive keeps together. */
  archiveNameBytes: 512 * MiB,
  /** One PAX / GNU extended header (Go archive/tar's bound, `maxSpecialFileSize`). */
  extensionHeaderBytes: MiB,
  /** One JSON document read into memory (manifest.json, index.json, a manifest, a config). */
  jsonBytes: 16 * MiB,
  /** Nesting of arrays and objects in one JSON document (see above). */
  jsonDepth: 64,
  /** All metadata documents read from one archive together (fan-out: many items, one config)… */
  archiveJsonBytes: 256 * MiB,
  /** …each read counting at least this much, so at most 4,096 documents are read. */
  jsonReadCharge: 64 * 1024,
  /** A zstd frame's decoding window (the zstd CLI refuses more by default: `--memory=128MB`). */
  zstdWindowBytes: 128 * MiB,
  /**
   * One package database file read for the package list (dpkg's status, apk's installed, a
   * package.json, a METADATA). Real ones: dpkg status 50 KB (a base image) to ~5 MB (a desktop
   * with 4,000 packages), apk's installed ~1 MB; 128 MiB reads a 100 MB database whole. A file
   * above it is left unread and named in the inventory's issues.
   */
  packageDbBytes: 128 * MiB,
  /** All package database bytes one image's inventory reads, every layer's versions together. */
  packageDbTotalBytes: 512 * MiB,
  /** Package database files one inventory reads (package.json of huge node_modules trees). */
  packageDbFiles: 200_000,
  /** Symlinks/hardlinks followed to find a member of the outer archive (podman links one level). */
  memberLinkDepth: 8,
} as const;

/** Most uncompressed bytes a compressed stream of `storedBytes` may produce. */
export function maxExpandedBytes(storedBytes: number): number {
  return Math.max(LIMITS.expansionFloorBytes, LIMITS.expansionRatio * storedBytes);
}

/** `1073741824` → `1 GiB`, `1943925200` → `1.81 GiB`, `4096` → `4096 bytes` (for messages). */
export function formatLimit(bytes: number): string {
  if (bytes >= GiB) return `${+(bytes / GiB).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(2)} MiB`;
  return `${bytes} bytes`;
}
