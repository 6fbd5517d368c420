import { describe, expect, it } from 'vitest';
import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { openArchive } from '../archive/open';
import { indexLayer, indexLayerColumns } from '../archive/layers';
import type { TarEntry } from './types';
import { columnsOf, columnsTransfer, entriesOf, plainEntry } from './columns';

const SAMPLES = join(import.meta.dirname, '../../../../sample-images');

/** What the page receives: the packed index after a structured clone that moves its buffers. */
function roundTrip(entries: TarEntry[]): TarEntry[] {
  const packed = columnsOf(entries);
  const moved = structuredClone(packed, { transfer: columnsTransfer(packed) });
  expect(packed.nums.byteLength).toBe(0); // moved, not copied
  const back = entriesOf(moved);
  // Each reads like the parser's entry: field by field, as JSON, and copied with plainEntry.
  for (const [i, e] of back.entries()) {
    expect(JSON.parse(JSON.stringify(e))).toStrictEqual(JSON.parse(JSON.stringify(entries[i])));
  }
  return back.map(plainEntry);
}

describe('entry columns', () => {
  it('gives back every entry of every layer of a real image, field for field', async () => {
    const blob = await openAsBlob(join(SAMPLES, 'debian-app.oci.tar'));
    const opened = await openArchive(blob, { fileName: 'debian-app.oci.tar' });
    const keys = Object.values(opened.model.layers).map((l) => l.key);
    expect(keys.length).toBeGreaterThan(1);
    let total = 0;
    for (const key of keys) {
      const { entries, stats } = await indexLayer(opened, key);
      total += entries.length;
      expect(roundTrip(entries)).toStrictEqual(entries);
      // What the worker builds while parsing (no entry objects kept) is the same index.
      const built = await indexLayerColumns(opened, key);
      expect(built.stats).toStrictEqual(stats);
      const moved = structuredClone(built.columns, { transfer: columnsTransfer(built.columns) });
      expect(entriesOf(moved).map(plainEntry)).toStrictEqual(entries);
    }
    expect(total).toBeGreaterThan(1000);
  });

  it('keeps optional fields only where they were, and shares owner names', () => {
    const base: TarEntry = {
      path: 'usr/bin/ping',
      type: 'file',
      size: 70_000,
      mode: 0o4755,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      mtime: 1_700_000_000.25,
      linkname: '',
      devmajor: 0,
      devminor: 0,
      headerOffset: 5 * 2 ** 32, // past 32 bits: offsets in a multi-gigabyte layer
      dataOffset: 5 * 2 ** 32 + 512,
      typeflag: '0',
    };
    const entries: TarEntry[] = [
      { ...base, xattrs: { 'security.capability': '\x01\x00\x00\x02\x00\x20' } },
      { ...base, path: 'sparse.img', type: 'other', typeflag: 'S', realSize: 1 << 30 },
      { ...base, path: 'dev/null', type: 'char', devmajor: 1, devminor: 3, size: 0 },
      { ...base, path: 'bin/sh', type: 'symlink', linkname: 'dash', uname: 'ünïcode' },
      base,
      // Paths and link targets travel as UTF-8: every width of it, and empty neighbours.
      { ...base, path: 'usr/share/文档/ファイル 🐳.txt', type: 'hardlink', linkname: 'opt/Ωmega' },
      { ...base, path: '', linkname: '' },
      { ...base, path: 'x'.repeat(5000), type: 'symlink', linkname: 'é'.repeat(3000) },
      // A path travels as its directory and its name: every shape of either comes back as it was.
      { ...base, path: '/etc/abs' },
      { ...base, path: '/' },
      { ...base, path: 'usr/share/', type: 'dir' },
      { ...base, path: 'a//b' },
      { ...base, path: './usr/bin/ping' },
      { ...base, path: 'usr/bin/ping2' },
      { ...base, path: 'usr/bin' },
      // Owner and device numbers past 32 bits or below zero (base-256 and PAX fields can say
      // anything) come back exactly, beside ones at the 32-bit edge.
      { ...base, path: 'ids/edge', uid: 4_294_967_295, gid: 0, devmajor: 4_294_967_295 },
      { ...base, path: 'ids/wide', uid: 2 ** 40, gid: -1, mode: 0o644, devminor: 2.5 },
    ];
    const back = roundTrip(entries);
    expect(back).toStrictEqual(entries);
    expect('xattrs' in back[4]!).toBe(false);
    expect('realSize' in back[4]!).toBe(false);
    expect(Object.keys(back[1]!)).toEqual(Object.keys(entries[1]!));
  });
});
