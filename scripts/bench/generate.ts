/**
 * Synthetic benchmark archives, written exactly as the tools lay them out (podman docker-archive:
 * root `<diffID>.tar` layers, symlinked legacy dirs; OCI archive with gzip or zstd blobs), but
 * with many files: mixed sizes, deep and long names (PAX), symlinks and hardlinks. Streams to
 * disk; never holds an archive in memory.
 *
 *   npx tsx scripts/bench/generate.ts OUT.tar --format docker --layers 9 --files 200000 --bytes 3e9
 *   npx tsx scripts/bench/generate.ts OUT.tar --format oci --compression gzip --bytes 1e9
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { entryHeaderBlocks, type TarWriteEntry } from '../../src/lib/core/tar/write';

export interface GenerateOptions {
  out: string;
  format: 'docker' | 'oci';
  compression: 'none' | 'gzip' | 'zstd';
  layers: number;
  files: number;
  bytes: number;
  seed?: number;
}

const BLOCK = 512;
const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

/** A fixed pool of bytes, half random and half text, sliced for file contents (compresses ~2x). */
function contentPool(): Buffer {
  const random = randomBytes(8 << 20);
  const words = 'layer image container overlay whiteout digest manifest config history tar '.repeat(
    120_000,
  );
  return Buffer.concat([random, Buffer.from(words).subarray(0, 8 << 20)]);
}

class Writer {
  private readonly hash = createHash('sha256');
  bytes = 0;
  constructor(private readonly stream: NodeJS.WritableStream) {}
  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream as NodeJS.EventEmitter, 'drain');
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

async function writeEntry(w: Writer, e: TarWriteEntry, data?: Uint8Array): Promise<void> {
  await w.write(entryHeaderBlocks({ ...e, data: undefined, size: data?.length }));
  if (data && data.length) {
    await w.write(data);
    const p = pad(data.length);
    if (p) await w.write(new Uint8Array(p));
  }
}

/** One layer tar: `files` entries totalling about `bytes`, into `path`. */
async function writeLayer(
  path: string,
  layer: number,
  files: number,
  bytes: number,
  pool: Buffer,
): Promise<{ diffId: string; size: number }> {
  const out = createWriteStream(path);
  const w = new Writer(out);
  const dirs: string[] = [];
  const avg = Math.max(1, Math.floor(bytes / Math.max(1, files)));
  let written = 0;
  let poolAt = (layer * 7919) % pool.length;
  for (let i = 0; i < files; i++) {
    if (i % 50 === 0) {
      // Nested directories, some with long names that need PAX headers.
      const depth = 1 + (i % 7);
      const parts = [`layer${layer}`];
      for (let d = 0; d < depth; d++)
        parts.push(d === 3 ? `long-directory-name-${'x'.repeat(60)}-${i}` : `d${(i >> d) % 13}`);
      const dir = parts.join('/');
      dirs.push(dir);
      await writeEntry(w, { path: dir + '/', type: 'dir', mode: 0o755, mtime: 1_700_000_000 });
    }
    const dir = dirs[dirs.length - 1]!;
    const kind = i % 100;
    const name = `${dir}/file-${i}${kind === 7 ? '-with-a-rather-long-name-' + 'n'.repeat(90) : ''}`;
    if (kind === 11 && i > 0) {
      await writeEntry(w, { path: name + '.lnk', type: 'symlink', linkname: `file-${i - 1}` });
      continue;
    }
    if (kind === 13 && i > 1) {
      await writeEntry(w, {
        path: name + '.hard',
        type: 'hardlink',
        linkname: `${dir}/file-${i - 2}`,
      });
      continue;
    }
    // Mixed sizes: mostly small, some large, a few very large.
    let size = kind < 70 ? (i * 37) % 4096 : kind < 97 ? avg * 2 : avg * 20;
    size = Math.min(size, bytes - written > 0 ? bytes - written : (i * 37) % 4096);
    if (poolAt + size > pool.length) poolAt = (poolAt * 31) % Math.max(1, pool.length - size);
    const data = size <= pool.length ? pool.subarray(poolAt, poolAt + size) : Buffer.alloc(size, 1);
    poolAt = (poolAt + 4099) % pool.length;
    written += size;
    await writeEntry(
      w,
      {
        path: name,
        type: 'file',
        mode: kind === 3 ? 0o755 : 0o644,
        mtime: 1_700_000_000 + i,
        uid: i % 3 === 0 ? 1000 : 0,
      },
      data,
    );
  }
  await w.write(new Uint8Array(2 * BLOCK));
  out.end();
  await once(out, 'finish');
  return { diffId: w.digest(), size: w.bytes };
}

async function appendFile(w: Writer, name: string, path: string): Promise<void> {
  const size = statSync(path).size;
  await w.write(entryHeaderBlocks({ path: name, type: 'file', mode: 0o444, size }));
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 }))
    await w.write(chunk as Buffer);
  const p = pad(size);
  if (p) await w.write(new Uint8Array(p));
}

async function appendBytes(w: Writer, name: string, data: Uint8Array): Promise<void> {
  await writeEntry(w, { path: name, type: 'file', mode: 0o444 }, data);
}

async function compressFile(src: string, dst: string, how: 'gzip' | 'zstd'): Promise<void> {
  if (how === 'gzip')
    await pipeline(createReadStream(src), createGzip({ level: 6 }), createWriteStream(dst));
  else execFileSync('zstd', ['-q', '-f', '-3', '-T0', src, '-o', dst]);
}

function fileDigest(path: string): string {
  const out = execFileSync('sha256sum', [path], { encoding: 'utf8' });
  return `sha256:${out.split(' ')[0]}`;
}

export async function generate(o: GenerateOptions): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'layerscope-gen-'));
  try {
    const pool = contentPool();
    const layers: { path: string; diffId: string; size: number }[] = [];
    for (let l = 0; l < o.layers; l++) {
      const path = join(work, `layer${l}.tar`);
      const r = await writeLayer(path, l, Math.ceil(o.files / o.layers), o.bytes / o.layers, pool);
      layers.push({ path, ...r });
    }
    const enc = new TextEncoder();
    const created = '2024-01-01T00:00:00Z';
    const config = enc.encode(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created,
        config: { Cmd: ['/bin/sh'] },
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map((_, i) => ({ created, created_by: `/bin/sh -c generate layer ${i}` })),
      }),
    );
    const configHex = createHash('sha256').update(config).digest('hex');
    const out = createWriteStream(o.out);
    const w = new Writer(out);
    if (o.format === 'docker') {
      await appendBytes(w, `${configHex}.json`, config);
      for (const l of layers) await appendFile(w, `${l.diffId.slice(7)}.tar`, l.path);
      await appendBytes(
        w,
        'manifest.json',
        enc.encode(
          JSON.stringify([
            {
              Config: `${configHex}.json`,
              RepoTags: ['localhost/bench:big'],
              Layers: layers.map((l) => `${l.diffId.slice(7)}.tar`),
            },
          ]),
        ),
      );
      await appendBytes(w, 'repositories', enc.encode('{}'));
    } else {
      // OCI layout (skopeo oci-archive): compressed blobs named by digest, manifest, index.json.
      const blobs: { name: string; path?: string; data?: Uint8Array }[] = [];
      const descs = [];
      for (const l of layers) {
        let stored = l.path;
        if (o.compression !== 'none') {
          stored = `${l.path}.${o.compression}`;
          await compressFile(l.path, stored, o.compression);
          rmSync(l.path);
        }
        const digest = fileDigest(stored);
        const suffix = o.compression === 'none' ? '' : `+${o.compression}`;
        descs.push({
          mediaType: `application/vnd.oci.image.layer.v1.tar${suffix}`,
          digest,
          size: statSync(stored).size,
        });
        blobs.push({ name: `blobs/sha256/${digest.slice(7)}`, path: stored });
      }
      const manifest = enc.encode(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: `sha256:${configHex}`,
            size: config.length,
          },
          layers: descs,
        }),
      );
      const manifestHex = createHash('sha256').update(manifest).digest('hex');
      blobs.push({ name: `blobs/sha256/${configHex}`, data: config });
      blobs.push({ name: `blobs/sha256/${manifestHex}`, data: manifest });
      blobs.sort((a, b) => (a.name < b.name ? -1 : 1));
      await writeEntry(w, { path: 'blobs/', type: 'dir' });
      await writeEntry(w, { path: 'blobs/sha256/', type: 'dir' });
      for (const b of blobs) {
        if (b.path) await appendFile(w, b.name, b.path);
        else await appendBytes(w, b.name, b.data!);
      }
      await appendBytes(
        w,
        'index.json',
        enc.encode(
          JSON.stringify({
            schemaVersion: 2,
            manifests: [
              {
                mediaType: 'application/vnd.oci.image.manifest.v1+json',
                digest: `sha256:${manifestHex}`,
                size: manifest.length,
                annotations: { 'org.opencontainers.image.ref.name': 'localhost/bench:big' },
              },
            ],
          }),
        ),
      );
      await appendBytes(w, 'oci-layout', enc.encode('{"imageLayoutVersion": "1.0.0"}'));
    }
    await w.write(new Uint8Array(2 * BLOCK));
    out.end();
    await once(out, 'finish');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out || out.startsWith('--')) {
    console.error(
      'usage: generate.ts OUT.tar [--format docker|oci] [--compression none|gzip|zstd] [--layers N] [--files N] [--bytes N]',
    );
    process.exit(2);
  }
  const started = Date.now();
  await generate({
    out,
    format: arg('format', 'docker') as GenerateOptions['format'],
    compression: arg('compression', 'none') as GenerateOptions['compression'],
    layers: Number(arg('layers', '9')),
    files: Number(arg('files', '20000')),
    bytes: Number(arg('bytes', '1e8')),
  });
  console.log(
    `${out}: ${statSync(out).size} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}
