/**
 * Hostile archives for the engine's limits (issue 8, docs/SECURITY.md), written to the git-ignored
 * bench-data/bombs/:
 *
 *   gzip-bomb.tar        one gzip layer of 10 MB that expands 1000× to 10 GB (one file of zeros)
 *   entries-1m.tar       one gzip layer of 1,000,000 entries (LIMITS.layerEntries: indexed)
 *   entries-over.tar     one gzip layer of 1,000,001 entries (stopped at the limit)
 *   deep-1000.tar        a path nested 1,000 directories deep
 *   deep-too-long.tar    a 4,097-byte path (LIMITS.pathBytes)
 *   names-and-links.tar  `..`, absolute, control-character and invalid-UTF-8 names, a symlink loop,
 *                        a hardlink to a missing target
 *   outer-link-loop.tar  manifest.json names a layer.tar that is a symlink loop in the archive
 *   zstd-window.tar      a zstd layer whose frame asks for a 1 GiB window (LIMITS.zstdWindowBytes)
 *   json-fanout.tar      manifest.json with 5,000 items that all name one config
 *
 *   npx tsx scripts/make-bombs.ts [--out DIR] [--scale F]   generate (F < 1 scales the sizes down)
 *   npx tsx scripts/make-bombs.ts --measure [--out DIR]     open + index each, report time, outcome
 *                                                           and peak RSS / heap
 *
 * The same builders, scaled down, are what tests/unit/bombs.test.ts runs in `npm test`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, openAsBlob, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGzip, gzipSync } from 'node:zlib';
import { entryHeaderBlocks, writeTar, type TarWriteEntry } from '../src/lib/core/tar/write';
import { openArchive } from '../src/lib/core/archive/open';
import { indexLayer, verifyLayer } from '../src/lib/core/archive/layers';
import { ArchiveError } from '../src/lib/core/model/errors';
import { buildOverlay, mergedListing } from '../src/lib/core/overlay';
import { plainTar } from '../tests/fixtures/archives';
import { hostileLayer } from './fuzz';

const ROOT = join(fileURLToPath(import.meta.url), '../..');
const enc = new TextEncoder();
const u8 = (b: Uint8Array | Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface BombLayer {
  /** The stored (compressed or not) layer blob. */
  stored: Uint8Array;
  /** sha256 of the uncompressed tar. */
  diffId: string;
}

/**
 * A gzip layer holding one file of `zeroBytes` zeros, compressed as it is generated (never held
 * uncompressed): deflate packs zeros about 1000:1, the largest ratio it has.
 */
export async function gzipBombLayer(zeroBytes: number, hashIt = true): Promise<BombLayer> {
  const hash = createHash('sha256');
  const out: Buffer[] = [];
  const gz = createGzip({ level: 9 });
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const write = async (chunk: Uint8Array) => {
    if (hashIt) hash.update(chunk);
    if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
  };
  await write(entryHeaderBlocks({ path: 'zeros', type: 'file', size: zeroBytes }));
  const block = new Uint8Array(8 << 20);
  for (let left = zeroBytes; left > 0; left -= block.length)
    await write(left >= block.length ? block : block.subarray(0, left));
  await write(new Uint8Array(((512 - (zeroBytes % 512)) % 512) + 1024));
  gz.end();
  await done;
  const diffId = hashIt ? hash.digest('hex') : '0'.repeat(64);
  return { stored: u8(Buffer.concat(out)), diffId: `sha256:${diffId}` };
}

/** A gzip layer of `n` entries: a directory every 1,000, the rest empty files. */
export function manyEntriesLayer(n: number): BombLayer {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const d = `d${Math.floor(i / 1000)}`;
    parts.push(
      entryHeaderBlocks(
        i % 1000 === 0
          ? { path: `${d}/`, type: 'dir' }
          : { path: `${d}/f${i}`, type: 'file', size: 0 },
      ),
    );
  }
  parts.push(new Uint8Array(1024));
  const tar = u8(Buffer.concat(parts));
  return { stored: u8(gzipSync(tar, { level: 1 })), diffId: `sha256:${sha(tar)}` };
}

/** An uncompressed layer with one file `levels` directories deep (every directory listed). */
export function deepLayer(levels: number, name = 'd'): BombLayer {
  const entries: TarWriteEntry[] = [];
  let p = '';
  for (let i = 0; i < levels; i++) {
    p += `${name}/`;
    entries.push({ path: p, type: 'dir' });
  }
  entries.push({ path: `${p}leaf`, type: 'file', data: enc.encode('deep') });
  const tar = writeTar(entries);
  return { stored: tar, diffId: `sha256:${sha(tar)}` };
}

/** Hostile names and links (scripts/fuzz.ts `hostileLayer`), uncompressed. */
export function namesLayer(): BombLayer {
  const tar = hostileLayer();
  return { stored: tar, diffId: `sha256:${sha(tar)}` };
}

/** A zstd layer whose first frame asks for a 1 GiB window (windowLog 30), then garbage. */
export function zstdWindowLayer(): BombLayer {
  const frame = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (30 - 10) << 3, 0x01, 0x00, 0x00]);
  return { stored: frame, diffId: `sha256:${'0'.repeat(64)}` };
}

/** A docker-archive (crane's layout: layers named by digest) holding `layers`. */
export function bombArchive(
  layers: BombLayer[],
  opts: { items?: number; extra?: [string, Uint8Array | { symlink: string }][] } = {},
): Uint8Array {
  const config = enc.encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map((_, i) => ({ created_by: `bomb step ${i + 1}` })),
    }),
  );
  const names = layers.map((l) => `${sha(l.stored)}.tar${l.stored[0] === 0x1f ? '.gz' : ''}`);
  const item = { Config: 'config.json', RepoTags: ['bomb:1'], Layers: names };
  const manifest = Array.from({ length: opts.items ?? 1 }, (_, i) => ({
    ...item,
    RepoTags: [`bomb:${i + 1}`],
  }));
  return plainTar([
    ['config.json', config],
    ...layers.map((l, i): [string, Uint8Array] => [names[i]!, l.stored]),
    ...(opts.extra ?? []),
    ['manifest.json', enc.encode(JSON.stringify(manifest))],
  ]);
}

/** manifest.json names `a/layer.tar`, a symlink to `b/layer.tar`, a symlink back. */
export function outerLinkLoop(): Uint8Array {
  const real = deepLayer(1);
  const archive = bombArchive([real]);
  // Re-point the one layer at the loop.
  const text = new TextDecoder().decode(archive);
  const name = /"Layers":\["([^"]+)"\]/.exec(text)![1]!;
  return plainTar([
    ['config.json', enc.encode(JSON.stringify({ rootfs: { diff_ids: [real.diffId] } }))],
    [name, real.stored],
    ['a/layer.tar', { symlink: '../b/layer.tar' }],
    ['b/layer.tar', { symlink: '../a/layer.tar' }],
    [
      'manifest.json',
      enc.encode(
        JSON.stringify([{ Config: 'config.json', RepoTags: ['loop:1'], Layers: ['a/layer.tar'] }]),
      ),
    ],
  ]);
}

export interface Measurement {
  outcome: string;
  message?: string;
  ms: number;
  entries: number;
  /** Peaks above the baseline while opening and indexing… */
  peakRssDelta: number;
  peakHeapDelta: number;
  /** …and including the overlay, listing and wasted space built from the index. */
  overlayRssDelta: number;
  overlayHeapDelta: number;
}

/** Opens and indexes (and verifies, and overlays) an archive while sampling memory. */
export async function measure(blob: Blob, signal?: AbortSignal): Promise<Measurement> {
  (globalThis as { gc?: () => void }).gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  const started = performance.now();
  let outcome = 'ok';
  let message: string | undefined;
  let entries = 0;
  let indexRss = 0;
  let indexHeap = 0;
  try {
    const o = await openArchive(blob, { signal });
    const all = [];
    for (const key of Object.keys(o.model.layers)) {
      if (!o.model.layers[key]!.present) continue;
      const idx = await indexLayer(o, key, { signal });
      entries += idx.entries.length;
      all.push(idx.entries);
      await verifyLayer(o, key, { signal });
    }
    sample();
    [indexRss, indexHeap] = [peakRss, peakHeap];
    const ov = buildOverlay(all);
    if (ov.layerCount > 0) {
      mergedListing(ov, ov.layerCount - 1);
      ov.wastedSpace();
    }
  } catch (e) {
    if (e instanceof ArchiveError) {
      outcome = e.code;
      message = e.message;
    } else throw e;
  } finally {
    clearInterval(timer);
    sample();
  }
  if (indexRss === 0) [indexRss, indexHeap] = [peakRss, peakHeap];
  return {
    outcome,
    message,
    ms: performance.now() - started,
    entries,
    peakRssDelta: indexRss - base.rss,
    peakHeapDelta: indexHeap - base.heapUsed,
    overlayRssDelta: peakRss - base.rss,
    overlayHeapDelta: peakHeap - base.heapUsed,
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const out = arg('--out') ?? join(ROOT, 'bench-data/bombs');
  const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (argv.includes('--measure')) {
    for (const name of readdirSync(out)
      .filter((f) => f.endsWith('.tar'))
      .sort()) {
      const file = join(out, name);
      const m = await measure(await openAsBlob(file));
      console.log(
        `${name.padEnd(22)} ${m.outcome.padEnd(6)} ${(m.ms / 1000).toFixed(1).padStart(5)} s ${String(m.entries).padStart(8)} entries  indexing: RSS +${mb(m.peakRssDelta)} heap +${mb(m.peakHeapDelta)}  with overlay: RSS +${mb(m.overlayRssDelta)} heap +${mb(m.overlayHeapDelta)}`,
      );
      if (m.message) console.log(`    ${m.message}`);
    }
    return;
  }
  const scale = Number(arg('--scale') ?? 1);
  mkdirSync(out, { recursive: true });
  const write = (name: string, bytes: Uint8Array) => {
    writeFileSync(join(out, name), bytes);
    console.log(`${name.padEnd(22)} ${mb(bytes.length).padStart(10)}`);
  };
  write('gzip-bomb.tar', bombArchive([await gzipBombLayer(Math.round(10e9 * scale))]));
  write('entries-1m.tar', bombArchive([manyEntriesLayer(Math.round(1_000_000 * scale))]));
  write('entries-over.tar', bombArchive([manyEntriesLayer(Math.round(1_000_000 * scale) + 1)]));
  write('deep-1000.tar', bombArchive([deepLayer(1000)]));
  write('deep-too-long.tar', bombArchive([deepLayer(1, 'x'.repeat(4096))]));
  write('names-and-links.tar', bombArchive([namesLayer()]));
  write('outer-link-loop.tar', outerLinkLoop());
  write('zstd-window.tar', bombArchive([zstdWindowLayer()]));
  write('json-fanout.tar', bombArchive([deepLayer(1)], { items: 5000 }));
}

const entry = process.argv[1] ? pathToFileURL(process.argv[1]).href : '';
if (entry === import.meta.url) await main();
