import { expect, type Page } from '@playwright/test';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SAMPLES_DIR = resolve(import.meta.dirname, '../../sample-images');
export const SHOTS_DIR = resolve(import.meta.dirname, '../../docs/screenshots');

export interface Sample {
  id: string;
  file: string;
  expected: string;
  kind: string;
}

export interface ExpectedLayer {
  diffId: string;
  digest: string;
  entries: number;
  whiteouts: number;
  opaqueWhiteouts: number;
  compression: string;
}
export interface ExpectedImage {
  repoTags: string[];
  id: string;
  layers: ExpectedLayer[];
  podmanHistory: unknown[];
  merged: string[];
}
export interface Expected {
  kind: string;
  images?: ExpectedImage[];
}

export function samples(): Sample[] {
  return (
    JSON.parse(readFileSync(join(SAMPLES_DIR, 'samples.json'), 'utf8')) as { samples: Sample[] }
  ).samples;
}
export function expected(s: Sample): Expected {
  return JSON.parse(readFileSync(join(SAMPLES_DIR, s.expected), 'utf8')) as Expected;
}

/** Waits on the app's own signal: `data-state` on the root element. */
export async function waitState(page: Page, state: string, timeout = 30_000): Promise<void> {
  await expect(page.getByTestId('app')).toHaveAttribute('data-state', state, { timeout });
}

/** Opens a file through a synthetic drop event carrying a DataTransfer built from its bytes. */
export async function dropFile(page: Page, path: string, name: string): Promise<void> {
  const b64 = readFileSync(path).toString('base64');
  const dt = await page.evaluateHandle(
    ({ b64, name }) => {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name));
      return dt;
    },
    { b64, name },
  );
  await page.dispatchEvent('body', 'drop', { dataTransfer: dt });
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SHOTS_DIR, `${name}.png`) });
}

// ---- a synthetic archive large enough to cancel and to test the virtual list -------------

function header(name: string, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}
function member(name: string, data: Buffer): Buffer[] {
  const pad = (512 - (data.length % 512)) % 512;
  return [header(name, data.length, '0'), data, Buffer.alloc(pad)];
}

/**
 * A docker-archive with `layers` layers of `perLayer` empty files each (about 0.5 KiB a file),
 * written once to test-results/. Its diffIDs are not real: verification reports a mismatch.
 */
export function bigArchive(perLayer: number, layers: number): string {
  const dir = resolve(import.meta.dirname, '../../test-results');
  const path = join(dir, `synthetic-${layers}x${perLayer}.tar`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  const parts: Buffer[] = [];
  const diffIds: string[] = [];
  const layerNames: string[] = [];
  for (let l = 0; l < layers; l++) {
    const chunks: Buffer[] = [];
    const dirs = Math.ceil(perLayer / 500);
    for (let d = 0; d < dirs; d++) {
      chunks.push(header(`l${l}/d${d}/`, 0, '5'));
      for (let f = 0; f < 500 && d * 500 + f < perLayer; f++)
        chunks.push(header(`l${l}/d${d}/file-${f}.txt`, 0, '0'));
    }
    chunks.push(Buffer.alloc(1024));
    const tar = Buffer.concat(chunks);
    const name = `layer${l}.tar`;
    layerNames.push(name);
    diffIds.push(`sha256:${String(l).padStart(64, '0')}`);
    parts.push(...member(name, tar));
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layerNames.map((n) => ({ created_by: `COPY ${n} /` })),
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify([{ Config: 'config.json', RepoTags: ['synthetic:big'], Layers: layerNames }]),
  );
  const out = Buffer.concat([
    ...member('config.json', config),
    ...member('manifest.json', manifest),
    ...parts,
    Buffer.alloc(1024),
  ]);
  writeFileSync(path, out);
  return path;
}
