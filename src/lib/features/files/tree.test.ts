import { describe, expect, it } from 'vitest';
import { buildOverlay } from '../../core/overlay';
import { dir, file, whiteout } from '../../core/overlay/entries.test-helpers';
import { ROW_DELETED, ROW_UNCHANGED, flatten, visibleRows } from './tree';

const layers = [
  [dir('etc'), file('etc/hosts', 10), file('etc/passwd', 20), dir('usr'), file('usr/README', 5)],
  [file('etc/hosts', 12), whiteout('usr/README'), dir('tmp'), file('tmp/Cache.bin', 7)],
];
const overlay = buildOverlay(layers);
const pathsOf = (flat: ReturnType<typeof flatten>, rows: Int32Array) =>
  [...rows].map((i) => flat.nodes[i]!.path);

describe('file tree', () => {
  it('flattens a view depth first with each row marked deleted or unchanged', () => {
    const flat = flatten(overlay.tree(1, { changesOnly: true }), 'name');
    expect(flat.nodes.map((n) => n.path)).toStrictEqual([
      'etc',
      'etc/hosts',
      'tmp',
      'tmp/Cache.bin',
      'usr',
      'usr/README',
    ]);
    const marks = Object.fromEntries(flat.nodes.map((n, i) => [n.path, flat.flags[i]]));
    expect(marks['usr/README']).toBe(ROW_DELETED);
    expect(marks['etc/hosts']).toBe(0);
    expect(flat.lower).toContain('tmp/cache.bin');
  });

  it('hides unchanged rows of the merged view but keeps those with changes below', () => {
    const flat = flatten(overlay.tree(1), 'name');
    const marks = Object.fromEntries(flat.nodes.map((n, i) => [n.path, flat.flags[i]]));
    expect(marks['etc/passwd']).toBe(ROW_UNCHANGED);
    // A directory whose child was deleted or rewritten has a change below it.
    expect(marks['usr']).toBe(0);
    expect(marks['etc']).toBe(0);
    const shown = visibleRows(flat, { collapsed: new Set(), hideUnchanged: true, filter: '' });
    expect(pathsOf(flat, shown.rows)).toStrictEqual([
      'etc',
      'etc/hosts',
      'tmp',
      'tmp/Cache.bin',
      'usr',
    ]);
  });

  it('filters by lowercased path, keeping the ancestors of matches', () => {
    const flat = flatten(overlay.tree(1), 'name');
    const o = { collapsed: new Set<string>(), hideUnchanged: false, filter: 'cache' };
    const r = visibleRows(flat, o);
    expect(pathsOf(flat, r.rows)).toStrictEqual(['tmp', 'tmp/Cache.bin']);
    // Typing on narrows the previous matches.
    const narrower = visibleRows(flat, { ...o, filter: 'cache.b' }, r.memo);
    expect(pathsOf(flat, narrower.rows)).toStrictEqual(['tmp', 'tmp/Cache.bin']);
    expect(visibleRows(flat, { ...o, filter: 'cachex' }, narrower.memo).rows.length).toBe(0);
  });
});
