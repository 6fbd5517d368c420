import fc from 'fast-check';
import {
  closeSync,
  mkdtempSync,
  openAsBlob,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK } from './header';
import { allFixtures, pattern } from './fixtures.test-helpers';
import { indexTarBlob } from './index-blob';
import { indexTarStream } from './index-stream';
import { chunkedStream, countingBlob, type ReadCounter } from './streams.test-helpers';
import { TarFormatError, type TarEntry } from './types';
import { encodeHeader, extensionBlocks, paxBody, setChecksum, writeTar } from './write';

const enc = new TextEncoder();

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Offset just past the first zero block: where the indexers stop. */
function endMarker(bytes: Uint8Array, entries: TarEntry[]): number {
  const last = entries.at(-1);
  let pos = last ? last.dataOffset + Math.ceil(last.size / BLOCK) * BLOCK : 0;
  while (bytes.subarray(pos, pos + BLOCK).some((b) => b !== 0)) pos += BLOCK;
  return pos + BLOCK;
}

describe('truncation at every block boundary', () => {
  for (const f of allFixtures()) {
    it(f.name, async () => {
      const full = await indexTarBlob(new Blob([f.bytes]));
      const marker = endMarker(f.bytes, full);
      for (let cut = 0; cut <= f.bytes.length; cut += BLOCK) {
        // Also cut inside a block, to hit partial headers and bodies.
        for (const at of [cut, cut + 100].filter((c) => c <= f.bytes.length)) {
          const part = f.bytes.slice(0, at);
          const runs = [
            indexTarBlob(new Blob([part])),
            indexTarBlob(new Blob([part]), { skipThreshold: 0 }),
            indexTarStream(chunkedStream(part, [700])),
          ];
          for (const run of runs) {
            if (at >= marker) {
              expect(await run).toEqual(full);
              continue;
            }
            const err = await failure(run);
            expect(err, `cut at ${at}`).toBeInstanceOf(TarFormatError);
            const e = err as TarFormatError;
            expect(e.code, `${e.message} (cut at ${at})`).toBe('truncated');
            expect(e.offset).toBe(at);
            expect(e.message).toMatch(/truncated — download or save it again/);
            expect(full.slice(0, e.partial!.length)).toEqual(e.partial);
          }
        }
      }
    });
  }

  it('names the entry whose data is cut, and keeps the entries before it', async () => {
    const tar = writeTar([
      { path: 'a', type: 'file', data: enc.encode('x') },
      { path: 'dir/b.bin', type: 'file', data: pattern(5000, 1) },
    ]);
    const cut = tar.slice(0, 512 * 3 + 1000);
    for (const run of [
      indexTarBlob(new Blob([cut])),
      indexTarBlob(new Blob([cut]), { skipThreshold: 0 }),
      indexTarStream(chunkedStream(cut)),
    ]) {
      const e = (await failure(run)) as TarFormatError;
      expect(e.message).toBe(
        'The archive ends in the middle of dir/b.bin (at byte 2536): the file is truncated — download or save it again.',
      );
      expect(e.partial!.map((x) => x.path)).toEqual(['a', 'dir/b.bin']);
    }
  });

  it('treats a missing end marker and an empty input as truncated', async () => {
    const tar = writeTar([{ path: 'a', type: 'file', data: enc.encode('x') }]);
    const e1 = (await failure(indexTarBlob(new Blob([tar.slice(0, 1024)])))) as TarFormatError;
    expect(e1.message).toMatch(/^The archive ends at byte 1024 after a without its end-of-archive/);
    const e2 = (await failure(indexTarBlob(new Blob([])))) as TarFormatError;
    expect(e2.code).toBe('truncated');
    expect(e2.message).toMatch(/empty/);
  });

  it('accepts a lone zero block at the end, and ignores what follows the marker', async () => {
    const tar = writeTar([{ path: 'a', type: 'file', data: enc.encode('x') }]);
    const lone = tar.slice(0, 1024 + 512);
    expect((await indexTarBlob(new Blob([lone]))).map((e) => e.path)).toEqual(['a']);
    // eStargz keeps a TOC entry after the marker; padding and junk are common too.
    const after = writeTar([{ path: 'stargz.index.json', type: 'file', data: enc.encode('{}') }]);
    const junk = new Uint8Array([...tar, ...after, ...pattern(777, 3)]);
    expect((await indexTarBlob(new Blob([junk]))).map((e) => e.path)).toEqual(['a']);
    expect((await indexTarStream(chunkedStream(junk, [100]))).map((e) => e.path)).toEqual(['a']);
  });
});

describe('corrupt headers', () => {
  const tar = writeTar([
    { path: 'one', type: 'file', data: enc.encode('1') },
    { path: 'two', type: 'file', data: enc.encode('2') },
    { path: 'three', type: 'file', data: enc.encode('3') },
  ]);

  it('reports a bad checksum with the entries before it', async () => {
    const bad = tar.slice();
    bad[2048 + 5] ^= 0x01; // inside the third header's name
    for (const run of [indexTarBlob(new Blob([bad])), indexTarStream(chunkedStream(bad, [3]))]) {
      const e = (await failure(run)) as TarFormatError;
      expect(e).toBeInstanceOf(TarFormatError);
      expect(e.code).toBe('bad-checksum');
      expect(e.offset).toBe(2048);
      expect(e.message).toMatch(/byte 2048 \(after two\) is corrupt/);
      expect(e.partial!.map((x) => x.path)).toEqual(['one', 'two']);
    }
  });

  it('says "not a tar archive" when the first header is wrong', async () => {
    const e = (await failure(
      indexTarBlob(new Blob([enc.encode('{"not": "a tar"}'.padEnd(1024, ' '))])),
    )) as TarFormatError;
    expect(e.code).toBe('bad-checksum');
    expect(e.message).toMatch(/^This is not a tar archive/);
  });

  it('rejects a malformed PAX header', async () => {
    const pax = extensionBlocks('x', 'PaxHeaders.0/x', enc.encode('30 path=too short\n'));
    const bytes = new Uint8Array([...pax, ...tar]);
    const e = (await failure(indexTarBlob(new Blob([bytes])))) as TarFormatError;
    expect(e.code).toBe('bad-pax');
    const badSize = extensionBlocks('x', 'PaxHeaders.0/x', enc.encode('12 size=1x3\n'));
    const e2 = (await failure(
      indexTarBlob(new Blob([new Uint8Array([...badSize, ...tar])])),
    )) as TarFormatError;
    expect(e2.code).toBe('bad-pax');
  });

  it('rejects an unreadable size field', async () => {
    const h = encodeHeader({ name: 'x', typeflag: '0' });
    h.set(enc.encode('9999'), 124);
    setChecksum(h);
    const e = (await failure(indexTarBlob(new Blob([h, new Uint8Array(1024)])))) as TarFormatError;
    expect(e.code).toBe('bad-header');
    expect(e.message).toMatch(/size/);
  });

  it('refuses an extension header larger than 1 MiB instead of buffering it', async () => {
    const h = encodeHeader({ name: 'PaxHeaders.0/x', typeflag: 'x', size: 64 << 20 });
    const e = (await failure(indexTarBlob(new Blob([h])))) as TarFormatError;
    expect(e.code).toBe('bad-header');
  });
});

describe('options', () => {
  const entries = Array.from({ length: 50 }, (_, i) => ({
    path: `f${i}`,
    type: 'file' as const,
    data: pattern(100, i),
  }));
  const tar = writeTar(entries);

  it('maxEntries stops with a limit error', async () => {
    for (const run of [
      indexTarBlob(new Blob([tar]), { maxEntries: 10 }),
      indexTarStream(chunkedStream(tar), { maxEntries: 10 }),
    ]) {
      const e = (await failure(run)) as TarFormatError;
      expect(e.code).toBe('limit');
      expect(e.partial).toHaveLength(10);
    }
    expect(await indexTarBlob(new Blob([tar]), { maxEntries: 50 })).toHaveLength(50);
  });

  it('aborts with an AbortError, before or during the run', async () => {
    const ac = new AbortController();
    ac.abort();
    const e1 = (await failure(indexTarBlob(new Blob([tar]), { signal: ac.signal }))) as Error;
    expect(e1.name).toBe('AbortError');
    const ac2 = new AbortController();
    const e2 = (await failure(
      indexTarStream(chunkedStream(tar, [512]), {
        signal: ac2.signal,
        onEntry: (e) => e.path === 'f3' && ac2.abort(),
      }),
    )) as Error;
    expect(e2.name).toBe('AbortError');
  });

  it('reports entries and progress as it goes', async () => {
    const seen: string[] = [];
    const progress: number[] = [];
    await indexTarStream(chunkedStream(tar, [4096]), {
      onEntry: (e) => seen.push(e.path),
      onProgress: (n) => progress.push(n),
    });
    expect(seen).toEqual(entries.map((e) => e.path));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(50 * 1024 + 512);
  });

  it('indexes a tar embedded in a larger Blob, with offsets relative to start', async () => {
    const before = pattern(1000, 1);
    const after = pattern(3000, 2);
    const blob = new Blob([before, tar, after]);
    const got = await indexTarBlob(blob, { start: 1000, end: 1000 + tar.length });
    expect(got).toEqual(await indexTarBlob(new Blob([tar])));
    const slice = new Uint8Array(await blob.slice(1000 + got[7].dataOffset).arrayBuffer());
    expect(slice.subarray(0, 100)).toEqual(entries[7].data);
    await expect(indexTarBlob(blob, { start: 10, end: 5 })).rejects.toThrow(RangeError);
  });
});

describe('skip-aware reading', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerscope-tar-skip-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('skips a 50 MB body instead of reading it', async () => {
    const big = 50_000_000;
    const first = writeTar([{ path: 'small-before', type: 'file', data: pattern(3000, 1) }]);
    const headerAt = 512 + 3072;
    const header = encodeHeader({ name: 'big.bin', typeflag: '0', mode: 0o644, size: big });
    const tail = writeTar([{ path: 'after', type: 'file', data: enc.encode('after') }]);
    const tailAt = headerAt + 512 + Math.ceil(big / 512) * 512;
    // The big body is a hole in a sparse file: nothing to write, and zeros to read.
    const file = join(dir, 'big.tar');
    const fd = openSync(file, 'w');
    writeSync(fd, first, 0, headerAt, 0);
    writeSync(fd, header, 0, 512, headerAt);
    writeSync(fd, tail, 0, tail.length, tailAt);
    closeSync(fd);

    const counter: ReadCounter = { bytes: 0, opens: 0 };
    const blob = countingBlob(await openAsBlob(file), counter);
    expect(blob.size).toBe(tailAt + tail.length);
    const got = await indexTarBlob(blob);
    expect(got.map((e) => [e.path, e.size, e.dataOffset])).toEqual([
      ['small-before', 3000, 512],
      ['big.bin', big, headerAt + 512],
      ['after', 5, tailAt + 512],
    ]);
    // One reopen after the big body, and a few chunks read in all (64 KiB each in Node).
    expect(counter.opens).toBe(2);
    expect(counter.bytes).toBeLessThan(2 << 20);
  });

  it('reads through bodies below the threshold, hops over those above it', async () => {
    const tar = writeTar(
      Array.from({ length: 40 }, (_, i) => ({
        path: `m${i}`,
        type: 'file' as const,
        data: pattern(200_000, i),
      })),
    );
    const file = join(dir, 'mid.tar');
    writeFileSync(file, tar);
    const through: ReadCounter = { bytes: 0, opens: 0 };
    const got = await indexTarBlob(countingBlob(await openAsBlob(file), through));
    expect(got).toHaveLength(40);
    expect(through.opens).toBe(1);
    expect(through.bytes).toBe(tar.length);
    const hop: ReadCounter = { bytes: 0, opens: 0 };
    const hopped = await indexTarBlob(countingBlob(await openAsBlob(file), hop), {
      skipThreshold: 100_000,
    });
    expect(hopped).toEqual(got);
    expect(hop.opens).toBe(41);
    expect(hop.bytes).toBeLessThan(tar.length / 2);
  });
});

describe('PAX details', () => {
  const file = (path: string, data = '') =>
    writeTar([{ path, type: 'file', data: enc.encode(data) }]).subarray(0, -1024);
  const end = new Uint8Array(1024);
  const index = async (...parts: Uint8Array[]) => {
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    const viaBlob = await indexTarBlob(new Blob([bytes]));
    expect(await indexTarStream(chunkedStream(bytes, [100]))).toEqual(viaBlob);
    return viaBlob;
  };

  it('decodes LIBARCHIVE.xattr, keeps SCHILY.xattr bytes, and marks PAX sparse files', async () => {
    const x = extensionBlocks(
      'x',
      'PaxHeaders/a',
      paxBody([
        ['LIBARCHIVE.xattr.user.caf%C3%A9', btoa('value')],
        ['SCHILY.xattr.security.selinux', 'system_u:object_r:bin_t:s0\0'],
        ['GNU.sparse.major', '1'],
        ['GNU.sparse.minor', '0'],
        ['GNU.sparse.name', 'real/name'],
        ['GNU.sparse.realsize', '1048576'],
        ['atime', '1.5'],
        ['MSWINDOWS.rawsd', 'AQAA'],
      ]),
    );
    const [e] = await index(x, file('GNUSparseFile.0/name', 'map+data'), end);
    expect(e).toMatchObject({ path: 'real/name', type: 'other', size: 8, realSize: 1048576 });
    expect(e.xattrs).toEqual({
      'user.café': 'value',
      'security.selinux': 'system_u:object_r:bin_t:s0\0',
    });
  });

  it("reads Solaris 'X' headers like 'x'", async () => {
    const x = extensionBlocks('x', 'PaxHeaders/a', paxBody([['path', 'long/ünï']]));
    x[156] = 0x58; // 'X'
    setChecksum(x);
    const [e] = await index(x, file('short'), end);
    expect(e.path).toBe('long/ünï');
  });

  it('lets a PAX size override the header size, and skips by it', async () => {
    const x = extensionBlocks('x', 'PaxHeaders/a', paxBody([['size', '5']]));
    const h = encodeHeader({ name: 'sized', typeflag: '0', size: 0 });
    const data = new Uint8Array(512);
    data.set(enc.encode('12345'));
    const got = await index(x, h, data, file('next', 'n'), end);
    expect(got.map((e) => [e.path, e.size, e.dataOffset])).toEqual([
      ['sized', 5, 1536],
      ['next', 1, 2560],
    ]);
  });

  it('applies global headers until changed; an empty x value restores the header field', async () => {
    const g1 = extensionBlocks(
      'g',
      'global',
      paxBody([
        ['uname', 'g1'],
        ['gid', '77'],
      ]),
    );
    const g2 = extensionBlocks('g', 'global', paxBody([['uname', '']]));
    const xEmpty = extensionBlocks('x', 'PaxHeaders/c', paxBody([['gid', '']]));
    const got = await index(g1, file('a'), file('b'), g2, file('c'), xEmpty, file('d'), end);
    expect(got.map((e) => [e.path, e.uname, e.gid])).toEqual([
      ['a', 'g1', 77],
      ['b', 'g1', 77],
      ['c', '', 77],
      ['d', '', 0],
    ]);
    // A global header is not part of the next entry's headers; an `x` header is.
    expect(got[0].headerOffset).toBe(g1.length);
    expect(got[3].headerOffset).toBe(got[2].dataOffset);
  });
});

describe('property: damaged archives', () => {
  const fixtures = allFixtures();
  it('give entries or a TarFormatError, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: fixtures.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.nat(),
        async (which, edits, cutSeed) => {
          const bytes = fixtures[which].bytes.slice();
          for (const [at, value] of edits) {
            const i = at % bytes.length;
            bytes[i] = value;
            // Keep most damaged headers readable so the parse goes on past them.
            if (i % 512 < 500 && i % 3 === 0) setChecksum(bytes, i - (i % 512));
          }
          const cut = bytes.subarray(0, bytes.length - (cutSeed % 2000));
          for (const run of [
            indexTarBlob(new Blob([cut]), { skipThreshold: 0 }),
            indexTarStream(chunkedStream(cut, [333])),
          ]) {
            try {
              const got = await run;
              for (const e of got) expect(e.dataOffset + e.size).toBeLessThanOrEqual(cut.length);
            } catch (e) {
              if (!(e instanceof TarFormatError)) throw e;
              expect(e.partial).toBeDefined();
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
