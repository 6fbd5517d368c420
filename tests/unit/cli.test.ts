/** The CLI against the independent tools' view of every sample (sample-images/*.expected.json). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/main';
import { parentedArchive, type ParentedArchive } from '../fixtures/parented';

const ROOT = join(import.meta.dirname, '../..');
const DIR = join(ROOT, 'sample-images');
const samples = (
  JSON.parse(readFileSync(join(DIR, 'samples.json'), 'utf8')) as {
    samples: { id: string; file: string; expected: string; kind: string }[];
  }
).samples;

async function cli(...args: string[]) {
  return cliAt(undefined, ...args);
}

async function cliAt(now: Date | undefined, ...args: string[]) {
  let out = '';
  let err = '';
  const code = await run(
    args,
    {
      out: { write: (s: string) => (out += s) },
      err: { write: (s: string) => (err += s) },
    },
    { now },
  );
  return { code, out, err };
}

/** umoci unpack turns hardlinks into plain files: give hardlink lines the target's facts. */
function hardlinksAsFiles(lines: string[]): string[] {
  const byPath = new Map(lines.map((l) => [l.split('\t')[0]!, l]));
  return lines.map((l) => {
    const [path, type, , , link] = l.split('\t');
    if (type !== 'hardlink') return l;
    const [, , size, mode] = (byPath.get(link!) ?? l).split('\t');
    return [path, 'file', size, mode, ''].join('\t');
  });
}

describe.each(samples)('layerscope CLI on $id', (sample) => {
  const file = join(DIR, sample.file);
  const expected = JSON.parse(readFileSync(join(DIR, sample.expected), 'utf8'));

  if (expected.kind === 'not-an-image') {
    it('exits 2 with one error line', async () => {
      const r = await cli('inspect', file, '--json');
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^error: This is a container filesystem export/);
    });
    return;
  }

  it('inspect --json agrees with skopeo and tar -tv', async () => {
    const r = await cli('inspect', file, '--json');
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.outerCompression).toBe(expected.outerCompression);
    for (const exp of expected.images) {
      const img = doc.images.find((i: { id: string }) => i.id === exp.id);
      expect(img.repoTags).toEqual(exp.repoTags);
      expect(img.config).toEqual(exp.config);
      expect(img.layers.map((l: { diffId: string }) => l.diffId)).toEqual(
        exp.layers.map((l: { diffId: string }) => l.diffId),
      );
      for (const [i, l] of exp.layers.entries()) {
        expect(img.layers[i]).toMatchObject({
          digest: l.digest,
          compression: l.compression,
          storedSize: l.storedSize,
          uncompressedSize: l.uncompressedSize,
          entries: l.entries,
          whiteouts: l.whiteouts,
          opaqueWhiteouts: l.opaqueWhiteouts,
          digestVerified: true,
        });
      }
      expect(img.history).toHaveLength(exp.config.history.length);
      expect(img.chainIds[0]).toBe(exp.layers[0].diffId);
    }
  });

  it('files prints the merged filesystem umoci extracted', async () => {
    for (const [n, exp] of expected.images.entries()) {
      const r = await cli('files', file, '--image', String(n));
      expect(r.code, r.err).toBe(0);
      expect(hardlinksAsFiles(r.out.split('\n').slice(0, -1))).toEqual(exp.merged);
    }
  });

  it('history and ls print docker-style tables', async () => {
    const h = await cli('history', file, '--no-trunc');
    expect(h.code).toBe(0);
    const lines = h.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT/);
    expect(lines).toHaveLength(expected.images[0].podmanHistory.length + 1);
    expect(lines[1]).toContain(expected.images[0].id);
    expect(lines.slice(2).every((l) => l.startsWith('<missing>'))).toBe(true);
    const ls = await cli('ls', file);
    expect(ls.out.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/);
    for (const exp of expected.images) expect(ls.out).toContain(exp.id.slice(7, 19));
  });
});

describe('layerscope CLI as installed', () => {
  it('runs through the package bin on Node', () => {
    const out = execFileSync(join(ROOT, 'bin/layerscope.mjs'), ['ls', join(DIR, 'hello.tar')], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/localhost\/hello\s+latest/);
  });

  it('exits 2 with `error: ...` on a file that is not an archive', () => {
    const r = spawnSync(join(ROOT, 'bin/layerscope.mjs'), ['inspect', join(ROOT, 'README.md')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: This is not a tar archive/);
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli('frobnicate', 'x')).code).toBe(2);
    expect((await cli('files', join(DIR, 'hello.tar'), '--layer', '7')).code).toBe(2);
  });
});

describe('layerscope CLI on images with parents, at a given time', () => {
  let archive: ParentedArchive;
  let dir: string;
  let file: string;
  const now = new Date('2026-05-01T12:00:00Z');
  beforeAll(async () => {
    archive = await parentedArchive();
    dir = mkdtempSync(join(tmpdir(), 'layerscope-cli-'));
    file = join(dir, 'parented.tar');
    writeFileSync(file, archive.bytes);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('history names each image up the Parent chain, then <missing>', async () => {
    const r = await cliAt(now, 'history', file, '--image', '2');
    expect(r.code, r.err).toBe(0);
    const cells = r.out
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ {3,}/));
    const short = archive.ids.map((id) => id.slice(7, 19));
    expect(cells.slice(0, 4).map((c) => c[0])).toEqual([short[2], short[1], short[0], '<missing>']);
    // go-units HumanDuration from `now`: 37.5 h rounds to 38 hours; 74 h is 3 days; the base's
    // steps are dated 1970, at or before 2000, so N/A.
    expect(cells.slice(0, 3).map((c) => c[1])).toEqual(['38 hours ago', '3 days ago', 'N/A']);
  });

  it('ls counts CREATED from the given time, newest first', async () => {
    const r = await cliAt(now, 'ls', file);
    expect(r.code, r.err).toBe(0);
    expect(
      r.out
        .split('\n')
        .slice(1, 4)
        .map((l) => l.split(/ {3,}/)[3]),
      // newest first, as genuine Docker lists them (tests/fixtures/docker/legacy/out/image-ls.txt)
    ).toEqual(['38 hours ago', '3 days ago', '56 years ago']);
  });
});
