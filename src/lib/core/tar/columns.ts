/**
 * A layer's index as columns: numbers in typed arrays, each path as its directory (one string per
 * distinct directory) and its name (all names as one string with their ends), link targets in a
 * plain array, one table for the few distinct owner names and typeflags. This
 * is how an index is built in the worker (`ColumnsBuilder`, fed by the parser one entry at a time)
 * and how it crosses to the page (the typed arrays are moved, not copied); `entriesOf` turns it
 * back into `TarEntry` objects.
 *
 * Why by hand: `postMessage(entries)` serialises every `TarEntry` as an object, writing its
 * fifteen property names again for each of a layer's tens of thousands of entries, and the page
 * then rebuilds them from that; and a worker that keeps one object per entry until the layer ends
 * promotes every one of them to the old generation (the benchmark's renderer memory). Measured on
 * the 3.2 GB bench archive with the page dropping each layer as it arrives: renderer peak
 * +138–158 MB with objects posted, +115–129 MB packed after parsing (docs/PERFORMANCE.md).
 * Owner names come out shared (one string per distinct value, not one per entry).
 */
import type { TarEntry, TarEntryType } from './types';

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

/** Numbers per entry in `nums`, at these offsets (shared by the builder and `ColumnEntry`). */
const N = 5;
const SIZE = 0;
const MTIME = 1;
const HEADER_OFFSET = 2;
const DATA_OFFSET = 3;
/** NaN: the entry has none. */
const REAL_SIZE = 4;
/**
 * Codes per entry in `codes`: the type (an index into TYPES), three indexes into `strings`, then
 * the small whole numbers, which fit 32 bits in any real archive (an entry whose do not keeps all
 * five in `wide` instead: base-256 and PAX fields can say anything).
 */
const C = 9;
const TYPE = 0;
const UNAME = 1;
const GNAME = 2;
const TYPEFLAG = 3;
const MODE = 4;
const UID = 5;
const GID = 6;
const DEVMAJOR = 7;
const DEVMINOR = 8;
/** The fields at MODE…DEVMINOR, in order. */
type Wide = [mode: number, uid: number, gid: number, devmajor: number, devminor: number];

const fits32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

export interface EntryColumns {
  count: number;
  /**
   * The distinct directory parts of the layer's paths, each with its trailing `/` ('' for a
   * path with none): an entry's path is `dirs[dir[i]]` followed by its name.
   */
  dirs: string[];
  /** Each entry's index into `dirs`. */
  dir: Uint32Array;
  /**
   * Every entry's name (its path after the last `/`), one after the other (at most
   * LIMITS.layerNameBytes, 256 Mi characters, within the engine's longest string).
   */
  nameText: string;
  /** Where each entry's name ends in `nameText` (UTF-16 offsets). */
  nameEnds: Uint32Array;
  /** Link targets, '' for entries that are not links. */
  links: string[];
  /** size, mtime, headerOffset, dataOffset, realSize (NaN: none). */
  nums: Float64Array;
  /** type, uname, gname, typeflag (indexes), then mode, uid, gid, devmajor, devminor. */
  codes: Uint32Array;
  /** Distinct uname, gname and typeflag values. */
  strings: string[];
  /** Entries with extended attributes: [index, xattrs]. */
  xattrs: [number, Record<string, string>][];
  /** Entries whose mode, uid, gid or device numbers do not fit 32 bits: [index, all five]. */
  wide: [number, Wide][];
}

/** Names joined into one string at a time while a layer is read. */
const NAMES_PER_CHUNK = 2048;

/** A copy of `a` twice as long. */
function doubled<T extends Float64Array | Uint32Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Collects entries into columns as the parser reads them: the parser's `TarEntry` objects then
 * die young instead of living until the layer ends. The typed arrays grow by doubling.
 */
export class ColumnsBuilder {
  count = 0;
  private nums = new Float64Array(1024 * N);
  private codes = new Uint32Array(1024 * C);
  /** Names joined so far, a few thousand to a string (see `add`). */
  private readonly nameChunks: string[] = [];
  /** Names not joined yet. */
  private pending: string[] = [];
  private nameEnds = new Uint32Array(1024);
  private nameEnd = 0;
  private dir = new Uint32Array(1024);
  private readonly dirs: string[] = [];
  private readonly dirIndex = new Map<string, number>();
  /** The directory part of the last path added, and its index. */
  private lastDir = '';
  private lastDirIndex = -1;
  private readonly links: string[] = [];
  private readonly strings: string[] = [];
  private readonly seen = new Map<string, number>();
  private readonly xattrs: [number, Record<string, string>][] = [];
  private readonly wide: [number, Wide][] = [];

  private code(s: string): number {
    let i = this.seen.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.seen.set(s, i);
    }
    return i;
  }

  add(e: TarEntry): void {
    const i = this.count++;
    if ((i + 1) * N > this.nums.length) {
      this.nums = doubled(this.nums);
      this.codes = doubled(this.codes);
      this.nameEnds = doubled(this.nameEnds);
      this.dir = doubled(this.dir);
    }
    const { nums, codes } = this;
    const path = e.path;
    const cut = path.lastIndexOf('/') + 1;
    // Tar order lists a directory's entries together: its part is most often the last one seen,
    // recognised without cutting it out of the path.
    if (this.lastDirIndex < 0 || cut !== this.lastDir.length || !path.startsWith(this.lastDir)) {
      const d = path.slice(0, cut);
      let at = this.dirIndex.get(d);
      if (at === undefined) {
        at = this.dirs.length;
        this.dirs.push(d);
        this.dirIndex.set(d, at);
      }
      this.lastDir = d;
      this.lastDirIndex = at;
    }
    this.dir[i] = this.lastDirIndex;
    this.nameEnds[i] = this.nameEnd += path.length - cut;
    // Joined a few thousand at a time, the names die young here instead of all living until the
    // layer is posted, and the layer's names cross as one string (see ColumnTable).
    this.pending.push(cut === 0 ? path : path.slice(cut));
    if (this.pending.length === NAMES_PER_CHUNK) {
      this.nameChunks.push(this.pending.join(''));
      this.pending = [];
    }
    this.links.push(e.linkname);
    const n = i * N;
    nums[n + SIZE] = e.size;
    nums[n + MTIME] = e.mtime;
    nums[n + HEADER_OFFSET] = e.headerOffset;
    nums[n + DATA_OFFSET] = e.dataOffset;
    nums[n + REAL_SIZE] = e.realSize ?? NaN;
    const c = i * C;
    codes[c + TYPE] = TYPE_CODE.get(e.type) ?? TYPES.length - 1;
    codes[c + UNAME] = this.code(e.uname);
    codes[c + GNAME] = this.code(e.gname);
    codes[c + TYPEFLAG] = this.code(e.typeflag);
    const { mode, uid, gid, devmajor, devminor } = e;
    if (fits32(mode) && fits32(uid) && fits32(gid) && fits32(devmajor) && fits32(devminor)) {
      codes[c + MODE] = mode;
      codes[c + UID] = uid;
      codes[c + GID] = gid;
      codes[c + DEVMAJOR] = devmajor;
      codes[c + DEVMINOR] = devminor;
    } else this.wide.push([i, [mode, uid, gid, devmajor, devminor]]);
    if (e.xattrs !== undefined) this.xattrs.push([i, e.xattrs]);
  }

  /** The columns, trimmed to the entries added (the builder must not be used afterwards). */
  finish(): EntryColumns {
    const { count } = this;
    this.nameChunks.push(this.pending.join(''));
    return {
      count,
      dirs: this.dirs,
      dir: this.dir.slice(0, count),
      nameText: this.nameChunks.join(''),
      nameEnds: this.nameEnds.slice(0, count),
      links: this.links,
      nums: this.nums.slice(0, count * N),
      codes: this.codes.slice(0, count * C),
      strings: this.strings,
      xattrs: this.xattrs,
      wide: this.wide,
    };
  }
}

/** Columns of entries already made (tests, and indexes built elsewhere). */
export function columnsOf(entries: readonly TarEntry[]): EntryColumns {
  const b = new ColumnsBuilder();
  for (const e of entries) b.add(e);
  return b.finish();
}

/** What `postMessage` should move rather than copy. */
export function columnsTransfer(p: EntryColumns): Transferable[] {
  return [p.dir.buffer, p.nameEnds.buffer, p.nums.buffer, p.codes.buffer];
}

/**
 * The entries of a columns index, one small object each that reads its fields from the columns:
 * the page keeps a layer's index as it arrived (its numbers outside the JavaScript heap) instead
 * of rebuilding one fifteen-field object per entry, which on a 200,000-entry image was most of
 * the page's heap and of the renderer's memory peak (docs/PERFORMANCE.md).
 *
 * Each entry is a `ColumnEntry`: it reads like a parser's `TarEntry`, but its fields are getters,
 * so a spread (`{ ...e }`) copies nothing: use `plainEntry`. `JSON.stringify` gives the fields.
 */
export function entriesOf(p: EntryColumns): TarEntry[] {
  const table = new ColumnTable(p);
  const out: TarEntry[] = new Array<TarEntry>(p.count);
  for (let i = 0; i < p.count; i++) out[i] = new ColumnEntry(table, i);
  return out;
}

/** The columns and what their entries share (the xattrs by entry). */
class ColumnTable {
  readonly dirs: string[];
  readonly dir: Uint32Array;
  readonly nameText: string;
  readonly nameEnds: Uint32Array;
  readonly links: string[];
  readonly nums: Float64Array;
  readonly codes: Uint32Array;
  readonly strings: string[];
  readonly xattrs: Map<number, Record<string, string>> | undefined;
  readonly wide: Map<number, Wide> | undefined;
  constructor(p: EntryColumns) {
    this.dirs = p.dirs;
    this.dir = p.dir;
    this.nameText = p.nameText;
    this.nameEnds = p.nameEnds;
    this.links = p.links;
    this.nums = p.nums;
    this.codes = p.codes;
    this.strings = p.strings;
    this.xattrs = p.xattrs.length > 0 ? new Map(p.xattrs) : undefined;
    this.wide = p.wide.length > 0 ? new Map(p.wide) : undefined;
  }
  /**
   * Entry i's path, made when asked. The page keeps no string per path: the 3.2 GB bench
   * archive's 204,012 paths are 16 MB of text, its 4,455 distinct directories and the names 2.6 MB,
   * and whatever asks for a path (the overlay while it is built, a view) lets it go soon.
   */
  path(i: number): string {
    const { nameEnds } = this;
    const name = this.nameText.slice(i === 0 ? 0 : nameEnds[i - 1]!, nameEnds[i]!);
    const dir = this.dirs[this.dir[i]!]!;
    return dir === '' ? name : dir + name;
  }
}

class ColumnEntry implements TarEntry {
  readonly #t: ColumnTable;
  readonly #i: number;
  constructor(t: ColumnTable, i: number) {
    this.#t = t;
    this.#i = i;
  }
  #num(at: number): number {
    return this.#t.nums[this.#i * N + at]!;
  }
  /** One of the fields at MODE…DEVMINOR. */
  #int(at: number): number {
    const wide = this.#t.wide?.get(this.#i);
    return wide ? wide[at - MODE]! : this.#t.codes[this.#i * C + at]!;
  }
  #str(at: number): string {
    return this.#t.strings[this.#t.codes[this.#i * C + at]!]!;
  }
  get path(): string {
    return this.#t.path(this.#i);
  }
  get type(): TarEntryType {
    return TYPES[this.#t.codes[this.#i * C + TYPE]!]!;
  }
  get size(): number {
    return this.#num(SIZE);
  }
  get mode(): number {
    return this.#int(MODE);
  }
  get uid(): number {
    return this.#int(UID);
  }
  get gid(): number {
    return this.#int(GID);
  }
  get uname(): string {
    return this.#str(UNAME);
  }
  get gname(): string {
    return this.#str(GNAME);
  }
  get mtime(): number {
    return this.#num(MTIME);
  }
  get linkname(): string {
    return this.#t.links[this.#i]!;
  }
  get devmajor(): number {
    return this.#int(DEVMAJOR);
  }
  get devminor(): number {
    return this.#int(DEVMINOR);
  }
  get headerOffset(): number {
    return this.#num(HEADER_OFFSET);
  }
  get dataOffset(): number {
    return this.#num(DATA_OFFSET);
  }
  get typeflag(): string {
    return this.#str(TYPEFLAG);
  }
  get xattrs(): Record<string, string> | undefined {
    return this.#t.xattrs?.get(this.#i);
  }
  get realSize(): number | undefined {
    const v = this.#num(REAL_SIZE);
    return Number.isNaN(v) ? undefined : v;
  }
  toJSON(): TarEntry {
    return plainEntry(this);
  }
}

/**
 * A plain object with the entry's fields, in the order the parser writes them; `xattrs` and
 * `realSize` only when the entry has them.
 */
export function plainEntry(e: TarEntry): TarEntry {
  const out: TarEntry = {
    path: e.path,
    type: e.type,
    size: e.size,
    mode: e.mode,
    uid: e.uid,
    gid: e.gid,
    uname: e.uname,
    gname: e.gname,
    mtime: e.mtime,
    linkname: e.linkname,
    devmajor: e.devmajor,
    devminor: e.devminor,
    headerOffset: e.headerOffset,
    dataOffset: e.dataOffset,
    typeflag: e.typeflag,
  };
  const { xattrs, realSize } = e;
  if (xattrs !== undefined) out.xattrs = xattrs;
  if (realSize !== undefined) out.realSize = realSize;
  return out;
}
