/**
 * Scale sanity check: 5 layers of ~40,000 entries each. No timing assertions; the model's size is
 * asserted to grow linearly with the input (one version per path per layer that touched it).
 */
import { describe, expect, it } from 'vitest';
import type { TarEntry } from '../tar/types';
import { buildOverlay, mergedListing } from './index';
import { dir, file, opaque, whiteout } from './entries.test-helpers';

const DIRS = 200;
const FILES = 199;

function layers(): TarEntry[][] {
  const l0: TarEntry[] = [];
  const l1: TarEntry[] = [];
  for (let d = 0; d < DIRS; d++) {
    l0.push(dir(`usr/lib/p${d}`));
    l1.push(dir(`usr/lib/p${d}`));
    for (let i = 0; i < FILES; i++) {
      l0.push(file(`usr/lib/p${d}/f${i}`, 10));
      l1.push(file(`usr/lib/p${d}/f${i}`, 10, { mode: 0o755 })); // chmod -R: every file copied
    }
  }
  const l2: TarEntry[] = [];
  for (let d = 0; d < 100; d++) l2.push(whiteout(`usr/lib/p${d}`));
  for (let d = 0; d < DIRS; d++)
    for (let i = 0; i < FILES; i++) l2.push(file(`opt/q${d}/g${i}`, 1));
  const l3: TarEntry[] = [];
  for (let d = 100; d < DIRS; d++)
    l3.push(dir(`usr/lib/p${d}`), opaque(`usr/lib/p${d}`), file(`usr/lib/p${d}/f0`, 2));
  for (let i = 0; i < 39_700; i++) l3.push(file(`srv/s${i % 100}/h${i}`, 1));
  const l4: TarEntry[] = [];
  for (let i = 0; i < 40_000; i++) l4.push(file(`big/n${i}`, 3));
  return [l0, l1, l2, l3, l4];
}

describe('an image of 5 layers × 40,000 entries', () => {
  const input = layers();
  const entries = input.reduce((n, l) => n + l.length, 0);
  const o = buildOverlay(input);

  it('builds without quadratic growth of the model', () => {
    expect(entries).toBeGreaterThan(5 * 39_000);
    const size = o.modelSize();
    // Each path gets one version per layer that touched it, plus one per deletion.
    expect(size.versions).toBeLessThanOrEqual(entries + 100 * (FILES + 1) * 2 + 1_000);
    expect(size.paths).toBeLessThanOrEqual(entries);
  });

  it('answers every view for every layer', () => {
    expect(o.changes(1).filter((r) => r.action === 'modified')).toHaveLength(DIRS * (FILES + 1));
    expect(o.layerSummary(2)).toMatchObject({
      whiteouts: 100,
      deletedRoots: 100,
      deleted: { count: 100 * (FILES + 1) },
    });
    expect(o.layerSummary(3)).toMatchObject({
      opaqueDirs: 100,
      deleted: { count: 100 * (FILES - 1) },
    });
    expect(o.children(4, 'big')).toHaveLength(40_000);
    expect(o.children(4, 'big')[1]!.name).toBe('n1'); // byte order: n0, n1, n10, n100, ...
    expect(o.children(4, 'big')[2]!.name).toBe('n10');
    for (let k = 0; k < 5; k++)
      expect(o.tree(k, { changesOnly: true }).root.changedBelow).toBe(true);
    const listing = mergedListing(o, 4);
    // usr, usr/lib, 100 dirs with one file, opt + 200 dirs + files, srv + 100 dirs + files, big.
    expect(listing).toHaveLength(2 + 200 + 1 + DIRS * (FILES + 1) + 1 + 100 + 39_700 + 1 + 40_000);
  });

  it('computes the three wasted-space figures', () => {
    const w = o.wastedSpace();
    // Layer 0+1 copies of p0..p99 (deleted) and of p100..p199 (hidden by opaque, f0 re-added).
    expect(w.reclaimableBytes).toBe(DIRS * FILES * 20);
    expect(w.dive.wastedBytes).toBeGreaterThan(w.reclaimableBytes);
    expect(w.dive.score).toBeGreaterThan(0);
    expect(w.dive.score).toBeLessThan(1);
  });
});
