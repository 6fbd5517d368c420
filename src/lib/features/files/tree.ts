/**
 * The file tree as the virtual list needs it. One view of a layer (merged or changes only, sorted
 * by name or size) is flattened once, fully expanded, depth first; collapsing, hiding unchanged
 * paths and filtering are then a linear walk over typed arrays, with no sorting and no tree
 * building per keystroke (200,000 paths filter in a few milliseconds).
 */
import type { OverlayNode, OverlayTree } from '../../core/overlay';

export type SortKey = 'name' | 'size';

export interface FlatTree {
  /** Every node of the view, depth first, children in `sort` order. */
  nodes: OverlayNode[];
  depth: Uint16Array;
  /** Flat index of the parent row; -1 for children of the root. */
  parent: Int32Array;
  /** One past the last row of the node's subtree. */
  end: Int32Array;
  /** Lowercased paths, made once per view so a keystroke only compares strings. */
  lower: string[];
  /**
   * Per row: 1 when the node is deleted in this view; 2 when "hide unchanged" hides it (neither
   * it nor anything below it changed). A keystroke reads these rather than 200,000 node objects.
   */
  flags: Uint8Array;
}

export const ROW_DELETED = 1;
export const ROW_UNCHANGED = 2;

export function flatten(tree: OverlayTree, sort: SortKey): FlatTree {
  const nodes: OverlayNode[] = [];
  const depths: number[] = [];
  const parents: number[] = [];
  const kids = (path: string): readonly OverlayNode[] => {
    const list = tree.children(path);
    // The core gives byte order; a stable sort by size keeps it among equal sizes.
    return sort === 'size' ? [...list].sort((a, b) => b.size - a.size) : list;
  };
  const stack: { list: readonly OverlayNode[]; i: number; row: number }[] = [
    { list: kids(''), i: 0, row: -1 },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i >= top.list.length) {
      stack.pop();
      continue;
    }
    const node = top.list[top.i++]!;
    const row = nodes.length;
    nodes.push(node);
    depths.push(stack.length - 1);
    parents.push(top.row);
    if (node.childCount > 0) stack.push({ list: kids(node.path), i: 0, row });
  }
  const n = nodes.length;
  const end = new Int32Array(n);
  const parent = Int32Array.from(parents);
  for (let i = n - 1; i >= 0; i--) {
    if (end[i] === 0) end[i] = i + 1;
    const p = parent[i]!;
    if (p >= 0 && end[p]! < end[i]!) end[p] = end[i]!;
  }
  const lower = nodes.map((x) => x.path.toLowerCase());
  const flags = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = nodes[i]!;
    if (x.status === 'deleted') flags[i] = ROW_DELETED;
    else if (x.status === 'unchanged' && !x.changedBelow) flags[i] = ROW_UNCHANGED;
  }
  return { nodes, depth: Uint16Array.from(depths), parent, end, lower, flags };
}

export interface VisibleOptions {
  collapsed: ReadonlySet<string>;
  hideUnchanged: boolean;
  /** Lowercased, trimmed; '' for no filter. */
  filter: string;
}

/** Rows the list shows, as ascending flat indices. A filter shows matches and their ancestors. */
export function visibleRows(flat: FlatTree, o: VisibleOptions, prev?: FilterMemo): VisibleResult {
  const { nodes, end, lower, parent, flags } = flat;
  const n = nodes.length;
  const hidden = (i: number) => flags[i] === ROW_UNCHANGED;
  const out = new Int32Array(n);
  let m = 0;
  if (!o.filter) {
    const collapsing = o.collapsed.size > 0;
    for (let i = 0; i < n;) {
      if (o.hideUnchanged && hidden(i)) {
        i = end[i]!;
        continue;
      }
      out[m++] = i;
      const next = end[i]!;
      // Only a row with a subtree (next > i + 1) can be collapsed.
      i = collapsing && next > i + 1 && o.collapsed.has(nodes[i]!.path) ? next : i + 1;
    }
    return { rows: out.subarray(0, m) };
  }
  // A longer query only narrows the matches: test the previous matches, not every path again.
  const candidates =
    prev && prev.flat === flat && o.filter.includes(prev.filter) ? prev.matches : undefined;
  const matches = new Int32Array(candidates ? candidates.length : n);
  let k = 0;
  const mark = new Uint8Array(n);
  const test = (i: number) => {
    if (!lower[i]!.includes(o.filter)) return;
    matches[k++] = i;
    for (let a = i; a >= 0 && mark[a] === 0; a = parent[a]!) mark[a] = 1;
  };
  if (candidates) for (const i of candidates) test(i);
  else for (let i = 0; i < n; i++) test(i);
  for (let i = 0; i < n;) {
    // Nothing below an unmarked row matched; a hidden row hides its subtree.
    if (mark[i] === 0 || (o.hideUnchanged && hidden(i))) {
      i = end[i]!;
      continue;
    }
    out[m++] = i;
    i++;
  }
  return {
    rows: out.subarray(0, m),
    memo: { flat, filter: o.filter, matches: matches.subarray(0, k) },
  };
}

export interface FilterMemo {
  flat: FlatTree;
  filter: string;
  matches: Int32Array;
}

export interface VisibleResult {
  rows: Int32Array;
  memo?: FilterMemo;
}

/** Position of `value` in an ascending array, or -1. */
export function indexIn(rows: Int32Array, value: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = rows[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function flatIndexOf(flat: FlatTree, path: string | undefined): number {
  if (path === undefined) return -1;
  return flat.nodes.findIndex((n) => n.path === path);
}

/** The next node in tree order (ignoring collapse) whose name contains `q`, after `from`. */
export function findNext(flat: FlatTree, q: string, from: number): number {
  const needle = q.toLowerCase();
  const n = flat.nodes.length;
  for (let k = 1; k <= n; k++) {
    const i = (from + k + n) % n;
    if (flat.nodes[i]!.name.toLowerCase().includes(needle)) return i;
  }
  return -1;
}

/** Paths of the rows above `i` (its ancestors), nearest first. */
export function ancestorPaths(flat: FlatTree, i: number): string[] {
  const out: string[] = [];
  for (let a = flat.parent[i]!; a >= 0; a = flat.parent[a]!) out.push(flat.nodes[a]!.path);
  return out;
}
