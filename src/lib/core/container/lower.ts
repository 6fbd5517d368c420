/**
 * The container's read-only part: the image's layers merged at the top layer (the overlay model's
 * view), read through a small interface so the container never changes them and tests can use a
 * plain overlay of hand-made entries.
 */
import type { Overlay } from '../overlay/overlay';
import { cleanLinkPath, impliedDir } from '../overlay/paths';
import type { TarEntry } from '../tar/types';
import type { OpenedArchive } from '../archive/open';
import { readLayerFile } from '../archive/layers';
import type { LowerFile } from './types';

export interface LowerNode {
  entry: TarEntry;
  /** The image layer that provided `entry`. */
  layer: number;
}

export interface LowerFs {
  /** `ImageInfo.layerKeys`, bottom to top. */
  readonly layerKeys: readonly string[];
  /** The path in the image's merged filesystem ('' is the root), or undefined. */
  get(path: string): LowerNode | undefined;
  /** Names of a directory's children in the merged filesystem, in byte order. */
  childNames(dir: string): readonly string[];
  /**
   * The inode behind a path: hardlinks followed to the entry that carries the metadata and bytes
   * (they share one inode once extracted), with `file` set for regular files.
   */
  inode(path: string): LowerInode | undefined;
}

export interface LowerInode extends LowerNode {
  file?: LowerFile;
}

const MAX_HARDLINK_HOPS = 8;

/** The merged filesystem of `overlay` at its top layer. */
export function lowerFromOverlay(overlay: Overlay, layerKeys: readonly string[]): LowerFs {
  if (layerKeys.length !== overlay.layerCount)
    throw new RangeError(
      `lowerFromOverlay: ${layerKeys.length} layer keys for ${overlay.layerCount} layers`,
    );
  const top = overlay.layerCount - 1;
  const nodeAt = (k: number, path: string): LowerNode | undefined => {
    if (k < 0) return undefined;
    const n = overlay.node(k, path);
    return n && n.status !== 'deleted' ? { entry: n.entry, layer: n.layer } : undefined;
  };
  return {
    layerKeys,
    get: (path) => (path === '' ? rootNode() : nodeAt(top, path)),
    childNames: (dir) => (top < 0 ? [] : overlay.children(top, dir).map((n) => n.name)),
    inode(path) {
      let n = nodeAt(top, path);
      for (let hops = 0; n && n.entry.type === 'hardlink' && hops < MAX_HARDLINK_HOPS; hops++) {
        // A hardlink names an archive path as of the layer that wrote it (docs/FORMATS.md 1.10).
        n = nodeAt(n.layer, cleanLinkPath(n.entry.linkname));
      }
      if (!n || n.entry.type === 'hardlink') return undefined;
      if (n.entry.type !== 'file' && n.entry.type !== 'other') return n;
      const file: LowerFile = {
        layer: n.layer,
        layerKey: layerKeys[n.layer]!,
        path: n.entry.path,
        dataOffset: n.entry.dataOffset,
        size: n.entry.size,
      };
      return { ...n, file };
    },
  };
  function rootNode(): LowerNode {
    const n = top >= 0 ? overlay.node(top, '') : undefined;
    return n ? { entry: n.entry, layer: n.layer } : { entry: rootEntry(), layer: -1 };
  }
}

/** An image with no layers (`FROM scratch` and nothing else). */
export const EMPTY_LOWER: LowerFs = {
  layerKeys: [],
  get: (path) => (path === '' ? { entry: rootEntry(), layer: -1 } : undefined),
  childNames: () => [],
  inode: (path) => (path === '' ? { entry: rootEntry(), layer: -1 } : undefined),
};

/** The root directory: the same synthetic entry the overlay implies for a missing parent. */
const rootEntry = (): TarEntry => impliedDir('');

/** Reads a `LowerFile`'s bytes: a Blob or an array (both are valid Blob parts). */
export type LowerReader = (file: LowerFile) => Promise<Blob | Uint8Array>;

/**
 * Reads image-layer files: from committed layers' tars (`tars`, keyed like `CommittedLayer.key`)
 * by slicing, else from the opened archive: a lazy slice for an uncompressed layer (nothing is
 * read until the Blob is), a decompression up to the file otherwise.
 */
export function lowerFileReader(
  opened: OpenedArchive | undefined,
  tars?: ReadonlyMap<string, Blob>,
): LowerReader {
  return async (f) => {
    const tar = tars?.get(f.layerKey);
    if (tar) return tar.slice(f.dataOffset, f.dataOffset + f.size);
    if (!opened) throw new Error(`No source for layer ${f.layerKey}.`);
    const layer = opened.model.layers[f.layerKey];
    if (layer?.present && layer.blob && layer.compression === 'none') {
      const start = layer.blob.offset + f.dataOffset;
      return opened.outer.source.slice(start, start + f.size);
    }
    return readLayerFile(opened, f.layerKey, f, f.size);
  };
}
