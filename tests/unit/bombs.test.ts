/**
 * Bombs and extremes (issue 8, docs/SECURITY.md): the shapes scripts/make-bombs.ts writes at full
 * size, made smaller where that keeps their shape. Each is either indexed with flat memory and
 * stays cancellable, or stopped at a limit of LIMITS (src/lib/core/model/limits.ts) by an
 * `ArchiveError('limit')` whose message names the limit and says what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { openArchive, type OpenedArchive } from '../../src/lib/core/archive/open';
import { indexLayer, readLayerFile, verifyLayer } from '../../src/lib/core/archive/layers';
import { ArchiveError, isAbort } from '../../src/lib/core/model/errors';
import { buildOverlay, mergedListing } from '../../src/lib/core/overlay';
import { LIMITS, maxExpandedBytes } from '../../src/lib/core/model/limits';
import { decompressedStream } from '../../src/lib/core/compress/decompress';
import { TarParser } from '../../src/lib/core/tar/parser';
import { writeTar } from '../../src/lib/core/tar/write';
import { plainTar, zstd } from '../fixtures/archives';
import {
  bombArchive,
  deepLayer,
  gzipBombLayer,
  manyEntriesLayer,
  measure,
  namesLayer,
  outerLinkLoop,
  zstdWindowLayer,
  type BombLayer,
} from '../../scripts/make-bombs';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const open = (b: Uint8Array) => openArchive(blob(b));

async function indexAll(o: OpenedArchive) {
  const out = [];
  for (const img of o.model.images) {
    const layers = [];
    for (const key of img.layerKeys) {
      const idx = await indexLayer(o, key);
      await verifyLayer(o, key);
      layers.push(idx.entries);
    }
    out.push(layers);
  }
  return out;
}

async function limitError(p: Promise<unknown>): Promise<ArchiveError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, 'expected ArchiveError limit').toBeInstanceOf(ArchiveError);
  expect((e as ArchiveError).code).toBe('limit');
  return e as ArchiveError;
}

describe('a gzip layer that expands 1000× (1.1 MB → 1.1 GiB; 10 MB → 10 GB in make-bombs)', () => {
  let bomb: BombLayer;
  let archive: Uint8Array;
  beforeAll(async () => {
    bomb = await gzipBombLayer(Math.round(1.1 * GiB), false);
    archive = bombArchive([bomb]);
  }, 60_000);

  it('is stopped at the stated expansion limit with flat memory', async () => {
    expect(1.1 * GiB).toBeGreaterThan(900 * bomb.stored.length); // the shape: ~1000×
    const m = await measure(blob(archive));
    expect(m.outcome).toBe('limit');
    expect(m.message).toMatch(/expands to more than 1 GiB/);
    expect(m.message).toMatch(/200× the compressed size, at least 1 GiB/);
    expect(m.message).toMatch(/docker image inspect/);
    expect(m.peakHeapDelta).toBeLessThan(64 * MiB);
    expect(maxExpandedBytes(bomb.stored.length)).toBe(GiB);
  });

  it('stays cancellable while it is being read', async () => {
    const o = await open(archive);
    const ctrl = new AbortController();
    const work = indexLayer(o, o.model.images[0]!.layerKeys[0]!, { signal: ctrl.signal }).catch(
      (x: unknown) => x,
    );
    await new Promise((r) => setTimeout(r, 300));
    const at = performance.now();
    ctrl.abort();
    const e = await work;
    expect(isAbort(e)).toBe(true);
    expect(performance.now() - at).toBeLessThan(1000);
  });
});

describe('the same guard on every path that decompresses (floor lowered to 64 MiB here)', () => {
  // One full 1 GiB pass above is enough: these lower the floor to keep npm test quick.
  let bomb: BombLayer;
  const floor = LIMITS.expansionFloorBytes;
  beforeAll(async () => {
    bomb = await gzipBombLayer(100 * MiB, false);
    (LIMITS as { expansionFloorBytes: number }).expansionFloorBytes = 64 * MiB;
  });
  afterAll(() => {
    (LIMITS as { expansionFloorBytes: number }).expansionFloorBytes = floor;
  });

  it('verifying and reading a file stop at the limit too', async () => {
    const o = await open(bombArchive([bomb]));
    const key = o.model.images[0]!.layerKeys[0]!;
    const e = await limitError(verifyLayer(o, key));
    expect(e.message).toMatch(/expands to more than 64 MiB/);
    expect(o.model.layers[key]!.diffIdState).toBe('unavailable');
    await limitError(readLayerFile(o, key, { dataOffset: 90 * MiB, size: 10 }, 10));
  });

  it('a whole archive compressed into a bomb is stopped the same way', async () => {
    // 100 MiB of zeros after a valid tar start: the outer decompression hits the limit.
    const head = writeTar([{ path: 'a', type: 'file', data: new Uint8Array(1) }]).subarray(0, 1024);
    const gz = gzipSync(Buffer.concat([head, Buffer.alloc(100 * MiB)]), { level: 9 });
    const e = await limitError(open(new Uint8Array(gz)));
    expect(e.message).toMatch(/This gzip-compressed archive expands to more than 64 MiB/);
  });

  it('zstd too', async () => {
    const zs = zstd(new Uint8Array(100 * MiB));
    const e = await limitError(
      decompressedStream(blob(zs), 'zstd', undefined, {
        what: 'The layer z',
        storedBytes: zs.length,
      }).pipeTo(new WritableStream()),
    );
    expect(e.message).toMatch(/^The layer z expands to more than 64 MiB/);
  });
});

describe('a layer of very many entries (100,000 here; 1,000,000 in make-bombs)', () => {
  const N = 100_000;
  let layer: BombLayer;
  beforeAll(() => {
    layer = manyEntriesLayer(N);
  });

  it('is indexed with memory proportional to the index, not the data', async () => {
    const m = await measure(blob(bombArchive([layer])));
    expect(m.outcome).toBe('ok');
    expect(m.entries).toBe(N);
    // ~210 bytes per entry measured; 1 KiB leaves room for GC timing.
    expect(m.peakHeapDelta / N).toBeLessThan(1024);
  });

  it('is stopped at the entries-per-layer limit, by name', async () => {
    const o = await open(bombArchive([layer]));
    const e = await limitError(
      indexLayer(o, o.model.images[0]!.layerKeys[0]!, { maxEntries: N - 1 }),
    );
    expect(e.message).toMatch(/more than 99,999 entries, layerscope's limit for one layer/);
    expect(e.message).toMatch(/tar -tvf/);
    expect(LIMITS.layerEntries).toBe(1_000_000);
  });

  it('the archive-wide entry limit counts every layer once (lowered to 30,000 here)', async () => {
    const o = await open(bombArchive([manyEntriesLayer(20_000), manyEntriesLayer(20_001)]));
    const [a, b] = o.model.images[0]!.layerKeys;
    const saved = LIMITS.archiveEntries;
    (LIMITS as { archiveEntries: number }).archiveEntries = 30_000;
    try {
      await indexLayer(o, a!);
      await indexLayer(o, a!); // re-indexing the same layer does not count twice
      const e = await limitError(indexLayer(o, b!));
      expect(e.message).toMatch(/limit of 30,000 entries for all the layers of one archive/);
    } finally {
      (LIMITS as { archiveEntries: number }).archiveEntries = saved;
    }
  });

  it('the names an index keeps are bounded too (long PAX names × many entries)', () => {
    const tar = writeTar(
      Array.from({ length: 50 }, (_, i) => ({
        path: `${'n'.repeat(1000)}/${i}`,
        type: 'file' as const,
        data: new Uint8Array(0),
      })),
    );
    const p = new TarParser({ maxNameBytes: 20_000 });
    expect(() => p.push(tar)).toThrow(/add up to more than 20000 bytes/);
  });
});

describe('paths nested deep', () => {
  it('1,000 levels: indexed, merged, listed and measured for waste', async () => {
    const o = await open(bombArchive([deepLayer(1000)]));
    const [layers] = await indexAll(o);
    expect(layers![0]).toHaveLength(1001);
    const ov = buildOverlay(layers!);
    const listing = mergedListing(ov, 0);
    expect(listing.at(-1)).toMatch(/^(d\/){1000}leaf\tfile\t4\t/);
    ov.wastedSpace();
    ov.tree(0).rows(() => true);
    expect(o.model.layers[o.model.images[0]!.layerKeys[0]!]!.diffIdState).toBe('verified');
  });

  it('the longest path the limit allows (4,096 bytes, 2,046 levels) still works', async () => {
    const o = await open(bombArchive([deepLayer(2046)]));
    const [layers] = await indexAll(o);
    const ov = buildOverlay(layers!);
    const listing = mergedListing(ov, 0);
    expect(listing).toHaveLength(2047);
    expect(listing.at(-1)!.split('\t')[0]).toHaveLength(LIMITS.pathBytes);
    ov.wastedSpace();
  });

  it('a path longer than 4,096 bytes is stopped at the path limit', async () => {
    const o = await open(bombArchive([deepLayer(1, 'x'.repeat(4096))]));
    const e = await limitError(indexLayer(o, o.model.images[0]!.layerKeys[0]!));
    expect(e.message).toMatch(/4097-byte path, longer than the 4096 bytes a Linux path may have/);
  });
});

describe('hostile names and links', () => {
  it('`..`, absolute, control characters, invalid UTF-8, a symlink loop, a missing hardlink target', async () => {
    const o = await open(bombArchive([namesLayer()]));
    const [layers] = await indexAll(o);
    const entries = layers![0]!;
    const ov = buildOverlay(layers!);
    const issues = ov.issues.map((i) => `${i.kind} ${i.path}`);
    // `..` never escapes: dropped with an issue each; the absolute path lands inside the root.
    expect(issues).toContain('unsafe-path ../escape');
    expect(issues).toContain('unsafe-path a/../../b');
    expect(issues).toContain('hardlink-target-missing hard-missing');
    expect(issues).toContain('empty-whiteout .wh.');
    const listing = mergedListing(ov, 0);
    expect(listing.some((l) => l.startsWith('abs/path\t'))).toBe(true);
    expect(listing.some((l) => l.includes('..'))).toBe(false);
    // Control characters stay data; tabs and newlines are escaped so lines stay lines.
    expect(listing.some((l) => l.startsWith('ctl\x01\x1b[31m\\tname\\n\t'))).toBe(true);
    // Invalid UTF-8 decodes to U+FFFD; the loop is two symlinks, never followed.
    expect(entries.some((e) => e.path.startsWith('bad\ufffd'))).toBe(true);
    expect(listing).toContain('loop-a\tsymlink\t0\t777\tloop-b');
    expect(listing).toContain('self\tsymlink\t0\t777\tself');
    // A hardlink has no data of its own to read.
    const hard = entries.find((e) => e.path === 'hard-missing')!;
    const key = o.model.images[0]!.layerKeys[0]!;
    expect(await readLayerFile(o, key, hard, 100)).toHaveLength(0);
    ov.wastedSpace();
  });

  it('a layer.tar symlink loop in the outer archive is stopped at the link limit', async () => {
    const e = await limitError(open(outerLinkLoop()));
    expect(e.message).toMatch(/a\/layer\.tar .*more than 8 links \(a loop\)/);
  });
});

describe('decoder memory and metadata', () => {
  it('a zstd frame asking for a 1 GiB window is refused before it is allocated', async () => {
    const o = await open(bombArchive([zstdWindowLayer()]));
    const e = await limitError(indexLayer(o, o.model.images[0]!.layerKeys[0]!));
    expect(e.message).toMatch(/1 GiB decoding window, more than layerscope's limit \(128 MiB/);
    // The guard follows frames: a skippable frame, then the big one.
    const skippable = Uint8Array.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]);
    const stream = decompressedStream(
      blob(new Uint8Array([...skippable, ...zstdWindowLayer().stored])),
      'zstd',
    );
    await limitError(stream.getReader().read());
  });

  it('a JSON document larger than 16 MiB is refused by name', async () => {
    const big = new Uint8Array(LIMITS.jsonBytes + 1).fill(0x20);
    const e = await limitError(open(plainTar([['manifest.json', big]])));
    expect(e.message).toMatch(
      /manifest\.json is 16777217 bytes, larger than layerscope's 16 MiB limit/,
    );
  });

  it('an outer archive of too many members is stopped (lowered to 10 here)', async () => {
    const saved = LIMITS.layerEntries;
    (LIMITS as { layerEntries: number }).layerEntries = 10;
    try {
      const files = Array.from({ length: 11 }, (_, i): [string, Uint8Array] => [
        `f${i}`,
        new Uint8Array(1),
      ]);
      const e = await limitError(open(plainTar(files)));
      expect(e.message).toMatch(/This archive has more members than layerscope lists \(10 files/);
    } finally {
      (LIMITS as { layerEntries: number }).layerEntries = saved;
    }
  });

  it('manifest.json naming one config 5,000 times stops at the metadata budget', async () => {
    const e = await limitError(open(bombArchive([deepLayer(1)], { items: 5000 })));
    expect(e.message).toMatch(/more than 256 MiB of manifests and configs/);
  });
});
