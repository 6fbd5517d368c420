/**
 * The overlay model. Layers are applied bottom→top once, in `buildOverlay`; every path gets an id
 * and a list of versions (one per layer that touched it), so "the filesystem at layer k" is a
 * lookup of the last version at or below k, and asking for several k costs nothing extra.
 *
 * Merge rules (OCI image-spec layer.md "Applying Changesets", "Whiteouts", "Opaque Whiteout";
 * moby go-archive diff.go `UnpackLayer`; docs/FORMATS.md 1.9), per layer:
 *  1. every `<dir>/.wh..wh..opq` hides all lower children of `<dir>`;
 *  2. every `<dir>/.wh.<name>` hides lower `<dir>/<name>` and its subtree.
 *     Both run before the layer's own entries: whiteouts "MUST only apply to resources in
 *     lower/parent layers" and are "applied first, regardless of ordering".
 *  3. entries in tar order: dir over dir merges metadata, anything else replaces the path (a
 *     replaced directory loses its subtree), the last duplicate wins, missing parents are implied.
 * Markers and AUFS metadata (`.wh..wh.plnk`, `.wh..wh.aufs`, `.wh..wh.orph`) are never shown.
 */
import type { TarEntry } from '../tar/types';
import type {
  ByteCount,
  ChangeAction,
  DeleteCause,
  HiddenStats,
  LayerChange,
  LayerSummary,
  NodeStatus,
  OverlayIssue,
  OverlayIssueKind,
  OverlayNode,
  PathEvent,
  PathHistory,
  TreeOptions,
  TreeRow,
  WastedSpace,
} from './types';
import {
  AUFS_LINK_DIR,
  AUFS_META_PREFIX,
  OPAQUE_MARKER,
  WHITEOUT_PREFIX,
  baseName,
  cleanLinkPath,
  compareBytes,
  diffEntries,
  impliedDir,
  isRegular,
  isSafePath,
  regularSize,
} from './paths';
import { computeWastedSpace } from './wasted';
import { PathTable } from './path-table';
import { plainEntry } from '../tar/columns';

const ROOT = 0;
/** A path component starting `.wh.` after the first. */
const WHITEOUT_IN_PATH = '/' + WHITEOUT_PREFIX;

/** Version flags. */
const F_IMPLIED = 1;
const F_RETARGETED = 2;
/** The lower version was deleted in this layer and the path re-created. */
const F_REPLACED = 4;
/** The entry was carried over from below (an opaque directory not re-listed in the layer). */
const F_CARRIED = 8;

const ACTIONS: readonly ChangeAction[] = ['added', 'modified', 'deleted'];
const ADDED = 0;
const MODIFIED = 1;
const DELETED = 2;

/** `a` with room for index `i`, grown by doubling (the old array is dropped). */
function room<T extends Int32Array | Uint8Array>(a: T, i: number): T {
  if (i < a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(i + 1, a.length * 2));
  b.set(a);
  return b;
}

/** What layer `layer` left at a path; `entry` undefined means the path was deleted. */
export interface Version {
  layer: number;
  entry: TarEntry | undefined;
  action: ChangeAction;
  flags: number;
  deletedBy?: DeleteCause;
}

/** A copy of a path in one layer's tar that a later entry of the same layer overwrote. */
export interface Shadowed {
  id: number;
  layer: number;
  size: number;
}

interface LayerRecord {
  entries: number;
  /** Ids with a version at this layer, ascending (parents before children). */
  touched: Int32Array;
  opaque: Set<number>;
  whiteouts: number;
  ineffectiveWhiteouts: number;
  deletedRoots: number;
  relisted: number;
  added: ByteCount;
  modified: ByteCount;
  deleted: ByteCount;
  merged: { entries: number; files: number; bytes: number };
  issues: number;
}

interface FullStats {
  size: Float64Array;
  files: Float64Array;
  kids: Uint32Array;
}

const MARK_SELF = 1;
const MARK_BELOW = 2;

interface ChangeStats {
  mark: Map<number, number>;
  kids: Map<number, number>;
  /** Deleted ids: what they took away. */
  hidden: Map<number, HiddenStats>;
  /** Present ids: what was removed directly beneath them. */
  below: Map<number, HiddenStats>;
}

interface LayerCache {
  full?: FullStats;
  change?: ChangeStats;
  kidsFull: Map<number, OverlayNode[]>;
  kidsChange: Map<number, OverlayNode[]>;
  changes?: LayerChange[];
}

/** Per-layer caches kept at once: each full one holds three arrays of one slot per path. */
const CACHED_LAYERS = 6;

export interface OverlayTree {
  readonly layer: number;
  readonly changesOnly: boolean;
  readonly root: OverlayNode;
  node(path: string): OverlayNode | undefined;
  children(dirPath: string): readonly OverlayNode[];
  /** The visible rows of a virtualised tree: children of expanded directories, depth first. */
  rows(isExpanded: (path: string) => boolean): TreeRow[];
}

function zeroHidden(): HiddenStats {
  return { entries: 0, files: 0, bytes: 0 };
}

function addHidden(into: HiddenStats, from: HiddenStats): void {
  into.entries += from.entries;
  into.files += from.files;
  into.bytes += from.bytes;
}

export class Overlay {
  readonly layerCount: number;
  /** Everything dropped or odd in the input, in layer order. */
  readonly issues: OverlayIssue[] = [];

  /**
   * One id per distinct path ever seen; id 0 is the root. A parent's id is always smaller than
   * its children's (parents are interned first), which the size passes rely on.
   */
  private readonly table = new PathTable();
  /**
   * Every id that has ever been a child of an id, in the order they came, as linked lists: the
   * first and last child of each id and the next sibling of each (0, the root, for none: it is
   * nobody's child). `sortedKids` sorts them when a view asks.
   */
  private firstKid = new Int32Array(1024);
  private lastKid = new Int32Array(1024);
  private nextKid = new Int32Array(1024);
  /** Children sorted by name, with their names, of the directories a view has listed. */
  private readonly sorted = new Map<number, { ids: number[]; names: string[] }>();
  /**
   * The versions, one row per (path, layer that touched it), in typed columns rather than one
   * object each: on a 200,000-path image the objects and their per-path arrays were ~12 MB of the
   * page's heap, and building them set the renderer's memory peak. A path's rows are linked from
   * its newest (`lastV[id]`) through `vPrev`, oldest last.
   */
  private vLayer = new Int32Array(1024);
  private vAction = new Uint8Array(1024);
  private vFlags = new Uint8Array(1024);
  private vPrev = new Int32Array(1024);
  private readonly vEntry: (TarEntry | undefined)[] = [];
  /** Rows with a delete cause (deletions, and re-creations after one). */
  private readonly vCause = new Map<number, DeleteCause>();
  private vCount = 0;
  /** Newest version row of each path id, -1 for none. */
  private lastV = new Int32Array(1024);
  private readonly records: LayerRecord[] = [];
  private readonly shadowed: Shadowed[] = [];
  private shadowedById?: Map<number, Shadowed[]>;
  private readonly cache = new Map<number, LayerCache>();
  /** The layer `layerCache` answered last, already last in `cache`. */
  private recent: { k: number; c: LayerCache } | undefined;
  private wasted?: WastedSpace;

  // Build state, dropped when the build ends.
  private cur: (TarEntry | undefined)[] = [];
  private touched: number[] = [];
  private removed = new Map<number, DeleteCause>();
  /** The parent `intern` found last (its path and id). */
  private lastParentPath = '';
  private lastParent = ROOT;
  private totals = { entries: 0, files: 0, bytes: 0 };

  private readonly layers: (readonly TarEntry[])[] = [];

  /**
   * Use `buildOverlay`, or this and `applyNext` for each layer as it becomes available (the
   * queries need all `layerCount` of them).
   */
  constructor(layerCount: number) {
    this.layerCount = layerCount;
    const root = impliedDir('');
    this.lastV[ROOT] = -1;
    this.addVersion(ROOT, -1, root, F_IMPLIED, undefined);
    this.cur.push(root);
    if (layerCount === 0) this.endBuild();
  }

  /** Layers applied so far (the overlay answers queries once all `layerCount` are). */
  get applied(): number {
    return this.layers.length;
  }

  /** Applies the next layer up. */
  applyNext(entries: readonly TarEntry[]): void {
    const k = this.layers.length;
    if (k >= this.layerCount) throw new RangeError('every layer is applied already');
    this.layers.push(entries);
    this.applyLayer(k, entries);
    if (k + 1 === this.layerCount) this.endBuild();
  }

  private endBuild(): void {
    this.cur = [];
    this.touched = [];
    this.removed = new Map();
  }

  // -------------------------------------------------------------------------------------------
  // Building

  private issue(layer: number, path: string, kind: OverlayIssueKind): void {
    this.issues.push({ layer, path, kind });
    this.records[layer]!.issues++;
  }

  /** The id of a safe path (`isSafePath`) or '', added to the table when new. */
  private intern(path: string): number {
    const slash = path.lastIndexOf('/');
    if (slash < 0) return path === '' ? ROOT : this.child(ROOT, path, 0);
    // Tar order lists a directory's entries together: the parent is most often the last one
    // seen, recognised without cutting its path out of this one. Otherwise it is found from the
    // root down, a component at a time (a loop: paths can be thousands of components deep).
    if (slash !== this.lastParentPath.length || !path.startsWith(this.lastParentPath)) {
      const dir = path.slice(0, slash);
      let id = ROOT;
      for (let from = 0; ;) {
        const end = dir.indexOf('/', from);
        id = this.child(id, dir, from, end < 0 ? dir.length : end);
        if (end < 0) break;
        from = end + 1;
      }
      this.lastParentPath = dir;
      this.lastParent = id;
    }
    return this.child(this.lastParent, path, slash + 1);
  }

  /** The id of `parent`'s child named `s.slice(from, to)`, added to the table when new. */
  private child(parent: number, s: string, from: number, to = s.length): number {
    const count = this.table.count;
    const id = this.table.add(parent, s, from, to);
    if (id < count) return id;
    if (id >= this.lastV.length) {
      // The arrays of one slot per path grow together (one check per path, not four).
      this.lastV = room(this.lastV, id);
      this.firstKid = room(this.firstKid, id);
      this.lastKid = room(this.lastKid, id);
      this.nextKid = room(this.nextKid, id);
    }
    this.lastV[id] = -1;
    this.cur.push(undefined);
    const last = this.lastKid[parent]!;
    if (last === 0) this.firstKid[parent] = id;
    else this.nextKid[last] = id;
    this.lastKid[parent] = id;
    if (this.sorted.size > 0) this.sorted.delete(parent);
    return id;
  }

  /** The id of a path, or undefined when no layer has it. */
  private find(path: string): number | undefined {
    const id = this.table.find(path);
    return id < 0 ? undefined : id;
  }

  private account(id: number, e: TarEntry | undefined, sign: number): void {
    if (e === undefined || id === ROOT) return;
    this.totals.entries += sign;
    if (isRegular(e)) {
      this.totals.files += sign;
      this.totals.bytes += sign * e.size;
    }
  }

  /** Appends a version row for path `id` (its newest). */
  private addVersion(
    id: number,
    k: number,
    entry: TarEntry | undefined,
    flags: number,
    cause: DeleteCause | undefined,
  ): void {
    const v = this.vCount++;
    if (v >= this.vLayer.length) {
      this.vLayer = room(this.vLayer, v);
      this.vAction = room(this.vAction, v);
      this.vFlags = room(this.vFlags, v);
      this.vPrev = room(this.vPrev, v);
    }
    this.vLayer[v] = k;
    this.vAction[v] = ADDED;
    this.vFlags[v] = flags;
    this.vPrev[v] = this.lastV[id]!;
    this.vEntry[v] = entry;
    if (cause !== undefined) this.vCause.set(v, cause);
    this.lastV[id] = v;
  }

  /** Set the path's version for layer k (one version per layer: a later write overwrites). */
  private put(
    id: number,
    k: number,
    entry: TarEntry | undefined,
    flags: number,
    cause?: DeleteCause,
  ): void {
    const last = this.lastV[id]!;
    this.account(id, this.cur[id], -1);
    this.account(id, entry, 1);
    if (last >= 0 && this.vLayer[last] === k) {
      // The layer's tar held a copy that never reaches the merged filesystem: a duplicate entry
      // ("last one wins") or an entry a later one removed. Its bytes are still shipped.
      const old = this.vEntry[last];
      if (
        old !== undefined &&
        !(this.vFlags[last]! & F_CARRIED) &&
        isRegular(old) &&
        old.size > 0
      ) {
        this.shadowed.push({ id, layer: k, size: old.size });
      }
      this.vEntry[last] = entry;
      this.vFlags[last] = flags;
      if (cause !== undefined) this.vCause.set(last, cause);
      else this.vCause.delete(last);
    } else {
      this.addVersion(id, k, entry, flags, cause);
      if (id !== ROOT) this.touched.push(id);
    }
    this.cur[id] = entry;
  }

  private remove(id: number, k: number, cause: DeleteCause): void {
    if (this.cur[id] === undefined) return;
    this.removeBelow(id, k, cause);
    this.put(id, k, undefined, 0, cause);
    if (!this.removed.has(id)) this.removed.set(id, cause);
  }

  private removeBelow(id: number, k: number, cause: DeleteCause): void {
    for (let c = this.firstKid[id]!; c !== 0; c = this.nextKid[c]!) {
      if (this.cur[c] !== undefined) this.remove(c, k, cause);
    }
  }

  /**
   * Make `id` and its ancestors directories (moby `createImpliedDirectories`: missing parents are
   * created with MkdirAll 0755). A non-directory in the way is replaced when `replaceNonDir`
   * (moby would fail the layer; we keep the entry and report it), otherwise nothing changes.
   */
  private ensureDir(id: number, k: number, replaceNonDir: boolean): boolean {
    const chain: number[] = [];
    for (let a = id; a !== ROOT; a = this.table.parent(a)) {
      const e = this.cur[a];
      if (e !== undefined && e.type === 'dir') break;
      if (e !== undefined && !replaceNonDir) return false;
      chain.push(a);
    }
    // Each path is made from its parent's (the topmost one's from the table).
    let path = chain.length > 0 ? this.table.path(this.table.parent(chain[chain.length - 1]!)) : '';
    for (let i = chain.length - 1; i >= 0; i--) {
      const a = chain[i]!;
      const name = this.table.name(a);
      path = path === '' ? name : `${path}/${name}`;
      if (this.cur[a] !== undefined) {
        this.issue(k, path, 'parent-not-dir');
        this.remove(a, k, { kind: 'replaced', by: path });
      }
      this.put(a, k, impliedDir(path), F_IMPLIED);
    }
    return true;
  }

  private applyLayer(k: number, entries: readonly TarEntry[]): void {
    const rec: LayerRecord = {
      entries: entries.length,
      touched: new Int32Array(0),
      opaque: new Set(),
      whiteouts: 0,
      ineffectiveWhiteouts: 0,
      deletedRoots: 0,
      relisted: 0,
      added: { count: 0, bytes: 0 },
      modified: { count: 0, bytes: 0 },
      deleted: { count: 0, bytes: 0 },
      merged: { entries: 0, files: 0, bytes: 0 },
      issues: 0,
    };
    this.records.push(rec);
    this.touched = [];
    this.removed = new Map();

    const opaques: { dir: string; marker: string }[] = [];
    const whiteouts: { target: string; marker: string }[] = [];
    const plain: TarEntry[] = [];
    const plnk = new Map<string, TarEntry>();

    // Called once per entry of every layer when the overlay is built: the checks below read the
    // path in place rather than cutting its directory, base name and first component out of it
    // (three strings per entry, most of what the build allocated).
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const p = e.path;
      if (p === '') {
        // The root `./` entry: root metadata only (never listed, never replaced by a non-dir).
        if (e.type === 'dir') plain.push(e);
        continue;
      }
      if (!isSafePath(p)) {
        this.issue(k, p, 'unsafe-path');
        continue;
      }
      const slash = p.lastIndexOf('/');
      if (p.startsWith(AUFS_META_PREFIX) && p !== OPAQUE_MARKER) {
        // AUFS metadata at the root is skipped; regular files in .wh..wh.plnk are kept aside as
        // hardlink targets (moby diff.go, "Skip AUFS metadata dirs").
        const firstEnd = p.indexOf('/');
        const first = firstEnd < 0 ? p : p.slice(0, firstEnd);
        if (first === AUFS_LINK_DIR && slash >= 0 && isRegular(e)) plnk.set(p.slice(slash + 1), e);
        continue;
      }
      // A `.wh.`-named directory anywhere above the entry: at the start, or after a `/`.
      if (slash > 0) {
        const inner = p.indexOf(WHITEOUT_IN_PATH);
        if (p.startsWith(WHITEOUT_PREFIX) || (inner >= 0 && inner < slash)) {
          this.issue(k, p, 'marker-parent');
          continue;
        }
      }
      if (p.startsWith(WHITEOUT_PREFIX, slash + 1)) {
        const dir = slash < 0 ? '' : p.slice(0, slash);
        const base = p.slice(slash + 1);
        if (base === OPAQUE_MARKER) opaques.push({ dir, marker: p });
        else if (base === WHITEOUT_PREFIX) this.issue(k, p, 'empty-whiteout');
        else {
          const name = base.slice(WHITEOUT_PREFIX.length);
          whiteouts.push({ target: dir === '' ? name : `${dir}/${name}`, marker: p });
        }
        continue;
      }
      plain.push(e);
    }

    // 1. Opaque directories: hide every lower child (OCI layer.md "Opaque Whiteout").
    for (const { dir, marker } of opaques) {
      const d = this.intern(dir);
      if (!this.ensureDir(d, k, false)) {
        this.issue(k, marker, 'marker-parent-not-dir');
        continue;
      }
      const cause: DeleteCause = { kind: 'opaque', dir, marker };
      this.removeBelow(d, k, cause);
      rec.opaque.add(d);
      // The directory is part of the layer's change even when its own entry is not re-listed.
      const last = this.lastV[d]!;
      if (d !== ROOT && (last < 0 || this.vLayer[last] !== k)) {
        this.put(d, k, this.cur[d], F_CARRIED);
      }
    }

    // 2. Whiteouts: hide lower `<dir>/<name>` and its subtree (OCI layer.md "Whiteouts").
    for (const { target, marker } of whiteouts) {
      const dir = target.slice(0, Math.max(0, target.lastIndexOf('/')));
      // moby creates the marker's missing parents like any entry's before handling it.
      if (!this.ensureDir(this.intern(dir), k, false)) {
        this.issue(k, marker, 'marker-parent-not-dir');
        continue;
      }
      const t = this.find(target);
      if (t !== undefined && this.cur[t] !== undefined) {
        this.remove(t, k, { kind: 'whiteout', marker });
        rec.whiteouts++;
      } else if (t !== undefined && this.removed.has(t)) {
        rec.whiteouts++; // already hidden by an opaque marker of this layer
      } else {
        rec.ineffectiveWhiteouts++;
        this.issue(k, marker, 'ineffective-whiteout');
      }
    }

    // 3. The layer's own entries, in tar order.
    for (let i = 0; i < plain.length; i++) {
      const e0 = plain[i]!;
      // Read again rather than kept from the loop above: a layer's path strings kept until here
      // outlive the young generation (the 3.2 GB bench archive's memory: 134 against 124 MB).
      const path = e0.path;
      let e = e0;
      let flags = 0;
      if (e.type === 'hardlink') {
        const target = cleanLinkPath(e.linkname);
        if (target.startsWith(AUFS_LINK_DIR)) {
          // moby diff.go: "Hard links into /.wh..wh.plnk don't work ... retarget these": the
          // link becomes a copy of the linked file, with that file's header.
          const src = plnk.get(baseName(target));
          if (src !== undefined) {
            e = { ...plainEntry(src), path, headerOffset: e0.headerOffset };
            flags |= F_RETARGETED;
          } else this.issue(k, path, 'aufs-hardlink-missing');
        } else {
          const t = this.find(target);
          if (t === undefined || this.cur[t] === undefined) {
            this.issue(k, path, 'hardlink-target-missing');
          }
        }
      }
      const id = this.intern(path);
      if (id === ROOT) {
        this.put(ROOT, k, e, 0);
        continue;
      }
      this.ensureDir(this.table.parent(id), k, true);
      const existing = this.cur[id];
      // layer.md "Changeset over existing files"; moby RemoveAll(path) unless both are dirs.
      if (existing !== undefined && existing.type === 'dir' && e.type !== 'dir') {
        this.removeBelow(id, k, { kind: 'replaced', by: path });
      }
      this.put(id, k, e, flags);
    }

    this.classify(k, rec);
  }

  /** Compare each touched path with its lower version: added, modified or deleted. */
  private classify(k: number, rec: LayerRecord): void {
    const kept: number[] = [];
    const touched = this.touched;
    for (let i = 0; i < touched.length; i++) {
      const id = touched[i]!;
      const v = this.lastV[id]!;
      const prev = this.vPrev[v]!;
      const entry = this.vEntry[v];
      const before = prev >= 0 ? this.vEntry[prev] : undefined;
      if (before === undefined && entry === undefined) {
        this.lastV[id] = prev; // created and removed within the layer: never visible
        this.vCause.delete(v);
        continue;
      }
      if (before === undefined) {
        this.vAction[v] = ADDED;
        rec.added.count++;
        rec.added.bytes += regularSize(entry);
      } else if (entry === undefined) {
        this.vAction[v] = DELETED;
        rec.deleted.count++;
        rec.deleted.bytes += regularSize(before);
      } else {
        this.vAction[v] = MODIFIED;
        rec.modified.count++;
        rec.modified.bytes += regularSize(entry);
        const cause = this.removed.get(id);
        if (cause !== undefined) {
          this.vFlags[v] = this.vFlags[v]! | F_REPLACED;
          this.vCause.set(v, cause);
        } else if (
          !isRegular(entry) &&
          !rec.opaque.has(id) &&
          diffEntries(before, entry).length === 0
        ) {
          rec.relisted++;
        }
      }
      kept.push(id);
    }
    kept.sort((a, b) => a - b);
    rec.touched = Int32Array.from(kept);
    for (let i = 0; i < kept.length; i++) {
      const id = kept[i]!;
      if (this.vAction[this.lastV[id]!] === DELETED && !this.deletedAt(this.table.parent(id), k))
        rec.deletedRoots++;
    }
    rec.merged = { ...this.totals };
  }

  // -------------------------------------------------------------------------------------------
  // Lookups

  private checkLayer(k: number): void {
    if (!Number.isInteger(k) || k < 0 || k >= this.layerCount) {
      throw new RangeError(`layer ${k} is out of range (the image has ${this.layerCount})`);
    }
  }

  /** Row of the version in effect at layer k, or -1. */
  private versionAt(id: number, k: number): number {
    let v = this.lastV[id]!;
    while (v >= 0 && this.vLayer[v]! > k) v = this.vPrev[v]!;
    return v;
  }

  private entryAtId(id: number, k: number): TarEntry | undefined {
    const v = this.versionAt(id, k);
    return v < 0 ? undefined : this.vEntry[v];
  }

  /** The path was removed in layer k itself (its version at k is a deletion). */
  private deletedAt(id: number, k: number): boolean {
    if (id === ROOT) return false;
    const v = this.versionAt(id, k);
    if (v < 0) return false;
    return this.vLayer[v] === k && this.vEntry[v] === undefined;
  }

  /** A path's versions as objects, oldest first (for queries; the model keeps rows). */
  private versionsOf(id: number): Version[] {
    const out: Version[] = [];
    for (let v = this.lastV[id]!; v >= 0; v = this.vPrev[v]!) {
      out.push({
        layer: this.vLayer[v]!,
        entry: this.vEntry[v],
        action: ACTIONS[this.vAction[v]!]!,
        flags: this.vFlags[v]!,
        deletedBy: this.vCause.get(v),
      });
    }
    return out.reverse();
  }

  private layerCache(k: number): LayerCache {
    // A view asks for the same layer's caches several times per node it makes: the most recent
    // one is answered without reordering the map (a delete and a set per call were a quarter of
    // listing a 200,000-path tree).
    if (this.recent !== undefined && this.recent.k === k) return this.recent.c;
    let c = this.cache.get(k);
    if (c !== undefined) {
      this.recent = { k, c };
      this.cache.delete(k);
      this.cache.set(k, c); // most recently used last
      return c;
    }
    c = { kidsFull: new Map(), kidsChange: new Map() };
    this.recent = { k, c };
    this.cache.set(k, c);
    if (this.cache.size > CACHED_LAYERS) this.cache.delete(this.cache.keys().next().value!);
    return c;
  }

  /** Sizes, file counts and child counts of the whole merged tree at k: one pass, children first. */
  private fullStats(k: number): FullStats {
    const c = this.layerCache(k);
    if (c.full) return c.full;
    const n = this.table.count;
    const size = new Float64Array(n);
    const files = new Float64Array(n);
    const kids = new Uint32Array(n);
    for (let id = n - 1; id > ROOT; id--) {
      const e = this.entryAtId(id, k);
      if (e === undefined) continue;
      if (isRegular(e)) {
        size[id] = size[id]! + e.size;
        files[id] = files[id]! + 1;
      }
      const p = this.table.parent(id);
      size[p] = size[p]! + size[id]!;
      files[p] = files[p]! + files[id]!;
      kids[p] = kids[p]! + 1;
    }
    c.full = { size, files, kids };
    return c.full;
  }

  /** Which nodes a "changes only" view of layer k shows, and what each deletion took. */
  private changeStats(k: number): ChangeStats {
    const c = this.layerCache(k);
    if (c.change) return c.change;
    const touched = this.records[k]!.touched;
    const mark = new Map<number, number>();
    for (const id of touched) {
      mark.set(id, (mark.get(id) ?? 0) | MARK_SELF);
      for (let a = this.table.parent(id); ; a = this.table.parent(a)) {
        const m = mark.get(a) ?? 0;
        if (m & MARK_BELOW) break;
        mark.set(a, m | MARK_BELOW);
        if (a === ROOT) break;
      }
    }
    const kids = new Map<number, number>();
    for (const id of mark.keys()) {
      if (id === ROOT) continue;
      const p = this.table.parent(id);
      kids.set(p, (kids.get(p) ?? 0) + 1);
    }
    const hidden = new Map<number, HiddenStats>();
    const below = new Map<number, HiddenStats>();
    for (let i = touched.length - 1; i >= 0; i--) {
      const id = touched[i]!;
      const v = this.versionAt(id, k);
      if (this.vEntry[v] !== undefined) continue;
      const before = this.vEntry[this.vPrev[v]!]!;
      const h = hidden.get(id) ?? zeroHidden();
      h.entries += 1;
      if (isRegular(before)) {
        h.files += 1;
        h.bytes += before.size;
      }
      hidden.set(id, h);
      const p = this.table.parent(id);
      const into = this.deletedAt(p, k) ? hidden : below;
      const acc = into.get(p) ?? zeroHidden();
      addHidden(acc, h);
      into.set(p, acc);
    }
    c.change = { mark, kids, hidden, below };
    return c.change;
  }

  private sortedKids(id: number): { ids: number[]; names: string[] } {
    let s = this.sorted.get(id);
    if (s === undefined) {
      // Names are made when a view asks rather than kept while the image is read.
      const kids: { id: number; name: string }[] = [];
      for (let c = this.firstKid[id]!; c !== 0; c = this.nextKid[c]!)
        kids.push({ id: c, name: this.table.name(c) });
      kids.sort((a, b) => compareBytes(a.name, b.name));
      s = { ids: kids.map((c) => c.id), names: kids.map((c) => c.name) };
      this.sorted.set(id, s);
    }
    return s;
  }

  /**
   * `path` and `name`: the node's, when the caller has them (a query is given the path, children
   * of one directory share their parent's); otherwise they are made from the table.
   */
  private makeNode(
    id: number,
    k: number,
    changesOnly: boolean,
    path?: string,
    name = this.table.name(id),
  ): OverlayNode {
    const v = this.versionAt(id, k);
    const vLayer = this.vLayer[v]!;
    const change = this.changeStats(k);
    const m = change.mark.get(id) ?? 0;
    let entry = this.vEntry[v];
    let layer = vLayer;
    let status: NodeStatus;
    let size: number;
    let files: number;
    if (entry === undefined) {
      const prev = this.vPrev[v]!;
      entry = this.vEntry[prev]!;
      layer = this.vLayer[prev]!;
      status = 'deleted';
      const h = change.hidden.get(id) ?? zeroHidden();
      size = h.bytes;
      files = h.files;
    } else {
      if (id === ROOT) status = vLayer === k ? 'modified' : 'unchanged';
      else status = vLayer === k ? ACTIONS[this.vAction[v]!]! : 'unchanged';
      const full = this.fullStats(k);
      size = full.size[id]!;
      files = full.files[id]!;
    }
    const childCount = changesOnly
      ? (change.kids.get(id) ?? 0)
      : status === 'deleted'
        ? 0
        : this.fullStats(k).kids[id]!;
    const node: OverlayNode = {
      id,
      path: path ?? this.table.path(id),
      name,
      type: entry.type,
      isDir: entry.type === 'dir',
      entry,
      layer,
      status,
      implied: status !== 'deleted' && (this.vFlags[v]! & F_IMPLIED) !== 0,
      opaque: status !== 'deleted' && this.records[k]!.opaque.has(id),
      changedBelow: (m & MARK_BELOW) !== 0,
      size,
      files,
      childCount,
    };
    if (status === 'modified' && id !== ROOT)
      node.changed = diffEntries(this.vEntry[this.vPrev[v]!]!, entry);
    const cause = vLayer === k ? this.vCause.get(v) : undefined;
    if (cause !== undefined) node.deletedBy = cause;
    return node;
  }

  private visible(id: number, k: number, changesOnly: boolean): boolean {
    if (changesOnly) return id === ROOT || this.changeStats(k).mark.has(id);
    return this.entryAtId(id, k) !== undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Public queries

  /** The entry at `path` in the merged filesystem after layer k. */
  entryAt(k: number, path: string): TarEntry | undefined {
    this.checkLayer(k);
    const id = this.find(path);
    return id === undefined ? undefined : this.entryAtId(id, k);
  }

  /** One node of layer k's view, or undefined when the view does not show that path. */
  node(k: number, path: string, opts: TreeOptions = {}): OverlayNode | undefined {
    this.checkLayer(k);
    const id = this.find(path);
    const changesOnly = opts.changesOnly === true;
    if (id === undefined || !this.visible(id, k, changesOnly)) return undefined;
    return this.makeNode(id, k, changesOnly, path);
  }

  /** Children of a directory in layer k's view, sorted by name in byte order (cached). */
  children(k: number, dirPath: string, opts: TreeOptions = {}): readonly OverlayNode[] {
    this.checkLayer(k);
    const changesOnly = opts.changesOnly === true;
    const id = this.find(dirPath);
    if (id === undefined || !this.visible(id, k, changesOnly)) return [];
    const c = this.layerCache(k);
    const memo = changesOnly ? c.kidsChange : c.kidsFull;
    const hit = memo.get(id);
    if (hit) return hit;
    const out: OverlayNode[] = [];
    const dir = id === ROOT ? '' : `${dirPath}/`;
    const { ids, names } = this.sortedKids(id);
    for (let i = 0; i < ids.length; i++) {
      const kid = ids[i]!;
      const shown = changesOnly
        ? this.changeStats(k).mark.has(kid)
        : this.entryAtId(kid, k) !== undefined;
      if (shown) {
        const name = names[i]!;
        out.push(this.makeNode(kid, k, changesOnly, dir + name, name));
      }
    }
    memo.set(id, out);
    return out;
  }

  tree(k: number, opts: TreeOptions = {}): OverlayTree {
    this.checkLayer(k);
    const changesOnly = opts.changesOnly === true;
    const view = { changesOnly };
    const root = this.makeNode(ROOT, k, changesOnly, '');
    return {
      layer: k,
      changesOnly,
      root,
      node: (path) => this.node(k, path, view),
      children: (dirPath) => this.children(k, dirPath, view),
      rows: (isExpanded) => {
        const rows: TreeRow[] = [];
        const stack: { list: readonly OverlayNode[]; i: number }[] = [
          { list: this.children(k, '', view), i: 0 },
        ];
        while (stack.length > 0) {
          const top = stack[stack.length - 1]!;
          if (top.i >= top.list.length) {
            stack.pop();
            continue;
          }
          const node = top.list[top.i++]!;
          rows.push({ node, depth: stack.length - 1 });
          if (node.childCount > 0 && isExpanded(node.path)) {
            stack.push({ list: this.children(k, node.path, view), i: 0 });
          }
        }
        return rows;
      },
    };
  }

  /** Layer k's changes relative to the merged filesystem below it, sorted by path (byte order). */
  changes(k: number): readonly LayerChange[] {
    this.checkLayer(k);
    const c = this.layerCache(k);
    if (c.changes) return c.changes;
    const stats = this.changeStats(k);
    const rec = this.records[k]!;
    const rows: LayerChange[] = [];
    const pathOf = this.table.pathMaker();
    for (const id of rec.touched) {
      const v = this.versionAt(id, k);
      const prev = this.vPrev[v]!;
      const action = ACTIONS[this.vAction[v]!]!;
      const flags = this.vFlags[v]!;
      if (action === 'deleted' && this.deletedAt(this.table.parent(id), k)) continue; // inside a deleted directory
      const path = pathOf(id);
      if (action === 'deleted') {
        const before = this.vEntry[prev]!;
        const hidden = stats.hidden.get(id) ?? zeroHidden();
        rows.push({
          path,
          action: 'deleted',
          type: before.type,
          entry: before,
          before,
          beforeLayer: this.vLayer[prev]!,
          size: hidden.bytes,
          deletedBy: this.vCause.get(v),
          hidden,
        });
        continue;
      }
      const entry = this.vEntry[v]!;
      const row: LayerChange = {
        path,
        action,
        type: entry.type,
        entry,
        size: regularSize(entry),
      };
      if (action === 'modified') {
        row.before = this.vEntry[prev]!;
        row.beforeLayer = this.vLayer[prev]!;
        row.changed = diffEntries(row.before, entry);
      }
      if (flags & F_IMPLIED) row.implied = true;
      if (flags & F_RETARGETED) row.retargeted = true;
      if (flags & F_REPLACED) {
        row.replaced = true;
        row.deletedBy = this.vCause.get(v);
      }
      if (rec.opaque.has(id)) row.opaque = true;
      const below = stats.below.get(id);
      if (below !== undefined) row.hidden = below;
      rows.push(row);
    }
    rows.sort((a, b) => compareBytes(a.path, b.path));
    c.changes = rows;
    return rows;
  }

  layerSummary(k: number): LayerSummary {
    this.checkLayer(k);
    const r = this.records[k]!;
    return {
      layer: k,
      entries: r.entries,
      added: { ...r.added },
      modified: { ...r.modified },
      deleted: { ...r.deleted },
      deletedRoots: r.deletedRoots,
      relisted: r.relisted,
      whiteouts: r.whiteouts,
      ineffectiveWhiteouts: r.ineffectiveWhiteouts,
      opaqueDirs: r.opaque.size,
      merged: { ...r.merged },
      issues: r.issues,
    };
  }

  /** Every layer that touched `path`, bottom to top. */
  pathHistory(path: string): PathHistory {
    const id = this.find(path);
    if (id === undefined || id === ROOT) return { path, events: [], presentAtTop: false };
    if (this.shadowedById === undefined) {
      this.shadowedById = new Map();
      for (const s of this.shadowed) {
        const list = this.shadowedById.get(s.id) ?? [];
        list.push(s);
        this.shadowedById.set(s.id, list);
      }
    }
    const shadows = this.shadowedById.get(id) ?? [];
    const vs = this.versionsOf(id);
    const events: PathEvent[] = [];
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i]!;
      const prev = i > 0 ? vs[i - 1]!.entry : undefined;
      const ev: PathEvent = v.entry
        ? {
            layer: v.layer,
            action: v.action,
            entry: v.entry,
            type: v.entry.type,
            size: regularSize(v.entry),
          }
        : { layer: v.layer, action: 'deleted', deletedEntry: prev, type: prev!.type, size: 0 };
      if (v.action === 'modified') ev.changed = diffEntries(prev!, v.entry!);
      if (v.flags & F_IMPLIED) ev.implied = true;
      if (v.flags & F_RETARGETED) ev.retargeted = true;
      if (v.flags & F_REPLACED) ev.replaced = true;
      if (v.deletedBy !== undefined) ev.deletedBy = v.deletedBy;
      if (this.records[v.layer]!.opaque.has(id) && v.entry) ev.opaque = true;
      if (v.action === 'deleted') ev.hidden = this.changeStats(v.layer).hidden.get(id);
      const sh = shadows.filter((s) => s.layer === v.layer).reduce((n, s) => n + s.size, 0);
      if (sh > 0) ev.shadowedBytes = sh;
      events.push(ev);
    }
    const top = this.layerCount - 1;
    return { path, events, presentAtTop: top >= 0 && this.entryAtId(id, top) !== undefined };
  }

  /** Calls `fn` for every path of the merged filesystem after layer k (root excluded, id order). */
  forEachEntry(k: number, fn: (path: string, entry: TarEntry) => void): void {
    this.checkLayer(k);
    const pathOf = this.table.pathMaker();
    for (let id = 1; id < this.table.count; id++) {
      const e = this.entryAtId(id, k);
      if (e !== undefined) fn(pathOf(id), e);
    }
  }

  /** How big the model is: distinct paths, versions stored, shadowed copies (for diagnostics). */
  modelSize(): { paths: number; versions: number; shadowed: number } {
    let versions = 0;
    for (let id = 0; id < this.table.count; id++)
      for (let v = this.lastV[id]!; v >= 0; v = this.vPrev[v]!) versions++;
    return { paths: this.table.count, versions, shadowed: this.shadowed.length };
  }

  /** dive's efficiency score and wasted bytes beside the truly reclaimable bytes (cached). */
  wastedSpace(): WastedSpace {
    this.wasted ??= computeWastedSpace({
      layers: this.layers,
      count: this.table.count,
      pathOf: this.table.pathMaker(),
      versionsOf: (id) => this.versionsOf(id),
      shadowed: this.shadowed,
    });
    return this.wasted;
  }
}

/** Merge the layers of one image (bottom→top, each in tar order) into an overlay model. */
export function buildOverlay(layers: readonly (readonly TarEntry[])[]): Overlay {
  const overlay = new Overlay(layers.length);
  for (const entries of layers) overlay.applyNext(entries);
  return overlay;
}
