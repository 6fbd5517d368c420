/**
 * A layer's index as it crosses from the worker to the page: numbers in typed arrays (moved, not
 * copied), strings in plain arrays, one table for the few distinct owner names and typeflags.
 *
 * Why by hand: `postMessage(entries)` serialises every `TarEntry` as an object, writing its
 * fifteen property names again for each of a layer's tens of thousands of entries, and the page
 * then rebuilds them from that; the worker's and the page's copies of the serialised form are
 * transient memory on the path the benchmark measures. Measured on the 3.2 GB bench archive with
 * the page dropping each layer as it arrives: renderer peak +138–158 MB before, +115–129 MB with
 * this. Owner names come out shared (one string per distinct value, not one per entry).
 */
import type { TarEntry, TarEntryType } from '../core/tar/types';

const TYPES: readonly TarEntryType[] = [
  'file',
  'hardlink',
  'symlink',
  'char',
  'block',
  'dir',
  'fifo',
  'other',
];
const TYPE_CODE = new Map(TYPES.map((t, i) => [t, i]));

/** Numbers per entry in `nums`, in this order. */
const N = 10;
/** Codes per entry in `codes`: type, uname, gname, typeflag (indexes into TYPES / `strings`). */
const C = 4;

export interface PackedEntries {
  count: number;
  paths: string[];
  /** Link targets, '' for entries that are not links. */
  links: string[];
  /** size, mode, uid, gid, mtime, devmajor, devminor, headerOffset, dataOffset, realSize (NaN: none). */
  nums: Float64Array;
  codes: Uint32Array;
  /** Distinct uname, gname and typeflag values. */
  strings: string[];
  /** Entries with extended attributes: [index, xattrs]. */
  xattrs: [number, Record<string, string>][];
}

export function packEntries(entries: readonly TarEntry[]): PackedEntries {
  const count = entries.length;
  const nums = new Float64Array(count * N);
  const codes = new Uint32Array(count * C);
  const paths: string[] = new Array<string>(count);
  const links: string[] = new Array<string>(count);
  const strings: string[] = [];
  const seen = new Map<string, number>();
  const code = (s: string): number => {
    let i = seen.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      seen.set(s, i);
    }
    return i;
  };
  const xattrs: [number, Record<string, string>][] = [];
  for (let i = 0; i < count; i++) {
    const e = entries[i]!;
    paths[i] = e.path;
    links[i] = e.linkname;
    const n = i * N;
    nums[n] = e.size;
    nums[n + 1] = e.mode;
    nums[n + 2] = e.uid;
    nums[n + 3] = e.gid;
    nums[n + 4] = e.mtime;
    nums[n + 5] = e.devmajor;
    nums[n + 6] = e.devminor;
    nums[n + 7] = e.headerOffset;
    nums[n + 8] = e.dataOffset;
    nums[n + 9] = e.realSize ?? NaN;
    const c = i * C;
    codes[c] = TYPE_CODE.get(e.type) ?? TYPES.length - 1;
    codes[c + 1] = code(e.uname);
    codes[c + 2] = code(e.gname);
    codes[c + 3] = code(e.typeflag);
    if (e.xattrs !== undefined) xattrs.push([i, e.xattrs]);
  }
  return { count, paths, links, nums, codes, strings, xattrs };
}

/** What `postMessage` should move rather than copy. */
export function packedTransfer(p: PackedEntries): Transferable[] {
  return [p.nums.buffer, p.codes.buffer];
}

/** The entries again, each shaped as the parser makes them; owner names are shared strings. */
export function unpackEntries(p: PackedEntries): TarEntry[] {
  const { count, paths, links, nums, codes, strings } = p;
  const xattrs = new Map(p.xattrs);
  const out: TarEntry[] = new Array<TarEntry>(count);
  for (let i = 0; i < count; i++) {
    const n = i * N;
    const c = i * C;
    const e: TarEntry = {
      path: paths[i]!,
      type: TYPES[codes[c]!]!,
      size: nums[n]!,
      mode: nums[n + 1]!,
      uid: nums[n + 2]!,
      gid: nums[n + 3]!,
      uname: strings[codes[c + 1]!]!,
      gname: strings[codes[c + 2]!]!,
      mtime: nums[n + 4]!,
      linkname: links[i]!,
      devmajor: nums[n + 5]!,
      devminor: nums[n + 6]!,
      headerOffset: nums[n + 7]!,
      dataOffset: nums[n + 8]!,
      typeflag: strings[codes[c + 3]!]!,
    };
    const x = xattrs.get(i);
    if (x !== undefined) e.xattrs = x;
    const realSize = nums[n + 9]!;
    if (!Number.isNaN(realSize)) e.realSize = realSize;
    out[i] = e;
  }
  return out;
}
