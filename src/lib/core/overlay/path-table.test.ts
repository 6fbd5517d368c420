import { describe, expect, it } from 'vitest';
import { PathTable } from './path-table';

/** Adds a safe path component by component, as the overlay does, and gives its id. */
function addPath(t: PathTable, path: string): number {
  let id = 0;
  for (const name of path.split('/')) id = t.add(id, name);
  return id;
}

describe('path table', () => {
  it('gives each distinct path one id, parents before children, and finds it again', () => {
    const t = new PathTable();
    const usr = addPath(t, 'usr');
    const bin = addPath(t, 'usr/bin');
    const ls = addPath(t, 'usr/bin/ls');
    expect([usr, bin, ls]).toStrictEqual([1, 2, 3]);
    expect(addPath(t, 'usr/bin/ls')).toBe(ls);
    expect(t.count).toBe(4);
    expect(t.parent(ls)).toBe(bin);
    expect(t.parent(usr)).toBe(0);
    expect(t.find('usr/bin/ls')).toBe(ls);
    expect(t.find('')).toBe(0);
    expect(t.path(ls)).toBe('usr/bin/ls');
    expect(t.path(0)).toBe('');
    expect(t.name(bin)).toBe('bin');
    // A name cut out of a longer string, as the overlay reads it from an entry's path in place.
    expect(t.add(bin, 'usr/bin/cat', 8)).toBe(4);
    expect(t.find('usr/bin/cat')).toBe(4);
    expect(t.child(bin, 'xxcatyy', 2, 5)).toBe(4);
  });

  it('does not find what it was not given, nor paths that are not clean', () => {
    const t = new PathTable();
    addPath(t, 'etc/passwd');
    for (const p of ['etc/passw', 'etc/passwdx', 'passwd', 'etc/', '/etc', 'etc//passwd', 'x'])
      expect(t.find(p), p).toBe(-1);
    // The same name under another parent is another path.
    const other = addPath(t, 'passwd');
    expect(other).not.toBe(t.find('etc/passwd'));
    expect(t.find('passwd')).toBe(other);
  });

  it('keeps every name exactly: non-ASCII, astral, long past one call of fromCharCode', () => {
    const t = new PathTable();
    const names = [
      '文档',
      'ファイル 🐳.txt',
      'Ωmega',
      '\u00e9\u0301',
      'x'.repeat(20_000),
      ' ',
      '.wh.a',
    ];
    const ids = names.map((n) => addPath(t, `d/${n}`));
    for (const [i, n] of names.entries()) {
      expect(t.name(ids[i]!)).toBe(n);
      expect(t.path(ids[i]!)).toBe(`d/${n}`);
      expect(t.find(`d/${n}`)).toBe(ids[i]);
    }
  });

  it('holds 120,000 paths through its growth, each found and made again', () => {
    const t = new PathTable();
    const paths: string[] = [];
    for (let i = 0; i < 120_000; i++) {
      // Many directories with many names alike, the shapes that collide in a weak hash.
      paths.push(`usr/lib/pkg${i % 997}/${i % 7 === 0 ? 'sub/' : ''}file-${i}.so`);
    }
    const ids = paths.map((p) => addPath(t, p));
    expect(new Set(ids).size).toBe(paths.length);
    expect(paths.map((p) => t.find(p))).toStrictEqual(ids);
    expect(ids.map(t.pathMaker())).toStrictEqual(paths);
    expect(ids.filter((_, i) => i % 1000 === 0).map((id) => t.path(id))).toStrictEqual(
      paths.filter((_, i) => i % 1000 === 0),
    );
    let parentsFirst = true;
    for (let id = 1; id < t.count; id++) parentsFirst &&= t.parent(id) < id;
    expect(parentsFirst).toBe(true);
  });

  it('makes the paths of a deep tree without recursion', () => {
    const t = new PathTable();
    const deep = Array.from({ length: 50_000 }, () => 'a').join('/');
    const id = addPath(t, deep);
    expect(t.path(id)).toBe(deep);
    expect(t.pathMaker()(id)).toBe(deep);
    expect(t.find(deep)).toBe(id);
  });
});
