/**
 * Documents nested past `LIMITS.jsonDepth` (issue 20, item 3): a 20 KB config nested 3,000 levels
 * deep made the worker's postMessage overflow its stack, and 5,000 levels made the CLI's
 * `inspect --json` exit 1. Both are now refused at parse time with the limit's own message.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openArchive } from '../../src/lib/core/archive/open';
import { ArchiveError } from '../../src/lib/core/model/errors';
import { LIMITS } from '../../src/lib/core/model/limits';
import { jsonDepth, parseArchiveJson } from '../../src/lib/core/model/json';
import { run } from '../../src/cli/main';
import { writeTar } from '../../src/lib/core/tar/write';
import { file, plainTar, sha } from '../fixtures/archives';

const enc = new TextEncoder();

/** `{"a":{"a":…{"a":1}}}`, `levels` objects deep. */
const nested = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};

/**
 * A podman-style archive whose config holds `levels` nested objects. Written as text: Node's
 * JSON.stringify itself overflows its stack at about 5,000 levels.
 */
function archiveWithLabels(levels: number): Uint8Array {
  const layer = writeTar([file('hello.txt', 'hi\n')]);
  const diffId = `sha256:${sha(layer)}`;
  const deep = '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
  const config = enc.encode(
    `{"architecture":"amd64","os":"linux","config":{"Labels":{"deep":"x"},"Deep":${deep}},` +
      `"rootfs":{"type":"layers","diff_ids":["${diffId}"]},` +
      `"history":[{"created_by":"/bin/sh -c step 1"}]}`,
  );
  const configName = `${sha(config)}.json`;
  const manifest = [
    { Config: configName, RepoTags: ['localhost/deep:1'], Layers: [`${diffId.slice(7)}.tar`] },
  ];
  return plainTar([
    [configName, config],
    [`${diffId.slice(7)}.tar`, layer],
    ['manifest.json', enc.encode(JSON.stringify(manifest))],
  ]);
}

describe('jsonDepth', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth(null)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth([[], { a: [1] }])).toBe(3);
    expect(jsonDepth(nested(10))).toBe(10);
  });

  it('walks 100,000 levels without recursion', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonDepth(JSON.parse(text))).toBe(100_000);
  });

  it('stops counting once past the bound it is given', () => {
    expect(jsonDepth(nested(5_000), 64)).toBe(65);
  });
});

describe('parseArchiveJson', () => {
  it('takes a document at the limit and refuses one past it', () => {
    expect(parseArchiveJson(JSON.stringify(nested(LIMITS.jsonDepth)), 'doc')).toBeTruthy();
    expect(() => parseArchiveJson(JSON.stringify(nested(LIMITS.jsonDepth + 1)), 'doc')).toThrow(
      expect.objectContaining({ code: 'limit' }),
    );
  });

  it('names the document when it does not parse', () => {
    expect(() => parseArchiveJson('{"a":', 'manifest.json in this archive')).toThrow(
      /manifest\.json in this archive is not valid JSON/,
    );
  });
});

describe('an archive whose config nests 3,000 levels deep', () => {
  it('is refused when opened, with the limit named', async () => {
    const bytes = archiveWithLabels(3_000);
    const err = await openArchive(new Blob([bytes as BlobPart])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).code).toBe('limit');
    expect((err as ArchiveError).message).toMatch(
      new RegExp(`more than ${LIMITS.jsonDepth} levels deep`),
    );
    expect((err as ArchiveError).message).toMatch(/The image config [0-9a-f]{64}\.json/);
  });

  it('opens when it nests as real documents do', async () => {
    const opened = await openArchive(new Blob([archiveWithLabels(5) as BlobPart]));
    expect(opened.model.images).toHaveLength(1);
  });

  it('the CLI exits 2 with the message, at 5,000 levels too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'layerscope-deep-'));
    const path = join(dir, 'deep.tar');
    writeFileSync(path, archiveWithLabels(5_000));
    let out = '';
    let err = '';
    const code = await run(['inspect', path, '--json'], {
      out: { write: (s: string) => (out += s) },
      err: { write: (s: string) => (err += s) },
    });
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^error: The image config .* levels deep/);
  });
});
