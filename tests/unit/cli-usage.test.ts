/**
 * The CLI as a tool (issue 25): help for every command, usage errors, exit statuses, choosing an
 * image by reference, ID prefix or platform, and the progress line on a terminal only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main';
import { COMMANDS } from '../../src/cli/args';
import {
  configFor,
  buildLayers,
  containerdExport,
  dockerLegacy,
  family,
} from '../fixtures/archives';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/layerscope.mjs');
const SAMPLES = join(ROOT, 'sample-images');
const MULTI = join(SAMPLES, 'multi-app.tar');
const multiExpected = JSON.parse(readFileSync(join(SAMPLES, 'multi-app.expected.json'), 'utf8'))
  .images as { id: string; repoTags: string[]; layers: unknown[] }[];

async function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = await run(args, {
    out: { write: (s: string) => (out += s) },
    err: { write: (s: string) => (err += s) },
  });
  return { code, out, err };
}

/** The image ID `history` prints on its first row (the image itself), with --no-trunc. */
async function historyTop(...args: string[]) {
  const r = await cli('history', ...args, '--no-trunc');
  expect(r.err).toBe('');
  return r.out.split('\n')[1]!.split(/\s+/)[0];
}

describe('help and version', () => {
  it('prints the help with status 0 on stdout, for the CLI and for every command', async () => {
    const main = await cli('--help');
    expect(main.code).toBe(0);
    expect(main.err).toBe('');
    for (const c of COMMANDS) expect(main.out).toContain(`  ${c.name} `);
    expect(main.out).toMatch(/exit status:\n {2}0 .*\n {2}1 .*ci.*\n {2}2 /);
    for (const c of COMMANDS) {
      const a = await cli(c.name, '--help');
      const b = await cli('help', c.name);
      const h = await cli(c.name, 'whatever.tar', '-h');
      expect(a.code).toBe(0);
      expect(a.out).toMatch(new RegExp(`^usage: layerscope ${c.name} FILE`));
      expect(b).toEqual(a);
      expect(h).toEqual(a);
      for (const flag of Object.keys(c.flags)) expect(a.out).toContain(`--${flag}`);
    }
    expect((await cli('help', 'ci')).out).toContain('#684');
  });

  it('prints the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(await cli('--version')).toEqual({ code: 0, out: `layerscope ${version}\n`, err: '' });
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
    expect(r.stdout).toBe(`layerscope ${version}\n`);
  });
});

describe('usage errors and every error path: status 2 and `error: …` on stderr', () => {
  const usageErrors: [string[], RegExp][] = [
    [[], /^error: no command given\nusage: layerscope/],
    [['frobnicate', 'x.tar'], /^error: unknown command "frobnicate"/],
    [['--frobnicate'], /^error: unknown flag --frobnicate/],
    [['ls', MULTI, '--bogus'], /^error: unknown flag --bogus for ls\nusage: layerscope ls FILE/],
    [['ls', MULTI, '-x'], /^error: unknown flag -x for ls/],
    [['ls', MULTI, '--no-trunc=yes'], /^error: --no-trunc takes no value/],
    [['history', MULTI, '--human=maybe'], /^error: --human takes true or false/],
    [['history', MULTI, '--image'], /^error: --image needs a value/],
    [['ls'], /^error: ls needs a FILE\nusage: layerscope ls FILE/],
    [['ls', MULTI, MULTI], /^error: ls takes one FILE, not 2/],
    [['files', MULTI, '--layer', 'two'], /^error: --layer takes a whole number/],
    [
      ['files', MULTI, '--layer', '7'],
      new RegExp(
        `^error: --layer 7: the image has ${multiExpected[0]!.layers.length} layer\\(s\\)`,
      ),
    ],
    [['inspect', MULTI, '--docker', '--dive-json'], /^error: give one of --docker, --dive-json/],
    [['help', 'frobnicate'], /^error: no command "frobnicate"/],
  ];
  it.each(usageErrors)('%j', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(r.err).toMatch(/\nusage: layerscope/);
  });

  it('says what is wrong with the file, without the usage', async () => {
    const missing = await cli('ls', join(SAMPLES, 'nope.tar'));
    expect(missing).toMatchObject({ code: 2, out: '' });
    expect(missing.err).toMatch(/^error: cannot open .*nope\.tar: ENOENT\n$/);
    const dir = await cli('inspect', SAMPLES);
    expect(dir.code).toBe(2);
    expect(dir.err).toMatch(/^error: cannot open .*: EISDIR\n$/);
    const notTar = await cli('ci', join(ROOT, 'README.md'));
    expect(notTar.code).toBe(2);
    expect(notTar.err).toMatch(/^error: This is not a tar archive/);
    const exported = await cli('history', join(SAMPLES, 'busybox-export.tar'));
    expect(exported.code).toBe(2);
    expect(exported.err).toMatch(/^error: This is a container filesystem export/);
  });
});

describe('--image', () => {
  it('takes an index, a reference (normalised) or an ID prefix of 4 hex digits or more', async () => {
    const [one, two] = multiExpected;
    expect(one!.repoTags).toEqual(['localhost/multi-app:1.0']);
    expect(await historyTop(MULTI)).toBe(one!.id);
    expect(await historyTop(MULTI, '--image', '1')).toBe(two!.id);
    expect(await historyTop(MULTI, '--image', 'localhost/multi-app:2.0')).toBe(two!.id);
    expect(await historyTop(MULTI, '--image=localhost/multi-app:1.0')).toBe(one!.id);
    expect(await historyTop(MULTI, '--image', two!.id.slice(7, 11))).toBe(two!.id);
    expect(await historyTop(MULTI, '--image', two!.id)).toBe(two!.id);
    expect(await historyTop(MULTI, '--image', one!.id.slice(7, 19))).toBe(one!.id);
  });

  it('says which images there are when nothing matches', async () => {
    for (const v of ['localhost/multi-app:3.0', '7', 'ffff0000']) {
      const r = await cli('history', MULTI, '--image', v);
      expect(r.code, v).toBe(2);
      expect(r.err).toMatch(new RegExp(`^error: --image ${v}: `));
      for (const img of multiExpected) expect(r.err).toContain(img.id.slice(7, 19));
      expect(r.err).not.toMatch(/usage:/);
    }
    const invalid = await cli('history', MULTI, '--image', 'Not/A:Ref:');
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(/^error: --image Not\/A:Ref:: invalid reference format/);
  });

  describe('an ambiguous ID prefix', () => {
    let dir = '';
    let file = '';
    const ids: string[] = [];
    beforeAll(() => {
      // Two images whose IDs (sha256 of the config, computed here) share their first 4 digits.
      const base = family()[0]!;
      const seen = new Map<string, number>();
      for (let s = 0; ids.length === 0; s++) {
        const img = { ...base, created: new Date(Date.UTC(2024, 0, 1, 0, 0, s)).toISOString() };
        const id = createHash('sha256')
          .update(configFor(img, buildLayers(img)))
          .digest('hex');
        const prev = seen.get(id.slice(0, 4));
        if (prev !== undefined) ids.push(String(prev), String(s));
        seen.set(id.slice(0, 4), s);
      }
      const imgs = ids.map((s, i) => ({
        ...base,
        tags: [`amb/app:${i}`],
        created: new Date(Date.UTC(2024, 0, 1, 0, 0, Number(s))).toISOString(),
      }));
      ids.length = 0;
      for (const img of imgs)
        ids.push(
          createHash('sha256')
            .update(configFor(img, buildLayers(img)))
            .digest('hex'),
        );
      dir = mkdtempSync(join(tmpdir(), 'layerscope-amb-'));
      file = join(dir, 'amb.tar');
      writeFileSync(file, dockerLegacy(imgs));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('is an error listing the candidates; a longer prefix chooses', async () => {
      expect(ids[0]!.slice(0, 4)).toBe(ids[1]!.slice(0, 4));
      const r = await cli('history', file, '--image', ids[0]!.slice(0, 4));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^error: --image [0-9a-f]{4} is ambiguous/);
      expect(r.err).toContain(ids[0]!.slice(0, 12));
      expect(r.err).toContain(ids[1]!.slice(0, 12));
      expect(await historyTop(file, '--image', `sha256:${ids[1]!.slice(0, 20)}`)).toBe(
        `sha256:${ids[1]}`,
      );
    });
  });
});

describe('--platform on a multi-platform archive', () => {
  let dir = '';
  let file = '';
  beforeAll(() => {
    const [a] = family();
    dir = mkdtempSync(join(tmpdir(), 'layerscope-platform-'));
    file = join(dir, 'multi-platform.tar');
    writeFileSync(
      file,
      containerdExport(
        [
          { ...a!, platform: { os: 'linux', architecture: 'amd64' } },
          {
            ...a!,
            layers: [a!.layers[0]!],
            platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
          },
        ],
        'app:1.0',
        { allPlatforms: true },
      ),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('chooses the image of that platform', async () => {
    const arm = await cli('history', file, '--platform', 'linux/arm64/v8');
    expect(arm.code, arm.err).toBe(0);
    // The arm64 image has one layer, the amd64 image two (and a step for each).
    expect(arm.out.trimEnd().split('\n')).toHaveLength(2);
    const amd = await cli('history', file, '--platform=linux/amd64');
    expect(amd.out.trimEnd().split('\n')).toHaveLength(3);
    expect((await cli('history', file, '--platform', 'linux/arm64')).out).toBe(arm.out);
    // docker.io/library/app:1.0 and app:1.0 are one name.
    const byRef = await cli(
      'history',
      file,
      '--platform',
      'linux/arm64',
      '--image',
      'docker.io/library/app:1.0',
    );
    expect(byRef.out).toBe(arm.out);
  });

  it('names the platforms there are when the one asked for is not', async () => {
    const r = await cli('files', file, '--platform', 'linux/s390x');
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'error: --platform linux/s390x: no image of that platform; the archive has linux/amd64, linux/arm64/v8\n',
    );
    const bad = await cli('files', file, '--platform', 'arm64');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: --platform arm64: give it as os\/arch/);
  });
});

describe('progress on stderr', () => {
  const big = join(SAMPLES, 'debian-app.oci.tar');
  /** Runs the CLI under a pseudo-terminal (util-linux `script`): stdout and stderr are a TTY. */
  function onTerminal(args: string) {
    return spawnSync('script', ['-qec', `${BIN} ${args} 2>&1 >/dev/null`, '/dev/null'], {
      encoding: 'utf8',
    });
  }

  it('is one line rewritten with \\r on a terminal, and cleared at the end', () => {
    const r = onTerminal(`inspect ${big} --json`);
    expect(r.status).toBe(0);
    const CLEAR = '\r\u001b[K';
    const lines = r.stdout.split(CLEAR).filter(Boolean);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines)
      expect(l).toMatch(/^layerscope: (reading the archive|indexing|verifying digests) /);
    expect(r.stdout).toMatch(/ {0,2}\d{1,3}% {2}(\d+ MB\/s {2})?layer \d of \d/);
    expect(r.stdout).not.toContain('\n');
    expect(r.stdout.endsWith(CLEAR)).toBe(true);
  });

  it('is silenced by --quiet, and absent when stderr is not a terminal', () => {
    expect(onTerminal(`ls ${big} --quiet`).stdout).toBe('');
    expect(onTerminal(`ls ${big} -q`).stdout).toBe('');
    const piped = spawnSync(BIN, ['inspect', big], { encoding: 'utf8' });
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
  });
});
