/**
 * A small tar writer: committed image layers built in the app, and synthetic test archives.
 *
 * Like Go's archive/tar (what Docker and containerd write, docs/FORMATS.md §1.10), the default 'pax'
 * format emits plain ustar headers when an entry fits and a PAX `x` header only for what does not
 * (long or non-ASCII names, large numbers, fractional mtimes, xattrs). 'gnu' uses GNU `L`/`K`
 * long-name headers and base-256 numbers instead; 'ustar' refuses what ustar cannot hold.
 */
import { BLOCK, F } from './header';
import type { TarEntryType } from './types';

export type TarWriteFormat = 'ustar' | 'pax' | 'gnu';

export interface TarWriteEntry {
  /** Written as given (`./x` stays `./x`); a directory gets a trailing `/` if it has none. */
  path: string;
  type: Exclude<TarEntryType, 'other'>;
  /** Default 0o755 for dirs, 0o777 for symlinks, else 0o644. Written as given (S_IFMT bits too). */
  mode?: number;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Seconds since the epoch; a fraction is kept only by the 'pax' format. */
  mtime?: number;
  /** Target of a symlink or hardlink. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** Contents of a regular file. */
  data?: Uint8Array;
  /**
   * Size of a regular file whose data the caller writes itself after the header (streaming a
   * body too large to hold); ignored when `data` is given.
   */
  size?: number;
  /** Extended attributes (`SCHILY.xattr.<name>`), 'pax' format only. Bytes are written raw. */
  xattrs?: Record<string, string | Uint8Array>;
}

export interface TarWriteOptions {
  /** Default 'pax'. */
  format?: TarWriteFormat;
}

const encoder = new TextEncoder();

const TYPEFLAGS: Record<TarWriteEntry['type'], string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

/** The raw fields of one header block, for `encodeHeader`. Strings are written as UTF-8. */
export interface HeaderFields {
  name: string | Uint8Array;
  typeflag: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: number;
  linkname?: string | Uint8Array;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  /** POSIX ustar `prefix`; only with the 'posix' magic. */
  prefix?: string | Uint8Array;
  /** 'posix' = `ustar\0` `00` (default), 'gnu' = `ustar  \0`, 'v7' = none. */
  magic?: 'posix' | 'gnu' | 'v7';
  /** Numbers octal only (default) or GNU base-256 when they do not fit. */
  base256?: boolean;
}

function bytesOf(s: string | Uint8Array): Uint8Array {
  return typeof s === 'string' ? encoder.encode(s) : s;
}

function putBytes(block: Uint8Array, off: number, len: number, value: Uint8Array, what: string) {
  if (value.length > len) throw new RangeError(`tar: ${what} is ${value.length} bytes, max ${len}`);
  block.set(value, off);
}

/** Largest value of an octal field of `len` bytes (len-1 digits and a NUL, POSIX ustar). */
function octalMax(len: number): number {
  return 8 ** (len - 1) - 1;
}

/**
 * Writes a numeric field: octal with a NUL terminator, or GNU base-256 (first byte 0x80, or 0xff
 * for negative values: big-endian two's complement, GNU tar manual "Basic Tar Format").
 */
function putNumber(
  block: Uint8Array,
  off: number,
  len: number,
  value: number,
  base256: boolean,
  what: string,
) {
  if (!Number.isSafeInteger(value)) throw new RangeError(`tar: ${what} ${value} is not an integer`);
  if (value >= 0 && value <= octalMax(len)) {
    const s = value.toString(8).padStart(len - 1, '0');
    for (let i = 0; i < len - 1; i++) block[off + i] = s.charCodeAt(i);
    block[off + len - 1] = 0;
    return;
  }
  if (!base256) throw new RangeError(`tar: ${what} ${value} does not fit in an octal field`);
  let v = value;
  for (let i = len - 1; i > 0; i--) {
    block[off + i] = ((v % 256) + 256) % 256;
    v = Math.floor(v / 256);
  }
  if (v < -64 || v > 63) throw new RangeError(`tar: ${what} ${value} does not fit in ${len} bytes`);
  block[off] = 0x80 | (v & 0x7f);
}

/** Fills the checksum field: the unsigned byte sum with the field as spaces, `%06o\0 `. */
export function setChecksum(block: Uint8Array, off = 0): void {
  block.fill(0x20, off + F.chksum, off + F.chksum + 8);
  let sum = 0;
  for (let i = off; i < off + BLOCK; i++) sum += block[i];
  const s = sum.toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) block[off + F.chksum + i] = s.charCodeAt(i);
  block[off + F.chksum + 6] = 0;
  block[off + F.chksum + 7] = 0x20;
}

/** One 512-byte header block with a valid checksum. */
export function encodeHeader(h: HeaderFields): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(BLOCK);
  const base256 = h.base256 ?? false;
  putBytes(b, F.name, 100, bytesOf(h.name), 'name');
  putNumber(b, F.mode, 8, h.mode ?? 0, base256, 'mode');
  putNumber(b, F.uid, 8, h.uid ?? 0, base256, 'uid');
  putNumber(b, F.gid, 8, h.gid ?? 0, base256, 'gid');
  putNumber(b, F.size, 12, h.size ?? 0, base256, 'size');
  putNumber(b, F.mtime, 12, h.mtime ?? 0, base256, 'mtime');
  b[F.typeflag] = h.typeflag.charCodeAt(0) || 0;
  if (h.linkname !== undefined) putBytes(b, F.linkname, 100, bytesOf(h.linkname), 'linkname');
  const magic = h.magic ?? 'posix';
  if (magic !== 'v7') {
    b.set(encoder.encode(magic === 'posix' ? 'ustar\x0000' : 'ustar  \x00'), F.magic);
    if (h.uname) putBytes(b, F.uname, 31, encoder.encode(h.uname), 'uname');
    if (h.gname) putBytes(b, F.gname, 31, encoder.encode(h.gname), 'gname');
    putNumber(b, F.devmajor, 8, h.devmajor ?? 0, base256, 'devmajor');
    putNumber(b, F.devminor, 8, h.devminor ?? 0, base256, 'devminor');
    if (h.prefix !== undefined) {
      if (magic !== 'posix') throw new RangeError('tar: a prefix needs the POSIX ustar magic');
      putBytes(b, F.prefix, 155, bytesOf(h.prefix), 'prefix');
    }
  }
  setChecksum(b);
  return b;
}

/**
 * The body of a PAX extended header: `<length> <key>=<value>\n` records, the length counting the
 * whole record in bytes, its own digits included (POSIX pax "pax Extended Header").
 */
export function paxBody(records: Iterable<readonly [string, string | Uint8Array]>): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [key, value] of records) {
    const k = encoder.encode(key);
    const v = bytesOf(value);
    const rest = 1 + k.length + 1 + v.length + 1;
    let len = rest + String(rest).length;
    if (String(len).length + rest !== len) len = String(len).length + rest;
    const rec = new Uint8Array(len);
    let o = 0;
    for (const c of String(len) + ' ') rec[o++] = c.charCodeAt(0);
    rec.set(k, o);
    o += k.length;
    rec[o++] = 0x3d;
    rec.set(v, o);
    o += v.length;
    rec[o] = 0x0a;
    parts.push(rec);
    total += len;
  }
  return concat(parts, total);
}

/** An extension header (PAX `x`/`g`, GNU `L`/`K`) and its padded body, as one array. */
export function extensionBlocks(
  typeflag: 'x' | 'g' | 'L' | 'K',
  name: string,
  body: Uint8Array,
): Uint8Array {
  const gnu = typeflag === 'L' || typeflag === 'K';
  const header = encodeHeader({
    name,
    typeflag,
    // Go's archive/tar writeRawFile: mode, uid, gid and mtime 0 (GNU tar writes 0644 for its own).
    mode: 0,
    size: body.length,
    magic: gnu ? 'gnu' : 'posix',
  });
  const out = new Uint8Array(BLOCK + roundUp(body.length));
  out.set(header, 0);
  out.set(body, BLOCK);
  return out;
}

function roundUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
  return true;
}

/**
 * Splits a name into ustar `prefix` (≤155 bytes) and `name` (≤100 bytes) at a `/` (POSIX ustar:
 * the name is prefix + `/` + name), or returns undefined when no split fits.
 */
function splitUstar(b: Uint8Array): { prefix: Uint8Array; name: Uint8Array } | undefined {
  const last = Math.min(b.length - 2, 155);
  for (let i = last; i > 0; i--) {
    if (b[i] === 0x2f && b.length - i - 1 <= 100) {
      return { prefix: b.subarray(0, i), name: b.subarray(i + 1) };
    }
  }
  return undefined;
}

/** The header blocks of one entry (extension headers included), as one array. */
export function entryHeaderBlocks(e: TarWriteEntry, opts: TarWriteOptions = {}): Uint8Array {
  const format = opts.format ?? 'pax';
  const pax: [string, string | Uint8Array][] = [];
  const blocks: Uint8Array[] = [];
  const path = e.type === 'dir' && !e.path.endsWith('/') ? e.path + '/' : e.path;
  const nameBytes = encoder.encode(path);
  const size = e.type === 'file' ? (e.data?.length ?? e.size ?? 0) : 0;
  if (e.data && e.data.length > 0 && e.type !== 'file') {
    throw new RangeError(`tar: ${e.path}: only regular files have data`);
  }

  let name: Uint8Array = nameBytes;
  let prefix: Uint8Array | undefined;
  const plain = format !== 'pax' || isAscii(nameBytes);
  if (nameBytes.length > 100 || !plain) {
    const split = format === 'gnu' || !plain ? undefined : splitUstar(nameBytes);
    if (split) ({ name, prefix } = split);
    else if (format === 'pax') pax.push(['path', path]);
    else if (format === 'gnu') blocks.push(longName('L', nameBytes));
    else throw new RangeError(`tar: ${path} is too long for a ustar header`);
    // Go's archive/tar (PAX): the ustar field holds the name with its non-ASCII bytes dropped
    // (toASCII), truncated; the PAX record has the whole name.
    if (!split)
      name = format === 'pax' ? toAscii(nameBytes).subarray(0, 100) : truncate(nameBytes, 100);
  }

  let link: Uint8Array = encoder.encode(e.linkname ?? '');
  if (link.length > 100 || (format === 'pax' && !isAscii(link))) {
    if (format === 'pax') pax.push(['linkpath', e.linkname ?? '']);
    else if (format === 'gnu') blocks.push(longName('K', link));
    else throw new RangeError(`tar: the link target of ${path} is too long for a ustar header`);
    link = format === 'pax' ? toAscii(link).subarray(0, 100) : truncate(link, 100);
  }

  // 'pax' moves what octal cannot hold exactly into records (the header keeps the whole part
  // when it fits, for ustar-only readers); the others truncate fractions and use base-256.
  const num = (key: string, value: number, len: number): number => {
    const whole = Math.floor(value);
    if (!Number.isSafeInteger(whole)) throw new RangeError(`tar: ${path}: bad ${key} ${value}`);
    if (format !== 'pax') return whole;
    if (whole === value && value >= 0 && value <= octalMax(len)) return value;
    pax.push([key, paxDecimal(value)]);
    return whole >= 0 && whole <= octalMax(len) ? whole : 0;
  };
  const uid = num('uid', e.uid ?? 0, 8);
  const gid = num('gid', e.gid ?? 0, 8);
  const mtime = num('mtime', e.mtime ?? 0, 12);
  const hsize = num('size', size, 12);

  let uname = e.uname ?? '';
  let gname = e.gname ?? '';
  if (format === 'pax') {
    const fits = (s: string) => s.length <= 31 && isAscii(encoder.encode(s));
    if (!fits(uname)) {
      pax.push(['uname', uname]);
      uname = '';
    }
    if (!fits(gname)) {
      pax.push(['gname', gname]);
      gname = '';
    }
  }

  if (e.xattrs) {
    if (format !== 'pax') throw new RangeError(`tar: xattrs of ${path} need the 'pax' format`);
    for (const [k, v] of Object.entries(e.xattrs)) pax.push([`SCHILY.xattr.${k}`, v]);
  }

  if (pax.length > 0) {
    // Go's archive/tar writePAXHeader: path.Join(dir, "PaxHeaders.0", file), then toASCII,
    // at most 100 bytes, trailing slashes trimmed (`srv/ünï.txt` → `srv/PaxHeaders.0/n.txt`).
    const clean = path.replace(/\/+$/, '');
    const i = clean.lastIndexOf('/');
    const xname = `${clean.slice(0, i + 1)}PaxHeaders.0/${clean.slice(i + 1)}`;
    const ascii = new TextDecoder().decode(toAscii(encoder.encode(xname)).subarray(0, 100));
    blocks.unshift(extensionBlocks('x', ascii.replace(/\/+$/, ''), paxBody(pax)));
  }

  const defaultMode = e.type === 'dir' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644;
  blocks.push(
    encodeHeader({
      name,
      prefix,
      typeflag: TYPEFLAGS[e.type],
      mode: e.mode ?? defaultMode,
      uid,
      gid,
      size: hsize,
      mtime,
      linkname: link,
      uname,
      gname,
      devmajor: e.devmajor ?? 0,
      devminor: e.devminor ?? 0,
      magic: format === 'gnu' ? 'gnu' : 'posix',
      // Devices have no PAX keyword, so base-256 is the only way for large numbers there too.
      base256: format !== 'ustar',
    }),
  );
  return blocks.length === 1 ? blocks[0] : concat(blocks);
}

/** The shortest decimal that reads back as `v`, never in exponent notation (POSIX pax numbers). */
function paxDecimal(v: number): string {
  const s = String(v);
  return s.includes('e') ? v.toFixed(100).replace(/\.?0+$/, '') : s;
}

function longName(typeflag: 'L' | 'K', bytes: Uint8Array): Uint8Array {
  // GNU tar writes the name NUL-terminated and counts the NUL in the size.
  const body = new Uint8Array(bytes.length + 1);
  body.set(bytes);
  return extensionBlocks(typeflag, '././@LongLink', body);
}

/** Cuts at a byte count without splitting a UTF-8 sequence (the field is overridden anyway). */
/** Go archive/tar `toASCII`: the bytes of the ASCII characters only. */
function toAscii(b: Uint8Array): Uint8Array {
  return isAscii(b) ? b : b.filter((x) => x < 0x80);
}

function truncate(b: Uint8Array, max: number): Uint8Array {
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

/**
 * The archive as a sequence of parts (header blocks, the caller's data arrays uncopied, padding,
 * and the two zero blocks that end an archive), e.g. for `new Blob([...tarParts(entries)])`.
 */
export function* tarParts(
  entries: Iterable<TarWriteEntry>,
  opts: TarWriteOptions = {},
): Generator<Uint8Array, void, undefined> {
  for (const e of entries) {
    yield entryHeaderBlocks(e, opts);
    const data = e.type === 'file' ? e.data : undefined;
    if (data && data.length > 0) {
      yield data;
      const pad = roundUp(data.length) - data.length;
      if (pad > 0) yield new Uint8Array(pad);
    }
  }
  yield new Uint8Array(2 * BLOCK);
}

/** The whole archive in one array. */
export function writeTar(
  entries: Iterable<TarWriteEntry>,
  opts: TarWriteOptions = {},
): Uint8Array<ArrayBuffer> {
  return concat([...tarParts(entries, opts)]);
}

/** The archive as a Blob, without concatenating it in memory first. */
export function writeTarBlob(entries: Iterable<TarWriteEntry>, opts: TarWriteOptions = {}): Blob {
  const parts: BlobPart[] = [];
  for (const p of tarParts(entries, opts)) {
    // Blob takes only ArrayBuffer-backed views; a caller's shared-memory array is copied.
    parts.push(p.buffer instanceof ArrayBuffer ? (p as Uint8Array<ArrayBuffer>) : p.slice());
  }
  return new Blob(parts, { type: 'application/x-tar' });
}

function concat(parts: Uint8Array[], total?: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total ?? parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
