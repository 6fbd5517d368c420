/**
 * A file over 64 MiB downloads whole (issue 20, item 6: it was cut to 64 MiB without a word).
 * The layer is made by GNU tar and gzip, the expected bytes are the file GNU tar packed, and the
 * download is compared with it by SHA-256 — once from a gzip layer (decompressed into pieces in
 * the worker) and once from an uncompressed one (a slice of the archive itself).
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitState } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'layerscope-download-'));
const SIZE = 80 * 1024 * 1024;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** 80 MiB that gzip shrinks (numbered lines) but no two MiB alike. */
function bigFile(): Buffer {
  const b = Buffer.alloc(SIZE);
  let at = 0;
  for (let i = 0; at < SIZE; i++)
    at += b.write(`line ${i.toString().padStart(9, '0')} of the big file\n`, at);
  return b;
}

/** A podman-style docker-archive whose one layer GNU tar wrote (gzipped with `compress`). */
function archive(name: string, compress: boolean): { path: string; expected: string } {
  const dir = join(work, name);
  mkdirSync(join(dir, 'root'), { recursive: true });
  const body = bigFile();
  writeFileSync(join(dir, 'root', 'big.bin'), body);
  execFileSync('tar', [
    '--format=pax',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    join(dir, 'root'),
    '-cf',
    join(dir, 'layer.tar'),
    'big.bin',
  ]);
  const layer = readFileSync(join(dir, 'layer.tar'));
  const stored = compress
    ? execFileSync('gzip', ['-1nc', join(dir, 'layer.tar')], { maxBuffer: 1 << 30 })
    : layer;
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [`sha256:${sha(layer)}`] },
      history: [{ created_by: 'COPY big.bin /' }],
    }),
  );
  const out = join(dir, 'out');
  mkdirSync(out);
  const layerName = `${sha(stored)}.tar`;
  writeFileSync(join(out, layerName), stored);
  writeFileSync(join(out, `${sha(config)}.json`), config);
  writeFileSync(
    join(out, 'manifest.json'),
    JSON.stringify([
      { Config: `${sha(config)}.json`, RepoTags: [`localhost/${name}:1`], Layers: [layerName] },
    ]),
  );
  const path = join(work, `${name}.tar`);
  execFileSync('tar', ['--format=ustar', '-C', out, '-cf', path, '.']);
  return { path, expected: sha(body) };
}

for (const compress of [true, false]) {
  test(`an 80 MiB file of a ${compress ? 'gzip' : 'plain'} layer downloads whole`, async ({
    page,
  }) => {
    test.setTimeout(180_000);
    const { path, expected } = archive(compress ? 'big-gzip' : 'big-plain', compress);
    await page.goto('/');
    await page.getByTestId('file-input').setInputFiles(path);
    await waitState(page, 'ready', 60_000);
    await page.evaluate(() => (location.hash = '#view=files&layer=0&path=big.bin'));
    const button = page.getByTestId('download');
    await expect(button).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toBe('big.bin');
    const saved = join(work, `saved-${compress}.bin`);
    await download.saveAs(saved);
    const bytes = readFileSync(saved);
    expect(bytes.length).toBe(SIZE);
    expect(sha(bytes)).toBe(expected);
    await expect(page.getByTestId('download-error')).toHaveCount(0);
  });
}
