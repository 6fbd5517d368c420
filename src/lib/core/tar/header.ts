/**
 * Decoding of single tar header blocks and of the extension records that precede an entry.
 *
 * Layouts: POSIX.1-2017 `pax` "ustar Interchange Format" (name/prefix split, octal fields,
 * checksum) and "pax Extended Header" (records); GNU tar manual "Basic Tar Format" / "GNU
 * Extensions" (base-256 numbers, `L`/`K` long names, old sparse `S` headers). What real layers
 * contain is summarised in docs/FORMATS.md §1.10.
 */
import type { TarEntryType } from './types';

export const BLOCK = 512;

/** Byte offsets of the header fields (POSIX ustar; GNU fields after `devminor`). */
export const F = {
  name: 0,
  mode: 100,
  uid: 108,
  gid: 116,
  size: 124,
  mtime: 136,
  chksum: 148,
  typeflag: 156,
  linkname: 157,
  magic: 257,
  version: 263,
  uname: 265,
  gname: 297,
  devmajor: 329,
  devminor: 337,
  prefix: 345,
  /** GNU: four (offset, numbytes) pairs of 12-byte numbers, then `isextended` and `realsize`. */
  gnuSparse: 386,
  gnuIsExtended: 482,
  gnuRealSize: 483,
  /** GNU sparse extension block: 21 pairs, then `isextended`. */
  gnuExtIsExtended: 504,
} as const;

export const HEADER_OK = 0;
export const HEADER_ZERO = 1;
export const HEADER_BAD_CHECKSUM = 2;

/**
 * Validates the checksum of the block at `off`: the sum of all 512 bytes with the checksum field
 * counted as spaces (POSIX ustar `chksum`). Old Sun and early GNU writers summed signed chars,
 * so that variant is accepted too (as GNU tar and Go do). One pass over the block also tells the
 * end-of-archive zero block apart.
 */
export function checkHeader(buf: Uint8Array, off: number): number {
  let sum = 0;
  for (let i = off, end = off + BLOCK; i < end; i++) sum += buf[i];
  if (sum === 0) return HEADER_ZERO;
  let field = 0;
  for (let i = off + F.chksum, end = i + 8; i < end; i++) field += buf[i];
  const stored = parseNumeric(buf, off + F.chksum, 8);
  const unsigned = sum - field + 8 * 0x20;
  if (stored === unsigned) return HEADER_OK;
  // Signed sum: each byte above 0x7f counts 256 less (the checksum field excepted).
  let high = 0;
  for (let i = off, end = off + BLOCK; i < end; i++) if (buf[i] > 0x7f) high++;
  for (let i = off + F.chksum, end = i + 8; i < end; i++) if (buf[i] > 0x7f) high--;
  return stored === unsigned - 256 * high ? HEADER_OK : HEADER_BAD_CHECKSUM;
}

/**
 * A numeric header field: octal ASCII digits, optionally surrounded by spaces and ended by NUL or
 * space (POSIX ustar); or GNU base-256 when the first byte has its high bit set: the remaining
 * bits form a big-endian two's-complement number, so 0xff... is negative (GNU tar manual, "Basic
 * Tar Format"; used for sizes ≥ 8 GiB, large uid/gid and pre-1970 mtimes). An all-NUL or
 * all-space field is 0. Returns NaN for anything else, and for values beyond 2^53.
 */
export function parseNumeric(buf: Uint8Array, off: number, len: number): number {
  const end = off + len;
  const first = buf[off];
  if (first & 0x80) {
    let v = first & 0x7f;
    if (v & 0x40) v -= 0x80;
    for (let i = off + 1; i < end; i++) v = v * 256 + buf[i];
    return Number.isSafeInteger(v) ? v : NaN;
  }
  let i = off;
  while (i < end && buf[i] === 0x20) i++;
  let v = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x37) break;
    v = v * 8 + (c - 0x30);
    digits++;
  }
  // The digits end at a NUL or at spaces (some writers pad with spaces, or NUL then garbage).
  if (i < end && buf[i] !== 0 && buf[i] !== 0x20) return NaN;
  if (digits === 0) return 0;
  return v;
}

const utf8 = new TextDecoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/**
 * A NUL-terminated string field, decoded as UTF-8 (invalid bytes become U+FFFD). Names in ustar
 * fields are raw bytes; UTF-8 is what every current writer puts there. Short ASCII names, by far
 * the common case, are built without a decoder call.
 */
export function decodeField(buf: Uint8Array, off: number, len: number): string {
  const max = off + len;
  let end = off;
  let ascii = true;
  while (end < max) {
    const c = buf[end];
    if (c === 0) break;
    if (c > 0x7f) ascii = false;
    end++;
  }
  return decodeRange(buf, off, end, ascii);
}

/**
 * ASCII names up to this length are built char by char. Longer ones go through the decoder: V8
 * makes `s +=` past 12 characters a chain of cons strings (~20 bytes a character), and a path
 * kept in the index stayed such a chain, about 1 KB for a 50-character path, until it was posted.
 */
const BY_CHAR_MAX = 12;

function decodeRange(buf: Uint8Array, off: number, end: number, ascii: boolean): string {
  if (end === off) return '';
  if (!ascii || end - off > BY_CHAR_MAX) return utf8.decode(buf.subarray(off, end));
  let s = '';
  for (let i = off; i < end; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/** UTF-8 when the bytes are valid UTF-8, else a binary string (one char per byte). */
export function decodeBinary(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
}

/** Whether the block is POSIX ustar (`ustar\0` + `00`), which gives meaning to `prefix`. */
export function isPosixUstar(buf: Uint8Array, off: number): boolean {
  const m = off + F.magic;
  return (
    buf[m] === 0x75 &&
    buf[m + 1] === 0x73 &&
    buf[m + 2] === 0x74 &&
    buf[m + 3] === 0x61 &&
    buf[m + 4] === 0x72 &&
    buf[m + 5] === 0
  );
}

/** Whether a block has any magic at all (`ustar`): V7 headers have no uname/gname/devices. */
export function hasUstarMagic(buf: Uint8Array, off: number): boolean {
  const m = off + F.magic;
  return (
    buf[m] === 0x75 &&
    buf[m + 1] === 0x73 &&
    buf[m + 2] === 0x74 &&
    buf[m + 3] === 0x61 &&
    buf[m + 4] === 0x72
  );
}

/**
 * The entry name: ustar `prefix` + `/` + `name` when the magic is POSIX `ustar\0` (GNU's
 * `ustar  \0` puts atime/ctime where the prefix would be). Schily star writes `tar\0` in the
 * last four bytes and keeps only 131 bytes of prefix, with atime/ctime after it.
 */
export function headerName(buf: Uint8Array, off: number): string {
  const name = decodeField(buf, off + F.name, 100);
  if (!isPosixUstar(buf, off) || buf[off + F.prefix] === 0) return name;
  const star =
    buf[off + 508] === 0x74 &&
    buf[off + 509] === 0x61 &&
    buf[off + 510] === 0x72 &&
    buf[off + 511] === 0;
  const prefix = decodeField(buf, off + F.prefix, star ? 131 : 155);
  return prefix + '/' + name;
}

/** Maps a typeflag byte to an entry type; extension typeflags never reach this. */
export function entryType(typeflag: number): TarEntryType {
  switch (typeflag) {
    case 0x30: // '0'
    case 0: // NUL: pre-POSIX regular file
    case 0x37: // '7': contiguous file, a regular file for every reader
      return 'file';
    case 0x31:
      return 'hardlink';
    case 0x32:
      return 'symlink';
    case 0x33:
      return 'char';
    case 0x34:
      return 'block';
    case 0x35:
      return 'dir';
    case 0x36:
      return 'fifo';
    default:
      return 'other';
  }
}

/**
 * Strips what does not change where an entry lands: leading `/`, `.` components (so a leading
 * `./`), empty components and the trailing `/`. `..` is kept: rejecting it is the caller's call
 * (moby refuses such names, docs/FORMATS.md §1.9). The root (`./`, `.`, `/`) becomes ''.
 */
export function normalizePath(p: string): string {
  const n = p.length;
  if (n === 0) return p;
  let clean = p.charCodeAt(0) !== 0x2f && p.charCodeAt(n - 1) !== 0x2f;
  // A `.` component is a `.` at the start or after a `/`, followed by `/` or the end.
  for (let i = 0; clean && i < n; i++) {
    const c = p.charCodeAt(i);
    if (c === 0x2f) {
      if (p.charCodeAt(i + 1) === 0x2f) clean = false;
    } else if (c === 0x2e && (i === 0 || p.charCodeAt(i - 1) === 0x2f)) {
      const next = i + 1 < n ? p.charCodeAt(i + 1) : 0x2f;
      if (next === 0x2f) clean = false;
    }
  }
  if (clean) return p;
  let out = '';
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    out = out === '' ? part : out + '/' + part;
  }
  return out;
}

/**
 * Calls `onRecord` for each `<length> <key>=<value>\n` record of a PAX extended header body
 * (POSIX pax "pax Extended Header"). The length counts bytes of the whole record, itself
 * included; the value may contain newlines and any bytes. Returns an error string for a
 * malformed record (the caller wraps it), else ''. Bytes after a NUL at a record start are padding
 * some writers leave.
 */
export function parsePaxRecords(
  body: Uint8Array,
  onRecord: (key: string, value: Uint8Array) => void,
): string {
  let i = 0;
  const n = body.length;
  while (i < n) {
    if (body[i] === 0) break;
    const start = i;
    let len = 0;
    while (i < n && body[i] >= 0x30 && body[i] <= 0x39) {
      len = len * 10 + (body[i] - 0x30);
      i++;
    }
    if (i === start || i >= n || body[i] !== 0x20) return 'a record has no length';
    const end = start + len;
    if (len > n - start || end <= i + 1) return 'a record length runs past the header';
    if (body[end - 1] !== 0x0a) return 'a record does not end with a newline';
    i++;
    const keyStart = i;
    let ascii = true;
    while (i < end - 1 && body[i] !== 0x3d) {
      if (body[i] > 0x7f) ascii = false;
      i++;
    }
    if (i >= end - 1 || i === keyStart) return 'a record has no key=value';
    const key = decodeRange(body, keyStart, i, ascii);
    onRecord(key, body.subarray(i + 1, end - 1));
    i = end;
  }
  return '';
}

const PAX_INTEGER = /^\d+$/;
const PAX_TIME = /^-?\d+(\.\d*)?$/;

/** A PAX decimal number (`size`, `uid`, `mtime` with an optional fraction and sign), or NaN. */
export function parsePaxNumber(value: string, fraction: boolean): number {
  if (!(fraction ? PAX_TIME : PAX_INTEGER).test(value)) return NaN;
  const v = Number(value);
  return fraction || Number.isSafeInteger(v) ? v : NaN;
}

/** `LIBARCHIVE.xattr.<name>`: the name is URL-encoded and the value base64 (bsdtar). */
export function decodeLibarchiveXattr(
  name: string,
  value: string,
): { name: string; value: string } | undefined {
  let key = name;
  try {
    key = decodeURIComponent(name);
  } catch {
    // Keep the raw name: a display is better than dropping the attribute.
  }
  let bin: string;
  try {
    bin = atob(value);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return { name: key, value: decodeBinary(bytes) };
}
