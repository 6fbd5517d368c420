/**
 * An archive over 4 GiB read by the CLI (issue 20, item 5): Node's `openAsBlob` reports such a
 * file's size modulo 4 GiB (nodejs/node#52585), so a well-formed 5 GiB archive read as ending in
 * the middle of its layer. Written here as a sparse file (the 5 GiB body is a hole: a few KB on
 * disk), checked first with GNU tar, then listed by the CLI, which reads at offsets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { entryHeaderBlocks } from '../../src/lib/core/tar/write';
import { run } from '../../src/cli/main';

const BIG = 5 * 1024 ** 3 + 12_345; // past 4 GiB, and not a multiple of 512
const pad = (n: number) => Math.ceil(n / 512) * 512;
const enc = new TextEncoder();

/** Writes a tar of `members` at `base` in `fd`; a member without `data` is a hole. */
function writeTarAt(
  fd: number,
  base: number,
  members: { path: string; size: number; data?: Uint8Array; write?: (at: number) => void }[],
): number {
  let at = base;
  for (const m of members) {
    const header = entryHeaderBlocks({ path: m.path, type: 'file', mode: 0o644, size: m.size });
    writeSync(fd, header, 0, header.length, at);
    at += header.length;
    if (m.data) writeSync(fd, m.data, 0, m.data.length, at);
    m.write?.(at);
    at += pad(m.size);
  }
  return at + 1024; // two zero blocks (left as a hole)
}

let dir = '';
let archive = '';
let layerFile = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'layerscope-5g-'));
  const small = enc.encode('hi\n');
  const layerMembers = [
    { path: 'big.bin', size: BIG },
    { path: 'small.txt', size: small.length, data: small },
  ];
  // The layer alone, for GNU tar's listing of it.
  layerFile = join(dir, 'layer.tar');
  let fd = openSync(layerFile, 'w');
  const layerSize = writeTarAt(fd, 0, layerMembers);
  ftruncateSync(fd, layerSize);
  closeSync(fd);

  const diffId = `sha256:${createHash('sha256').update('not verified by ls').digest('hex')}`;
  const config = enc.encode(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-05-01T10:00:00Z',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '2024-05-01T10:00:00Z', created_by: '/bin/sh -c make big' }],
    }),
  );
  const manifest = enc.encode(
    JSON.stringify([
      { Config: 'config.json', RepoTags: ['localhost/big:1'], Layers: ['layer.tar'] },
    ]),
  );
  archive = join(dir, 'big.tar');
  fd = openSync(archive, 'w');
  const end = writeTarAt(fd, 0, [
    { path: 'config.json', size: config.length, data: config },
    { path: 'manifest.json', size: manifest.length, data: manifest },
    { path: 'layer.tar', size: layerSize, write: (at) => writeTarAt(fd, at, layerMembers) },
  ]);
  ftruncateSync(fd, end);
  closeSync(fd);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await run(args, {
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}

describe('a 5 GiB archive', () => {
  it('is a tar GNU tar lists, with a layer past 4 GiB', () => {
    const listing = execFileSync('tar', ['-tvf', archive], { encoding: 'utf8' });
    expect(listing).toMatch(/ layer\.tar\n/);
    const layer = listing.split('\n').find((l) => l.endsWith(' layer.tar'))!;
    expect(Number(layer.split(/\s+/)[2])).toBeGreaterThan(4 * 1024 ** 3);
  });

  it('is listed by the CLI with its layer whole, as GNU tar lists the layer', async () => {
    const gnu = execFileSync('tar', ['-tvf', layerFile], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => {
        const f = l.split(/\s+/);
        return `${f[5]}\tfile\t${f[2]}`;
      });
    const r = await cli('files', archive);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ours = r.out
      .trim()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 3).join('\t'));
    expect(ours).toEqual(gnu);
  });

  it('has the size docker image ls would show: the files of its one layer', async () => {
    const r = await cli('ls', archive);
    expect(r.code, r.err).toBe(0);
    // 5,368,721,468 bytes in decimal units, 3 significant digits (docker/cli formatter/image.go).
    expect(r.out).toMatch(/localhost\/big\s+1\s+[0-9a-f]{12}\s+.+\s+5\.37GB\n$/);
  });
});
