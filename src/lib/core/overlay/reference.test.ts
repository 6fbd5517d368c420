/**
 * The overlay against a deliberately naive reference: a Map of path → entry that applies the same
 * rules (docs/FORMATS.md 1.9 "Merge algorithm") by scanning every key, on random layers over a tiny
 * name space so that collisions, replacements and whiteouts are frequent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TarEntry } from '../tar/types';
import { buildOverlay, compareBytes, listingLine, mergedListing } from './index';
import { impliedDir, parentPath } from './paths';
import { dir, file, hardlink, opaque, symlink, whiteout } from './entries.test-helpers';

function naiveMerge(layers: TarEntry[][]): Map<string, TarEntry>[] {
  const fs = new Map<string, TarEntry>();
  const out: Map<string, TarEntry>[] = [];
  const removeBelow = (p: string) => {
    for (const key of [...fs.keys()]) if (p === '' || key.startsWith(p + '/')) fs.delete(key);
  };
  const removeTree = (p: string) => {
    fs.delete(p);
    removeBelow(p);
  };
  const ensureDir = (d: string, replace: boolean): boolean => {
    if (d === '') return true;
    const parts = d.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const q = parts.slice(0, i).join('/');
      const cur = fs.get(q);
      if (cur === undefined) fs.set(q, impliedDir(q));
      else if (cur.type !== 'dir') {
        if (!replace) return false;
        removeTree(q);
        fs.set(q, impliedDir(q));
      }
    }
    return true;
  };
  for (const layer of layers) {
    const base = (e: TarEntry) => e.path.slice(e.path.lastIndexOf('/') + 1);
    for (const e of layer) {
      if (base(e) !== '.wh..wh..opq') continue;
      const d = parentPath(e.path);
      if (ensureDir(d, false)) removeBelow(d);
    }
    for (const e of layer) {
      const b = base(e);
      if (!b.startsWith('.wh.') || b === '.wh..wh..opq') continue;
      const d = parentPath(e.path);
      if (ensureDir(d, false)) removeTree(d === '' ? b.slice(4) : `${d}/${b.slice(4)}`);
    }
    for (const e of layer) {
      if (base(e).startsWith('.wh.')) continue;
      ensureDir(parentPath(e.path), true);
      const cur = fs.get(e.path);
      if (cur !== undefined && cur.type === 'dir' && e.type !== 'dir') removeBelow(e.path);
      fs.set(e.path, e);
    }
    out.push(new Map(fs));
  }
  return out;
}

function listing(fs: Map<string, TarEntry>): string[] {
  return [...fs.keys()].sort(compareBytes).map((p) => listingLine(p, fs.get(p)!));
}

const name = fc.constantFrom('a', 'b', 'c');
const path = fc.array(name, { minLength: 1, maxLength: 3 }).map((a) => a.join('/'));
const anEntry: fc.Arbitrary<TarEntry> = fc.oneof(
  { arbitrary: fc.tuple(path, fc.nat(100)).map(([p, s]) => file(p, s)), weight: 4 },
  { arbitrary: path.map((p) => dir(p)), weight: 3 },
  { arbitrary: path.map((p) => symlink(p, 'target')), weight: 1 },
  { arbitrary: fc.tuple(path, path).map(([p, t]) => hardlink(p, t)), weight: 1 },
  { arbitrary: path.map((p) => whiteout(p)), weight: 2 },
  { arbitrary: fc.oneof(fc.constant(''), path).map((p) => opaque(p)), weight: 1 },
);
const layersArb = fc.array(fc.array(anEntry, { maxLength: 10 }), { minLength: 1, maxLength: 5 });

describe('the overlay against a naive reference merge', () => {
  it('gives the same merged filesystem at every layer', () => {
    fc.assert(
      fc.property(layersArb, (layers) => {
        const o = buildOverlay(layers);
        const expected = naiveMerge(layers);
        for (let k = 0; k < layers.length; k++) {
          expect(mergedListing(o, k)).toEqual(listing(expected[k]!));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('classifies added and deleted paths as the difference of consecutive states', () => {
    fc.assert(
      fc.property(layersArb, (layers) => {
        const o = buildOverlay(layers);
        const states = naiveMerge(layers);
        for (let k = 0; k < layers.length; k++) {
          const before = k === 0 ? new Map<string, TarEntry>() : states[k - 1]!;
          const after = states[k]!;
          const added = [...after.keys()].filter((p) => !before.has(p)).sort(compareBytes);
          const deleted = [...before.keys()].filter((p) => !after.has(p));
          const deletedRoots = deleted
            .filter((p) => !deleted.includes(parentPath(p)))
            .sort(compareBytes);
          const rows = o.changes(k);
          expect(rows.filter((r) => r.action === 'added').map((r) => r.path)).toEqual(added);
          expect(rows.filter((r) => r.action === 'deleted').map((r) => r.path)).toEqual(
            deletedRoots,
          );
          expect(o.layerSummary(k).deleted.count).toBe(deleted.length);
          for (const r of rows.filter((x) => x.action === 'modified')) {
            expect(before.has(r.path) && after.has(r.path)).toBe(true);
          }
          // Sizes in the tree agree with the listing.
          const bytes = [...after.values()].reduce(
            (n, e) => n + (e.type === 'file' ? e.size : 0),
            0,
          );
          expect(o.tree(k).root.size).toBe(bytes);
          expect(o.layerSummary(k).merged.bytes).toBe(bytes);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps dive replica and waste figures consistent on any input', () => {
    fc.assert(
      fc.property(layersArb, (layers) => {
        const w = buildOverlay(layers).wastedSpace();
        expect(w.layerFileBytes - w.shippedBytes).toBe(w.reclaimableBytes);
        expect(w.rows.reduce((n, r) => n + r.reclaimable, 0)).toBe(w.reclaimableBytes);
        const top = naiveMerge(layers).at(-1)!;
        const shipped = [...top.values()].reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0);
        expect(w.shippedBytes).toBe(shipped);
        const all = layers
          .flat()
          .reduce((n, e) => n + (e.type === 'file' && !e.path.includes('.wh.') ? e.size : 0), 0);
        expect(w.layerFileBytes).toBe(all);
        expect(w.dive.score).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });
});
