import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { openArchive, type OpenedArchive } from './open';
import { indexLayer, indexLayerColumns, readLayerFile, verifyLayer } from './layers';
import { entriesOf, plainEntry } from '../tar/columns';
import { ArchiveError, type ArchiveErrorCode } from '../model/errors';
import { writeTar } from '../tar/write';
import {
  containerdExport,
  dir,
  docker25,
  dockerLegacy,
  family,
  file,
  ggcrTarball,
  ociArchive,
  plainTar,
  podmanArchive,
  sha,
  zstd,
  type SynthImage,
} from '../../../../tests/fixtures/archives';

const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const text = (s: string) => new TextEncoder().encode(s);

async function indexAll(o: OpenedArchive) {
  for (const key of Object.keys(o.model.layers)) {
    if (!o.model.layers[key]!.present) continue;
    const idx = await indexLayer(o, key);
    o.model.layers[key]!.stats = idx.stats;
    await verifyLayer(o, key);
  }
}

async function expectError(data: Uint8Array | Blob, code: ArchiveErrorCode, match?: RegExp) {
  const err = await openArchive(data instanceof Blob ? data : blob(data)).catch((e: unknown) => e);
  expect(err, `expected ArchiveError ${code}`).toBeInstanceOf(ArchiveError);
  expect((err as ArchiveError).code).toBe(code);
  if (match) expect((err as ArchiveError).message).toMatch(match);
  return err as ArchiveError;
}

/** A docker-archive of one image whose one layer is `stored` (the compressed `layer`). */
function oneLayerArchive(layer: Uint8Array, stored: Uint8Array, ext: string): Uint8Array {
  const config = text(
    JSON.stringify({
      os: 'linux',
      architecture: 'amd64',
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] },
    }),
  );
  const name = `${sha(stored)}.${ext}`;
  return plainTar([
    [`sha256:${sha(config)}`, config],
    [name, stored],
    [
      'manifest.json',
      text(
        JSON.stringify([{ Config: `sha256:${sha(config)}`, RepoTags: ['l:1'], Layers: [name] }]),
      ),
    ],
  ]);
}

describe('archive variants', () => {
  it('reads a Docker < 25 legacy save with a symlinked repeated layer', async () => {
    const imgs = family();
    const o = await openArchive(blob(dockerLegacy(imgs)));
    expect(o.model.kind).toBe('docker-legacy');
    expect(o.model.images.map((i) => i.repoTags)).toEqual([['synth/app:1'], ['synth/app:2']]);
    // Both images share the base layer: one LayerInfo, reached through the symlink.
    expect(o.model.images[0]!.layerKeys[0]).toBe(o.model.images[1]!.layerKeys[0]);
    expect(Object.keys(o.model.layers)).toHaveLength(3);
    await indexAll(o);
    const top = o.model.layers[o.model.images[0]!.layerKeys[1]!]!;
    expect(top.stats).toMatchObject({ whiteouts: 1, opaqueWhiteouts: 1 });
    expect(top.diffIdState).toBe('verified');
  });

  it('reads podman docker-archive, with layer.tar symlinks to root <diffID>.tar', async () => {
    const o = await openArchive(blob(podmanArchive(family())));
    expect(o.model.kind).toBe('docker-archive');
    expect(o.model.images).toHaveLength(2);
    await indexAll(o);
    for (const l of Object.values(o.model.layers)) expect(l.digestState).toBe('verified');
  });

  it('reads Docker 25+ OCI-in-tar and falls back to manifest.json when manifests is null', async () => {
    for (const nullIndex of [false, true]) {
      const o = await openArchive(blob(docker25(family(), { nullIndex })));
      expect(o.model.kind).toBe('docker-oci');
      // manifest.json's familiar tag and index.json's full name are one tag, listed once.
      expect(o.model.images.map((i) => i.repoTags)).toEqual([['synth/app:1'], ['synth/app:2']]);
      expect(o.model.images[0]!.manifestDoc?.digest ?? '').toMatch(nullIndex ? /^$/ : /^sha256:/);
    }
  });

  it('reads a containerd multi-platform export: absent platforms listed, attestation skipped', async () => {
    const base = family()[0]!;
    const platforms: SynthImage[] = [
      { ...base, platform: { os: 'linux', architecture: 'amd64' } },
      {
        ...base,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        created: '2024-05-02T00:00:00Z',
      },
    ];
    const o = await openArchive(blob(containerdExport(platforms, 'app:1')));
    expect(o.model.kind).toBe('containerd');
    expect(o.model.images).toHaveLength(1);
    expect(o.model.images[0]!.platform).toMatchObject({ os: 'linux', architecture: 'amd64' });
    expect(o.model.images[0]!.indexDoc?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(o.model.absentManifests).toHaveLength(1);
    expect(o.model.absentManifests[0]!.platform).toMatchObject({
      architecture: 'arm64',
      variant: 'v8',
    });
    await indexAll(o);
    for (const l of Object.values(o.model.layers)) {
      expect(l.compression).toBe('gzip');
      expect(l.digestState).toBe('verified');
      expect(l.diffIdState).toBe('verified');
    }
  });

  it('reads a crane tarball with a colon in the config name and gzip layers', async () => {
    const o = await openArchive(blob(ggcrTarball(family()[0]!)));
    expect(o.model.kind).toBe('ggcr-tarball');
    await indexAll(o);
    expect(Object.values(o.model.layers).every((l) => l.diffIdState === 'verified')).toBe(true);
  });

  it('reads zstd and multi-member gzip (eStargz-like, padded) layers', async () => {
    for (const compression of ['zstd', 'multi-gzip'] as const) {
      const o = await openArchive(
        blob(ociArchive(family()[0]!, 'localhost/app:1', { compression })),
      );
      expect(o.model.kind).toBe('oci-archive');
      expect(o.model.images[0]!.repoTags).toEqual(['localhost/app:1']);
      await indexAll(o);
      const top = o.model.layers[o.model.images[0]!.layerKeys[1]!]!;
      expect(top.compression).toBe(compression === 'zstd' ? 'zstd' : 'gzip');
      expect(top.stats?.opaqueWhiteouts).toBe(1);
      expect(top.diffIdState).toBe('verified');
      // The worker's columns hold the same index, each entry once, with the same counts.
      for (const key of o.model.images[0]!.layerKeys) {
        const objects = await indexLayer(o, key);
        const columns = await indexLayerColumns(o, key);
        expect(columns.stats).toStrictEqual(objects.stats);
        expect(entriesOf(columns.columns).map(plainEntry)).toStrictEqual(objects.entries);
      }
    }
  });

  it('verifies the diffID of a compressed layer padded past its end marker (tar -b20)', async () => {
    const tar = writeTar([dir('pad'), file('pad/a', 'x'.repeat(3000))]);
    const padded = new Uint8Array(Math.ceil(tar.length / 10240) * 10240 + 10240);
    padded.set(tar);
    const img: SynthImage = { tags: ['p:1'], layers: [[]], rawLayers: [padded] };
    const o = await openArchive(blob(ociArchive(img, 'p:1', { compression: 'gzip' })));
    await indexAll(o);
    const layer = Object.values(o.model.layers)[0]!;
    expect(layer.diffIdState).toBe('verified');
    expect(layer.stats?.uncompressedSize).toBe(padded.length);
  });

  it('re-roots an image archive that sits one folder deep, ignoring macOS litter', async () => {
    const o = await openArchive(blob(podmanArchive(family(), { reroot: 'myimage/' })));
    expect(o.model.images).toHaveLength(2);
    await indexAll(o);
  });

  it('opens a whole archive compressed with gzip (even named .tar), zstd', async () => {
    const tar = podmanArchive(family());
    const gz = await openArchive(new File([gzipSync(tar)], 'image.tar'));
    expect(gz.model.outerCompression).toBe('gzip');
    expect(gz.model.fileName).toBe('image.tar');
    const zs = await openArchive(blob(zstd(tar)));
    expect(zs.model.outerCompression).toBe('zstd');
    await indexAll(zs);
  });

  it('handles an empty (all-zero) layer and a zero-layer image', async () => {
    const empty: SynthImage = { tags: ['e:1'], layers: [[]], rawLayers: [new Uint8Array(1024)] };
    const o = await openArchive(blob(podmanArchive([empty])));
    await indexAll(o);
    expect(Object.values(o.model.layers)[0]!.stats?.entries).toBe(0);
    const none: SynthImage = {
      tags: ['z:1'],
      layers: [],
      history: [{ created_by: 'CMD x', empty_layer: true }],
    };
    const z = await openArchive(blob(docker25([none])));
    expect(z.model.images[0]!.layerKeys).toEqual([]);
    expect(z.model.images[0]!.history[0]!.emptyLayer).toBe(true);
  });

  it('maps history to layers, skipping empty_layer steps', async () => {
    const img: SynthImage = {
      tags: ['h:1'],
      layers: [[file('a', '1')], [file('b', '2')]],
      history: [
        { created_by: 'ADD a' },
        { created_by: 'ENV X=1', empty_layer: true },
        { created_by: 'RUN b' },
        { created_by: 'CMD ["sh"]', empty_layer: true },
      ],
    };
    const o = await openArchive(blob(podmanArchive([img])));
    expect(o.model.images[0]!.history.map((h) => h.layerIndex)).toEqual([
      0,
      undefined,
      1,
      undefined,
    ]);
  });

  it('computes chain IDs as the OCI spec defines them', async () => {
    const o = await openArchive(blob(podmanArchive([family()[0]!])));
    const [d0, d1] = o.model.images[0]!.diffIds;
    expect(o.model.images[0]!.chainIds).toEqual([d0, `sha256:${sha(`${d0} ${d1}`)}`]);
  });

  it('reads file contents from plain and compressed layers', async () => {
    for (const o of [
      await openArchive(blob(podmanArchive([family()[0]!]))),
      await openArchive(blob(ociArchive(family()[0]!, 'x:1', { compression: 'zstd' }))),
    ]) {
      const key = o.model.images[0]!.layerKeys[0]!;
      const idx = await indexLayer(o, key);
      const entry = idx.entries.find((e) => e.path === 'etc/os-release')!;
      const bytes = await readLayerFile(o, key, entry, 1 << 20);
      expect(new TextDecoder().decode(bytes)).toBe('ID=synthetic\n');
    }
  });
});

describe('what is not an image, said clearly', () => {
  it('empty, zip, JSON, plain text', async () => {
    await expectError(new Uint8Array(0), 'empty');
    await expectError(text('PK\x03\x04rest-of-a-zip'), 'zip', /ZIP/);
    await expectError(
      text(JSON.stringify([{ Config: 'x.json', Layers: [] }])),
      'lone-manifest',
      /manifest\.json/,
    );
    await expectError(text(JSON.stringify({ schemaVersion: 2, layers: [] })), 'registry-manifest');
    await expectError(text('hello world, not a tar at all'.repeat(30)), 'not-tar', /docker save/);
    await expectError(gzipSync(text('just text')), 'compressed-not-tar', /gzip/);
  });

  it('a docker export filesystem, a single layer, docker-dir, pre-1.10, incomplete OCI', async () => {
    const b = (s: string) => text(s);
    await expectError(
      plainTar([
        ['bin/sh', b('x')],
        ['etc/passwd', b('root')],
        ['.dockerenv', b('')],
      ]),
      'filesystem-export',
      /docker export/,
    );
    await expectError(
      plainTar([
        ['app/.wh.old', b('')],
        ['app/new', b('x')],
      ]),
      'single-layer',
    );
    await expectError(
      plainTar([
        ['version', b('Directory Transport Version: 1.1\n')],
        ['a'.repeat(64), b('{}')],
        ['manifest.json', b('{"schemaVersion":2}')],
      ]),
      'docker-dir',
    );
    await expectError(
      plainTar([
        ['repositories', b('{}')],
        [`${'b'.repeat(64)}/json`, b('{}')],
      ]),
      'pre-1.10',
    );
    await expectError(plainTar([[`blobs/sha256/${'c'.repeat(64)}`, b('{}')]]), 'incomplete-oci');
    await expectError(plainTar([['README', b('hi')]]), 'no-image', /manifest\.json or index\.json/);
    await expectError(plainTar([['manifest.json', b('[]')]]), 'no-images');
    await expectError(plainTar([['manifest.json', b('null')]]), 'null-manifest');
  });

  it('truncated archives at every 512-byte boundary end in a specific error or a result', async () => {
    const tar = podmanArchive([family()[0]!]);
    for (let cut = 512; cut < tar.length; cut += 512) {
      try {
        const o = await openArchive(blob(tar.subarray(0, cut)));
        // A cut after the metadata but inside layers must surface when the layer is read.
        await indexAll(o).catch((e: unknown) => {
          expect(e).toBeInstanceOf(ArchiveError);
        });
      } catch (e) {
        expect(e, `cut at ${cut}`).toBeInstanceOf(ArchiveError);
      }
    }
  });

  it('a missing layer is reported; a layer count mismatch and a diffID mismatch too', async () => {
    const o = await openArchive(blob(dockerLegacy([family()[0]!], { dropLayers: [1] })));
    expect(o.model.warnings.join(' ')).toMatch(/missing/);
    expect(Object.values(o.model.layers).some((l) => !l.present)).toBe(true);

    // Tamper with one byte of a layer's file content: the diffID no longer matches.
    const img: SynthImage = { tags: ['t:1'], layers: [[file('data.txt', 'original')]] };
    const tar = podmanArchive([img]);
    const at = Buffer.from(tar).indexOf('original');
    tar[at] = 'O'.charCodeAt(0);
    const t = await openArchive(blob(tar));
    await indexAll(t);
    expect(Object.values(t.model.layers)[0]!.diffIdState).toBe('mismatch');
  });

  it('a corrupt or cut zstd layer is an error that names the layer', async () => {
    const layer = writeTar([dir('x'), file('x/big', 'y'.repeat(200_000) + 'z'.repeat(300_000))]);
    const good = zstd(layer);
    const corrupt = good.slice();
    for (let i = 30; i < 60; i++) corrupt[i] ^= 0x5a;
    for (const [stored, code] of [
      [corrupt, 'corrupt'],
      [good.subarray(0, good.length - 20), 'truncated'],
    ] as const) {
      const archive = oneLayerArchive(layer, stored, 'tar.zst');
      const o = await openArchive(blob(archive));
      const err = await indexLayer(o, Object.keys(o.model.layers)[0]!).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArchiveError);
      expect((err as ArchiveError).code).toBe(code);
      expect((err as ArchiveError).message).toMatch(
        new RegExp(`^In the layer ${sha(stored)}\\.tar\\.zst: The (zstd-)?compressed data`),
      );
    }
  });

  it('a truncated gzip layer is an error, not a silent partial listing', async () => {
    const layer = writeTar([dir('x'), file('x/big', 'y'.repeat(200_000))]);
    const gz = gzipSync(layer);
    const cut = gz.subarray(0, gz.length - 100);
    const archive = oneLayerArchive(layer, cut, 'tar.gz');
    const o = await openArchive(blob(archive));
    const err = await indexLayer(o, Object.keys(o.model.layers)[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).code).toBe('truncated');
  });
});
