/**
 * Synthetic tar archives covering the header formats of docs/FORMATS.md §1.10, for the tests and for
 * `scripts/make-fixtures.ts`. Everything is built in memory: no Node APIs here.
 */
import { BLOCK, F } from './header';
import {
  encodeHeader,
  extensionBlocks,
  paxBody,
  setChecksum,
  writeTar,
  type TarWriteEntry,
  type TarWriteFormat,
} from './write';

const enc = new TextEncoder();

export interface Fixture {
  /** File name for `make-fixtures`. */
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** The writer input, when the fixture came from `writeTar`. */
  entries?: TarWriteEntry[];
  format?: TarWriteFormat;
}

function text(s: string): Uint8Array {
  return enc.encode(s);
}

/** Deterministic pseudo-random bytes, so data offsets are checked against distinct content. */
export function pattern(size: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const T = 1_700_000_000;

/** ustar with names split into prefix + name, every entry kind, `./` root and prefixes. */
export function kindsEntries(): TarWriteEntry[] {
  const deep = 'deep/' + 'directory-level-with-a-long-name/'.repeat(4) + 'and-a-file-name.txt';
  return [
    { path: './', type: 'dir', mode: 0o755, mtime: T },
    { path: './etc/', type: 'dir', mode: 0o755, mtime: T },
    { path: './etc/hostname', type: 'file', data: text('layerscope\n'), mtime: T + 1 },
    { path: './etc/empty', type: 'file', mtime: T },
    { path: 'usr/bin/tool', type: 'file', mode: 0o4755, data: pattern(1000, 1), uid: 1000 },
    { path: 'usr/bin/tool-hard', type: 'hardlink', linkname: 'usr/bin/tool', mode: 0o4755 },
    { path: 'usr/bin/tool-hard2', type: 'hardlink', linkname: './usr/bin/tool' },
    { path: 'usr/bin/sym', type: 'symlink', linkname: '../lib/libx.so.1' },
    { path: 'usr/bin/abs', type: 'symlink', linkname: '/usr/bin/tool' },
    { path: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 },
    { path: 'dev/sda', type: 'block', mode: 0o660, devmajor: 8, devminor: 0, gid: 6 },
    { path: 'run/fifo', type: 'fifo', mode: 0o600 },
    { path: 'tmp', type: 'dir', mode: 0o1777 },
    // Old Go writers (and some layers) put S_IFMT bits in the mode field.
    { path: 'ifmt-file', type: 'file', mode: 0o100644, data: text('regular') },
    { path: 'ifmt-dir', type: 'dir', mode: 0o40755 },
    { path: deep, type: 'file', data: pattern(513, 2), uname: 'user', gname: 'group' },
    { path: 'block-exact', type: 'file', data: pattern(1024, 3) },
    { path: 'home/nobody/', type: 'dir', uid: 65534, gid: 65534, uname: 'nobody' },
    { path: 'wh/.wh..wh..opq', type: 'file' },
  ];
}

/** What only PAX records can express: long and non-ASCII names, xattrs, big numbers. */
export function paxEntries(): TarWriteEntry[] {
  const long = 'p/' + 'x'.repeat(150) + '/' + 'y'.repeat(120) + '/file';
  return [
    { path: long, type: 'file', data: pattern(700, 4), mtime: T + 0.5 },
    { path: 'links/long-target', type: 'symlink', linkname: '../' + 'z'.repeat(200) },
    { path: 'links/long-hard', type: 'hardlink', linkname: long },
    { path: 'names/ünïcödé-文件.txt', type: 'file', data: text('utf8'), uname: 'jürgen' },
    { path: 'names/emoji-😀', type: 'symlink', linkname: 'target-ß' },
    { path: 'names/new\nline', type: 'file', data: text('newline in the name') },
    { path: 'names/' + 'é'.repeat(60), type: 'file', data: text('long multi-byte') },
    { path: 'ids/big', type: 'file', uid: 3_000_000, gid: 4_000_000, data: text('big ids') },
    { path: 'ids/old-mtime', type: 'file', mtime: -86400 * 365, data: text('1969') },
    {
      path: 'xattr/cap',
      type: 'file',
      data: text('caps'),
      xattrs: {
        'security.capability': new Uint8Array([1, 0, 0, 2, 0x20, 0, 0, 0, 0xff, 0, 0, 0]),
        'user.comment': 'a\nmulti-line comment ✓',
      },
    },
    { path: 'names/' + 'n'.repeat(100), type: 'file', data: text('exactly 100 bytes') },
  ];
}

/** GNU `L`/`K` long names and base-256 numbers. */
export function gnuEntries(): TarWriteEntry[] {
  const gnuLong = 'g/' + 'a'.repeat(120) + '/' + 'b'.repeat(110);
  return [
    { path: gnuLong, type: 'file', data: pattern(99, 5) },
    { path: 'g/long-link', type: 'symlink', linkname: 'c'.repeat(150) + '/ü' },
    { path: 'g/long-hard-' + 'h'.repeat(100), type: 'hardlink', linkname: gnuLong },
    { path: 'g/base256-ids', type: 'file', uid: 2_097_152, gid: 999_999_999, data: text('ids') },
    { path: 'g/base256-mtime', type: 'file', mtime: 8 ** 11 + 12345, data: text('far future') },
    { path: 'g/negative-mtime', type: 'file', mtime: -1_000_000_000, data: text('1938') },
    { path: 'g/dev', type: 'char', devmajor: 2_097_152, devminor: 7 },
    { path: 'g/utf8-ø', type: 'file', data: text('raw utf-8 in a gnu header') },
  ];
}

/** A PAX global header (`g`) that sets uname/mtime for every later entry, and one override. */
export function paxGlobalFixture(): Uint8Array<ArrayBuffer> {
  const global = extensionBlocks(
    'g',
    'pax_global_header',
    paxBody([
      ['uname', 'globaluser'],
      ['mtime', '1234567890'],
      ['comment', 'set by a global header'],
    ]),
  );
  const a = writeTar([{ path: 'global/a', type: 'file', data: text('a') }]);
  const local = extensionBlocks('x', 'PaxHeaders.0/b', paxBody([['mtime', '42']]));
  const b = writeTar([{ path: 'global/b', type: 'file', data: text('bb') }]);
  return concat(global, strip(a), local, strip(b), new Uint8Array(2 * BLOCK));
}

/** The sparse maps ([offset, length] chunks) and real sizes of `oddHeadersFixture`'s `S` entries. */
export const SPARSE_MAPS: Record<string, { map: [number, number][]; realSize: number }> = {
  // GNU tar stores each chunk from a block boundary, so all but the last are 512-byte multiples.
  'sparse/inline': {
    map: [
      [0, 512],
      [9900, 100],
    ],
    realSize: 10000,
  },
  'sparse/extended': {
    // A hole at the end is marked, as GNU tar does, by a last chunk of length 0 at the real size.
    map: [
      ...[0, 1, 2, 3, 4, 5].map((i): [number, number] => [i * 1024, i === 5 ? 10 : 512]),
      [6000, 0],
    ],
    realSize: 6000,
  },
};

/**
 * GNU old sparse (`S`) entries, one with an extension block of sparse map entries, plus other
 * old-style headers: a V7 directory (typeflag '0' and a trailing slash, no magic), a V7 file with
 * a NUL typeflag, a contiguous file ('7') and an unknown typeflag with data.
 */
export function oddHeadersFixture(): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  const inline = SPARSE_MAPS['sparse/inline'];
  parts.push(sparseHeader('sparse/inline', inline.map, inline.realSize, 612, false));
  parts.push(padded(pattern(612, 6)));
  // 4 chunks fit in the header; the other 2 go to an extension block.
  const extended = SPARSE_MAPS['sparse/extended'];
  parts.push(
    sparseHeader('sparse/extended', extended.map.slice(0, 4), extended.realSize, 2570, true),
  );
  const ext = new Uint8Array(BLOCK);
  extended.map.slice(4).forEach(([o, n], i) => {
    putOctal(ext, i * 24, 12, o);
    putOctal(ext, i * 24 + 12, 12, n);
  });
  parts.push(ext);
  parts.push(padded(pattern(2570, 7)));
  parts.push(encodeHeader({ name: 'v7dir/', typeflag: '0', mode: 0o755, mtime: T, magic: 'v7' }));
  parts.push(
    encodeHeader({ name: 'v7file', typeflag: '\0', mode: 0o644, size: 3, mtime: T, magic: 'v7' }),
  );
  parts.push(padded(text('v7!')));
  parts.push(encodeHeader({ name: 'contiguous', typeflag: '7', mode: 0o644, size: 5 }));
  parts.push(padded(text('cont!')));
  parts.push(encodeHeader({ name: 'vendor', typeflag: 'Z', mode: 0o644, size: 600 }));
  parts.push(padded(pattern(600, 8)));
  parts.push(encodeHeader({ name: 'after-odd', typeflag: '0', mode: 0o644, size: 1 }));
  parts.push(padded(text('!')));
  parts.push(new Uint8Array(2 * BLOCK));
  return concat(...parts);
}

function sparseHeader(
  name: string,
  map: [number, number][],
  realSize: number,
  stored: number,
  extended: boolean,
): Uint8Array {
  const b = encodeHeader({
    name,
    typeflag: 'S',
    mode: 0o644,
    size: stored,
    mtime: T,
    magic: 'gnu',
  });
  map.forEach(([o, n], i) => {
    putOctal(b, F.gnuSparse + i * 24, 12, o);
    putOctal(b, F.gnuSparse + i * 24 + 12, 12, n);
  });
  b[F.gnuIsExtended] = extended ? 1 : 0;
  putOctal(b, F.gnuRealSize, 12, realSize);
  setChecksum(b);
  return b;
}

function putOctal(b: Uint8Array, off: number, len: number, v: number) {
  const s = v.toString(8).padStart(len - 1, '0');
  for (let i = 0; i < len - 1; i++) b[off + i] = s.charCodeAt(i);
  b[off + len - 1] = 0;
}

function padded(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
  out.set(data);
  return out;
}

/** A writer output without its two end zero blocks, to splice archives together. */
function strip(tar: Uint8Array): Uint8Array {
  return tar.subarray(0, tar.length - 2 * BLOCK);
}

/** The bytes of `parts` one after the other. */
export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Every fixture, named as `make-fixtures` writes them. */
export function allFixtures(): Fixture[] {
  const fromEntries = (name: string, entries: TarWriteEntry[], format: TarWriteFormat) => ({
    name,
    entries,
    format,
    bytes: writeTar(entries, { format }),
  });
  return [
    fromEntries('ustar-kinds.tar', kindsEntries(), 'ustar'),
    fromEntries('pax-kinds.tar', kindsEntries(), 'pax'),
    fromEntries('gnu-kinds.tar', kindsEntries(), 'gnu'),
    fromEntries('pax-extended.tar', paxEntries(), 'pax'),
    fromEntries('gnu-long.tar', gnuEntries(), 'gnu'),
    { name: 'pax-global.tar', bytes: paxGlobalFixture() },
    { name: 'odd-headers.tar', bytes: oddHeadersFixture() },
  ];
}
