/**
 * The engine on every bundled sample, checked against the oracle written at build time by
 * independent tools (skopeo inspect, podman image history, GNU tar, umoci unpack): see
 * sample-images/README.md and scripts/build-samples.sh.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openArchive } from '../../src/lib/core/archive/open';
import { indexLayer, verifyLayer, type LayerIndex } from '../../src/lib/core/archive/layers';
import { ArchiveError } from '../../src/lib/core/model/errors';
import { buildOverlay, mergedListing } from '../../src/lib/core/overlay';

const DIR = join(import.meta.dirname, '../../sample-images');

interface ExpectedLayer {
  digest: string;
  diffId: string;
  compression: string;
  storedSize: number;
  uncompressedSize: number;
  entries: number;
  whiteouts: number;
  opaqueWhiteouts: number;
  tarTv: string[];
}
interface ExpectedImage {
  ref: string;
  repoTags: string[];
  id: string;
  manifestDigest?: string;
  created: string;
  architecture: string;
  os: string;
  layers: ExpectedLayer[];
  podmanHistory: { CreatedBy?: string; comment?: string; size: number }[];
  merged: string[];
}
interface Expected {
  archive: string;
  kind: string;
  outerCompression: string;
  images?: ExpectedImage[];
  entries?: number;
}
interface Sample {
  id: string;
  file: string;
  expected: string;
  kind: string;
}

const listing = existsSync(join(DIR, 'samples.json'))
  ? (JSON.parse(readFileSync(join(DIR, 'samples.json'), 'utf8')) as { samples: Sample[] }).samples
  : [];

/** The path field of a GNU `tar -tv` line: after perms, owner, size, date and time. */
function tarTvPath(line: string): string {
  const m = /^\S+\s+\S+\s+\d+(?:,\s*\d+)?\s+\S+\s+\S+\s(.*)$/.exec(line);
  let p = m ? m[1]! : line;
  p = p.replace(/ -> .*$/, '').replace(/ link to .*$/, '');
  return p.replace(/^\.\//, '').replace(/\/$/, '');
}

/** umoci unpack turns hardlinks into plain files: give our hardlink lines the target's facts. */
function hardlinksAsFiles(lines: string[]): string[] {
  const byPath = new Map(lines.map((l) => [l.split('\t')[0]!, l]));
  return lines.map((l) => {
    const [path, type, , , link] = l.split('\t');
    if (type !== 'hardlink') return l;
    const target = byPath.get(link!.replace(/^\.?\//, ''));
    if (!target) return l;
    const [, , size, mode] = target.split('\t');
    return [path, 'file', size, mode, ''].join('\t');
  });
}

it('has bundled samples to test', () => {
  expect(listing.length).toBeGreaterThanOrEqual(6);
});

describe.each(listing)('sample $id', (sample) => {
  const expected = JSON.parse(readFileSync(join(DIR, sample.expected), 'utf8')) as Expected;

  if (expected.kind === 'not-an-image') {
    it('is refused with a specific, actionable message', async () => {
      const blob = await openAsBlob(join(DIR, sample.file));
      const err = await openArchive(blob).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArchiveError);
      expect((err as ArchiveError).code).toBe('filesystem-export');
      expect((err as ArchiveError).message).toMatch(/docker save/);
    });
    return;
  }

  it('reads the images, layers and history the independent tools saw', async () => {
    const blob = await openAsBlob(join(DIR, sample.file));
    const opened = await openArchive(blob, { fileName: sample.file });
    const { model } = opened;
    expect(model.outerCompression).toBe(expected.outerCompression);
    expect(model.images.length).toBe(expected.images!.length);

    const indexes = new Map<string, LayerIndex>();
    for (const exp of expected.images!) {
      const image = model.images.find((i) => i.id === exp.id);
      expect(image, `image ${exp.id} (${exp.ref})`).toBeDefined();
      expect(image!.repoTags).toEqual(exp.repoTags);
      if (exp.manifestDigest) expect(image!.manifestDoc?.digest).toBe(exp.manifestDigest);
      expect(image!.created).toBe(exp.created);
      expect(image!.platform.architecture).toBe(exp.architecture);
      expect(image!.platform.os).toBe(exp.os);
      expect(image!.layerKeys.length).toBe(exp.layers.length);

      for (const [i, el] of exp.layers.entries()) {
        const key = image!.layerKeys[i]!;
        const layer = model.layers[key]!;
        expect(layer.diffId).toBe(el.diffId);
        expect(layer.compression).toBe(el.compression);
        expect(layer.storedSize).toBe(el.storedSize);
        let idx = indexes.get(key);
        if (!idx) {
          idx = await indexLayer(opened, key);
          layer.stats = idx.stats;
          indexes.set(key, idx);
          await verifyLayer(opened, key);
        }
        expect(layer.digest).toBe(el.digest);
        expect(layer.digestState).toBe('verified');
        expect(layer.diffIdState).toBe('verified');
        expect(idx.stats.entries).toBe(el.entries);
        expect(idx.stats.whiteouts).toBe(el.whiteouts);
        expect(idx.stats.opaqueWhiteouts).toBe(el.opaqueWhiteouts);
        expect(idx.stats.uncompressedSize).toBe(el.uncompressedSize);
        expect(idx.entries.map((e) => e.path)).toEqual(el.tarTv.map(tarTvPath));
      }

      // History: same steps, same comments, same layer mapping as podman image history.
      const rows = [...image!.history].reverse();
      expect(rows.map((h) => h.createdBy)).toEqual(exp.podmanHistory.map((h) => h.CreatedBy ?? ''));
      expect(rows.map((h) => h.comment)).toEqual(exp.podmanHistory.map((h) => h.comment ?? ''));

      // The merged filesystem equals what umoci unpack extracted with whiteouts applied.
      const overlay = buildOverlay(image!.layerKeys.map((k) => indexes.get(k)!.entries));
      const ours = hardlinksAsFiles(mergedListing(overlay, image!.layerKeys.length - 1));
      expect(ours).toEqual(exp.merged);
    }
  });
});
