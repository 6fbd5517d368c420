/**
 * The incremental tar parser shared by `indexTarBlob` (which can skip bodies by reopening the
 * Blob further on) and `indexTarStream` (which cannot), so the two cannot drift apart.
 *
 * Feed it chunks of any size with `push()`; it indexes headers and passes over bodies. When it is
 * in the middle of a body nobody wants, `skippable` says how many bytes it would discard next and
 * `skip(n)` lets a caller that can seek jump over them without reading them.
 */
import {
  BLOCK,
  F,
  HEADER_BAD_CHECKSUM,
  HEADER_ZERO,
  checkHeader,
  decodeBinary,
  decodeField,
  decodeLibarchiveXattr,
  entryType,
  hasUstarMagic,
  headerName,
  normalizePath,
  parseNumeric,
  parsePaxNumber,
  parsePaxRecords,
} from './header';
import { TarFormatError, type TarEntry, type TarEntryType } from './types';
import { LIMITS } from '../model/limits';

export interface TarParserOptions {
  /** Called for each entry once its headers are read, before its data. */
  onEntry?: (e: TarEntry) => void;
  /** More entries than this throws `TarFormatError('limit')`. */
  maxEntries?: number;
  /**
   * More bytes than this of names kept in the index (paths, link targets, user and group names,
   * xattrs) throws `TarFormatError('limit')`: the index, not the data, is what stays in memory.
   */
  maxNameBytes?: number;
  /** Asked for each entry with data (`size > 0`): should its bytes go to `onData`? */
  wantData?: (e: TarEntry) => boolean;
  /**
   * Receives the data of wanted entries in order, in one or more pieces that add up to
   * `e.size`. A piece is a view into the pushed chunk: copy it to keep it.
   */
  onData?: (e: TarEntry, chunk: Uint8Array) => void;
  /**
   * Keep every entry in `entries` (default true). False: entries only pass through `onEntry`, so
   * a caller that stores them more compactly (columns.ts) does not also hold one object each.
   */
  keep?: boolean;
}

/**
 * Extension headers (PAX `x`/`g`, GNU `L`/`K`) above this size are refused rather than buffered;
 * Go's archive/tar uses the same 1 MiB bound (`maxSpecialFileSize`).
 */
export const MAX_EXTENSION_BYTES = LIMITS.extensionHeaderBytes;

const S_HEADER = 0;
const S_BODY = 1;
const S_EXT = 2;
const S_SPARSE_EXT = 3;

const T_PAX = 0x78; // 'x'
/** Solaris tar's name for a per-file PAX header (from a POSIX.1-2001 draft); GNU tar reads it. */
const T_SOLARIS_PAX = 0x58; // 'X'
const T_GLOBAL = 0x67; // 'g'
const T_LONGNAME = 0x4c; // 'L'
const T_LONGLINK = 0x4b; // 'K'
const T_GNU_SPARSE = 0x53; // 'S'

const TRUNCATED_ADVICE = 'the file is truncated — download or save it again.';

/** UTF-8 length of a string (names are kept decoded; limits are in bytes). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Longer than LIMITS.pathBytes in UTF-8 (a UTF-16 unit is at most 3 bytes: short names skip). */
function tooLong(s: string): boolean {
  return s.length > LIMITS.pathBytes / 3 && utf8Length(s) > LIMITS.pathBytes;
}

function padding(size: number): number {
  const r = size % BLOCK;
  return r === 0 ? 0 : BLOCK - r;
}

/** Types whose header `size` is not followed by data (Go archive/tar `isHeaderOnlyType`). */
function headerOnly(type: TarEntryType): boolean {
  return type !== 'file' && type !== 'other';
}

export class TarParser {
  /** Every entry read so far, in archive order (empty when `keep` is false). */
  readonly entries: TarEntry[] = [];
  /** Entries read so far (kept or not). */
  count = 0;
  /** Path of the last entry read, for messages. */
  private lastPath: string | undefined;
  private readonly keep: boolean;
  /** Offset in the stream of the next byte `push()` expects. */
  pos = 0;
  /** True once the end-of-archive zero block has been read; later input is ignored. */
  done = false;

  private state = S_HEADER;
  private readonly block = new Uint8Array(BLOCK);
  private blockFill = 0;

  private bodyLeft = 0;
  private padLeft = 0;
  /** The entry whose body is being passed over (for messages), and whether to deliver it. */
  private bodyEntry: TarEntry | undefined;
  private delivering = false;

  private extType = 0;
  private extSize = 0;
  private extBuf: Uint8Array | undefined;
  private extFill = 0;

  /** Offset of the first header of the entry being assembled, or -1. */
  private chainStart = -1;
  private longName: string | undefined;
  private longLink: string | undefined;
  private pax: Map<string, Uint8Array> | undefined;
  private globalPax: Map<string, Uint8Array> | undefined;
  /** A GNU `S` entry waiting for its sparse extension blocks. */
  private sparsePending: TarEntry | undefined;

  private readonly onEntry: ((e: TarEntry) => void) | undefined;
  private readonly maxEntries: number;
  private readonly maxNameBytes: number;
  /** Name bytes kept so far (see `maxNameBytes`). */
  nameBytes = 0;
  private readonly wantData: ((e: TarEntry) => boolean) | undefined;
  private readonly onData: ((e: TarEntry, chunk: Uint8Array) => void) | undefined;

  constructor(opts: TarParserOptions = {}) {
    this.onEntry = opts.onEntry;
    this.keep = opts.keep ?? true;
    this.maxEntries = opts.maxEntries ?? Infinity;
    this.maxNameBytes = opts.maxNameBytes ?? Infinity;
    this.onData = opts.onData;
    this.wantData = opts.onData ? opts.wantData : undefined;
  }

  /** Bytes of body and padding the parser would discard next: a seeking caller may `skip()`. */
  get skippable(): number {
    return this.state === S_BODY && !this.delivering ? this.bodyLeft + this.padLeft : 0;
  }

  /** Passes over `n ≤ skippable` bytes the caller did not read. */
  skip(n: number): void {
    if (n > this.skippable) throw new RangeError(`skip(${n}) beyond ${this.skippable}`);
    const body = Math.min(n, this.bodyLeft);
    this.bodyLeft -= body;
    this.padLeft -= n - body;
    this.pos += n;
    if (this.bodyLeft === 0 && this.padLeft === 0) this.endBody();
  }

  /** Parses as much of `chunk` as it can; bytes after the end-of-archive marker are ignored. */
  push(chunk: Uint8Array): void {
    const base = this.pos;
    const n = chunk.length;
    let i = 0;
    while (i < n && !this.done) {
      switch (this.state) {
        case S_HEADER:
        case S_SPARSE_EXT:
          if (this.blockFill === 0 && n - i >= BLOCK) {
            i += BLOCK;
            this.onBlock(chunk, i - BLOCK, base + i - BLOCK);
          } else {
            const take = Math.min(BLOCK - this.blockFill, n - i);
            this.block.set(chunk.subarray(i, i + take), this.blockFill);
            this.blockFill += take;
            i += take;
            if (this.blockFill === BLOCK) {
              this.blockFill = 0;
              this.onBlock(this.block, 0, base + i - BLOCK);
            }
          }
          break;
        case S_BODY: {
          if (this.bodyLeft > 0) {
            const take = Math.min(this.bodyLeft, n - i);
            if (this.delivering) this.onData!(this.bodyEntry!, chunk.subarray(i, i + take));
            this.bodyLeft -= take;
            i += take;
          }
          if (this.bodyLeft === 0) {
            const take = Math.min(this.padLeft, n - i);
            this.padLeft -= take;
            i += take;
            if (this.padLeft === 0) this.endBody();
          }
          break;
        }
        case S_EXT: {
          const take = Math.min(this.extSize - this.extFill, n - i);
          if (this.extFill === 0 && take === this.extSize) {
            // The whole extension body is in this chunk: parse it in place.
            i += take;
            this.onExtension(chunk.subarray(i - take, i), base + i - take);
          } else {
            this.extBuf ??= new Uint8Array(this.extSize);
            this.extBuf.set(chunk.subarray(i, i + take), this.extFill);
            this.extFill += take;
            i += take;
            if (this.extFill === this.extSize) {
              const body = this.extBuf;
              this.extBuf = undefined;
              this.onExtension(body, base + i - this.extSize);
            }
          }
          break;
        }
      }
    }
    this.pos = base + i;
  }

  /**
   * Declares the end of input at stream offset `end` (default: what was pushed or skipped).
   * Throws `TarFormatError('truncated')` unless the end-of-archive marker was seen.
   */
  finish(end = this.pos): void {
    if (this.done) return;
    const last = this.lastPath;
    const after = last === undefined ? '' : ` after ${last || './'}`;
    let msg: string;
    if (this.state === S_BODY && this.bodyEntry) {
      msg = `The archive ends in the middle of ${this.bodyEntry.path || './'} (at byte ${end}): ${TRUNCATED_ADVICE}`;
    } else if (
      this.state === S_HEADER &&
      this.blockFill === 0 &&
      this.chainStart < 0 &&
      !this.sparsePending
    ) {
      msg =
        end === 0
          ? `The archive is empty (0 bytes): ${TRUNCATED_ADVICE}`
          : `The archive ends at byte ${end}${after} without its end-of-archive marker: ${TRUNCATED_ADVICE}`;
    } else {
      msg = `The archive ends in the middle of a header (at byte ${end}${after}): ${TRUNCATED_ADVICE}`;
    }
    throw new TarFormatError(msg, end, 'truncated');
  }

  private endBody(): void {
    this.state = S_HEADER;
    this.bodyEntry = undefined;
    this.delivering = false;
  }

  private onBlock(buf: Uint8Array, off: number, at: number): void {
    if (this.state === S_SPARSE_EXT) {
      // GNU sparse extension block: 21 (offset, numbytes) pairs, then `isextended`.
      if (buf[off + F.gnuExtIsExtended] === 0) {
        const e = this.sparsePending!;
        this.sparsePending = undefined;
        e.dataOffset = at + BLOCK;
        this.emit(e);
      }
      return;
    }
    const status = checkHeader(buf, off);
    if (status === HEADER_ZERO) {
      // GNU tar stops at the first zero block (a lone one draws only a warning); what follows
      // the end-of-archive marker is padding or, in eStargz, a TOC no reader applies (docs/FORMATS.md
      // §1.8, §1.10).
      this.done = true;
      return;
    }
    if (status === HEADER_BAD_CHECKSUM) throw this.badChecksum(at);
    if (this.chainStart < 0) this.chainStart = at;
    const tf = buf[off + F.typeflag];
    if (
      tf === T_PAX ||
      tf === T_GLOBAL ||
      tf === T_LONGNAME ||
      tf === T_LONGLINK ||
      tf === T_SOLARIS_PAX
    ) {
      const size = parseNumeric(buf, off + F.size, 12);
      if (!(size >= 0)) throw this.badField('size', at);
      if (size > MAX_EXTENSION_BYTES) {
        throw new TarFormatError(
          `The extended header at byte ${at} is ${size} bytes long, more than layerscope accepts (${MAX_EXTENSION_BYTES}); the archive is probably damaged.`,
          at,
          'bad-header',
        );
      }
      this.extType = tf;
      this.extSize = size;
      this.extFill = 0;
      if (size === 0) this.onExtension(buf.subarray(0, 0), at + BLOCK);
      else this.state = S_EXT;
      return;
    }
    this.onEntryHeader(buf, off, at, tf);
  }

  private onExtension(body: Uint8Array, at: number): void {
    const tf = this.extType;
    if (tf === T_LONGNAME || tf === T_LONGLINK) {
      // GNU tar manual "GNU Extensions": the body is the NUL-terminated name.
      const name = decodeField(body, 0, body.length);
      if (tf === T_LONGNAME) this.longName = name;
      else this.longLink = name;
    } else {
      const global = tf === T_GLOBAL;
      let map: Map<string, Uint8Array>;
      if (global) map = this.globalPax ??= new Map();
      else map = this.pax ??= new Map();
      const err = parsePaxRecords(body, (key, value) => {
        // POSIX pax: an empty value in `g` removes the keyword; in `x` it overrides a global
        // value with the header field, so it is kept as empty and skipped when applied.
        // Copied: `value` is a view into the caller's chunk, which may be reused.
        if (global && value.length === 0) map.delete(key);
        else map.set(key, value.slice());
      });
      if (err) {
        throw new TarFormatError(
          `The PAX extended header at byte ${at - BLOCK} is malformed (${err}); the archive is damaged.`,
          at - BLOCK,
          'bad-pax',
        );
      }
      // A global header stands alone: it is not part of the next entry's headers.
      if (global && this.chainStart === at - BLOCK) this.chainStart = -1;
    }
    const pad = padding(this.extSize);
    this.state = S_BODY;
    this.bodyLeft = 0;
    this.padLeft = pad;
    this.bodyEntry = undefined;
    this.delivering = false;
    if (pad === 0) this.endBody();
  }

  private onEntryHeader(buf: Uint8Array, off: number, at: number, tf: number): void {
    const ustar = hasUstarMagic(buf, off);
    let type = entryType(tf);
    let name = this.longName ?? headerName(buf, off);
    let link =
      this.longLink ?? (buf[off + F.linkname] === 0 ? '' : decodeField(buf, off + F.linkname, 100));
    let size = parseNumeric(buf, off + F.size, 12);
    if (!(size >= 0)) throw this.badField('size', at);
    let uid = parseNumeric(buf, off + F.uid, 8) || 0;
    let gid = parseNumeric(buf, off + F.gid, 8) || 0;
    let mtime = parseNumeric(buf, off + F.mtime, 12) || 0;
    let uname = ustar ? decodeField(buf, off + F.uname, 32) : '';
    let gname = ustar ? decodeField(buf, off + F.gname, 32) : '';
    let devmajor = 0;
    let devminor = 0;
    if (ustar && (type === 'char' || type === 'block')) {
      devmajor = parseNumeric(buf, off + F.devmajor, 8) || 0;
      devminor = parseNumeric(buf, off + F.devminor, 8) || 0;
    }
    let xattrs: Record<string, string> | undefined;
    let realSize: number | undefined;
    let sparse = tf === T_GNU_SPARSE;
    if (sparse) realSize = parseNumeric(buf, off + F.gnuRealSize, 12) || 0;

    if (this.pax !== undefined || this.globalPax !== undefined) {
      let records = this.pax;
      if (this.globalPax !== undefined) {
        records = new Map(this.globalPax);
        if (this.pax !== undefined) for (const [k, v] of this.pax) records.set(k, v);
      }
      let sparseName: string | undefined;
      for (const [key, bytes] of records!) {
        if (bytes.length === 0) continue;
        // POSIX pax "pax Extended Header" keywords; GNU.sparse.* from the GNU tar manual
        // "Storing Sparse Files"; xattr prefixes as written by star/GNU tar and bsdtar.
        switch (key) {
          case 'path':
            name = decodeField(bytes, 0, bytes.length);
            break;
          case 'linkpath':
            link = decodeField(bytes, 0, bytes.length);
            break;
          case 'size': {
            const v = parsePaxNumber(decodeField(bytes, 0, bytes.length), false);
            if (Number.isNaN(v)) throw this.badPaxNumber(key, at);
            size = v;
            break;
          }
          case 'uid':
          case 'gid': {
            const v = parsePaxNumber(decodeField(bytes, 0, bytes.length), false);
            if (Number.isNaN(v)) throw this.badPaxNumber(key, at);
            if (key === 'uid') uid = v;
            else gid = v;
            break;
          }
          case 'mtime': {
            const v = parsePaxNumber(decodeField(bytes, 0, bytes.length), true);
            if (Number.isNaN(v)) throw this.badPaxNumber(key, at);
            mtime = v;
            break;
          }
          case 'uname':
            uname = decodeField(bytes, 0, bytes.length);
            break;
          case 'gname':
            gname = decodeField(bytes, 0, bytes.length);
            break;
          case 'GNU.sparse.name':
            sparseName = decodeField(bytes, 0, bytes.length);
            sparse = true;
            break;
          case 'GNU.sparse.realsize':
          case 'GNU.sparse.size':
            realSize = parsePaxNumber(decodeField(bytes, 0, bytes.length), false) || 0;
            sparse = true;
            break;
          default:
            if (key.startsWith('SCHILY.xattr.')) {
              xattrs ??= {};
              xattrs[key.slice(13)] = decodeBinary(bytes);
            } else if (key.startsWith('LIBARCHIVE.xattr.')) {
              const x = decodeLibarchiveXattr(key.slice(17), decodeField(bytes, 0, bytes.length));
              if (x) (xattrs ??= {})[x.name] = x.value;
            } else if (key.startsWith('GNU.sparse.')) {
              sparse = true;
            }
        }
      }
      if (sparseName !== undefined) name = sparseName;
      this.pax = undefined;
    }

    // Linux refuses longer paths (PATH_MAX), and deeper trees would only feed the tree walks.
    const long = tooLong(name) ? name : tooLong(link) ? link : undefined;
    if (long !== undefined) {
      throw new TarFormatError(
        `The entry at byte ${this.chainStart} has a ${utf8Length(long)}-byte ${long === name ? 'path' : 'link target'}, longer than the ${LIMITS.pathBytes} bytes a Linux path may have (layerscope's limit, PATH_MAX): no system could extract it.`,
        this.chainStart,
        'limit',
        'path-bytes',
      );
    }

    // Old V7 and early GNU writers marked directories only by the trailing slash (GNU tar and Go
    // archive/tar read a regular-file typeflag with a trailing `/` as a directory).
    if ((tf === 0x30 || tf === 0) && name.charCodeAt(name.length - 1) === 0x2f) type = 'dir';
    // The data of a sparse file in the stream is not its contents: it is skipped by size.
    if (sparse) type = 'other';
    if (headerOnly(type)) size = 0;

    const entry: TarEntry = {
      path: normalizePath(name),
      type,
      size,
      mode: (parseNumeric(buf, off + F.mode, 8) || 0) & 0o7777,
      uid,
      gid,
      uname,
      gname,
      mtime,
      linkname: type === 'hardlink' ? normalizePath(link) : link,
      devmajor,
      devminor,
      headerOffset: this.chainStart,
      dataOffset: at + BLOCK,
      typeflag: String.fromCharCode(tf),
    };
    if (xattrs !== undefined) entry.xattrs = xattrs;
    if (realSize !== undefined) entry.realSize = realSize;
    this.chainStart = -1;
    this.longName = undefined;
    this.longLink = undefined;

    if (tf === T_GNU_SPARSE && buf[off + F.gnuIsExtended] !== 0) {
      // GNU tar manual "Old GNU Format": more sparse map blocks follow, before the data and not
      // counted in `size`.
      this.sparsePending = entry;
      this.state = S_SPARSE_EXT;
      return;
    }
    this.emit(entry);
  }

  private emit(e: TarEntry): void {
    if (this.count >= this.maxEntries) {
      throw new TarFormatError(
        `The archive has more than ${this.maxEntries} entries, more than layerscope lists; stopped at ${e.path || './'}.`,
        e.headerOffset,
        'limit',
        'entries',
      );
    }
    let names = e.path.length + e.linkname.length + e.uname.length + e.gname.length;
    if (e.xattrs !== undefined)
      for (const [k, v] of Object.entries(e.xattrs)) names += k.length + v.length;
    this.nameBytes += names;
    if (this.nameBytes > this.maxNameBytes) {
      throw new TarFormatError(
        `The names in the archive (paths, link targets, owners, xattrs) add up to more than ${this.maxNameBytes} bytes, more than layerscope keeps in memory; stopped at ${e.path || './'}.`,
        e.headerOffset,
        'limit',
        'name-bytes',
      );
    }
    if (this.keep) this.entries.push(e);
    this.count++;
    this.lastPath = e.path;
    this.onEntry?.(e);
    const size = e.size;
    this.bodyEntry = e;
    this.bodyLeft = size;
    this.padLeft = padding(size);
    this.delivering = size > 0 && this.wantData !== undefined && this.wantData(e);
    this.state = S_BODY;
    if (size === 0) this.endBody();
  }

  private badChecksum(at: number): TarFormatError {
    const last = this.lastPath;
    const msg =
      at === 0
        ? 'This is not a tar archive: its first header (at byte 0) fails the tar checksum test.'
        : `The tar header at byte ${at}${last !== undefined ? ` (after ${last || './'})` : ''} is corrupt: its checksum does not match. The file is damaged — download or save it again.`;
    return new TarFormatError(msg, at, 'bad-checksum');
  }

  private badField(field: string, at: number): TarFormatError {
    return new TarFormatError(
      `The tar header at byte ${at} has an unreadable ${field} field; the archive is damaged.`,
      at,
      'bad-header',
    );
  }

  private badPaxNumber(key: string, at: number): TarFormatError {
    return new TarFormatError(
      `The PAX extended header before byte ${at} has an invalid ${key} value; the archive is damaged.`,
      at,
      'bad-pax',
    );
  }
}
