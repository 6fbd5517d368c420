import { describe, expect, it } from 'vitest';
import type { TarEntry } from '../tar/types';
import { buildOverlay, diveEfficiency } from './index';
import { dir, entry, file, opaque, whiteout } from './entries.test-helpers';
import snapshot from './testdata/dive-export-snapshot.json';

const wasted = (layers: TarEntry[][]) => buildOverlay(layers).wastedSpace();

describe("dive's efficiency, replicated", () => {
  it("matches dive's own unit test (filetree/efficiency_test.go TestEfficiency)", () => {
    // /etc/nginx has no entry of its own: dive creates it with an empty FileInfo (IsDir false),
    // so its whiteout is sized 0 and the 5000 bytes below it count neither as waste nor as min.
    const d = diveEfficiency([
      [file('etc/nginx/nginx.conf', 2000), file('etc/nginx/public', 3000)],
      [file('etc/nginx/nginx.conf', 5000), file('etc/athing', 10000)],
      [whiteout('etc/nginx')],
    ]).analysis;
    expect(d.score).toBe(0.75);
    expect(
      d.inefficiencies.map((i) => [i.path, i.cumulative, i.visits.map((v) => v.layer)]),
    ).toEqual([['etc/nginx/nginx.conf', 7000, [0, 1]]]);
    expect(d.wastedBytes).toBe(7000);
  });

  it("matches dive's TestEfficiency_ScratchImage: nothing counted gives 1.0", () => {
    const d = diveEfficiency([[file('nothing', 0)], [], []]).analysis;
    expect(d.score).toBe(1);
    expect(d.inefficiencies).toEqual([]);
  });

  it("matches dive's JSON export of its test image (export_test.snap)", () => {
    const layers = snapshot.layers.map((l) =>
      l.entries.map(([path, flag, size, mode, link]) =>
        entry(path as string, {
          type:
            flag === '5' ? 'dir' : flag === '1' ? 'hardlink' : flag === '2' ? 'symlink' : 'file',
          typeflag: flag as string,
          size: size as number,
          mode: mode as number,
          linkname: link as string,
        }),
      ),
    );
    const d = diveEfficiency(layers).analysis;
    expect(d.score).toBe(snapshot.expected.efficiencyScore);
    expect(d.wastedBytes).toBe(snapshot.expected.inefficientBytes);
    expect(d.sizeBytes).toBe(snapshot.expected.sizeBytes);
    expect(
      d.inefficiencies.map((i) => ({
        count: i.visits.length,
        file: `/${i.path}`,
        sizeBytes: i.cumulative,
      })),
    ).toEqual(snapshot.expected.fileReference);
    expect(d.aborted).toEqual([]);
  });

  it('sizes a whiteout of a file as 0 and of a directory as everything below it', () => {
    const d = diveEfficiency([
      [file('big', 1000), dir('d'), file('d/f', 500)],
      [whiteout('big'), whiteout('d')],
    ]).analysis;
    const big = d.inefficiencies.find((i) => i.path === 'big')!;
    expect(big).toMatchObject({ cumulative: 1000, min: 0 });
    expect(big.visits).toEqual([
      { layer: 0, whiteout: false, size: 1000 },
      { layer: 1, whiteout: true, size: 0 },
    ]);
    // d was not a leaf in layer 0, so its only visit is the whiteout: 500 as both min and
    // cumulative; deleting a whole directory costs nothing in dive's score.
    expect(d.minSum).toBe(0 + 500 + 500);
    expect(d.cumulativeSum).toBe(1000 + 500 + 500);
    expect(d.score).toBe(0.5);
    expect(d.wastedBytes).toBe(1000);
  });

  it('abandons the rest of a layer at a whiteout of a path absent below, as dive does', () => {
    // '.wh.zzz' sorts before 'b', so 'b' is never counted; the failed record keeps min -1.
    const d = diveEfficiency([[file('a', 5)], [whiteout('zzz'), file('b', 7)]]).analysis;
    expect(d.aborted).toEqual([{ layer: 1, path: 'zzz' }]);
    expect(d.minSum).toBe(5 - 1);
    expect(d.cumulativeSum).toBe(5);
    expect(d.score).toBe(0.8);
  });

  it('ignores opaque markers (AddPath drops .wh..wh.. names)', () => {
    const d = diveEfficiency([
      [dir('d'), file('d/x', 100)],
      [dir('d'), opaque('d')],
    ]).analysis;
    expect(d.score).toBe(1);
    expect(d.wastedBytes).toBe(0);
  });
});

describe('three figures side by side', () => {
  it("dive's wasted bytes double-count rewritten files; reclaimable bytes do not", () => {
    // A 100-byte file written three times (e.g. RUN chmod, RUN chown): two copies are waste.
    const w = wasted([
      [file('app.bin', 100)],
      [file('app.bin', 100, { mode: 0o755 })],
      [file('app.bin', 100, { mode: 0o755, uid: 1000 })],
    ]);
    expect(w.dive.wastedBytes).toBe(300);
    expect(w.dive.score).toBe(100 / 300);
    expect(w.reclaimableBytes).toBe(200);
    expect(w.rows).toEqual([
      {
        path: 'app.bin',
        occurrences: [
          { layer: 0, action: 'added', size: 100 },
          { layer: 1, action: 'modified', size: 100 },
          { layer: 2, action: 'modified', size: 100 },
        ],
        cumulative: 300,
        min: 100,
        shipped: 100,
        reclaimable: 200,
        dive: { cumulative: 300, min: 100, visits: 3, countedInWastedBytes: true },
        explanation: {
          addedIn: 0,
          rewrittenIn: [1, 2],
          metadataOnlyIn: [1, 2],
          duplicatedIn: [],
          deletedIn: [],
          stillShipped: true,
        },
      },
    ]);
  });

  it('counts every byte of a deleted file and of a deleted directory', () => {
    const w = wasted([
      [file('big', 1000), dir('d'), file('d/f', 300), file('d/g', 200), file('kept', 7)],
      [file('unrelated', 1)],
      [whiteout('big'), whiteout('d')],
    ]);
    expect(w.reclaimableBytes).toBe(1500);
    expect(w.shippedBytes).toBe(8);
    expect(w.layerFileBytes).toBe(1508);
    expect(w.rows.map((r) => [r.path, r.reclaimable, r.min])).toEqual([
      ['big', 1000, 0],
      ['d/f', 300, 0],
      ['d/g', 200, 0],
    ]);
    expect(w.rows[0]!.explanation).toEqual({
      addedIn: 0,
      rewrittenIn: [],
      metadataOnlyIn: [],
      duplicatedIn: [],
      deletedIn: [2],
      deletedBy: 'whiteout',
      stillShipped: false,
    });
    // dive: 'big' (2 visits) is waste; d/f and d/g were visited once each and d's whiteout
    // carries their 500 bytes as its own min, so dive sees no waste in the directory.
    expect(w.dive.wastedBytes).toBe(1000);
    expect(w.rows[1]!.dive).toEqual({
      cumulative: 300,
      min: 300,
      visits: 1,
      countedInWastedBytes: false,
    });
    expect(w.dive.score).toBe((0 + 300 + 200 + 7 + 500 + 1) / (1000 + 300 + 200 + 7 + 500 + 1));
  });

  it('only the copies the final image does not need are reclaimable when a file grows', () => {
    const w = wasted([[file('log', 10)], [file('log', 100)]]);
    expect(w.rows[0]).toMatchObject({ cumulative: 110, min: 10, shipped: 100, reclaimable: 10 });
    expect(w.dive.wastedBytes).toBe(110);
  });

  it('explains added-then-deleted, re-added and duplicated paths', () => {
    const w = wasted([
      [file('base', 1)],
      [],
      [dir('tmp'), file('tmp/cache', 40), file('tmp/cache', 50)],
      [],
      [dir('tmp'), opaque('tmp')],
      [file('tmp/cache', 5)],
    ]);
    const row = w.rows.find((r) => r.path === 'tmp/cache')!;
    expect(row.occurrences).toEqual([
      { layer: 2, action: 'shadowed', size: 40 },
      { layer: 2, action: 'added', size: 50 },
      { layer: 4, action: 'deleted', size: 0 },
      { layer: 5, action: 'added', size: 5 },
    ]);
    expect(row).toMatchObject({ cumulative: 95, min: 0, shipped: 5, reclaimable: 90 });
    expect(row.explanation).toEqual({
      addedIn: 2,
      rewrittenIn: [],
      metadataOnlyIn: [],
      duplicatedIn: [2],
      deletedIn: [4],
      stillShipped: true,
    });
    // dive never sees the opaque marker: its tree of layer 2 holds one node for the duplicates.
    expect(row.dive).toEqual({ cumulative: 55, min: 5, visits: 2, countedInWastedBytes: true });
  });

  it('is 1.0 and empty for an image without waste', () => {
    const w = wasted([[file('a', 1)], [file('b', 2)]]);
    expect(w.dive.score).toBe(1);
    expect(w.dive.wastedBytes).toBe(0);
    expect(w.reclaimableBytes).toBe(0);
    expect(w.rows).toEqual([]);
  });

  it('is cached', () => {
    const o = buildOverlay([[file('a', 1)]]);
    expect(o.wastedSpace()).toBe(o.wastedSpace());
  });
});
