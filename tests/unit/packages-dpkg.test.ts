/**
 * The dpkg inventory against Debian's own dpkg-query, on the same bytes: the bundled Debian sample
 * (its merged filesystem unpacked by umoci, its base layer by GNU tar), and synthetic images that
 * upgrade, remove and hide packages layer by layer (each layer's merged filesystem unpacked by
 * umoci). Expected values are what dpkg-query prints; layerscope only reads the archive.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  openAsBlob,
  readFileSync,
  writeFileSync,
  mkdirSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openImageArchive, imageInventory } from '../../src/lib/core/engine';
import { installedAt, layerPackageSummary, compareDebVersions } from '../../src/lib/core/packages';
import type { Inventory } from '../../src/lib/core/packages';
import { ociArchive, file, type SynthImage } from '../fixtures/archives';
import { PackageURL } from 'packageurl-js';
import type { TarWriteEntry } from '../../src/lib/core/tar/write';

const SAMPLE = join(import.meta.dirname, '../../sample-images/debian-app.oci.tar');
const FORMAT =
  '${Package}\\t${Version}\\t${Architecture}\\t${Installed-Size}\\t${source:Package}\\t${db:Status-Status}\\n';
/** The states dpkg-query lists whose files are on disk (not config-files, not not-installed). */
const ON_DISK = new Set([
  'installed',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
]);

interface Row {
  name: string;
  version: string;
  arch: string;
  kib: number;
  source: string;
}

/** `dpkg-query -W` over an extracted `var/lib/dpkg`, the packages whose files are on disk. */
function dpkgQuery(admindir: string): Row[] {
  if (!existsSync(join(admindir, 'status'))) return [];
  const out = execFileSync('dpkg-query', [`--admindir=${admindir}`, '-W', '-f', FORMAT], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .filter((c) => ON_DISK.has(c[5]!))
    .map(([name, version, arch, kib, source]) => ({
      name: name!,
      version: version!,
      arch: arch!,
      kib: Number(kib),
      source: source!,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** umoci unpack of an OCI archive (a file on disk) into a fresh bundle: its rootfs path. */
function umociRootfs(archive: string, ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ls-pkg-'));
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  execFileSync('umoci', ['unpack', '--rootless', '--image', `${dir}:${ref}`, `${dir}/bundle`], {
    stdio: 'ignore',
  });
  return `${dir}/bundle/rootfs`;
}

async function inventoryOf(blob: Blob) {
  const archive = await openImageArchive(blob);
  const image = archive.model.images[0]!;
  const idx = await archive.indexLayers({ keys: image.layerKeys });
  const { inventory, overlay } = await imageInventory(
    archive,
    image,
    image.layerKeys.map((k) => idx.get(k) ?? []),
  );
  return { archive, image, inventory, overlay };
}

const ours = (inv: Inventory, k: number) =>
  installedAt(inv, k)
    .filter((p) => p.ecosystem === 'deb')
    .map((p) => ({
      name: p.name,
      version: p.version,
      arch: p.arch ?? '',
      kib: p.size / 1024,
      source: p.source ?? p.name,
    }));

describe('the Debian sample', () => {
  let inv: Inventory;
  let top: number;
  let rootfs: string;
  let base: string;
  let got: Awaited<ReturnType<typeof inventoryOf>>;
  beforeAll(async () => {
    got = await inventoryOf(await openAsBlob(SAMPLE));
    inv = got.inventory;
    top = inv.layers - 1;
    // Each layer extracted by GNU tar from its blob (the manifest names them). No upper layer
    // touches var/lib/dpkg or os-release (checked below), so the base layer's copy is the top's.
    const dir = mkdtempSync(join(tmpdir(), 'ls-pkg-base-'));
    execFileSync('tar', ['-xf', SAMPLE, '-C', dir]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    const blob = (d: string) => join(dir, 'blobs', ...d.split(':'));
    const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
    base = join(dir, 'base');
    mkdirSync(base);
    execFileSync('tar', [
      '-xf',
      blob(manifest.layers[0].digest),
      '-C',
      base,
      'var/lib/dpkg',
      'usr/lib/os-release',
    ]);
    for (const l of manifest.layers.slice(1)) {
      const names = execFileSync('tar', ['-tf', blob(l.digest)], { encoding: 'utf8' }).split('\n');
      upperTouches.push(
        ...names.filter((n) =>
          /^(\.\/)?(var\/lib\/dpkg|var\/lib\/\.wh\.dpkg|var\/\.wh\.|usr\/lib\/(\.wh\.)?os-release)/.test(
            n,
          ),
        ),
      );
    }
    rootfs = base;
  }, 180_000);
  const upperTouches: string[] = [];

  it('has no upper layer that changes the dpkg database', () => {
    expect(upperTouches).toEqual([]);
    expect(inv.layers).toBeGreaterThan(1);
  });

  it('lists what dpkg-query lists, at the top layer and in the base layer', () => {
    const expected = dpkgQuery(join(rootfs, 'var/lib/dpkg'));
    expect(expected.length).toBeGreaterThan(50);
    expect(ours(inv, top)).toEqual(expected);
    expect(ours(inv, 0)).toEqual(dpkgQuery(join(base, 'var/lib/dpkg')));
  });

  it('gives each package the files dpkg-query -L lists', () => {
    const admindir = join(rootfs, 'var/lib/dpkg');
    const pkgs = installedAt(inv, top);
    // One call: dpkg-query prints each package's list, separated by blank lines.
    const out = execFileSync(
      'dpkg-query',
      [`--admindir=${admindir}`, '-L', ...pkgs.map((p) => `${p.name}:${p.arch}`)],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    const lists = out.split('\n\n').map((block) =>
      // Diversion notes ("package diverts others to: …") are dpkg-query's, not paths.
      block.split('\n').filter((l) => l.startsWith('/') && l !== '/.'),
    );
    expect(lists.length).toBe(pkgs.length);
    pkgs.forEach((p, i) => expect(p.files, p.name).toEqual(lists[i]));
  });

  it('says the base layer added every package, with the step that made it, and reads only the databases', () => {
    const rows = ours(inv, top);
    for (const p of inv.packages)
      expect(p.events.map((e) => [e.kind, e.layer])).toEqual([['added', 0]]);
    const step = got.image.history.find((h) => h.layerIndex === 0)!.createdBy;
    expect(inv.packages[0]!.events[0]!.createdBy).toBe(step);
    const s = layerPackageSummary(inv, 0);
    expect(s.installed.count).toBe(rows.length);
    expect(s.installed.bytes).toBe(rows.reduce((n, r) => n + r.kib * 1024, 0));
    expect(layerPackageSummary(inv, top).installed.count).toBe(0);
    // status + one .list per package + os-release: the bytes of those files, nothing else.
    const sizeOf = (p: string) => readFileSync(join(base, p)).length;
    const lists = execFileSync('find', [join(base, 'var/lib/dpkg/info'), '-name', '*.list'], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    const osRelease = readFileSync(join(rootfs, 'usr/lib/os-release')).length;
    expect(inv.filesRead).toBe(1 + lists.length + 1);
    expect(inv.bytesRead).toBe(
      sizeOf('var/lib/dpkg/status') +
        lists.reduce((n, l) => n + readFileSync(l).length, 0) +
        osRelease,
    );
  });

  it('names the distribution os-release names, for the package URLs', () => {
    const osr = readFileSync(join(rootfs, 'usr/lib/os-release'), 'utf8');
    const id = /^ID=(.*)$/m.exec(osr)![1]!;
    const ver = /^VERSION_ID="?([^"\n]*)"?$/m.exec(osr)![1]!;
    expect(inv.distro).toMatchObject({ id, versionId: ver });
    const bash = installedAt(inv, top).find((p) => p.name === 'bash')!;
    const purl = PackageURL.fromString(bash.purl);
    expect([purl.type, purl.namespace, purl.name, purl.version, purl.qualifiers]).toEqual([
      'deb',
      id,
      'bash',
      bash.version,
      { arch: bash.arch, distro: `${id}-${ver}` },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Upgrades, removals, a hidden database: each layer's merged filesystem unpacked by umoci.

const stanza = (name: string, version: string, status = 'install ok installed', more = '') =>
  `Package: ${name}\nStatus: ${status}\nPriority: optional\nSection: misc\nInstalled-Size: ${name.length * 10}\nMaintainer: T <t@example.org>\nArchitecture: amd64\n${more}Version: ${version}\nDescription: ${name}\n`;

const LAYERS: TarWriteEntry[][] = [
  [
    file(
      'var/lib/dpkg/status',
      [
        stanza('alpha', '1.0-1'),
        stanza('beta', '2.0-1'),
        stanza('gamma', '0.9'),
        stanza('delta', '3', 'deinstall ok config-files'),
      ].join('\n'),
    ),
    file('var/lib/dpkg/info/alpha.list', '/.\n/usr\n/usr/bin\n/usr/bin/alpha\n'),
    file('var/lib/dpkg/info/beta.list', '/.\n/usr/bin/beta\n'),
    file('usr/bin/alpha', 'a'),
    file('usr/bin/beta', 'b'),
  ],
  [
    file(
      'var/lib/dpkg/status',
      [
        stanza('alpha', '1.0-1'),
        stanza('beta', '2.0-1+deb12u1', undefined, 'Source: beta-src (2.0-1)\n'),
        stanza('epsilon', '1:0.1~rc1'),
      ].join('\n'),
    ),
    file('var/lib/dpkg/info/beta.list', '/.\n/usr/bin/beta\n/usr/bin/beta2\n'),
    file('usr/bin/beta', 'b2'),
  ],
  [
    file(
      'var/lib/dpkg/status',
      [
        stanza('alpha', '0.9-1'),
        stanza('beta', '2.0-1+deb12u1', undefined, 'Source: beta-src (2.0-1)\n'),
        stanza('epsilon', '1:0.1~rc1'),
      ].join('\n'),
    ),
  ],
  [{ path: 'var/lib/dpkg/.wh.status', type: 'file', data: new Uint8Array() }],
];

describe('an image that upgrades, removes and hides packages', () => {
  const img: SynthImage = { tags: ['pk:1'], layers: LAYERS };
  /** What dpkg-query says after each layer. */
  let expected: Row[][] = [];
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-pkg-synth-'));
    expected = LAYERS.map((_, k) => {
      const path = join(dir, `upto-${k}.tar`);
      writeFileSync(path, ociArchive({ ...img, layers: LAYERS.slice(0, k + 1) }, 'pk:1'));
      return dpkgQuery(join(umociRootfs(path, 'pk:1'), 'var/lib/dpkg'));
    });
  }, 120_000);

  it('lists at every layer what dpkg-query lists there', async () => {
    const { inventory } = await inventoryOf(new Blob([ociArchive(img, 'pk:1') as BlobPart]));
    expect(expected[3]).toEqual([]);
    for (let k = 0; k < LAYERS.length; k++)
      expect(ours(inventory, k), `layer ${k}`).toEqual(expected[k]);
  });

  it("says which layer added, upgraded, downgraded and removed each, as dpkg's version order has it", async () => {
    const { inventory, image } = await inventoryOf(new Blob([ociArchive(img, 'pk:1') as BlobPart]));
    // The events expected from dpkg-query's lists, layer to layer, and dpkg --compare-versions.
    const want = new Map<string, [string, number, string?, string?][]>();
    const push = (n: string, e: [string, number, string?, string?]) =>
      want.set(n, [...(want.get(n) ?? []), e]);
    expected.forEach((rows, k) => {
      const before = new Map((expected[k - 1] ?? []).map((r) => [r.name, r.version]));
      const now = new Map(rows.map((r) => [r.name, r.version]));
      for (const [n, v] of now) {
        const was = before.get(n);
        if (was === undefined) push(n, ['added', k, undefined, v]);
        else if (was !== v) {
          const gt = spawnOk('dpkg', ['--compare-versions', v, 'gt', was]);
          push(n, [gt ? 'upgraded' : 'downgraded', k, was, v]);
        }
      }
      for (const [n, v] of before) if (!now.has(n)) push(n, ['removed', k, v, undefined]);
    });
    const got = new Map(
      inventory.packages.map((p) => [p.name, p.events.map((e) => [e.kind, e.layer, e.from, e.to])]),
    );
    expect(got).toEqual(want);
    const alpha = inventory.packages.find((p) => p.name === 'alpha')!;
    expect(alpha.removedIn).toBe(3);
    expect(alpha.events[1]!.createdBy).toBe(
      image.history.find((h) => h.layerIndex === 2)!.createdBy,
    );
    expect(layerPackageSummary(inventory, 1)).toMatchObject({
      installed: { count: 1 },
      upgraded: 1,
      removed: 1,
    });
  });

  it('counts files a package lists that are not in the merged filesystem', async () => {
    const { inventory, overlay } = await inventoryOf(
      new Blob([ociArchive(img, 'pk:1') as BlobPart]),
    );
    const beta = installedAt(inventory, 1, overlay).find((p) => p.name === 'beta')!;
    expect(beta.files).toEqual(['/usr/bin/beta', '/usr/bin/beta2']);
    expect(beta.missingFiles).toBe(1);
  });
});

function spawnOk(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a broken status file', () => {
  let text = '';
  beforeAll(() => {
    text = readFileSync(join(baseOnce(), 'var/lib/dpkg/status'), 'utf8');
  }, 120_000);

  it('lists the stanzas before a truncation and names the line of the cut one', async () => {
    const cut = text.indexOf('\nVersion:', Math.floor(text.length / 2)) + 5;
    const broken = text.slice(0, cut);
    const whole = broken.slice(0, broken.lastIndexOf('\n\n') + 1);
    const dir = mkdtempSync(join(tmpdir(), 'ls-pkg-trunc-'));
    mkdirSync(join(dir, 'info'));
    writeFileSync(join(dir, 'status'), whole);
    const { inventory } = await inventoryOf(
      new Blob([
        ociArchive(
          { tags: ['t:1'], layers: [[file('var/lib/dpkg/status', broken)]] },
          't:1',
        ) as BlobPart,
      ]),
    );
    expect(ours(inventory, 0).map((r) => [r.name, r.version])).toEqual(
      dpkgQuery(dir).map((r) => [r.name, r.version]),
    );
    // The cut stanza (from its first line) and the cut line itself (`Versi`) are named.
    const firstLineOfCut = whole.split('\n').length + 1;
    const lastLine = broken.split('\n').length;
    const byLine = [...inventory.issues].sort((a, b) => a.line! - b.line!);
    expect(byLine.map((i) => [i.path, i.line])).toEqual([
      ['var/lib/dpkg/status', firstLineOfCut],
      ['var/lib/dpkg/status', lastLine],
    ]);
    expect(byLine[0]!.message).toMatch(/without Version .*truncated/);
  });

  it('names the line that is not a field, as dpkg does, and lists the rest', async () => {
    const at = text.indexOf('\n\n') + 2;
    const broken = `${text.slice(0, at)}@@garbage\n${text.slice(at)}`;
    const line = text.slice(0, at).split('\n').length;
    const dir = mkdtempSync(join(tmpdir(), 'ls-pkg-bad-'));
    writeFileSync(join(dir, 'status'), broken);
    let dpkgSays = '';
    try {
      execFileSync('dpkg-query', [`--admindir=${dir}`, '-W'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (e) {
      dpkgSays = String((e as { stderr: Buffer }).stderr);
    }
    const dpkgLine = Number(/error: parsing file .* near line (\d+)/.exec(dpkgSays)?.[1]);
    expect(Math.abs(dpkgLine - line)).toBeLessThanOrEqual(1);
    const { inventory } = await inventoryOf(
      new Blob([
        ociArchive(
          { tags: ['t:1'], layers: [[file('var/lib/dpkg/status', broken)]] },
          't:1',
        ) as BlobPart,
      ]),
    );
    expect(inventory.issues.map((i) => i.line)).toEqual([line]);
    writeFileSync(join(dir, 'status'), text);
    expect(ours(inventory, 0).length).toBe(dpkgQuery(dir).length);
  });
});

/** The sample's base layer's var/lib/dpkg, extracted by GNU tar. */
function baseOnce(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ls-pkg-status-'));
  execFileSync('tar', ['-xf', SAMPLE, '-C', dir]);
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
  const blob = (d: string) => join(dir, 'blobs', ...d.split(':'));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  execFileSync('tar', ['-xf', blob(manifest.layers[0].digest), '-C', dir, 'var/lib/dpkg/status']);
  return dir;
}

describe("dpkg's version order", () => {
  it('agrees with dpkg --compare-versions', { timeout: 60_000 }, () => {
    const vs = [
      '1.0',
      '1.0-1',
      '1.0-1+b1',
      '1.0~rc1',
      '1:0.1',
      '0:1.0',
      '1.0a',
      '1.00',
      '2.38.1-5+deb12u3',
      '1.0~~',
      '1.0~',
      '1.0-1~bpo1',
    ];
    for (const a of vs)
      for (const b of vs) {
        const ours = Math.sign(compareDebVersions(a, b));
        const theirs = spawnOk('dpkg', ['--compare-versions', a, 'lt', b])
          ? -1
          : spawnOk('dpkg', ['--compare-versions', a, 'eq', b])
            ? 0
            : 1;
        expect(ours, `${a} vs ${b}`).toBe(theirs);
      }
  });
});
