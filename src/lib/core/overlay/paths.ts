/** Path and entry helpers shared by the overlay model, dive's replica and the listing. */
import type { TarEntry } from '../tar/types';
import type { ModifiedField } from './types';
import { compareBytes } from '../model/order';

export { compareBytes };

/** OCI image-spec layer.md "Whiteouts": `.wh.<name>` hides `<name>` in lower layers. */
export const WHITEOUT_PREFIX = '.wh.';
/** OCI image-spec layer.md "Opaque Whiteout". */
export const OPAQUE_MARKER = '.wh..wh..opq';
/** AUFS metadata lives in root-level names starting with this (moby go-archive whiteouts.go). */
export const AUFS_META_PREFIX = '.wh..wh.';
/** AUFS hardlink targets (moby `WhiteoutLinkDir`). */
export const AUFS_LINK_DIR = '.wh..wh.plnk';

/**
 * True when the path stays inside the root: relative, no empty, `.` or `..` component. The tar
 * reader already normalises, so anything else is hostile or broken; moby rejects such names with
 * "invalid entry name" (docs/FORMATS.md 1.9).
 */
export function isSafePath(path: string): boolean {
  if (path === '' || path.charCodeAt(0) === 0x2f) return false;
  let start = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i === path.length || path.charCodeAt(i) === 0x2f) {
      const len = i - start;
      if (len === 0) return false;
      if (len <= 2 && path.charCodeAt(start) === 0x2e) {
        if (len === 1 || path.charCodeAt(start + 1) === 0x2e) return false;
      }
      start = i + 1;
    }
  }
  return true;
}

/**
 * A hardlink's target is an archive path (docs/FORMATS.md 1.10) that the reader leaves as written:
 * normalise it like entry names (leading `/` and `./`, `.` components, trailing `/`).
 */
export function cleanLinkPath(link: string): string {
  const parts: string[] = [];
  for (const p of link.split('/')) {
    if (p === '' || p === '.') continue;
    parts.push(p);
  }
  return parts.join('/');
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Regular files for size purposes: `file`, and `other` (GNU sparse 'S' and unknown typeflags,
 * which POSIX tar and GNU tar extract as regular files).
 */
export function isRegular(e: TarEntry): boolean {
  return e.type === 'file' || e.type === 'other';
}

export function regularSize(e: TarEntry | undefined): number {
  return e !== undefined && isRegular(e) ? apparentSize(e) : 0;
}

/**
 * A file's size once extracted: a GNU sparse file's real size (its stored bytes are only the
 * data runs between holes), else the stored size. What `tar -tv`, `ls -l` and Docker's layer
 * size (the extracted files' sizes) count.
 */
export function apparentSize(e: TarEntry): number {
  return e.realSize ?? e.size;
}

/**
 * The entry of a directory no tar entry describes: moby `createImpliedDirectories` makes it with
 * `MkdirAll(parent, 0o755)` owned by root. Offsets of -1 mark it as synthetic.
 */
export function impliedDir(path: string): TarEntry {
  return {
    path,
    type: 'dir',
    size: 0,
    mode: 0o755,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    headerOffset: -1,
    dataOffset: -1,
    typeflag: '5',
  };
}

function sameXattrs(a?: Record<string, string>, b?: Record<string, string>): boolean {
  const ka = a ? Object.keys(a) : [];
  const kb = b ? Object.keys(b) : [];
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (a![k] !== b?.[k]) return false;
  return true;
}

/** Header fields that differ. Contents are not compared: only the index is kept (tar/types.ts). */
export function diffEntries(before: TarEntry, after: TarEntry): ModifiedField[] {
  const out: ModifiedField[] = [];
  if (before.type !== after.type) out.push('type');
  if (before.size !== after.size) out.push('size');
  if (before.mode !== after.mode) out.push('mode');
  if (
    before.uid !== after.uid ||
    before.gid !== after.gid ||
    before.uname !== after.uname ||
    before.gname !== after.gname
  )
    out.push('owner');
  if (before.linkname !== after.linkname) out.push('link');
  if (before.mtime !== after.mtime) out.push('mtime');
  if (before.devmajor !== after.devmajor || before.devminor !== after.devminor) out.push('device');
  if (!sameXattrs(before.xattrs, after.xattrs)) out.push('xattrs');
  return out;
}

/**
 * A rewrite that kept type, size, link and mtime: what a chmod/chown copy-up looks like (they change
 * ctime, not mtime). Contents are never compared, so this is a strong hint, not a proof.
 */
export function isMetadataOnly(changed: readonly ModifiedField[]): boolean {
  return changed.every((f) => f === 'mode' || f === 'owner' || f === 'xattrs');
}
