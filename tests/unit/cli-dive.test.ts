/**
 * `inspect --dive-json` and `ci` against dive's own figures for dive's own test image
 * (tests/fixtures/dive, copied from github.com/wagoodman/dive at d6c69194, MIT): the export must
 * be the document dive's snapshot holds, and the CI verdicts those of dive's `Test_Evaluator`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main';
import { dockerLegacy, file } from '../fixtures/archives';

const DIVE = join(import.meta.dirname, '../fixtures/dive');
const IMAGE = join(DIVE, 'test-docker-image.tar');

async function cli(args: string[], cwd?: string) {
  let out = '';
  let err = '';
  const code = await run(
    args,
    { out: { write: (s: string) => (out += s) }, err: { write: (s: string) => (err += s) } },
    { cwd },
  );
  return { code, out, err };
}

/** The JSON document of a go-snaps snapshot file (`[Test_Export - 1]\n{...}\n---`). */
function snapshotJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
}

/** `  PASS  lowestEfficiency (0.9)` → { lowestEfficiency: 'PASS' }. */
function verdicts(report: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of report.matchAll(/^ {2}(PASS|FAIL|SKIP) {2}(\w+)/gm)) out[m[2]!] = m[1]!;
  return out;
}

let empty = '';
beforeAll(() => {
  empty = mkdtempSync(join(tmpdir(), 'layerscope-ci-'));
});
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('inspect --dive-json on dive’s test image', () => {
  it('is the document dive exports (export_test.snap), field for field', async () => {
    const r = await cli(['inspect', IMAGE, '--dive-json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const ours = JSON.parse(r.out);
    expect(ours).toEqual(snapshotJson(join(DIVE, 'export_test.snap')));
    expect(ours.image).toMatchObject({
      efficiencyScore: 0.9844212134184309,
      inefficientBytes: 32025,
      sizeBytes: 1220598,
    });
  });

  it("keeps the fields in the order of dive's Go structs", async () => {
    const doc = JSON.parse((await cli(['inspect', IMAGE, '--dive-json'])).out);
    expect(Object.keys(doc)).toEqual(['layer', 'image']);
    expect(Object.keys(doc.layer[0])).toEqual([
      'index',
      'id',
      'digestId',
      'sizeBytes',
      'command',
      'fileList',
    ]);
    expect(Object.keys(doc.layer[0].fileList[0])).toEqual([
      'path',
      'typeFlag',
      'linkName',
      'size',
      'fileMode',
      'uid',
      'gid',
      'isDir',
    ]);
    expect(Object.keys(doc.image)).toEqual([
      'sizeBytes',
      'inefficientBytes',
      'efficiencyScore',
      'fileReference',
    ]);
  });
});

describe('ci on dive’s test image, as dive’s Test_Evaluator expects', () => {
  const cases: [string, string, string, string, number, Record<string, string>][] = [
    // name, lowestEfficiency, highestWastedBytes, highestUserWastedPercent, exit, verdicts
    [
      'allFail',
      '0.99',
      '1B',
      '0.01',
      1,
      { lowestEfficiency: 'FAIL', highestWastedBytes: 'FAIL', highestUserWastedPercent: 'FAIL' },
    ],
    [
      'allPass',
      '0.9',
      '50kB',
      '0.5',
      0,
      { lowestEfficiency: 'PASS', highestWastedBytes: 'PASS', highestUserWastedPercent: 'PASS' },
    ],
    [
      'allDisabled',
      'disabled',
      'disabled',
      'disabled',
      0,
      { lowestEfficiency: 'SKIP', highestWastedBytes: 'SKIP', highestUserWastedPercent: 'SKIP' },
    ],
    [
      'mixedResults',
      '0.9',
      '1B',
      '0.5',
      1,
      { lowestEfficiency: 'PASS', highestWastedBytes: 'FAIL', highestUserWastedPercent: 'PASS' },
    ],
  ];
  it.each(cases)('%s', async (_name, eff, bytes, pct, code, expected) => {
    const r = await cli(
      [
        'ci',
        IMAGE,
        `--lowestEfficiency=${eff}`,
        `--highestWastedBytes=${bytes}`,
        '--highestUserWastedPercent',
        pct,
      ],
      empty,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(code);
    expect(verdicts(r.out)).toEqual(expected);
    expect(r.out).toMatch(code === 0 ? /\nPASS \[/ : /\nFAIL \[/);
  });

  it("prints dive's report: figures, inefficient files, one line per rule in name order", async () => {
    const r = await cli(['ci', IMAGE], empty);
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'Analysis:',
      '  efficiency:        98.44 %',
      '  wastedBytes:       32025 bytes (32 kB)',
      '  userWastedPercent: 48.35 %',
    ]);
    expect(r.out).toContain(
      [
        'Inefficient Files:',
        '  Count  Wasted Space  File Path',
        '  2      13 kB         /root/saved.txt',
        '  2      13 kB         /root/example/somefile1.txt',
        '  2      6.4 kB        /root/example/somefile3.txt',
      ].join('\n'),
    );
    // dive's defaults: 0.9, disabled, 0.1; 32025 / (1220598 - 1154361) = 0.4835 > 0.1.
    expect(r.out).toContain(
      [
        'Evaluation:',
        '  FAIL  highestUserWastedPercent (too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=0.48 > threshold=0.1))',
        '  SKIP  highestWastedBytes (disabled)',
        '  PASS  lowestEfficiency (0.9)',
        '',
        'FAIL [pass:1 fail:1 skip:1]',
      ].join('\n'),
    );
    expect((await cli(['ci', IMAGE, '--lowestEfficiency=0.99'], empty)).out).toContain(
      '  FAIL  lowestEfficiency (image efficiency is too low (efficiency=0.98 < threshold=0.99))',
    );
    expect((await cli(['ci', IMAGE, '--highestWastedBytes=20kB'], empty)).out).toContain(
      '  FAIL  highestWastedBytes (too many bytes wasted (wasted-bytes=32025 > threshold=20000))',
    );
  });

  it('prints the reclaimable bytes beside dive’s', async () => {
    // From the Dockerfile (each copy of README.md is 6,405 bytes): saved.txt is chmod-ed (one of
    // its two copies can go), somefile1.txt (two copies), somefile2.txt and somefile3.txt are
    // gone from the final filesystem: 6405 × (1 + 2 + 1 + 1).
    const r = await cli(['ci', IMAGE], empty);
    expect(r.out).toMatch(/^ {2}reclaimableBytes: {2}32025 bytes \(32 kB\)/m);
  });
});

describe('ci rules files, read as dive reads them', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerscope-dive-ci-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads .dive-ci from the current directory (dive's own .data/.dive-ci)", async () => {
    writeFileSync(join(dir, '.dive-ci'), readFileSync(join(DIVE, 'data.dive-ci')));
    const r = await cli(['ci', IMAGE], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // 20Mb is 20,000,000 bytes to go-humanize; the value is shown as written.
    expect(r.out).toContain('  PASS  highestUserWastedPercent (0.5)');
    expect(r.out).toContain('  PASS  highestWastedBytes (20Mb)');
    expect(r.out).toContain('  PASS  lowestEfficiency (0.95)');
    expect(r.out).toMatch(/\nPASS \[pass:3\]\n$/);
  });

  it('lets a flag override the file, and --ci-config name another file', async () => {
    const r = await cli(['ci', IMAGE, '--highestUserWastedPercent=0.3'], dir);
    expect(r.code).toBe(1);
    expect(verdicts(r.out).highestUserWastedPercent).toBe('FAIL');
    const other = join(dir, 'other.yaml');
    writeFileSync(other, readFileSync(join(DIVE, 'default-ci-config.dive-ci')));
    const o = await cli(['ci', IMAGE, '--ci-config', other], empty);
    expect(o.code).toBe(0);
    expect(o.out).toContain('  PASS  highestWastedBytes (19Mb)');
    expect(o.out).toContain('  PASS  lowestEfficiency (0.96)');
  });

  it('keeps the text written, keeps defaults for rules left out, disables empty rules', async () => {
    const f = join(dir, 'partial.yaml');
    writeFileSync(f, 'rules:\n  highestUserWastedPercent: 0.50\n  highestWastedBytes:\n');
    const r = await cli(['ci', IMAGE, '--ci-config', f], empty);
    expect(r.out).toContain('  PASS  highestUserWastedPercent (0.50)');
    expect(r.out).toContain('  SKIP  highestWastedBytes (disabled)');
    expect(r.out).toContain('  PASS  lowestEfficiency (0.9)');
    for (const off of ['off', 'False', ' disabled ', '""']) {
      writeFileSync(f, `rules:\n  lowestEfficiency: ${off}\n  highestUserWastedPercent: OFF\n`);
      expect(verdicts((await cli(['ci', IMAGE, '--ci-config', f], empty)).out)).toEqual({
        lowestEfficiency: 'SKIP',
        highestWastedBytes: 'SKIP',
        highestUserWastedPercent: 'SKIP',
      });
    }
  });

  it("refuses what dive's Test_Evaluator_Misconfigurations refuses, with status 2", async () => {
    const bad: [string, string, RegExp][] = [
      ['--lowestEfficiency=1.1', 'lowestEfficiency', /outside allowed range \(0-1\), given '1\.1/],
      ['--lowestEfficiency=-0.1', 'lowestEfficiency', /outside allowed range/],
      ['--lowestEfficiency=not_a_number', 'lowestEfficiency', /invalid lowestEfficiency/],
      ['--highestWastedBytes=not_a_size', 'highestWastedBytes', /invalid highestWastedBytes/],
      ['--highestUserWastedPercent=1.1', 'x', /highestUserWastedPercent config value is outside/],
      ['--highestUserWastedPercent=-0.1', 'x', /outside allowed range/],
      ['--highestUserWastedPercent=not_a_number', 'x', /invalid highestUserWastedPercent/],
    ];
    for (const [flag, , message] of bad) {
      const r = await cli(['ci', IMAGE, flag], empty);
      expect(r.code, flag).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^error: /);
      expect(r.err).toMatch(message);
    }
    expect((await cli(['ci', IMAGE, '--highestWastedBytes=12 parsecs'], empty)).err).toMatch(
      /unhandled size name: parsecs/,
    );
    const missing = await cli(['ci', IMAGE, '--ci-config', join(dir, 'nope.yaml')], empty);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^error: cannot read CI config file .*nope\.yaml: ENOENT/);
    const f = join(dir, 'broken.yaml');
    writeFileSync(f, 'rules: [unclosed\n');
    const broken = await cli(['ci', IMAGE, '--ci-config', f], empty);
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/^error: failed to unmarshal CI config file/);
  });
});

describe("ci's figures on an image that rewrites a file", () => {
  let dir = '';
  let archive = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'layerscope-rewrite-'));
    archive = join(dir, 'rewrite.tar');
    const big = 'x'.repeat(100_000);
    writeFileSync(
      archive,
      dockerLegacy([
        {
          tags: ['rewrite:1'],
          layers: [[file('base.txt', 'base')], [file('data.bin', big)], [file('data.bin', big)]],
        },
      ]),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("counts both copies in dive's wastedBytes and one in reclaimableBytes (dive #684)", async () => {
    const r = await cli(['ci', archive, '--highestWastedBytes=150kB'], empty);
    expect(r.out).toContain('  wastedBytes:       200000 bytes (200 kB)');
    expect(r.out).toMatch(/^ {2}reclaimableBytes: {2}100000 bytes \(100 kB\)/m);
    expect(verdicts(r.out).highestWastedBytes).toBe('FAIL');
    expect(r.code).toBe(1);
    // min / cumulative over every path: (4 + 100000) / (4 + 200000).
    expect(r.out).toContain('  efficiency:        50.00 %');
  });
});
