/**
 * The overlay's paths: one id per distinct path, each stored as its parent's id and its name
 * (the path's last component), the names' UTF-16 code units in one growing buffer, and an
 * open-addressing hash from (parent, name) to id. No string is kept per path.
 *
 * Why by hand: a `Map<string, number>` over full paths needs one string per path. On the 3.2 GB
 * bench archive (204,012 paths, 78 characters on average, 11 of them the name) those strings and
 * the map were a third of the page's live heap while the image was opened, and, surviving the
 * young generation as they were made, most of the renderer's memory over budget
 * (docs/PERFORMANCE.md). Here the same paths take 4.7 MB of names and ~16 bytes of typed arrays
 * each, outside the JavaScript heap; a path's string is made only when a query asks for it.
 *
 * Ids are given in order and a parent is always added before its children, so a parent's id is
 * smaller than its children's (the overlay's size passes rely on it). Id 0 is the root, the
 * empty path. The overlay adds only safe paths (`isSafePath`: no empty, `.` or `..` component),
 * so a path's components are what `split('/')` gives and `find` of any other path is -1.
 */

/** Empty slot in the hash. */
const FREE = -1;

function hashStart(parent: number): number {
  return Math.imul(parent ^ 0x9e3779b9, 0x85ebca6b);
}

function hashStep(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

function hashEnd(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}

/**
 * Room for this many paths before the first growth (~150 KB): a small image never grows the
 * table, and growing it costs a pass over every id.
 */
const INITIAL_IDS = 4096;

/** Longest run of code units passed to `String.fromCharCode` at once (its argument count). */
const CHARS_PER_CALL = 8192;

export class PathTable {
  /** Paths so far, the root included. */
  count = 1;
  private parents = new Int32Array(INITIAL_IDS);
  /** Each id's hash, kept so that growing the slots does not read every name again. */
  private hashes = new Int32Array(INITIAL_IDS);
  /** Where each id's name starts in `chars`; it ends where the next id's starts. */
  private starts = new Uint32Array(INITIAL_IDS + 1);
  private chars = new Uint16Array(16 * INITIAL_IDS);
  private slots = new Int32Array(2 * INITIAL_IDS).fill(FREE);

  constructor() {
    this.parents[0] = -1;
    // The root has no name: starts[0] = starts[1] = 0.
  }

  parent(id: number): number {
    return this.parents[id]!;
  }

  /** The id of the child of `parent` named `s.slice(from, to)`, or -1. */
  child(parent: number, s: string, from = 0, to = s.length): number {
    const id = this.slots[this.slotOf(this.hash(parent, s, from, to), parent, s, from, to)]!;
    return id === FREE ? -1 : id;
  }

  /** `child`, adding the path when it is not there yet. */
  add(parent: number, s: string, from = 0, to = s.length): number {
    const hash = this.hash(parent, s, from, to);
    const slot = this.slotOf(hash, parent, s, from, to);
    const found = this.slots[slot]!;
    if (found !== FREE) return found;
    const id = this.count++;
    if (id >= this.parents.length) {
      this.parents = grown(this.parents, id + 1);
      this.hashes = grown(this.hashes, id + 1);
      this.starts = grown(this.starts, id + 2);
    }
    this.parents[id] = parent;
    this.hashes[id] = hash;
    let at = this.starts[id]!;
    const end = at + (to - from);
    if (end > this.chars.length) this.chars = grown(this.chars, end);
    for (let i = from; i < to; i++) this.chars[at++] = s.charCodeAt(i);
    this.starts[id + 1] = end;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.slots[slot] = id;
    return id;
  }

  /** The slot of `parent`'s child named `s.slice(from, to)`, or the free one it would take. */
  private slotOf(hash: number, parent: number, s: string, from: number, to: number): number {
    const mask = this.slots.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const id = this.slots[at]!;
      if (id === FREE || (this.parents[id] === parent && this.nameIs(id, s, from, to))) return at;
    }
  }

  /** The id of a path ('' is the root), or -1 when the table does not have it. */
  find(path: string): number {
    if (path === '') return 0;
    let id = 0;
    let from = 0;
    for (;;) {
      const slash = path.indexOf('/', from);
      const to = slash < 0 ? path.length : slash;
      id = this.child(id, path, from, to);
      if (id < 0 || slash < 0) return id;
      from = slash + 1;
    }
  }

  /** The path's last component. */
  name(id: number): string {
    return this.text(this.starts[id]!, this.starts[id + 1]!);
  }

  /** The whole path, made from its names ('' for the root). */
  path(id: number): string {
    if (id === 0) return '';
    const names: string[] = [];
    for (let a = id; a !== 0; a = this.parents[a]!) names.push(this.name(a));
    return names.reverse().join('/');
  }

  /**
   * `path` for a query that asks for many: each path is made from its parent's, and the parents'
   * are remembered (only theirs: a listing of every file keeps one string per directory).
   */
  pathMaker(): (id: number) => string {
    const dirs = new Map<number, string>([[0, '']]);
    return (id) => {
      if (id === 0) return '';
      // Up to the nearest parent already made, then down again (a loop: paths can be deep).
      const chain: number[] = [];
      let p = this.parents[id]!;
      let dir = dirs.get(p);
      while (dir === undefined) {
        chain.push(p);
        p = this.parents[p]!;
        dir = dirs.get(p);
      }
      for (let i = chain.length - 1; i >= 0; i--) {
        const a = chain[i]!;
        dir = dir === '' ? this.name(a) : `${dir}/${this.name(a)}`;
        dirs.set(a, dir);
      }
      return dir === '' ? this.name(id) : `${dir}/${this.name(id)}`;
    };
  }

  private text(from: number, to: number): string {
    if (to - from <= CHARS_PER_CALL) {
      return String.fromCharCode.apply(null, this.chars.subarray(from, to) as unknown as number[]);
    }
    let s = '';
    for (let at = from; at < to; at += CHARS_PER_CALL)
      s += this.text(at, Math.min(to, at + CHARS_PER_CALL));
    return s;
  }

  private nameIs(id: number, s: string, from: number, to: number): boolean {
    let at = this.starts[id]!;
    if (this.starts[id + 1]! - at !== to - from) return false;
    for (let i = from; i < to; i++) if (this.chars[at++] !== s.charCodeAt(i)) return false;
    return true;
  }

  private hash(parent: number, s: string, from: number, to: number): number {
    let h = hashStart(parent);
    for (let i = from; i < to; i++) h = hashStep(h, s.charCodeAt(i));
    return hashEnd(h);
  }

  private rehash(size: number): void {
    const slots = new Int32Array(size).fill(FREE);
    const mask = size - 1;
    for (let id = 1; id < this.count; id++) {
      let at = this.hashes[id]! & mask;
      while (slots[at] !== FREE) at = (at + 1) & mask;
      slots[at] = id;
    }
    this.slots = slots;
  }
}

/** `a` with room for `n` items, grown by doubling (the old array is dropped). */
function grown<T extends Int32Array | Uint32Array | Uint16Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
