/**
 * A Blob-shaped source that can also read at an offset. Browsers have only `Blob.slice()`, whose
 * every read costs about 1 ms (docs/BROWSER.md), so the core streams and reopens; a host with real
 * positional reads (Node's `FileHandle.read`, the CLI's `FileBlob`) offers `readAt` and the tar
 * reader then hops from header to header, reading a body only when it is small.
 */
export interface PositionalReader {
  /**
   * Reads up to `into.length` bytes at `position` (relative to this Blob's start) into `into`;
   * resolves to how many were read, 0 at the end.
   */
  readAt(position: number, into: Uint8Array): Promise<number>;
}

/** The blob's positional reader, when its host gives one. */
export function positionalOf(blob: Blob): PositionalReader | undefined {
  const r = blob as Partial<PositionalReader>;
  return typeof r.readAt === 'function' ? (r as PositionalReader) : undefined;
}
