/** The CLI's FileBlob against Node's own Blob of the same bytes: every read the core uses. */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileBlob } from '../../src/cli/file-blob';
import { blobChunks } from '../../src/lib/core/tar/blob-chunks';

const FILE = join(import.meta.dirname, '../../sample-images/hello.tar');
const bytes = new Uint8Array(readFileSync(FILE));
const ref = new Blob([bytes]);

async function streamed(b: { stream(): ReadableStream<Uint8Array> }): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of b.stream() as unknown as AsyncIterable<Uint8Array>) parts.push(c.slice());
  return new Uint8Array(Buffer.concat(parts));
}

describe('FileBlob', () => {
  it('has the size and bytes of the file, whole and sliced as Blob.slice slices', async () => {
    const f = await FileBlob.open(FILE);
    expect(f.size).toBe(bytes.length);
    const cases: [number?, number?][] = [
      [],
      [0, 512],
      [100, 5000],
      [-1024],
      [-600, -100],
      [700, 10],
      [5, 1e9],
    ];
    for (const [a, b] of cases) {
      const ours = new Uint8Array(await f.slice(a, b).arrayBuffer());
      const theirs = new Uint8Array(await ref.slice(a, b).arrayBuffer());
      expect(ours, `slice(${a}, ${b})`).toEqual(theirs);
      expect(await streamed(f.slice(a, b)), `stream of slice(${a}, ${b})`).toEqual(theirs);
    }
    expect(new Uint8Array(await f.slice(512).slice(10, 20).arrayBuffer())).toEqual(
      bytes.subarray(522, 532),
    );
    await f.close();
  });

  it('gives the core the same chunks by positional reads', async () => {
    const file = await FileBlob.open(FILE);
    const f = file as unknown as Blob;
    const parts: Uint8Array[] = [];
    for await (const c of blobChunks(f, 300, 9000, { firstReadBytes: 1000, chunkBytes: 4096 }))
      parts.push(c.slice());
    expect(new Uint8Array(Buffer.concat(parts))).toEqual(bytes.subarray(300, 9000));
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(4096);
    await file.close();
  });

  it('closes its file when asked, once for the blob and all its slices', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    const f = await FileBlob.open(FILE);
    const s = f.slice(100, 200);
    expect(fds()).toBe(before + 1);
    await Promise.all([s.close(), f.close()]);
    await f.close();
    expect(fds()).toBe(before);
    await expect(s.arrayBuffer()).rejects.toThrow(/closed/);
  });

  it('says what a directory is', async () => {
    await expect(FileBlob.open(join(import.meta.dirname))).rejects.toThrow(/not a file/);
  });
});
