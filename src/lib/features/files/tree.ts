/** Flattening the merged tree into the rows the virtual list shows. */
import type { FsNode } from '../../state/overlay-adapter';

export interface Row {
  node: FsNode;
  depth: number;
}

export interface FlattenOptions {
  collapsed: ReadonlySet<string>;
  hideUnmodified: boolean;
  filter: string;
  sort: 'name' | 'size';
}

function sorted(children: FsNode[], sort: 'name' | 'size'): FsNode[] {
  return [...children].sort((a, b) =>
    sort === 'size'
      ? b.size - a.size || (a.name < b.name ? -1 : 1)
      : a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : a.kind === 'deleted'
            ? 1
            : -1,
  );
}

export function flatten(root: FsNode, o: FlattenOptions): Row[] {
  const out: Row[] = [];
  const filter = o.filter.trim().toLowerCase();
  const visit = (node: FsNode, depth: number): void => {
    if (o.hideUnmodified && node.kind === 'unmodified' && !node.changedBelow) return;
    const at = out.length;
    out.push({ node, depth });
    const self = !filter || node.path.toLowerCase().includes(filter);
    if (node.children && (filter || !o.collapsed.has(node.path)))
      for (const c of sorted(node.children, o.sort)) visit(c, depth + 1);
    if (!self && out.length === at + 1) out.pop();
  };
  for (const c of sorted(root.children ?? [], o.sort)) visit(c, 0);
  return out;
}

/** The next node (in name order, ignoring collapse) whose name contains `q`, after `from`. */
export function findNext(root: FsNode, q: string, from: string | undefined): FsNode | undefined {
  const needle = q.toLowerCase();
  const all: FsNode[] = [];
  const walk = (n: FsNode) => {
    for (const c of sorted(n.children ?? [], 'name')) {
      all.push(c);
      walk(c);
    }
  };
  walk(root);
  const start = from ? all.findIndex((n) => n.path === from) + 1 : 0;
  for (let i = 0; i < all.length; i++) {
    const n = all[(start + i) % all.length]!;
    if (n.name.toLowerCase().includes(needle)) return n;
  }
  return undefined;
}

export function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}
