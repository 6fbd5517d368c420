/**
 * The engine on the bundled samples (sample-images/): what it indexes and verifies is checked
 * against the oracle the independent tools wrote (*.expected.json), and every call is aborted
 * halfway to see it stop.
 */
import { describe, expect, it } from 'vitest';
import { openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  engineFailure,
  openImageArchive,
  type EngineProgress,
  type ImageArchive,
  type OpenOptions,
} from '.';
import { ArchiveError, isAbort } from '../model/errors';
import type { LayerStats } from '../model/types';
import type { TarEntry } from '../tar/types';
import { entriesOf } from '../tar/columns';

const DIR = join(import.meta.dirname, '../../../../sample-images');

interface ExpectedLayer {
  digest: string;
  diffId: string;
  storedSize: number;
  uncompressedSize: number;
  entries: number;
  whiteouts: number;
  opaqueWhiteouts: number;
}
interface Expected {
  images: { id: string; layers: ExpectedLayer[] }[];
}

const expected = (name: string) =>
  JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')) as Expected;
const open = async (file: string, opts: OpenOptions = {}) =>
  openImageArchive(await openAsBlob(join(DIR, file)), { fileName: file, ...opts });

/** Each layer's writes to `stats`, counted by an accessor put on the layer (values kept). */
function countStatsWrites(archive: ImageArchive): Map<string, number> {
  const writes = new Map<string, number>();
  for (const layer of Object.values(archive.model.layers)) {
    let value: LayerStats | undefined = layer.stats;
    writes.set(layer.key, 0);
    Object.defineProperty(layer, 'stats', {
      get: () => value,
      set: (v: LayerStats) => {
        writes.set(layer.key, writes.get(layer.key)! + 1);
        value = v;
      },
      enumerable: true,
      configurable: true,
    });
  }
  return writes;
}

/** The expected facts of each distinct layer, by diffID. */
function expectedLayers(name: string): Map<string, ExpectedLayer> {
  return new Map(expected(name).images.flatMap((i) => i.layers.map((l) => [l.diffId, l])));
}

const ALL = ['busybox-app.tar', 'multi-app.tar', 'busybox-app.oci.tar', 'busybox-app.zstd.oci.tar'];

describe.each(ALL)('the engine on %s', (file) => {
  const name = file.replace(/\.tar$/, '');

  it('indexes each layer once, in order, and sets its stats once', async () => {
    const archive = await open(file);
    const writes = countStatsWrites(archive);
    const keys = archive.layerKeys();
    const seen: string[] = [];
    const entries = await archive.indexLayers({
      onLayer: (l) => {
        seen.push(l.key);
        expect(l.layer.stats, l.key).toBeDefined();
        expect(l.index).toHaveLength(l.layer.stats!.entries);
        expect(l.layersDone).toBe(seen.length);
        expect(l.layersTotal).toBe(keys.length);
      },
    });
    expect(seen).toEqual(keys);
    expect([...entries.keys()]).toEqual(keys);
    const want = expectedLayers(name);
    expect(keys).toHaveLength(want.size);
    for (const key of keys) {
      const layer = archive.model.layers[key]!;
      const exp = want.get(layer.diffId!)!;
      expect(writes.get(key), `${key}: stats written`).toBe(1);
      expect(layer.stats).toMatchObject({
        entries: exp.entries,
        whiteouts: exp.whiteouts,
        opaqueWhiteouts: exp.opaqueWhiteouts,
        uncompressedSize: exp.uncompressedSize,
      });
      expect(entries.get(key)).toHaveLength(exp.entries);
    }
  });

  it('indexes into columns with the same entries, and keeps none of them', async () => {
    const archive = await open(file);
    const plain = await (await open(file)).indexLayers();
    let n = 0;
    const result = await archive.indexLayersAsColumns({
      onLayer: (l) => {
        n++;
        const paths = entriesOf(l.index).map((e) => e.path);
        expect(paths).toEqual(plain.get(l.key)!.map((e: TarEntry) => e.path));
        expect(l.layer.stats!.entries).toBe(paths.length);
      },
    });
    expect(result).toBeUndefined();
    expect(n).toBe(plain.size);
  });

  it('verifies every layer against the digests and diffIDs the tools computed', async () => {
    const archive = await open(file);
    const seen: string[] = [];
    const results = await archive.verify({ onLayer: (v) => seen.push(v.key) });
    expect(seen).toEqual(archive.layerKeys());
    const want = expectedLayers(name);
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.layer.digest).toBe(want.get(r.layer.diffId!)!.digest);
      expect(r.layer.digestState).toBe('verified');
      expect(r.layer.diffIdState).toBe('verified');
    }
  });
});

describe('progress', () => {
  it('is reported while opening, per chunk, and once as each layer ends', async () => {
    const opening: EngineProgress[] = [];
    const archive = await open('busybox-app.oci.tar', { onProgress: (p) => opening.push(p) });
    expect(opening.length).toBeGreaterThan(0);
    for (const p of opening) expect(p).toMatchObject({ phase: 'opening', layerDone: false });

    const keys = archive.layerKeys();
    const stored = keys.reduce((n, k) => n + archive.model.layers[k]!.storedSize, 0);
    const reports: EngineProgress[] = [];
    await archive.indexLayers({ onProgress: (p) => reports.push(p) });
    let last = 0;
    for (const p of reports) {
      expect(p.phase).toBe('indexing');
      expect(p.bytesTotal).toBe(stored);
      expect(p.layersTotal).toBe(keys.length);
      expect(p.bytesDone).toBeGreaterThanOrEqual(last);
      last = p.bytesDone;
    }
    const ends = reports.filter((p) => p.layerDone);
    expect(ends.map((p) => p.layersDone)).toEqual(keys.map((_, i) => i + 1));
    expect(reports.some((p) => !p.layerDone)).toBe(true);
    expect(reports.at(-1)).toMatchObject({ bytesDone: stored, layersDone: keys.length });

    const hashing: EngineProgress[] = [];
    await archive.verify({ onProgress: (p) => hashing.push(p) });
    expect(hashing.filter((p) => p.layerDone)).toHaveLength(keys.length);
    expect(hashing.at(-1)).toMatchObject({ phase: 'verifying', bytesDone: stored });
  });

  it('of a subset covers only its layers, each once', async () => {
    const archive = await open('multi-app.tar');
    const [a, b] = archive.model.images;
    const keys = [...a!.layerKeys, ...b!.layerKeys];
    const reports: EngineProgress[] = [];
    const entries = await archive.indexLayers({ keys, onProgress: (p) => reports.push(p) });
    const distinct = [...new Set(keys)];
    expect([...entries.keys()]).toEqual(distinct);
    expect(reports.at(-1)?.layersTotal).toBe(distinct.length);
  });
});

describe('aborting', () => {
  it('an open rejects with the AbortError', async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const err = await open('busybox-app.tar', { signal: ctrl.signal }).catch((e: unknown) => e);
    expect(isAbort(err)).toBe(true);
  });

  it('mid-layer rejects with the AbortError and stops the work', async () => {
    // debian-app's first layer is 30 MB of gzip: many chunks to stop between.
    const archive = await open('debian-app.oci.tar');
    const writes = countStatsWrites(archive);
    const ctrl = new AbortController();
    let after = 0;
    const layers: string[] = [];
    const err = await archive
      .indexLayers({
        signal: ctrl.signal,
        onLayer: (l) => layers.push(l.key),
        onProgress: (p) => {
          if (ctrl.signal.aborted) after++;
          else if (p.bytesDone > 0) ctrl.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(isAbort(err)).toBe(true);
    expect(layers).toEqual([]);
    expect(after, 'progress after the abort').toBe(0);
    expect([...writes.values()].every((n) => n === 0)).toBe(true);
  });

  it('between layers rejects before the next layer starts', async () => {
    const archive = await open('busybox-app.tar');
    const ctrl = new AbortController();
    const layers: string[] = [];
    const err = await archive
      .indexLayers({
        signal: ctrl.signal,
        onLayer: (l) => {
          layers.push(l.key);
          if (layers.length === 3) ctrl.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(isAbort(err)).toBe(true);
    expect(layers).toHaveLength(3);
    const rest = archive.layerKeys().slice(3);
    for (const k of rest) expect(archive.model.layers[k]!.stats).toBeUndefined();
  });

  it('verification rejects and leaves the layer pending (it may be hashed again)', async () => {
    const archive = await open('debian-app.oci.tar');
    const ctrl = new AbortController();
    const err = await archive
      .verify({ signal: ctrl.signal, onProgress: () => ctrl.abort() })
      .catch((e: unknown) => e);
    expect(isAbort(err)).toBe(true);
    const first = archive.model.layers[archive.layerKeys()[0]!]!;
    expect(first.diffIdState).toBe('pending');
    const again = await archive.verify({ keys: [first.key] });
    expect(again[0]!.layer.diffIdState).toBe('verified');
  });

  it('a read or a save rejects with the AbortError', async () => {
    const archive = await open('busybox-app.oci.tar');
    const entries = await archive.indexLayers();
    const [key, list] = [...entries].find(([, l]) => l.some((e) => e.path === 'bin/busybox'))!;
    const busybox = list.find((e) => e.path === 'bin/busybox')!;
    const ctrl = new AbortController();
    ctrl.abort();
    const read = await archive
      .readFile(key, busybox, busybox.size, { signal: ctrl.signal })
      .catch((e: unknown) => e);
    expect(isAbort(read)).toBe(true);
    const saving = await archive
      .save([{ image: archive.model.images[0]! }], { signal: ctrl.signal })
      .catch((e: unknown) => e);
    expect(isAbort(saving)).toBe(true);
  });
});

describe('verification', () => {
  /** busybox-app.oci.tar with the middle of its first (gzip) layer changed by `change`. */
  async function tampered(change: (bytes: Uint8Array, at: number) => void) {
    const bytes = new Uint8Array(readFileSync(join(DIR, 'busybox-app.oci.tar')));
    const archive = await openImageArchive(new Blob([bytes]));
    const key = archive.layerKeys()[0]!;
    const blob = archive.model.layers[key]!.blob!;
    change(bytes, blob.offset + (blob.size >> 1));
    return { archive: await openImageArchive(new Blob([bytes])), key };
  }

  it('reports a damaged compressed layer with its error, and hashes the others', async () => {
    const { archive, key } = await tampered((b, at) => b.fill(0, at, at + 4096));
    const results = await archive.verify();
    const bad = results.find((r) => r.key === key)!;
    expect(bad.error).toBeInstanceOf(ArchiveError);
    expect(['corrupt', 'truncated']).toContain(bad.error!.code);
    expect(bad.layer.digestState).toBe('unavailable');
    expect(bad.layer.diffIdState).toBe('unavailable');
    for (const r of results.filter((r) => r.key !== key)) {
      expect(r.error).toBeUndefined();
      expect(r.layer.diffIdState).toBe('verified');
    }
  });

  it('says which hash does not match when an uncompressed layer changed', async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, 'busybox-app.tar')));
    const before = await openImageArchive(new Blob([bytes]));
    const entries = await before.indexLayers();
    const key = before.layerKeys()[0]!;
    const busybox = entries.get(key)!.find((e) => e.path === 'bin/busybox')!;
    const at = before.model.layers[key]!.blob!.offset + busybox.dataOffset + 100;
    bytes[at] = bytes[at]! ^ 0xff;
    const archive = await openImageArchive(new Blob([bytes]));
    const [first, ...rest] = await archive.verify();
    expect(first!.key).toBe(key);
    expect(first!.error).toBeUndefined();
    expect(first!.layer.diffIdState).toBe('mismatch');
    expect(first!.layer.computedDiffId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first!.layer.computedDiffId).not.toBe(first!.layer.diffId);
    for (const r of rest) expect(r.layer.diffIdState).toBe('verified');
  });
});

describe('files and saves', () => {
  it('reads the same file from a plain and from a gzip archive of the image', async () => {
    const read = async (file: string) => {
      const archive = await open(file);
      const entries = await archive.indexLayers();
      const image = archive.model.images[0]!;
      // The top-most layer that holds the file is the one the merged filesystem shows.
      const key = [...image.layerKeys]
        .reverse()
        .find((k) => entries.get(k)?.some((e) => e.path === 'etc/app/app.conf'))!;
      const entry = entries.get(key)!.find((e) => e.path === 'etc/app/app.conf')!;
      return new TextDecoder().decode(await archive.readFile(key, entry, entry.size));
    };
    const plain = await read('busybox-app.tar');
    expect(plain).toMatch(/port=/);
    expect(await read('busybox-app.oci.tar')).toBe(plain);
  });

  it('saves an image that opens again with the same ID and verified layers', async () => {
    const archive = await open('busybox-app.oci.tar');
    const image = archive.model.images[0]!;
    const saved = await archive.save([{ image }]);
    expect(saved.fileName).toMatch(/\.tar$/);
    const again = await openImageArchive(saved.blob);
    expect(again.model.images.map((i) => i.id)).toEqual([image.id]);
    expect(again.model.images[0]!.diffIds).toEqual(image.diffIds);
    for (const r of await again.verify()) expect(r.layer.diffIdState).toBe('verified');
  });
});

describe('engineFailure', () => {
  it('gives each cause its own code', async () => {
    const notTar = await openImageArchive(new Blob(['not an archive at all'])).catch(
      (e: unknown) => e,
    );
    expect(engineFailure(notTar).code).toBe('not-tar');
    const ctrl = new AbortController();
    ctrl.abort();
    expect(engineFailure(ctrl.signal.reason)).toEqual({ code: 'cancelled', message: 'Cancelled.' });
    const archive = await open('hello.tar');
    const refused = await archive.save([]).catch((e: unknown) => e);
    expect(engineFailure(refused)).toEqual({ code: 'cannot-save', message: 'Nothing to save.' });
    expect(engineFailure(new TypeError('x is undefined')).code).toBe('internal');
  });
});
