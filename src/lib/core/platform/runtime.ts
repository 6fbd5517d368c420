/**
 * The one runtime difference the core cares about: Node's web streams are adapters over its own
 * streams and behave differently from a browser's in two measured ways (see blob-chunks.ts and
 * decodeBlobRange). Everything else runs the same in a browser, a worker and Node.
 */
export const IS_NODE = !!(globalThis as { process?: { versions?: { node?: string } } }).process
  ?.versions?.node;
