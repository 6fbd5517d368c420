/**
 * Adapter: the overlay model the views need, computed from each layer's tar index. It follows the
 * OCI image-spec layer.md "Whiteouts" rules (`.wh.<name>` hides a lower path, `.wh..wh..opq` hides
 * every lower child of its directory; a non-directory replacing a directory drops its children).
 * Kept here until `src/lib/core/overlay/` offers the same facts; then only this file changes.
 */
import type { TarEntry } from '../core/tar/types';

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'unmodified';

export interface FsNode {
  name: string;
  path: string;
  /** The tar entry that set this path last; undefined for a directory only implied by children. */
  entry?: TarEntry;
  /** Index of the layer (bottom = 0) whose entry is shown. */
  layer: number;
  kind: ChangeKind;
  children?: FsNode[];
  /** Sum of regular-file sizes at and below this node. */
  size: number;
  /** True when some node below differs from unmodified. */
  changedBelow: boolean;
  /** The whiteout marker that deleted this path in the selected layer. */
  whiteout?: string;
  /** This directory carries `.wh..wh..opq` in the selected layer. */
  opaque?: boolean;
  isDir: boolean;
}

interface Work {
  name: string;
  entry?: TarEntry;
  layer: number;
  children?: Map<string, Work>;
  kind: ChangeKind;
  whiteout?: string;
  opaque?: boolean;
}

const WH = '.wh.';
const OPQ = '.wh..wh..opq';

function split(path: string): { dir: string; base: string } {
  const i = path.lastIndexOf('/');
  return i < 0 ? { dir: '', base: path } : { dir: path.slice(0, i), base: path.slice(i + 1) };
}

export function isWhiteoutPath(path: string): boolean {
  return split(path).base.startsWith(WH);
}

function dirOf(root: Work, dir: string, layer: number): Work {
  let node = root;
  if (dir === '') return node;
  for (const part of dir.split('/')) {
    node.children ??= new Map();
    let next = node.children.get(part);
    if (!next || !next.children) {
      // A missing parent (or a file in the way: the tar replaces it) becomes an implied directory.
      next = { name: part, layer, children: new Map(), kind: 'unmodified' };
      node.children.set(part, next);
    }
    node = next;
  }
  return node;
}

function markDeleted(
  children: Map<string, Work>,
  name: string,
  marker: string,
  ghosts: Map<Work, Work[]>,
  parent: Work,
): void {
  const old = children.get(name);
  if (!old) return;
  children.delete(name);
  const list = ghosts.get(parent) ?? [];
  list.push({ ...old, kind: 'deleted', whiteout: marker });
  ghosts.set(parent, list);
}

/**
 * The merged filesystem after layers 0..k, each node classified relative to layer k; deleted
 * paths of layer k are kept as ghost nodes (kind `deleted`) so they can be shown.
 */
export function mergedTree(layers: (TarEntry[] | undefined)[], k: number): FsNode {
  const root: Work = { name: '', layer: 0, children: new Map(), kind: 'unmodified' };
  const ghosts = new Map<Work, Work[]>();
  for (let j = 0; j <= k && j < layers.length; j++) {
    const entries = layers[j] ?? [];
    const top = j === k;
    // Whiteouts apply to lower layers only, so they go first (OCI layer.md: "whiteout files MUST
    // only apply to resources in lower/parent layers").
    for (const e of entries) {
      const { dir, base } = split(e.path);
      if (!base.startsWith(WH)) continue;
      const parent = dirOf(root, dir, j);
      if (base === OPQ) {
        if (top) parent.opaque = true;
        for (const name of [...(parent.children?.keys() ?? [])])
          if (top)
            markDeleted(parent.children!, name, `${dir ? dir + '/' : ''}${OPQ}`, ghosts, parent);
          else parent.children!.delete(name);
      } else {
        const name = base.slice(WH.length);
        if (top) markDeleted(parent.children!, name, e.path, ghosts, parent);
        else parent.children?.delete(name);
      }
    }
    for (const e of entries) {
      if (e.path === '') continue;
      const { dir, base } = split(e.path);
      if (base.startsWith(WH)) continue;
      const parent = dirOf(root, dir, j);
      parent.children ??= new Map();
      const old = parent.children.get(base);
      const isDir = e.type === 'dir';
      let kind: ChangeKind = 'unmodified';
      if (top) kind = old && (old.entry || old.children) ? 'modified' : 'added';
      if (top) {
        // A path re-created in the layer that deleted it is a modification, not a deletion.
        const g = ghosts.get(parent);
        const gi = g?.findIndex((x) => x.name === base) ?? -1;
        if (g && gi >= 0) {
          g.splice(gi, 1);
          kind = 'modified';
        }
      }
      const next: Work = {
        name: base,
        entry: e,
        layer: j,
        kind,
        children: isDir ? (old?.children ?? new Map()) : undefined,
      };
      parent.children.set(base, next);
    }
  }
  for (const [parent, list] of ghosts) for (const g of list) parent.children?.set(`\0${g.name}`, g);
  return freeze(root, '');
}

function freeze(w: Work, path: string): FsNode {
  const children: FsNode[] | undefined = w.children
    ? [...w.children.values()].map((c) => freeze(c, path ? `${path}/${c.name}` : c.name))
    : undefined;
  let size = w.entry?.type === 'file' ? w.entry.size : 0;
  let changedBelow = false;
  if (children)
    for (const c of children) {
      if (c.kind !== 'deleted') size += c.size;
      if (c.kind !== 'unmodified' || c.changedBelow) changedBelow = true;
    }
  return {
    name: w.name,
    path,
    entry: w.entry,
    layer: w.layer,
    kind: w.kind,
    children,
    size,
    changedBelow,
    whiteout: w.whiteout,
    opaque: w.opaque,
    isDir: children !== undefined,
  };
}

export interface PathEvent {
  layer: number;
  kind: 'added' | 'modified' | 'deleted';
  entry?: TarEntry;
  /** The marker that deleted the path (a `.wh.` file or an opaque directory marker). */
  marker?: string;
}

/** Every layer that touched `path`: added, modified, or deleted (by a whiteout on it or above). */
export function pathHistory(layers: (TarEntry[] | undefined)[], path: string): PathEvent[] {
  const out: PathEvent[] = [];
  let present = false;
  const ancestors: string[] = [];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1))
    ancestors.push(path.slice(0, i));
  layers.forEach((entries, layer) => {
    let deletedBy: string | undefined;
    let set: TarEntry | undefined;
    for (const e of entries ?? []) {
      if (e.path === path) set = e;
      else if (present && !deletedBy) {
        const { dir, base } = split(e.path);
        if (base === OPQ && (dir === '' ? path.length > 0 : path.startsWith(dir + '/')))
          deletedBy = e.path;
        else if (base.startsWith(WH) && base !== OPQ) {
          const target = (dir ? dir + '/' : '') + base.slice(WH.length);
          if (target === path || path.startsWith(target + '/')) deletedBy = e.path;
        } else if (ancestors.includes(e.path) && e.type !== 'dir') deletedBy = e.path;
      }
    }
    if (set) {
      out.push({ layer, kind: present ? 'modified' : 'added', entry: set });
      present = true;
    } else if (deletedBy) {
      out.push({ layer, kind: 'deleted', marker: deletedBy });
      present = false;
    }
  });
  return out;
}

export interface WasteItem {
  path: string;
  /** Sum of the sizes of every version of the path, across layers (dive's CumulativeSize). */
  cumulative: number;
  /** The smallest version (dive's MinDiscoveredSize). */
  minimum: number;
  /** cumulative − minimum: what rebuilding without the churn would save. */
  reclaimable: number;
  /** Layers that touched the path. */
  layers: number[];
}

export interface WasteReport {
  /** dive: Σ minimum / Σ cumulative over every leaf path; 1 when there are no bytes. */
  efficiency: number;
  /** dive: Σ cumulative over paths seen in two or more layers (counts the kept copy too). */
  diveWasted: number;
  /** Σ (cumulative − minimum) over the same paths. */
  reclaimable: number;
  items: WasteItem[];
  totalCumulative: number;
  totalMinimum: number;
}

/**
 * Wasted space as dive computes it (dive `filetree/efficiency.go`: every leaf of every layer's
 * tree, a whiteout counting the size of what it hides), plus the truly reclaimable bytes (dive's
 * wasted figure also counts the one copy that must stay, dive issue #684).
 */
export function wasteReport(layers: (TarEntry[] | undefined)[]): WasteReport {
  const map = new Map<string, WasteItem>();
  const sizes = new Map<string, number>();
  layers.forEach((entries, layer) => {
    const list = entries ?? [];
    const parents = new Set<string>();
    for (const e of list) {
      const i = e.path.lastIndexOf('/');
      if (i > 0) parents.add(e.path.slice(0, i));
    }
    for (const e of list) {
      if (e.path === '' || parents.has(e.path)) continue; // dive visits leaves only
      const { dir, base } = split(e.path);
      if (base === OPQ) continue;
      let path = e.path;
      let size = e.type === 'file' ? e.size : 0;
      if (base.startsWith(WH)) {
        path = (dir ? dir + '/' : '') + base.slice(WH.length);
        size = 0;
        for (const [p, s] of sizes) if (p === path || p.startsWith(path + '/')) size += s;
      }
      const item = map.get(path) ?? {
        path,
        cumulative: 0,
        minimum: -1,
        reclaimable: 0,
        layers: [],
      };
      item.cumulative += size;
      if (item.minimum < 0 || size < item.minimum) item.minimum = size;
      item.layers.push(layer);
      map.set(path, item);
    }
    for (const e of list) {
      const { dir, base } = split(e.path);
      if (base.startsWith(WH) && base !== OPQ) {
        const target = (dir ? dir + '/' : '') + base.slice(WH.length);
        for (const p of [...sizes.keys()])
          if (p === target || p.startsWith(target + '/')) sizes.delete(p);
      } else if (e.type === 'file') sizes.set(e.path, e.size);
    }
  });
  let totalCumulative = 0;
  let totalMinimum = 0;
  let diveWasted = 0;
  let reclaimable = 0;
  const items: WasteItem[] = [];
  for (const item of map.values()) {
    totalCumulative += item.cumulative;
    totalMinimum += item.minimum;
    if (item.layers.length >= 2) {
      item.reclaimable = item.cumulative - item.minimum;
      diveWasted += item.cumulative;
      reclaimable += item.reclaimable;
      items.push(item);
    }
  }
  items.sort((a, b) => b.cumulative - a.cumulative || a.path.localeCompare(b.path));
  return {
    efficiency: totalCumulative === 0 ? 1 : totalMinimum / totalCumulative,
    diveWasted,
    reclaimable,
    items,
    totalCumulative,
    totalMinimum,
  };
}

export interface LayerCounts {
  added: number;
  modified: number;
  deleted: number;
}

/** Added / modified / deleted path counts of each layer, in one pass bottom to top. */
export function layerCounts(layers: (TarEntry[] | undefined)[]): (LayerCounts | undefined)[] {
  const present = new Set<string>();
  return layers.map((entries) => {
    if (!entries) return undefined;
    const c: LayerCounts = { added: 0, modified: 0, deleted: 0 };
    const removeUnder = (target: string, keepSelf: boolean) => {
      for (const p of present)
        if ((!keepSelf && p === target) || p.startsWith(target === '' ? '' : target + '/')) {
          if (p === target && keepSelf) continue;
          present.delete(p);
          c.deleted++;
        }
    };
    for (const e of entries) {
      const { dir, base } = split(e.path);
      if (base === OPQ) removeUnder(dir, true);
      else if (base.startsWith(WH))
        removeUnder((dir ? dir + '/' : '') + base.slice(WH.length), false);
    }
    for (const e of entries) {
      if (e.path === '' || split(e.path).base.startsWith(WH)) continue;
      if (present.has(e.path)) c.modified++;
      else {
        c.added++;
        present.add(e.path);
      }
    }
    return c;
  });
}
