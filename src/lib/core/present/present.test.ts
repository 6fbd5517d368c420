/**
 * The presentation layer's rows on real archives, against independent tools: podman's
 * `image history` (sample-images/*.expected.json), GNU `tar -tv` for the layers' file sizes,
 * moby's Parent walk on an archive whose images have parents, docker/cli's own test vectors for
 * `docker ps`, and Go's `strconv.Quote` documentation.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { openAsBlob, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openArchive, type OpenedArchive } from '../archive/open';
import { indexLayer } from '../archive/layers';
import type { ImageInfo } from '../model/types';
import { parentedArchive, type ParentedArchive } from '../../../../tests/fixtures/parented';
import {
  diffRows,
  formatDiff,
  goQuote,
  historyRows,
  imageHistory,
  imageLs,
  imageLsRows,
  imageSize,
  psCells,
  type ImageSet,
  type PsItem,
} from './index';

const SAMPLES = join(import.meta.dirname, '../../../../sample-images');

interface Oracle {
  kind: string;
  images?: {
    id: string;
    repoTags: string[];
    layers: { diffId: string; tarTv: string[] }[];
    podmanHistory: {
      id: string;
      created?: string;
      CreatedBy?: string;
      size: number;
      comment?: string;
    }[];
  }[];
}

const samples = (
  JSON.parse(readFileSync(join(SAMPLES, 'samples.json'), 'utf8')) as {
    samples: { id: string; file: string; expected: string }[];
  }
).samples
  .map((s) => ({
    ...s,
    oracle: JSON.parse(readFileSync(join(SAMPLES, s.expected), 'utf8')) as Oracle,
  }))
  .filter((s) => s.oracle.images);

/** Opens an archive and indexes every layer, as the CLI does before printing. */
async function indexed(blob: Blob): Promise<OpenedArchive> {
  const opened = await openArchive(blob, { fileName: 'archive.tar' });
  for (const key of new Set(opened.model.images.flatMap((i) => i.layerKeys))) {
    if (!opened.model.layers[key]?.present) continue;
    opened.model.layers[key]!.stats = (await indexLayer(opened, key)).stats;
  }
  return opened;
}

/**
 * A layer's size from its GNU `tar -tv` listing, counted as moby's pkg/directory `Size` counts the
 * unpacked layer (every non-directory's Lstat size, a hardlink once): regular files' sizes
 * (`-rw-r--r-- 0/0  129 … path`) and symlinks' target lengths (`lrwxrwxrwx … path -> target`).
 */
const tarBytes = (tarTv: string[]) =>
  tarTv.reduce((n, l) => {
    if (l.startsWith('-')) return n + Number(l.split(/\s+/)[2]);
    if (l.startsWith('l')) return n + new TextEncoder().encode(l.split(' -> ')[1]!).length;
    return n;
  }, 0);

const now = new Date('2026-05-01T12:00:00Z');

describe.each(samples)('history and image ls rows of $id', (sample) => {
  let opened: OpenedArchive;
  beforeAll(async () => {
    opened = await indexed(await openAsBlob(join(SAMPLES, sample.file)));
  });

  it('history: the items podman lists, newest first', () => {
    for (const exp of sample.oracle.images!) {
      const image = opened.model.images.find((i) => i.id === exp.id)!;
      const items = imageHistory(opened.model, image);
      expect(items).toHaveLength(exp.podmanHistory.length);
      for (const [j, h] of exp.podmanHistory.entries()) {
        expect(items[j]!.id ?? '<missing>').toBe(j === 0 ? `sha256:${h.id}` : h.id);
        expect(items[j]!.createdBy).toBe(h.CreatedBy ?? '');
        expect(items[j]!.comment).toBe(h.comment ?? '');
        expect(items[j]!.created).toBe(h.created);
        // podman gives an empty layer size 0 and a layer at least its tar's end blocks.
        expect(items[j]!.emptyLayer).toBe(h.size === 0);
        expect(items[j]!.sizeKnown).toBe(true);
      }
      // SIZE is the layer's DiffSize, from what tar -tv lists.
      const layerSizes = items.filter((r) => !r.emptyLayer).map((r) => r.size);
      expect(layerSizes.reverse()).toEqual(exp.layers.map((l) => tarBytes(l.tarTv)));
    }
  });

  it('history cells: the top row truncated to 12 hex, the rest <missing>; --no-trunc is full', () => {
    for (const image of opened.model.images) {
      const rows = historyRows(imageHistory(opened.model, image), { now });
      expect(rows.map((r) => r.cells.id)).toEqual(
        rows.map((_, j) => (j === 0 ? image.id.slice(7, 19) : '<missing>')),
      );
      const full = historyRows(imageHistory(opened.model, image), { now, noTrunc: true });
      expect(full[0]!.cells.id).toBe(image.id);
      expect(full.map((r) => r.cells.createdBy)).toEqual(
        full.map((r) => r.createdBy.replaceAll('\t', ' ')),
      );
    }
  });

  it('image ls: one row per tag, SIZE the distinct layers of the image', () => {
    const rows = imageLsRows(imageLs(opened.model), { now });
    const exp = sample.oracle.images!.flatMap((img) => img.repoTags.map((t) => ({ img, t })));
    expect(rows).toHaveLength(exp.length);
    for (const [i, { img, t }] of exp.entries()) {
      const colon = t.lastIndexOf(':');
      expect(rows[i]!.cells).toMatchObject({
        repository: t.slice(0, colon),
        tag: t.slice(colon + 1),
        id: img.id.slice(7, 19),
      });
      const distinct = new Map(img.layers.map((l) => [l.diffId, tarBytes(l.tarTv)]));
      expect(rows[i]!.size).toBe([...distinct.values()].reduce((a, b) => a + b, 0));
      expect(rows[i]!.sizeKnown).toBe(true);
    }
  });
});

describe('IDs follow Parent links (moby daemon/images/image_history.go)', () => {
  let archive: ParentedArchive;
  let opened: OpenedArchive;
  beforeAll(async () => {
    archive = await parentedArchive();
    opened = await indexed(new Blob([archive.bytes as Uint8Array<ArrayBuffer>]));
  });

  it('each image, then its parent, then its parent’s parent; the rest <missing>', () => {
    expect(opened.model.images.map((i) => i.id)).toEqual(archive.ids);
    for (const [k, image] of opened.model.images.entries()) {
      const ids = imageHistory(opened.model, image).map((r) => r.id);
      const expected = ids.map((_, j) => (j <= k ? archive.ids[k - j] : undefined));
      expect(ids).toEqual(expected);
    }
    const top = historyRows(imageHistory(opened.model, opened.model.images[2]!), { now });
    expect(top.slice(0, 4).map((r) => r.cells.id)).toEqual([
      archive.ids[2].slice(7, 19),
      archive.ids[1].slice(7, 19),
      archive.ids[0].slice(7, 19),
      '<missing>',
    ]);
    // Relative to `now`: committed 2026-04-29 22:30 and 2026-04-28 10:00 (HumanDuration rounds
    // hours to the nearest below 48, then counts whole days).
    expect(top.slice(0, 2).map((r) => r.cells.created)).toEqual(['38 hours ago', '3 days ago']);
  });

  it('stops at a parent that is not loaded', () => {
    const [, first, second] = opened.model.images as [ImageInfo, ImageInfo, ImageInfo];
    const set: ImageSet = { images: [first, second], layers: opened.model.layers };
    const ids = imageHistory(set, second).map((r) => r.id);
    expect(ids.slice(0, 3)).toEqual([second.id, first.id, undefined]);
    expect(ids.slice(2).every((id) => id === undefined)).toBe(true);
  });
});

describe('sizes while layers are being indexed', () => {
  it('is a lower bound, marked unknown, until every layer the archive holds is indexed', async () => {
    const opened = await openArchive(await openAsBlob(join(SAMPLES, 'multi-app.tar')), {
      fileName: 'multi-app.tar',
    });
    const image = opened.model.images[0]!;
    expect(imageSize(opened.model, image)).toEqual({ bytes: 0, known: false });
    const first = image.layerKeys[0]!;
    const stats = (await indexLayer(opened, first)).stats;
    const layers = { ...opened.model.layers, [first]: { ...opened.model.layers[first]!, stats } };
    expect(imageSize({ images: opened.model.images, layers }, image)).toEqual({
      bytes: stats.contentSize,
      known: false,
    });
    const items = imageHistory({ images: opened.model.images, layers }, image);
    expect(items.filter((r) => !r.emptyLayer && !r.sizeKnown)).toHaveLength(4);
    // An empty layer's size is known from the start.
    expect(items.filter((r) => r.emptyLayer).every((r) => r.sizeKnown && r.size === 0)).toBe(true);
  });

  it('counts a layer listed twice once', async () => {
    const opened = await indexed(await openAsBlob(join(SAMPLES, 'multi-app.tar')));
    const image = opened.model.images[0]!;
    const twice = { ...image, layerKeys: [...image.layerKeys, image.layerKeys[1]!] };
    expect(imageSize(opened.model, twice)).toEqual(imageSize(opened.model, image));
  });
});

describe('docker ps cells: docker/cli formatter/container_test.go TestContainerPsContext', () => {
  const created = '2026-05-01T11:58:55Z'; // 65 s before `now`
  const item = (over: Partial<PsItem>): PsItem => ({
    id: 'c0ffee0123456789c0ffee0123456789c0ffee0123456789c0ffee0123456789',
    image: 'ubuntu',
    imageId: 'sha256:a5a665ff33eced1e0803148700880edab4269067ed77e27737a708d0d293fbf5',
    command: '',
    created,
    name: 'foobar_baz',
    ...over,
  });

  it.each([
    [{}, false, 'id', 'c0ffee012345'],
    [{}, true, 'id', 'c0ffee0123456789c0ffee0123456789c0ffee0123456789c0ffee0123456789'],
    [{}, false, 'names', 'foobar_baz'],
    [{ image: 'ubuntu' }, false, 'image', 'ubuntu'],
    [{ image: 'verylongimagename' }, false, 'image', 'verylongimagename'],
    [{ image: 'verylongimagename' }, true, 'image', 'verylongimagename'],
    [{ image: 'a5a665ff33eced1e0803148700880edab4' }, false, 'image', 'a5a665ff33ec'],
    [
      { image: 'a5a665ff33eced1e0803148700880edab4' },
      true,
      'image',
      'a5a665ff33eced1e0803148700880edab4',
    ],
    [{ image: '' }, false, 'image', '<no image>'],
    [{ command: "sh -c 'ls -la'" }, false, 'command', `"sh -c 'ls -la'"`],
    [{}, false, 'created', 'About a minute ago'],
    // beyond upstream: a familiar name, a digest dropped, a long command cut at 20 cells
    [{ image: 'docker.io/library/busybox:1.36' }, false, 'image', 'busybox:1.36'],
    [{ image: `localhost/app:1.0@sha256:${'0'.repeat(64)}` }, false, 'image', 'localhost/app:1.0'],
    [{ command: '/app/bin/entrypoint.sh serve' }, false, 'command', '"/app/bin/entrypoint…"'],
  ] as const)('%j (no-trunc %s): %s = %s', (over, noTrunc, key, expected) => {
    expect(psCells(item(over), { now, noTrunc })[key]).toBe(expected);
  });
});

describe('goQuote: Go strconv.Quote', () => {
  it.each([
    ['"Fran & Freddie\'s Diner\t☺"', '"\\"Fran & Freddie\'s Diner\\t☺\\""'], // strconv docs
    ['', '""'],
    ['a\u0007b\u001bc\u007f', '"a\\ab\\x1bc\\x7f"'],
    ['\u00a0\u2028', '"\\u00a0\\u2028"'],
    ['\\', '"\\\\"'],
  ])('%j', (s, expected) => {
    expect(goQuote(s)).toBe(expected);
  });
});

describe('docker diff lines (docker/cli container/diff.go: "{{.Type}} {{.Path}}")', () => {
  it('one change a line', () => {
    const rows = diffRows([
      { kind: 'C', path: '/etc' },
      { kind: 'A', path: '/etc/new file' },
      { kind: 'D', path: '/tmp/x' },
    ]);
    expect(rows.map((r) => r.cells.line)).toEqual(['C /etc', 'A /etc/new file', 'D /tmp/x']);
    expect(formatDiff(rows)).toBe('C /etc\nA /etc/new file\nD /tmp/x\n');
  });
});
