/**
 * A file on disk as the core's Blob, read with `FileHandle.read` at offsets.
 *
 * Why not Node's `openAsBlob`: its Blob reports the size modulo 4 GiB on Node 20
 * (nodejs/node#52585), so an archive over 4 GiB looked cut in the middle of a layer; and each of
 * its slices is a stream that must be opened and read in order, where a positional read lets the
 * tar reader hop from header to header without reading the bodies in between
 * (`core/platform/positional.ts`). Only what the core uses is here: `size`, `type`, `slice`,
 * `arrayBuffer`, `bytes`, `text`, `stream` and `readAt`.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { PositionalReader } from '../lib/core/platform/positional';

/** What one pull of `stream()` reads. */
const STREAM_CHUNK = 1 << 20;

export class FileBlob implements PositionalReader {
  readonly #fh: FileHandle;
  /** Shared by a blob and its slices: closing one closes the file for all of them. */
  readonly #closed: { done?: Promise<void> };
  readonly #start: number;
  readonly #end: number;
  readonly type: string;

  private constructor(
    fh: FileHandle,
    start: number,
    end: number,
    type = '',
    closed: { done?: Promise<void> } = {},
  ) {
    this.#fh = fh;
    this.#closed = closed;
    this.#start = start;
    this.#end = end;
    this.type = type;
  }

  /**
   * Opens `path` for reading. The caller closes it with {@link close} when done: a FileHandle
   * left to the garbage collector makes Node warn ("Closing file descriptor N on garbage
   * collection", DEP0137), and a later Node will throw instead.
   */
  static async open(path: string): Promise<FileBlob> {
    const fh = await open(path, 'r');
    const { size, isFile } = await fh.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) {
      await fh.close();
      throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
    }
    return new FileBlob(fh, 0, size);
  }

  get size(): number {
    return this.#end - this.#start;
  }

  /** Blob.slice: negative offsets count from the end; the range is clamped to this blob. */
  slice(start = 0, end = this.size, type = ''): FileBlob {
    const clamp = (x: number) => Math.min(Math.max(x < 0 ? this.size + x : x, 0), this.size);
    const a = clamp(start);
    const b = Math.max(a, clamp(end));
    return new FileBlob(this.#fh, this.#start + a, this.#start + b, type, this.#closed);
  }

  /** Closes the file (for this blob and every slice of it); later calls wait for the first. */
  close(): Promise<void> {
    return (this.#closed.done ??= this.#fh.close());
  }

  async readAt(position: number, into: Uint8Array): Promise<number> {
    const want = Math.min(into.length, this.size - position);
    if (want <= 0) return 0;
    const { bytesRead } = await this.#fh.read(into, 0, want, this.#start + position);
    return bytesRead;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    const out = new Uint8Array(this.size);
    let done = 0;
    while (done < out.length) {
      const n = await this.readAt(done, out.subarray(done));
      if (n === 0) throw new Error('the file became shorter while it was read');
      done += n;
    }
    return out;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  /** A byte stream of the range, read in order with positional reads. */
  stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    let pos = 0;
    return new ReadableStream({
      type: 'bytes',
      autoAllocateChunkSize: STREAM_CHUNK,
      pull: async (controller) => {
        const req = controller.byobRequest!;
        const view = req.view as Uint8Array<ArrayBuffer>;
        const n = await this.readAt(
          pos,
          new Uint8Array(view.buffer, view.byteOffset, view.byteLength),
        );
        if (n === 0) {
          controller.close();
          req.respond(0);
          return;
        }
        pos += n;
        req.respond(n);
      },
    });
  }
}
