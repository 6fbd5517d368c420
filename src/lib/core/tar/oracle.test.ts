/**
 * GNU tar as an independent oracle: our index of each archive must match `tar -tvf` / `tar -tf`,
 * and the bytes at each data offset must match `tar -xOf`. Archives come from our fixtures and
 * from GNU tar itself (its gnu, oldgnu, posix, ustar and v7 formats, with and without --sparse).
 */
import { spawnSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  openAsBlob,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPARSE_MAPS, allFixtures, pattern } from './fixtures.test-helpers';
import { indexTarBlob } from './index-blob';
import { indexTarStream } from './index-stream';
import { chunkedStream } from './streams.test-helpers';
import { buildOverlay, mergedListing } from '../overlay';
import { layerStats } from '../archive/layers';
import type { TarEntry } from './types';

const TAR = '/usr/bin/tar';
const ENV = { ...process.env, LC_ALL: 'C', TZ: 'UTC' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'layerscope-tar-oracle-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tar(args: string[], cwd?: string): Buffer {
  const r = spawnSync(TAR, args, { env: ENV, cwd, maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 2) {
    throw new Error(`tar ${args.join(' ')}: ${r.stderr.toString()}`);
  }
  return r.stdout;
}

/** Reverses GNU tar's `--quoting-style=escape`: C escapes and octal bytes, then UTF-8. */
function unescape(s: string): string {
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      bytes.push(...Buffer.from(s[i], 'latin1'));
      continue;
    }
    const c = s[++i];
    if (/[0-7]/.test(c)) {
      bytes.push(parseInt(s.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(simple[c] ?? c.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

function oracleNormalize(p: string): string {
  return p
    .split('/')
    .filter((c) => c !== '' && c !== '.')
    .join('/');
}

function parseMode(perm: string): number {
  let m = 0;
  const bit = (i: number, v: number) => (perm[i] !== '-' ? v : 0);
  m |= bit(0, 0o400) | bit(1, 0o200) | bit(3, 0o40) | bit(4, 0o20) | bit(6, 0o4) | bit(7, 0o2);
  m |= 'xs'.includes(perm[2]) ? 0o100 : 0;
  m |= 'sS'.includes(perm[2]) ? 0o4000 : 0;
  m |= 'xs'.includes(perm[5]) ? 0o10 : 0;
  m |= 'sS'.includes(perm[5]) ? 0o2000 : 0;
  m |= 'xt'.includes(perm[8]) ? 0o1 : 0;
  m |= 'tT'.includes(perm[8]) ? 0o1000 : 0;
  return m;
}

interface OracleEntry {
  rawName: string;
  path: string;
  kind: string;
  mode: number;
  uid: number;
  gid: number;
  size?: number;
  devmajor?: number;
  devminor?: number;
  mtime: number;
  link: string;
}

const LINE =
  /^(.)(.{9}) (\d+)\/(\d+) +(\d+|\d+,\d+) (-?\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) +(.*)$/;

function oracleList(file: string): OracleEntry[] {
  const out = tar(['--numeric-owner', '--quoting-style=escape', '--full-time', '-tvf', file])
    .toString('latin1')
    .split('\n')
    .filter((l) => l !== '');
  return out.map((line) => {
    const m = LINE.exec(line);
    if (!m) throw new Error(`unparsed tar -tv line: ${line}`);
    const [, kind, perm, uid, gid, size, date, rest0] = m;
    let rest = rest0.replace(/ unknown file type '.'$/, '');
    let link = '';
    const arrow =
      kind === 'l' ? rest.indexOf(' -> ') : kind === 'h' ? rest.indexOf(' link to ') : -1;
    if (arrow >= 0) {
      link = unescape(rest.slice(arrow + (kind === 'l' ? 4 : 9)));
      rest = rest.slice(0, arrow);
    }
    const [ymd, hms] = date.split(' ');
    const [y, mo, d] = ymd.split('-').map(Number);
    const [h, mi, sec] = hms.split(':').map(Number);
    const dev = size.includes(',') ? size.split(',').map(Number) : undefined;
    const rawName = unescape(rest);
    return {
      rawName,
      path: oracleNormalize(rawName),
      kind,
      mode: parseMode(perm),
      uid: Number(uid),
      gid: Number(gid),
      size: dev ? undefined : Number(size),
      devmajor: dev?.[0],
      devminor: dev?.[1],
      mtime: Date.UTC(y, mo - 1, d, h, mi, 0) / 1000 + sec,
      link,
    };
  });
}

const KINDS: Record<string, TarEntry['type'][]> = {
  '-': ['file', 'other'],
  C: ['file'],
  h: ['hardlink'],
  l: ['symlink'],
  c: ['char'],
  b: ['block'],
  d: ['dir'],
  p: ['fifo'],
  '?': ['other'],
};

async function compareWithOracle(file: string, opts: { sparseMaps?: boolean } = {}) {
  const blob = await openAsBlob(file);
  const ours = await indexTarBlob(blob, { skipThreshold: 4096 });
  const bytes = new Uint8Array(await blob.arrayBuffer());
  expect(await indexTarStream(chunkedStream(bytes, [1000]))).toEqual(ours);
  const theirs = oracleList(file);

  // `tar -tf` lists the same names as `tar -tvf`.
  const names = tar(['--quoting-style=escape', '-tf', file])
    .toString('latin1')
    .split('\n')
    .filter((l) => l !== '')
    .map(unescape);
  expect(names).toEqual(theirs.map((t) => t.rawName));

  expect(ours.map((e) => e.path)).toEqual(theirs.map((t) => t.path));
  ours.forEach((e, i) => {
    const t = theirs[i];
    const where = `${file}: ${e.path}`;
    expect(KINDS[t.kind], where).toContain(e.type);
    expect(e.mode, where).toBe(t.mode);
    expect([e.uid, e.gid], where).toEqual([t.uid, t.gid]);
    // GNU tar prints PAX sub-second mtimes to the nanosecond: equal up to float rounding.
    expect(Math.abs(e.mtime - t.mtime), where).toBeLessThan(1e-6);
    if (e.type === 'char' || e.type === 'block') {
      expect([e.devmajor, e.devminor], where).toEqual([t.devmajor, t.devminor]);
    } else if (e.type === 'other' && e.realSize !== undefined) {
      expect(e.realSize, where).toBe(t.size);
    } else {
      expect(e.size, where).toBe(t.size);
    }
    if (e.type === 'symlink') expect(e.linkname, where).toBe(t.link);
    if (e.type === 'hardlink') expect(e.linkname, where).toBe(oracleNormalize(t.link));
  });

  // Data: what GNU tar extracts is what sits at our offsets.
  for (const [i, e] of ours.entries()) {
    if (e.type !== 'file' && !(e.type === 'other' && e.realSize !== undefined)) continue;
    const rawName = theirs[i].rawName;
    if (theirs.filter((t) => t.rawName === rawName).length > 1) continue;
    const extracted = tar(['--no-wildcards', '-xOf', file, rawName]);
    const stored = bytes.subarray(e.dataOffset, e.dataOffset + e.size);
    if (e.type === 'file') {
      expect(Buffer.from(stored).equals(extracted), `data of ${e.path}`).toBe(true);
    } else if (opts.sparseMaps) {
      // GNU old sparse: the stored bytes are the map's chunks, in order.
      const { map, realSize } = SPARSE_MAPS[e.path];
      expect(extracted.length).toBe(realSize);
      const chunks = Buffer.concat(map.map(([o, n]) => extracted.subarray(o, o + n)));
      expect(chunks.equals(stored), `sparse data of ${e.path}`).toBe(true);
    } else {
      expect(extracted.length).toBe(e.realSize);
    }
  }
  return ours;
}

describe('GNU tar agrees with our index of our fixtures', () => {
  for (const f of allFixtures()) {
    it(f.name, async () => {
      const file = join(dir, f.name);
      writeFileSync(file, f.bytes);
      const ours = await compareWithOracle(file, { sparseMaps: f.name === 'odd-headers.tar' });
      expect(ours.length).toBeGreaterThan(1);
    });
  }
});

describe('our index agrees with GNU tar on archives GNU tar wrote', () => {
  let tree: string;
  const T = 1_600_000_000;

  beforeAll(() => {
    tree = join(dir, 'tree');
    const p = (...parts: string[]) => join(tree, ...parts);
    mkdirSync(p('root', 'etc', 'sub'), { recursive: true });
    writeFileSync(p('root', 'etc', 'hostname'), 'host\n');
    writeFileSync(p('root', 'etc', 'big'), pattern(300_000, 9));
    writeFileSync(p('root', 'etc', 'sub', 'ünï 文件'), 'utf-8 name');
    writeFileSync(p('root', 'etc', 'sub', 'new\nline'), 'newline');
    symlinkSync('../etc/hostname', p('root', 'etc', 'sub', 'link'));
    linkSync(p('root', 'etc', 'hostname'), p('root', 'etc', 'hard'));
    chmodSync(p('root', 'etc', 'hostname'), 0o4750);
    mkdirSync(p('root', 'tmp'));
    chmodSync(p('root', 'tmp'), 0o1777);
    spawnSync('mkfifo', [p('root', 'fifo')]);
    // Sparse: holes around two data runs (the file system may or may not keep the holes).
    const sparse = Buffer.alloc(2_000_000);
    sparse.set(pattern(5000, 10), 100_000);
    sparse.set(pattern(3000, 11), 1_500_000);
    writeFileSync(p('root', 'sparse'), sparse);
    spawnSync('fallocate', ['--dig-holes', p('root', 'sparse')]);
    // Long names only some formats can hold.
    const deep = p('long', 'd'.repeat(90), 'e'.repeat(90));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f'.repeat(120)), 'very long name');
    symlinkSync('t'.repeat(150), join(deep, 'longlink'));
    utimesSync(p('root', 'etc', 'big'), T + 0.25, T + 0.25);
  });

  const cases: [string, string[], string[]][] = [
    ['gnu', ['--format=gnu'], ['root', 'long']],
    ['gnu-sparse', ['--format=gnu', '--sparse'], ['root']],
    ['oldgnu', ['--format=oldgnu'], ['root', 'long']],
    ['posix', ['--format=posix'], ['root', 'long']],
    ['posix-sparse-1.0', ['--format=posix', '--sparse', '--sparse-version=1.0'], ['root']],
    ['posix-sparse-0.1', ['--format=posix', '--sparse', '--sparse-version=0.1'], ['root']],
    ['posix-sparse-0.0', ['--format=posix', '--sparse', '--sparse-version=0.0'], ['root']],
    ['ustar', ['--format=ustar'], ['root']],
    ['v7', ['--format=v7'], ['root/etc/hostname', 'root/etc/big', 'root/tmp']],
    ['dot-prefixed', ['--format=gnu', '--numeric-owner', '--owner=1234', '--group=5678'], ['.']],
  ];
  for (const [name, flags, inputs] of cases) {
    it(name, async () => {
      const file = join(dir, `gnu-written-${name}.tar`);
      const cwd = name === 'dot-prefixed' ? join(tree, 'root') : tree;
      tar([...flags, '-cf', file, ...inputs], cwd);
      const ours = await compareWithOracle(file);
      expect(ours.length).toBeGreaterThan(2);
      if (name.includes('sparse')) {
        const sparse = ours.find((e) => e.path === 'root/sparse');
        expect(sparse?.realSize).toBe(2_000_000);
        // Listed and counted at the size GNU tar lists, not the bytes stored between holes.
        const line = mergedListing(buildOverlay([ours]), 0).find((l) =>
          l.startsWith('root/sparse\t'),
        );
        expect(line?.split('\t').slice(1, 3)).toEqual(['file', '2000000']);
        // Docker's layer size is the extracted files' sizes (moby directory.Size: regular files
        // and symlinks, hardlinks once): extracted by GNU tar, measured by find.
        const out = mkdtempSync(join(tmpdir(), 'layerscope-extract-'));
        tar(['-xf', file, '-C', out], tree);
        const sizes = spawnSync(
          'find',
          [out, '(', '-type', 'f', '-o', '-type', 'l', ')', '-printf', '%i %s\\n'],
          {
            encoding: 'utf8',
          },
        ).stdout;
        const extracted = [...new Set(sizes.trim().split('\n'))].reduce(
          (n, l) => n + Number(l.split(' ')[1]),
          0,
        );
        expect(layerStats(ours, 0).contentSize).toBe(extracted);
      }
    });
  }
});
