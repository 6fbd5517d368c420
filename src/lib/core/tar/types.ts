/**
 * What the tar reader keeps of each entry: an index, never the contents. Contents are read on
 * demand from `dataOffset` (an offset into the uncompressed tar stream of the layer or archive).
 */
export type TarEntryType =
  | 'file'
  | 'hardlink'
  | 'symlink'
  | 'char'
  | 'block'
  | 'dir'
  | 'fifo'
  /** GNU sparse ('S') or an unknown typeflag; its data is skipped by header size. */
  | 'other';

export interface TarEntry {
  /**
   * Normalised path: PAX `path` / GNU `L` / ustar prefix+name applied, leading `/` and `./`
   * stripped, trailing `/` stripped, `.` components removed. Empty string only for the root `./`.
   */
  path: string;
  type: TarEntryType;
  /** Size of the entry's data in the stream (0 for links, dirs, devices). */
  size: number;
  /** Permission bits only (`mode & 0o7777`): old Go writers put S_IFMT bits here too. */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Seconds since the epoch (PAX fractional mtime kept as a fraction). */
  mtime: number;
  /**
   * Target of a symlink or hardlink (PAX `linkpath` / GNU `K` applied), else ''. A symlink target
   * is kept verbatim (`../lib`, `./x` and `/abs` mean different things); a hardlink target is an
   * archive path, so it is normalised like `path` to be comparable with other entries' paths.
   */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Offset of this entry's first header block (PAX/GNU extension headers included). */
  headerOffset: number;
  /** Offset of the entry's data in the uncompressed stream. */
  dataOffset: number;
  /** The raw typeflag character, for display ('0', '5', 'S', ...). */
  typeflag: string;
  /**
   * PAX extended attributes (`SCHILY.xattr.*`, `LIBARCHIVE.xattr.*`), if any, keyed by the name
   * after the prefix. A value is decoded as UTF-8 when it is valid UTF-8, else it is a binary string
   * (one char per byte, U+0000–U+00FF), so raw values such as `security.capability` survive.
   * `LIBARCHIVE.xattr.*` names are URL-decoded and their base64 values decoded the same way.
   */
  xattrs?: Record<string, string>;
  /**
   * For sparse files (GNU `S`, PAX `GNU.sparse.*`; type 'other'): the size of the file once its
   * holes are filled. `size` stays the number of bytes stored in the stream.
   */
  realSize?: number;
}

/** Thrown for input the reader cannot make sense of; `message` is user-facing. */
export class TarFormatError extends Error {
  constructor(
    message: string,
    /** Offset in the stream where the problem was found. */
    readonly offset: number,
    readonly code: 'bad-header' | 'truncated' | 'bad-checksum' | 'bad-pax' | 'limit' = 'bad-header',
    /** For `code: 'limit'`: which bound was hit (the caller words its own message from it). */
    readonly limit?: 'entries' | 'name-bytes' | 'path-bytes',
  ) {
    super(message);
    this.name = 'TarFormatError';
  }

  /** The entries read before the problem was found (set by the indexers). */
  partial?: TarEntry[];
}
