import { createSHA256 } from 'hash-wasm';

/**
 * Streaming SHA-256. SubtleCrypto.digest needs the whole input at once, which a multi-gigabyte
 * layer cannot be; hash-wasm's incremental hasher (WASM) streams at several hundred MB/s.
 */
export interface StreamingHash {
  update(chunk: Uint8Array): void;
  /** `sha256:<hex>` */
  digest(): string;
}

export async function sha256Hasher(): Promise<StreamingHash> {
  const h = await createSHA256();
  h.init();
  return {
    update(chunk) {
      h.update(chunk);
    },
    digest() {
      return `sha256:${h.digest('hex')}`;
    },
  };
}

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const h = await sha256Hasher();
  h.update(typeof data === 'string' ? new TextEncoder().encode(data) : data);
  return h.digest();
}

/** Hash every byte of a stream; `onChunk` sees each chunk too (progress, a second consumer). */
export async function sha256Stream(
  stream: ReadableStream<Uint8Array>,
  opts: { signal?: AbortSignal; onChunk?: (c: Uint8Array) => void } = {},
): Promise<{ digest: string; bytes: number }> {
  const h = await sha256Hasher();
  const reader = stream.getReader();
  let bytes = 0;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      const { value, done } = await reader.read();
      if (done) break;
      h.update(value);
      bytes += value.length;
      opts.onChunk?.(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  return { digest: h.digest(), bytes };
}
