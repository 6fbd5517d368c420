/**
 * The CLI as users install it (issue 25): `npm pack` makes a tarball that installs into an empty
 * folder with nothing fetched (the bundle carries the whole core, so the package has no
 * dependencies), and the installed `layerscope` answers as the one in this clone does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'sample-images/busybox-app.tar');
let app = '';
let packed: { files: { path: string }[]; filename: string }[] = [];

beforeAll(() => {
  const out = mkdtempSync(join(tmpdir(), 'layerscope-pack-'));
  // prepack builds dist-cli first; its output comes before npm's JSON on stdout.
  const stdout = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  packed = JSON.parse(stdout.slice(stdout.search(/^\[/m)));
  app = mkdtempSync(join(tmpdir(), 'layerscope-install-'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'uses-layerscope', private: true }),
  );
  execFileSync(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', join(out, packed[0]!.filename)],
    { cwd: app, stdio: 'ignore' },
  );
}, 180_000);

function installed(...args: string[]) {
  return spawnSync('npx', ['--offline', 'layerscope', ...args], { cwd: app, encoding: 'utf8' });
}

describe('the packed CLI', () => {
  it('ships the bundle, the bin and the README, and no sources', () => {
    const paths = packed[0]!.files.map((f) => f.path).sort();
    expect(paths).toContain('bin/layerscope.mjs');
    expect(paths).toContain('dist-cli/layerscope.mjs');
    expect(paths).toContain('README.md');
    expect(paths.filter((p) => p.startsWith('src/'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('runs `npx layerscope ls` from an empty folder, as in the clone', () => {
    const r = installed('ls', SAMPLE);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const clone = spawnSync('node', [join(ROOT, 'bin/layerscope.mjs'), 'ls', SAMPLE], {
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(clone.stdout);
    expect(r.stdout).toMatch(
      /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\nlocalhost\/busybox-app/,
    );
  });

  it('reads zstd and gzip archives (the WebAssembly decoders are bundled too)', () => {
    for (const f of ['busybox-app.zstd.oci.tar', 'hello.tar.gz']) {
      const r = installed('inspect', join(ROOT, 'sample-images', f), '--json');
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.images[0].layers.every((l: { diffIdVerified: boolean }) => l.diffIdVerified)).toBe(
        true,
      );
    }
  });

  it('says what went wrong on a file that is not an archive, with status 2', () => {
    const r = installed('ls', join(ROOT, 'package.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: /);
  });
});
