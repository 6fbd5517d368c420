/**
 * apk, npm and Python inventories on real archives: npm's tree checked against `npm ls` on the
 * same package.json files (real ones, copied from this project's node_modules), Python's against
 * `importlib.metadata` (Python's own reader) on Debian's python3 metadata from this machine, and
 * a hand-made apk database whose values were checked by hand (tests/fixtures/apk/README.md; no
 * apk tool here).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openImageArchive, imageInventory } from '../../src/lib/core/engine';
import { installedAt } from '../../src/lib/core/packages';
import { docker25, file, type SynthImage } from '../fixtures/archives';
import type { TarWriteEntry } from '../../src/lib/core/tar/write';

const ROOT = join(import.meta.dirname, '../..');

async function inventoryOf(img: SynthImage) {
  const archive = await openImageArchive(new Blob([docker25([img]) as BlobPart]));
  const image = archive.model.images[0]!;
  const idx = await archive.indexLayers({ keys: image.layerKeys });
  return imageInventory(
    archive,
    image,
    image.layerKeys.map((k) => idx.get(k) ?? []),
  );
}

/** Every file under `dir` as a layer entry at `prefix/<relative path>`, bytes as they are. */
function treeEntries(dir: string, prefix: string): TarWriteEntry[] {
  const out: TarWriteEntry[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: `${prefix}/${relative(dir, p)}`, type: 'file', data: readFileSync(p) });
    }
  };
  walk(dir);
  return out;
}

describe('apk', () => {
  it('reads the hand-made lib/apk/db/installed as checked by hand', async () => {
    const db = readFileSync(join(ROOT, 'tests/fixtures/apk/installed'), 'utf8');
    const { inventory } = await inventoryOf({
      tags: ['apk:1'],
      layers: [
        [
          file('lib/apk/db/installed', db),
          file('etc/os-release', 'ID=alpine\nVERSION_ID=3.19.1\n'),
        ],
      ],
    });
    const pkgs = installedAt(inventory, 0);
    expect(pkgs.map((p) => [p.name, p.version, p.arch, p.source, p.license?.spdx, p.size])).toEqual(
      [
        ['musl', '1.2.4-r2', 'x86_64', 'musl', 'MIT', 622592],
        ['ssl_client', '1.36.1-r15', 'x86_64', 'busybox', 'GPL-2.0-only', 14336],
        ['zlib', '1.3.1-r0', 'x86_64', 'zlib', 'Zlib', 110592],
      ],
    );
    expect(pkgs[2]!.files).toEqual([
      '/lib/libz.so.1',
      '/lib/libz.so.1.3.1',
      '/usr/share/licenses/zlib/LICENSE',
    ]);
    expect(pkgs[0]!.purl).toBe('pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1');
    expect(inventory.issues).toEqual([]);
  });

  it('says which line of a truncated database failed, and keeps the packages before it', async () => {
    const db = readFileSync(join(ROOT, 'tests/fixtures/apk/installed'), 'utf8');
    const cut = db.slice(0, db.indexOf('V:1.36.1'));
    const { inventory } = await inventoryOf({
      tags: ['apk:1'],
      layers: [[file('lib/apk/db/installed', cut)]],
    });
    expect(installedAt(inventory, 0).map((p) => p.name)).toEqual(['musl', 'zlib']);
    const line = db.slice(0, db.indexOf('P:ssl_client')).split('\n').length;
    expect(inventory.issues.map((i) => i.line)).toEqual([line]);
    expect(inventory.issues[0]!.message).toMatch(/without V:.*truncated/);
  });
});

describe('npm', () => {
  it('lists the node_modules tree npm ls lists, nested and scoped packages included', async () => {
    // A real tree: package.json files of real packages, laid out as npm installs them.
    const app = mkdtempSync(join(tmpdir(), 'ls-npm-'));
    const nm = (p: string) => join(ROOT, 'node_modules', p, 'package.json');
    const put = (at: string, from: string) => {
      mkdirSync(join(app, at), { recursive: true });
      cpSync(from, join(app, at, 'package.json'));
    };
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'fixture-app',
        version: '1.0.0',
        dependencies: { ajv: '^8', 'ajv-formats': '^3', '@types/spdx-expression-parse': '*' },
      }),
    );
    for (const p of [
      'ajv',
      'ajv-formats',
      'fast-deep-equal',
      'fast-uri',
      'json-schema-traverse',
      'require-from-string',
      '@types/spdx-expression-parse',
    ])
      put(`node_modules/${p}`, nm(p));
    put('node_modules/ajv-formats/node_modules/ajv', nm('ajv'));
    // Not a package: a package.json inside a package.
    put('node_modules/ajv/lib/sub', nm('fast-uri'));

    const out = execFileSync('npm', ['ls', '--all', '--parseable', '--long', '--offline'], {
      cwd: app,
      encoding: 'utf8',
    });
    const expected = out
      .split('\n')
      .filter(Boolean)
      .slice(1) // the project itself
      .map((l) => {
        const [path, id] = l.split(':');
        const at = id!.lastIndexOf('@');
        return [`srv/app/${relative(app, path!)}`, id!.slice(0, at), id!.slice(at + 1)];
      })
      .sort();
    expect(expected.length).toBe(8);

    const { inventory } = await inventoryOf({
      tags: ['npm:1'],
      layers: [treeEntries(app, 'srv/app')],
    });
    const ours = installedAt(inventory, 0)
      .map((p) => [p.files[0]!.slice(1), p.name, p.version])
      .sort();
    expect(ours).toEqual(expected);
    const scoped = installedAt(inventory, 0).find((p) => p.name.startsWith('@types/'))!;
    expect(scoped.purl).toBe(`pkg:npm/%40types/spdx-expression-parse@${scoped.version}`);
    expect(scoped.license).toEqual({ declared: 'MIT', spdx: 'MIT' });
  });
});

describe('Python', () => {
  it("lists what importlib.metadata finds in Debian's dist-packages, with RECORD's files and sizes", async () => {
    const SITE = '/usr/lib/python3/dist-packages';
    const dists = readdirSync(SITE)
      .filter((n) => /\.(dist|egg)-info$/.test(n))
      .slice(0, 40);
    expect(dists.length).toBeGreaterThan(5);
    const copy = mkdtempSync(join(tmpdir(), 'ls-py-'));
    const entries: TarWriteEntry[] = [];
    for (const d of dists) {
      const src = join(SITE, d);
      if (statSync(src).isFile()) {
        cpSync(src, join(copy, d));
        entries.push({
          path: `usr/lib/python3/dist-packages/${d}`,
          type: 'file',
          data: readFileSync(src),
        });
        continue;
      }
      for (const f of ['METADATA', 'RECORD', 'PKG-INFO']) {
        try {
          const data = readFileSync(join(src, f));
          mkdirSync(join(copy, d), { recursive: true });
          writeFileSync(join(copy, d, f), data);
          entries.push({ path: `usr/lib/python3/dist-packages/${d}/${f}`, type: 'file', data });
        } catch {
          /* not every folder has every file */
        }
      }
    }
    const script = `
import importlib.metadata as m, json, sys
out = []
for d in m.distributions(path=[sys.argv[1]]):
    rec = d.read_text('RECORD') is not None
    files = ['/usr/lib/python3/dist-packages/' + str(f) for f in (d.files or [])] if rec else None
    size = sum(f.size or 0 for f in (d.files or [])) if rec else None
    out.append([d.metadata['Name'], d.version, files, size])
print(json.dumps(out))`;
    const expected = (
      JSON.parse(execFileSync('python3', ['-c', script, copy], { encoding: 'utf8' })) as [
        string,
        string,
        string[] | null,
        number | null,
      ][]
    ).sort();
    const { inventory } = await inventoryOf({ tags: ['py:1'], layers: [entries] });
    const normal = (p: string) => p.replace(/\/[^/]+\/\.\.\//g, '/');
    const ours = installedAt(inventory, 0)
      .map(
        (p) =>
          [
            p.name,
            p.version,
            p.sizeFrom === 'files' && p.db.endsWith('METADATA') && p.files.length > 1
              ? p.files
              : null,
            null,
          ] as [string, string, string[] | null, number | null],
      )
      .sort();
    expect(ours.map((r) => [r[0], r[1]])).toEqual(expected.map((r) => [r[0], r[1]]));
    const withRecord = expected.filter((r) => r[2]);
    expect(withRecord.length).toBeGreaterThan(2);
    for (const [name, version, files, size] of withRecord) {
      const p = installedAt(inventory, 0).find(
        (x) => x.name === name && x.version === version && x.db.endsWith('METADATA'),
      )!;
      expect(p.files, name).toEqual(files!.map(normal));
      expect(p.size, name).toBe(size);
    }
  });
});
