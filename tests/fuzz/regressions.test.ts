/**
 * One test per bug the fuzzer found (issue 8), each reduced to the smallest archive that showed it.
 * Before the fixes these ended in a TypeError from deep inside the engine (the app showed
 * "internal error"), in a message reading "lists undefined layer(s)", or in a verdict that claimed
 * more than was checked.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { openArchive, type OpenedArchive } from '../../src/lib/core/archive/open';
import { indexLayer, verifyLayer } from '../../src/lib/core/archive/layers';
import { ArchiveError } from '../../src/lib/core/model/errors';
import {
  buildLayers,
  configFor,
  docker25,
  dockerLegacy,
  family,
  ociArchive,
  plainTar,
} from '../fixtures/archives';
import { Rng } from './rng';
import { runPipeline } from './pipeline';

const enc = new TextEncoder();
const blob = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const one = family()[0]!;

/** A docker-archive whose manifest.json is `manifest` (layers and config as podman writes them). */
function withManifest(manifest: unknown, gzipLayers = false): Uint8Array {
  const layers = buildLayers(one);
  const config = configFor(one, layers);
  return plainTar([
    ['config.json', config],
    ...layers.map((l, i): [string, Uint8Array] => [
      `layer${i}.tar${gzipLayers ? '.gz' : ''}`,
      gzipLayers ? new Uint8Array(gzipSync(l.tar)) : l.tar,
    ]),
    ['manifest.json', enc.encode(JSON.stringify(manifest))],
  ]);
}

const good = { Config: 'config.json', RepoTags: ['a:1'], Layers: ['layer0.tar', 'layer1.tar'] };

/** Opens, or returns the error; anything but an ArchiveError fails the test. */
async function open(bytes: Uint8Array): Promise<OpenedArchive | ArchiveError> {
  try {
    return await openArchive(blob(bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(ArchiveError);
    return e as ArchiveError;
  }
}

/** Replaces the text of one member of a tar (same length or not) by rebuilding with plainTar. */
function docker25With(edit: (path: string, text: string) => string | undefined): Uint8Array {
  const tar = docker25([one]);
  const files: [string, Uint8Array][] = [];
  // Walk the tar: ustar headers written by our writer (names < 100 bytes, no PAX).
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = new TextDecoder().decode(h.subarray(0, 100)).replace(/\0.*$/s, '');
    const size = parseInt(new TextDecoder().decode(h.subarray(124, 136)).replace(/\0.*$/s, ''), 8);
    const type = String.fromCharCode(h[156]!);
    const data = tar.subarray(off + 512, off + 512 + size);
    if (type === '0') {
      const changed =
        name.startsWith('blobs/') || name.endsWith('.json')
          ? edit(name, new TextDecoder().decode(data))
          : undefined;
      files.push([name, changed === undefined ? data : enc.encode(changed)]);
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return plainTar(files);
}

describe('manifest.json fields of the wrong type (TypeError before the fix)', () => {
  it('Layers that is a string, an object or holds a non-string: bad-json, said plainly', async () => {
    for (const Layers of ['layer0.tar', { a: 1 }, ['layer0.tar', null], [1, 2]]) {
      const r = await open(withManifest([{ ...good, Layers }]));
      expect(r).toBeInstanceOf(ArchiveError);
      expect((r as ArchiveError).code).toBe('bad-json');
      expect((r as ArchiveError).message).toMatch(/Layers of its item 1 are not a list/);
      expect((r as ArchiveError).message).not.toMatch(/undefined/);
    }
  });

  it('a Config that is not a string skips the item; RepoTags of the wrong type are no tags', async () => {
    const r = await open(withManifest([{ ...good, Config: {} }]));
    expect((r as ArchiveError).code).toBe('no-images');
    const o = (await open(withManifest([{ ...good, RepoTags: { x: 1 } }]))) as OpenedArchive;
    expect(o.model.images[0]!.repoTags).toEqual([]);
    const items = (await open(withManifest([1, null, 'x', good]))) as OpenedArchive;
    expect(items.model.images).toHaveLength(1);
    expect(items.model.kind).toBe('docker-archive');
  });
});

describe('OCI documents of the wrong shape (TypeError before the fix)', () => {
  it('index.json that is null, a number or has manifests of the wrong type', async () => {
    for (const index of ['null', '42', '"x"', '{"manifests":{"a":1}}', '{"manifests":[1,null]}']) {
      const r = await open(docker25With((p) => (p === 'index.json' ? index : undefined)));
      // manifest.json still names the image: it opens.
      expect(r, index).not.toBeInstanceOf(ArchiveError);
    }
    const oci = ociArchive(one, 'r:1');
    const text = new TextDecoder().decode(oci);
    expect(text).toContain('"manifests"');
  });

  it('a manifest that is null, with a config digest that is a number, or layers that are a string', async () => {
    for (const change of [
      () => 'null',
      (t: string) =>
        t.replace(/"config":\{[^}]*"digest":("[^"]*")/, (m, d: string) => m.replace(d, '5')),
      (t: string) => t.replace(/"layers":\[.*\]/s, '"layers":"x"}'),
      (t: string) =>
        t.replace(/"annotations":\{/, '"annotations":{"org.opencontainers.image.ref.name":7,'),
    ]) {
      const bytes = docker25With((p, t) =>
        p.startsWith('blobs/') && t.includes('"layers"') ? change(t) : undefined,
      );
      await open(bytes); // a result or an ArchiveError, never a TypeError
    }
  });

  it('index annotations that are not strings never become tags', async () => {
    const o = (await open(
      docker25With((p, t) =>
        p === 'index.json'
          ? t
              .replace(/"io.containerd.image.name":"[^"]*"/g, '"io.containerd.image.name":5')
              .replace(
                /"org.opencontainers.image.ref.name":"[^"]*"/g,
                '"org.opencontainers.image.ref.name":{}',
              )
          : undefined,
      ),
    )) as OpenedArchive;
    expect(o.model.images[0]!.repoTags).toEqual(['synth/app:1']);
  });
});

describe('verdicts that claimed more than was checked', () => {
  it('a compressed layer nothing names the digest of: its digest is shown, not "verified"', async () => {
    const o = (await open(
      withManifest([{ ...good, Layers: ['layer0.tar.gz', 'layer1.tar.gz'] }], true),
    )) as OpenedArchive;
    for (const key of Object.keys(o.model.layers)) {
      await indexLayer(o, key);
      await verifyLayer(o, key);
      const l = o.model.layers[key]!;
      expect(l.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(l.digestState).toBe('unavailable');
      expect(l.diffIdState).toBe('verified');
    }
  });

  it('a gzip layer whose header mtime changed: digest mismatch, the same tar verified', async () => {
    const bytes = ociArchive(one, 'r:1', { compression: 'gzip' });
    const o0 = await openArchive(blob(bytes));
    const key = o0.model.images[0]!.layerKeys[0]!;
    const at = o0.model.layers[key]!.blob!.offset + 4; // gzip MTIME
    const copy = bytes.slice();
    copy[at] = copy[at]! ^ 0xff;
    const o = await openArchive(blob(copy));
    await indexLayer(o, key);
    await verifyLayer(o, key);
    expect(o.model.layers[key]!.digestState).toBe('mismatch');
    expect(o.model.layers[key]!.diffIdState).toBe('verified');
    // And the fuzz oracle agrees that this verdict is right.
    const r = await runPipeline(copy, { signal: new AbortController().signal, rng: new Rng(1) });
    expect(r.failures).toEqual([]);
  });
});

describe('links in the outer archive', () => {
  it('a layer.tar that links to itself is stopped at the link-depth limit, by name', async () => {
    const layers = buildLayers(one);
    const config = configFor(one, layers);
    const bytes = plainTar([
      ['config.json', config],
      ['a/layer.tar', { symlink: '../b/layer.tar' }],
      ['b/layer.tar', { symlink: '../a/layer.tar' }],
      ['l1.tar', layers[1]!.tar],
      [
        'manifest.json',
        enc.encode(JSON.stringify([{ ...good, Layers: ['a/layer.tar', 'l1.tar'] }])),
      ],
    ]);
    const r = await open(bytes);
    expect((r as ArchiveError).code).toBe('limit');
    expect((r as ArchiveError).message).toMatch(/a\/layer\.tar .* more than 8 links \(a loop\)/);
  });

  it('Docker legacy saves write a repeated v1 directory once (the fixture wrote a self-link)', async () => {
    const o = await openArchive(blob(dockerLegacy(family())));
    expect(Object.values(o.model.layers).every((l) => l.present)).toBe(true);
    expect(o.model.warnings).toEqual([]);
  });
});
