/**
 * Tells the JavaScript engine's garbage collector, early, that buffers were thrown away.
 *
 * Why by hand: a browser reading a Blob or running a `DecompressionStream` allocates a fresh
 * buffer per chunk inside the engine (even behind a BYOB reader filling our own reused buffer),
 * and each becomes garbage at once. V8 counts that memory as "external" and starts a collection
 * for it only once about 64 MB more has been allocated since the last one; a streaming loop
 * allocates almost nothing else, so nothing starts one sooner. Measured in a Chromium worker
 * reading the 3.2 GB bench archive through a BYOB reader: the renderer grew by 89 MB, all of it
 * garbage (a forced GC every 256 MB kept it to +19 MB).
 *
 * There is no API to ask for a collection, but the external-memory trigger counts a fresh
 * `ArrayBuffer` in full, while an untouched one costs no resident memory (its zero pages are
 * mapped lazily). Allocating and dropping one such buffer for every `HINT_EVERY_BYTES` of garbage
 * therefore starts the collection after that much garbage instead of ~64 MB. Same read with the
 * hint: +14 MB at its peak, and no slower (2.8–3.9 s against 3.1–3.4 s without).
 * Draining a 227 MB gzip layer (427 MB decoded) through `DecompressionStream`: +171–203 MB and
 * 2.2 s without the hint, +27–112 MB and 0.7 s with it.
 *
 * Node frees stream chunks promptly (and its heap may hold a whole index, making extra
 * collections costly), so the hint does nothing there.
 */
import { IS_NODE } from './runtime';

/** Garbage allowed to pile up between hints. */
export const HINT_EVERY_BYTES = 32 << 20;
/** Size of the untouched buffer each hint allocates (counts toward the engine's trigger only). */
const HINT_BYTES = 64 << 20;

let pending = 0;
/** Keeps the hint's allocation observable so that no compiler can drop it as dead code. */
const sink: { buffer?: ArrayBuffer } = {};

/** Records that `bytes` of engine-allocated buffers just became garbage. */
export function discarded(bytes: number): void {
  if (IS_NODE) return;
  pending += bytes;
  if (pending < HINT_EVERY_BYTES) return;
  pending = 0;
  try {
    sink.buffer = new ArrayBuffer(HINT_BYTES);
  } catch {
    // Out of address space for the hint: the collector will run on its own schedule.
  }
  sink.buffer = undefined;
}

/** `ArrayBuffer.prototype.transfer` (ES2024) is missing from this project's TypeScript lib. */
type DetachableBuffer = ArrayBuffer & { transfer?: (length?: number) => ArrayBuffer };

/** True when `chunk` is the whole of its buffer (a decoder's fresh output, nothing else in it). */
function wholeBuffer(chunk: Uint8Array): boolean {
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength;
}

/**
 * Frees a chunk's buffer now, when the chunk is the whole of a buffer nobody else holds and that
 * this JavaScript engine allocated (fzstd's fresh output, handed over and done with):
 * `ArrayBuffer.prototype.transfer(0)` detaches it, which drops its memory at once instead of at
 * the next collection. A view into a larger buffer, or an engine without `transfer`, is left to
 * the collector. The bytes are counted by `discarded` either way.
 *
 * Why: a collection, even hinted early, runs incrementally while the decoder keeps allocating, and
 * every buffer made during it lives to the next one. Indexing the zstd bench archive (fzstd hands
 * out one fresh buffer per 128 KiB block): renderer peak +250 MB with only the hint, +174–194 MB
 * with this. Not for buffers the browser allocated (`DecompressionStream` output): the browser
 * keeps its own hold on those, so detaching one only hides it from the collector's count (the gzip
 * archive's peak got three times worse); `relinquish` is for those.
 */
export function release(chunk: Uint8Array): void {
  if (IS_NODE) return;
  const buffer = chunk.buffer as DetachableBuffer;
  if (typeof buffer.transfer === 'function' && wholeBuffer(chunk)) buffer.transfer(0);
  // Still counted: making the chunk left garbage this code cannot reach (the decoder's own
  // buffers), which only a collection frees.
  discarded(chunk.byteLength);
}

/** Buffers handed to `relinquish` and not yet sent away, and where they go. */
let unwanted: ArrayBuffer[] = [];
let drain: MessagePort | undefined;
/** Buffers per message: one message per ~2 MiB of 64 KiB chunks keeps the cost out of sight. */
const RELINQUISH_BATCH = 32;

/**
 * Frees a chunk the browser allocated (a `DecompressionStream`'s output), once read and done with,
 * by transferring its buffer in a message to a port whose other end is already closed: the
 * transfer takes the memory out of the browser's own wrapper object, and the message is dropped
 * undelivered, so the memory goes at once instead of at the wrapper's collection. Chunks that are
 * views into a larger buffer are left to the collector (and counted by `discarded`).
 *
 * Measured in a Chromium worker draining the gzip bench archive's layers (1.1 GB stored, 2.6 GB
 * decoded) through `DecompressionStream` fed 64 KiB at a time: renderer peak +130–135 MB with the
 * collector hint alone, +32–33 MB with this, at the same speed. A forced full collection every
 * 8 MiB decoded gave +27 MB: what is left is not garbage.
 */
export function relinquish(chunk: Uint8Array): void {
  if (IS_NODE) return;
  if (typeof MessageChannel !== 'function' || !wholeBuffer(chunk)) {
    discarded(chunk.byteLength);
    return;
  }
  unwanted.push(chunk.buffer as ArrayBuffer);
  if (unwanted.length < RELINQUISH_BATCH) return;
  const batch = unwanted;
  unwanted = [];
  try {
    if (!drain) {
      const channel = new MessageChannel();
      channel.port2.close();
      drain = channel.port1;
    }
    drain.postMessage(null, batch);
  } catch {
    // Not transferable here (a shared or already detached buffer): left to the collector.
    for (const buffer of batch) discarded(buffer.byteLength);
  }
}
