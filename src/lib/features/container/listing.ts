/**
 * The writable layer as its tar would list it (core/container/commit.ts `writableLayerTar`): every
 * upper entry in walk order, a whiteout as `.wh.<name>`, an opaque directory followed by
 * `<dir>/.wh..wh..opq` (OCI image-spec layer.md, "Whiteouts" and "Opaque Whiteout").
 */
import type { UpperEntry } from '../../core/container';

export type TarLineKind = 'dir' | 'file' | 'symlink' | 'whiteout' | 'opaque' | 'other';

export interface TarLine {
  name: string;
  kind: TarLineKind;
  /** Regular files: bytes. */
  size?: number;
  /** Copied up from this image layer (bottom = 0). */
  from?: number;
}

/** `upper`: the writable layer in walk order (`Container.upperEntries()`). */
export function tarListing(upper: readonly { path: string; entry: UpperEntry }[]): TarLine[] {
  const out: TarLine[] = [];
  for (const { path, entry: u } of upper) {
    switch (u.type) {
      case 'dir':
        out.push({ name: `${path}/`, kind: 'dir', from: u.copiedUpFrom });
        if (u.opaque) out.push({ name: `${path}/.wh..wh..opq`, kind: 'opaque' });
        break;
      case 'whiteout': {
        const i = path.lastIndexOf('/');
        const name = i < 0 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`;
        out.push({ name, kind: 'whiteout' });
        break;
      }
      case 'file':
        out.push({
          name: path,
          kind: 'file',
          size: u.data?.length ?? u.lower?.size ?? 0,
          from: u.copiedUpFrom,
        });
        break;
      case 'symlink':
        out.push({ name: path, kind: 'symlink', from: u.copiedUpFrom });
        break;
      default:
        out.push({ name: path, kind: 'other', from: u.copiedUpFrom });
    }
  }
  return out;
}

/** The last path component. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The directory of a path ('' for the root's children). */
export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
