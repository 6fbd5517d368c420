import { beforeAll, describe, expect, it } from 'vitest';
import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { openArchive } from '../archive/open';
import { indexLayer, verifyLayer } from '../archive/layers';
import { TarParser } from '../tar/parser';
import type { TarEntry } from '../tar/types';
import { Container } from '../container/container';
import { commitContainer, type CommitResult } from '../container/commit';
import {
  d,
  f,
  imageArchive,
  openImage,
  seededRandom,
  testClock,
  text,
  type OpenedImage,
} from '../container/fixtures.test-helpers';
import { saveArchive, saveFileName, saveInput, SaveError, type SaveImage } from './save';

const SAMPLES = join(import.meta.dirname, '../../../../sample-images');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let img: OpenedImage;
let commit: CommitResult;
let tars: Map<string, Blob>;

beforeAll(async () => {
  img = await openImage(
    await imageArchive(
      [
        [d('etc/'), f('etc/app.conf', 'a=1\n'), f('etc/passwd', 'root\n'), d('srv/')],
        [f('srv/index.html', '<p>')],
      ],
      { tags: ['demo:1', 'localhost/demo:2'], created: '2024-05-01T10:00:07.5Z' },
    ),
  );
  const c = Container.create({
    image: img.image,
    lower: img.lower,
    now: testClock(),
    random: seededRandom(5),
  });
  c.writeFile('etc/app.conf', text('a=2\n'));
  c.remove('etc/passwd');
  commit = await commitContainer(c, {
    repo: 'demo',
    tag: 'edited',
    readLower: img.read,
    now: () => Date.UTC(2025, 0, 1),
  });
  tars = new Map([[commit.layer!.key, commit.layer!.tar]]);
});

function untar(bytes: Uint8Array): { entries: TarEntry[]; file: (p: string) => Uint8Array } {
  const entries: TarEntry[] = [];
  const p = new TarParser({ onEntry: (e) => entries.push(e) });
  p.push(bytes);
  return {
    entries,
    file: (path) => {
      const e = entries.find((x) => x.path === path)!;
      return bytes.subarray(e.dataOffset, e.dataOffset + e.size);
    },
  };
}

const str = (b: Uint8Array) => new TextDecoder().decode(b);

describe('saveArchive', () => {
  it('writes the Docker 25+ layout for a committed image', async () => {
    const input = await saveInput(commit.image, { opened: img.opened, tars });
    const saved = await saveArchive([input]);
    expect(saved.fileName).toBe('demo_edited.tar');
    const bytes = new Uint8Array(await saved.blob.arrayBuffer());
    const { entries, file } = untar(bytes);
    const hex = (x: string) => x.slice(7);
    const layerHexes = commit.image.diffIds.map(hex);
    const manifestEntry = entries.find(
      (e) =>
        e.path.startsWith('blobs/sha256/') &&
        ![hex(commit.image.id), ...layerHexes].includes(e.path.slice(13)),
    )!;
    expect(entries.map((e) => e.path)).toEqual([
      'blobs',
      'blobs/sha256',
      ...[hex(commit.image.id), ...layerHexes, manifestEntry.path.slice(13)]
        .sort()
        .map((h) => `blobs/sha256/${h}`),
      'index.json',
      'manifest.json',
      'oci-layout',
      'repositories',
    ]);
    expect(entries.map((e) => `${e.mode.toString(8)} ${e.uid}`)).toEqual(
      entries.map((e) => (e.type === 'dir' ? '755 0' : '644 0')),
    );
    // save.go timestamps: blobs at the image's creation, manifests and top-level files at 0.
    const created = Date.UTC(2025, 0, 1) / 1000;
    expect(entries.find((e) => e.path === 'blobs')!.mtime).toBe(created);
    expect(entries.find((e) => e.path === `blobs/sha256/${hex(commit.image.id)}`)!.mtime).toBe(
      created,
    );
    expect(manifestEntry.mtime).toBe(0);
    expect(entries.find((e) => e.path === 'manifest.json')!.mtime).toBe(0);

    expect(file(`blobs/sha256/${hex(commit.image.id)}`)).toEqual(commit.configBytes);
    for (const h of layerHexes) expect(sha(file(`blobs/sha256/${h}`))).toBe(h);

    const manifestText = str(file(manifestEntry.path));
    expect(manifestText).toBe(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: commit.image.id,
          size: commit.configBytes.length,
        },
        layers: layerHexes.map((h) => ({
          mediaType: 'application/vnd.oci.image.layer.v1.tar',
          digest: `sha256:${h}`,
          size: file(`blobs/sha256/${h}`).length,
        })),
      }),
    );
    expect(sha(file(manifestEntry.path))).toBe(manifestEntry.path.slice(13));
    expect(str(file('index.json'))).toBe(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha256:${manifestEntry.path.slice(13)}`,
            size: manifestText.length,
            annotations: {
              'io.containerd.image.name': 'docker.io/library/demo:edited',
              'org.opencontainers.image.ref.name': 'edited',
            },
          },
        ],
      }),
    );
    const manifestJson = str(file('manifest.json'));
    expect(manifestJson.endsWith(']\n')).toBe(true);
    expect(JSON.parse(manifestJson)).toEqual([
      {
        Config: `blobs/sha256/${hex(commit.image.id)}`,
        RepoTags: ['demo:edited'],
        Layers: layerHexes.map((h) => `blobs/sha256/${h}`),
        LayerSources: Object.fromEntries(
          layerHexes.map((h) => [
            `sha256:${h}`,
            {
              mediaType: 'application/vnd.oci.image.layer.v1.tar',
              digest: `sha256:${h}`,
              size: file(`blobs/sha256/${h}`).length,
            },
          ]),
        ),
      },
    ]);
    expect(str(file('repositories'))).toBe(`{"demo":{"edited":"${layerHexes.at(-1)}"}}\n`);
    expect(str(file('oci-layout'))).toBe('{"imageLayoutVersion": "1.0.0"}');
  });

  it('is read back by the engine with the same image ID and verified diffIDs', async () => {
    const saved = await saveArchive([
      await saveInput(img.image, { opened: img.opened }),
      await saveInput(commit.image, { opened: img.opened, tars }),
    ]);
    const opened = await openArchive(saved.blob, { fileName: saved.fileName });
    expect(opened.model.kind).toBe('docker-oci');
    expect(opened.model.images.map((i) => i.id)).toEqual([img.image.id, commit.image.id]);
    // (open.ts also adds the index's fully qualified names to repoTags: not the writer's concern.)
    expect(opened.model.images[0]!.repoTags).toEqual(
      expect.arrayContaining(['demo:1', 'localhost/demo:2']),
    );
    expect(opened.model.images[1]!.repoTags).toEqual(expect.arrayContaining(['demo:edited']));
    expect(JSON.parse(opened.model.documents['manifest.json']!.text)).toMatchObject([
      { RepoTags: ['demo:1', 'localhost/demo:2'] },
      { RepoTags: ['demo:edited'], Parent: img.image.id },
    ]);
    // Parent is written when the parent image is saved too (validatedParentLinks).
    expect(opened.model.images[1]!.parentId).toBe(img.image.id);
    for (const key of Object.keys(opened.model.layers)) {
      expect(await verifyLayer(opened, key)).toMatchObject({
        digestState: 'verified',
        diffIdState: 'verified',
      });
    }
    // Shared layers are stored once.
    expect(Object.keys(opened.model.layers)).toHaveLength(3);
    const top = await indexLayer(opened, opened.model.images[1]!.layerKeys[2]!);
    expect(top.entries.map((e) => e.path)).toEqual(commit.layer!.entries.map((e) => e.path));
    const index = JSON.parse(opened.model.documents['index.json']!.text) as {
      manifests: { annotations?: Record<string, string> }[];
    };
    expect(index.manifests.map((m) => m.annotations?.['io.containerd.image.name'])).toEqual([
      'docker.io/library/demo:1',
      'localhost/demo:2',
      'docker.io/library/demo:edited',
    ]);
    expect(JSON.parse(opened.model.documents['repositories']!.text)).toEqual({
      demo: {
        '1': img.image.diffIds.at(-1)!.slice(7),
        edited: commit.image.diffIds.at(-1)!.slice(7),
      },
      'localhost/demo': { '2': img.image.diffIds.at(-1)!.slice(7) },
    });
  });

  it('writes an untagged image with RepoTags null and an unannotated descriptor', async () => {
    const input = await saveInput(commit.image, { opened: img.opened, tars });
    const saved = await saveArchive([{ ...input, repoTags: [] }]);
    expect(saved.fileName).toBe(`image-${commit.image.id.slice(7, 19)}.tar`);
    expect(saved.documents['manifest.json']).toContain('"RepoTags":null');
    expect(saved.documents.repositories).toBeUndefined();
    const index = JSON.parse(saved.documents['index.json']) as { manifests: object[] };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]).not.toHaveProperty('annotations');
    // Docker's quirk: an untagged image after a tagged one is only in manifest.json.
    const two = await saveArchive([
      await saveInput(img.image, { opened: img.opened }),
      { ...input, repoTags: [] },
    ]);
    expect(
      (JSON.parse(two.documents['index.json']) as { manifests: object[] }).manifests,
    ).toHaveLength(2);
    expect(JSON.parse(two.documents['manifest.json'])).toHaveLength(2);
  });

  it('decompresses gzip and zstd layers of OCI archives, keeping the image ID', async () => {
    for (const name of ['busybox-app.oci.tar', 'busybox-app.zstd.oci.tar']) {
      const src = await openArchive(await openAsBlob(join(SAMPLES, name)), { fileName: name });
      const image = src.model.images[0]!;
      expect(Object.values(src.model.layers).some((l) => l.compression !== 'none')).toBe(true);
      const saved = await saveArchive([await saveInput(image, { opened: src })]);
      const back = await openArchive(saved.blob, { fileName: saved.fileName });
      expect(back.model.kind).toBe('docker-oci');
      expect(back.model.images[0]!.id).toBe(image.id);
      expect(back.model.images[0]!.diffIds).toEqual(image.diffIds);
      for (const key of back.model.images[0]!.layerKeys) {
        expect(back.model.layers[key]!.compression).toBe('none');
        expect(await verifyLayer(back, key)).toMatchObject({ diffIdState: 'verified' });
      }
    }
  });

  it('refuses a compressed layer that does not match its diffID, and empty images', async () => {
    const name = 'busybox-app.oci.tar';
    const src = await openArchive(await openAsBlob(join(SAMPLES, name)), { fileName: name });
    const input = await saveInput(src.model.images[0]!, { opened: src });
    const wrong: SaveImage = {
      ...input,
      diffIds: input.diffIds.map(() => `sha256:${'0'.repeat(64)}`),
    };
    await expect(saveArchive([wrong])).rejects.toThrow(SaveError);
    await expect(saveArchive([{ ...input, diffIds: [], layers: [] }])).rejects.toThrow(
      'empty export',
    );
    await expect(saveArchive([])).rejects.toThrow(SaveError);
  });

  it('makes safe download names', () => {
    expect(saveFileName(['busybox:latest'], 'sha256:ab')).toBe('busybox_latest.tar');
    expect(saveFileName(['localhost:5000/team/app:1.0'], 'sha256:ab')).toBe(
      'localhost_5000_team_app_1.0.tar',
    );
    expect(saveFileName(['../../etc/passwd:x'], 'sha256:0123456789abcdef')).toBe(
      'image-0123456789ab.tar',
    );
    expect(saveFileName([], `sha256:${'f'.repeat(64)}`)).toBe('image-ffffffffffff.tar');
  });
});
