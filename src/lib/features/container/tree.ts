/**
 * The container's merged filesystem as rows for the virtual list: only expanded directories are
 * walked (an image of 200,000 files costs what is on screen), and paths the container deleted
 * stay as ghost rows (`docker diff` D) where they were, so a deletion is visible in place.
 */
import type { Container, ContainerStat, DiffKind } from '../../core/container';
import { compareBytes } from '../../core/model/order';

export interface TreeRow {
  path: string;
  name: string;
  depth: number;
  /** Undefined for a ghost row (deleted in the container). */
  stat?: ContainerStat;
  isDir: boolean;
  diff?: DiffKind;
}

export function containerRows(
  c: Container,
  byPath: ReadonlyMap<string, DiffKind>,
  isOpen: (path: string) => boolean,
): TreeRow[] {
  // Deleted paths by their parent directory.
  const ghosts = new Map<string, string[]>();
  for (const [p, k] of byPath) {
    if (k !== 'D') continue;
    const i = p.lastIndexOf('/');
    const dir = i < 0 ? '' : p.slice(0, i);
    ghosts.set(dir, [...(ghosts.get(dir) ?? []), p.slice(i + 1)]);
  }
  const out: TreeRow[] = [];
  const walk = (dir: string, depth: number) => {
    let list: ContainerStat[];
    try {
      list = c.list(dir);
    } catch {
      return;
    }
    const rows: TreeRow[] = list.map((s) => ({
      path: s.path,
      name: s.name,
      depth,
      stat: s,
      isDir: s.type === 'dir',
      diff: byPath.get(s.path),
    }));
    for (const name of ghosts.get(dir) ?? []) {
      const path = dir === '' ? name : `${dir}/${name}`;
      if (!rows.some((r) => r.path === path))
        rows.push({ path, name, depth, isDir: false, diff: 'D' });
    }
    rows.sort((a, b) => compareBytes(a.name, b.name));
    for (const r of rows) {
      out.push(r);
      if (r.isDir && isOpen(r.path)) walk(r.path, depth + 1);
    }
  };
  walk('', 0);
  return out;
}

/** `a/b/c` → `a`, `a/b`: the directories to open so a path's row is on screen. */
export function ancestors(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}
