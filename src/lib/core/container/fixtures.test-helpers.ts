/**
 * Test images for the container tests: real layer tars from our writer in a Docker 25+ save
 * layout, opened and indexed by the engine, so file bytes are read back from the archive.
 */
import { writeTar, type TarWriteEntry } from '../tar/write';
import { sha256Hex } from '../hash/sha256';
import { openArchive, type OpenedArchive } from '../archive/open';
import { indexLayer } from '../archive/layers';
import { buildOverlay, type Overlay } from '../overlay';
import type { TarEntry } from '../tar/types';
import type { ImageInfo } from '../model/types';
import { lowerFileReader, lowerFromOverlay, type LowerFs, type LowerReader } from './lower';
import type { RandomBytes } from './names';

const enc = new TextEncoder();

export const text = (s: string) => enc.encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export const d = (path: string, init: Partial<TarWriteEntry> = {}): TarWriteEntry => ({
  path,
  type: 'dir',
  mode: 0o755,
  mtime: 1_700_000_000,
  ...init,
});
export const f = (
  path: string,
  body: string,
  init: Partial<TarWriteEntry> = {},
): TarWriteEntry => ({
  path,
  type: 'file',
  mode: 0o644,
  mtime: 1_700_000_000,
  data: enc.encode(body),
  ...init,
});
export const l = (path: string, target: string): TarWriteEntry => ({
  path,
  type: 'symlink',
  linkname: target,
  mode: 0o777,
  mtime: 1_700_000_000,
});

export interface ImageFixtureOptions {
  tags?: string[];
  config?: Record<string, unknown>;
  created?: string;
}

/** A Docker 25+ `docker save` archive of one image with these layers. */
export async function imageArchive(
  layers: TarWriteEntry[][],
  opts: ImageFixtureOptions = {},
): Promise<Uint8Array> {
  const tars = layers.map((entries) => writeTar(entries));
  const diffIds = await Promise.all(tars.map((t) => sha256Hex(t)));
  const created = opts.created ?? '2024-05-01T10:00:00Z';
  const config = enc.encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created,
      config: opts.config ?? {
        Env: ['PATH=/usr/bin:/bin'],
        Cmd: ['/bin/sh'],
        WorkingDir: '/app',
        Labels: { demo: 'yes' },
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map((_, i) => ({ created, created_by: `/bin/sh -c step ${i + 1}` })),
    }),
  );
  const configHex = (await sha256Hex(config)).slice(7);
  const tags = opts.tags ?? ['demo:1'];
  const entries: TarWriteEntry[] = [
    { path: 'blobs/', type: 'dir' },
    { path: 'blobs/sha256/', type: 'dir' },
    { path: `blobs/sha256/${configHex}`, type: 'file', data: config },
  ];
  for (const [i, t] of tars.entries())
    entries.push({ path: `blobs/sha256/${diffIds[i]!.slice(7)}`, type: 'file', data: t });
  entries.push({
    path: 'manifest.json',
    type: 'file',
    data: enc.encode(
      JSON.stringify([
        {
          Config: `blobs/sha256/${configHex}`,
          RepoTags: tags,
          Layers: diffIds.map((x) => `blobs/sha256/${x.slice(7)}`),
        },
      ]),
    ),
  });
  return writeTar(entries);
}

export interface OpenedImage {
  opened: OpenedArchive;
  image: ImageInfo;
  layers: TarEntry[][];
  overlay: Overlay;
  lower: LowerFs;
  read: LowerReader;
}

/** Opens an archive and indexes its first (or `index`-th) image's layers. */
export async function openImage(bytes: Uint8Array | Blob, index = 0): Promise<OpenedImage> {
  const blob = bytes instanceof Blob ? bytes : new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const opened = await openArchive(blob, { fileName: 'fixture.tar' });
  const image = opened.model.images[index]!;
  const layers: TarEntry[][] = [];
  for (const key of image.layerKeys) layers.push((await indexLayer(opened, key)).entries);
  const overlay = buildOverlay(layers);
  return {
    opened,
    image,
    layers,
    overlay,
    lower: lowerFromOverlay(overlay, image.layerKeys),
    read: lowerFileReader(opened),
  };
}

/** A clock that advances one second (and a quarter) per call, from 2025-01-02T03:04:05Z. */
export function testClock(start = Date.UTC(2025, 0, 2, 3, 4, 5)): () => number {
  let t = start;
  return () => (t += 1250);
}

/** Deterministic bytes (xorshift32). */
export function seededRandom(seed = 42): RandomBytes {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

/** Reads a LowerReader result to bytes. */
export async function bytesOf(b: Blob | Uint8Array): Promise<Uint8Array> {
  return b instanceof Blob ? new Uint8Array(await b.arrayBuffer()) : b;
}
