/**
 * Layer fixtures as plain `TarEntry` objects (no tar bytes): the overlay only reads the index.
 * Defaults: regular file 0644 / directory 0755, root-owned, mtime 0, fake increasing offsets.
 */
import type { TarEntry, TarEntryType } from '../tar/types';

const TYPEFLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
  other: 'S',
};

let offset = 0;

export function entry(path: string, init: Partial<TarEntry> = {}): TarEntry {
  const type = init.type ?? 'file';
  const headerOffset = offset;
  offset += 512;
  return {
    path,
    type,
    size: 0,
    mode: type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644,
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    headerOffset,
    dataOffset: headerOffset + 512,
    typeflag: TYPEFLAGS[type],
    ...init,
  };
}

export const file = (path: string, size = 0, init: Partial<TarEntry> = {}): TarEntry =>
  entry(path, { type: 'file', size, ...init });

export const dir = (path: string, init: Partial<TarEntry> = {}): TarEntry =>
  entry(path, { type: 'dir', ...init });

export const symlink = (path: string, target: string, init: Partial<TarEntry> = {}): TarEntry =>
  entry(path, { type: 'symlink', linkname: target, ...init });

export const hardlink = (path: string, target: string, init: Partial<TarEntry> = {}): TarEntry =>
  entry(path, { type: 'hardlink', linkname: target, ...init });

/** The `.wh.` marker that hides `path` (an empty regular file, OCI layer.md). */
export function whiteout(path: string): TarEntry {
  const i = path.lastIndexOf('/');
  return file(i < 0 ? `.wh.${path}` : `${path.slice(0, i)}/.wh.${path.slice(i + 1)}`);
}

/** The opaque marker of directory `path` ('' for the root). */
export function opaque(path: string): TarEntry {
  return file(path === '' ? '.wh..wh..opq' : `${path}/.wh..wh..opq`);
}
