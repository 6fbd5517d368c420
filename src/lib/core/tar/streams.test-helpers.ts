/** Stream and Blob doubles for the tar tests (no Node APIs, like the code under test). */

/** A stream delivering `bytes` in chunks of the given sizes (cycled). */
export function chunkedStream(
  bytes: Uint8Array,
  sizes: number[] = [65536],
): ReadableStream<Uint8Array> {
  let pos = 0;
  let k = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (pos >= bytes.length) {
          c.close();
          return;
        }
        const n = Math.max(1, sizes[k++ % sizes.length]);
        c.enqueue(bytes.slice(pos, pos + n));
        pos += n;
      },
    },
    { highWaterMark: 0 },
  );
}

export interface ReadCounter {
  /** Bytes delivered to readers of the Blob's streams. */
  bytes: number;
  /** Streams opened. */
  opens: number;
}

/**
 * Wraps a Blob so that every byte handed out by `slice(...).stream()` is counted. The wrapper
 * stream pulls only on demand (high-water mark 0), so the count is what the reader consumed.
 */
export function countingBlob(blob: Blob, counter: ReadCounter): Blob {
  const wrap = (b: Blob): Blob =>
    ({
      size: b.size,
      type: b.type,
      slice: (start?: number, end?: number) => wrap(b.slice(start, end)),
      stream: () => {
        counter.opens++;
        const reader = b.stream().getReader();
        return new ReadableStream<Uint8Array>(
          {
            async pull(c) {
              const { done, value } = await reader.read();
              if (done) c.close();
              else {
                counter.bytes += value.length;
                c.enqueue(value);
              }
            },
            cancel: (reason) => reader.cancel(reason),
          },
          { highWaterMark: 0 },
        );
      },
    }) as unknown as Blob;
  return wrap(blob);
}
