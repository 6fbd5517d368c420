/**
 * What the worker does with each request: the engine's calls (core/engine), translated into
 * messages. Kept apart from the worker's global scope so the unit tests drive it in Node on real
 * archives. The order of work is what makes the first view fast: overview first, then every
 * layer's index in order, then hash verification in the background (docs/BROWSER.md: listing is
 * I/O-bound, hashing is not).
 */
import {
  engineFailure,
  openImageArchive,
  type EngineProgress,
  type ImageArchive,
} from '../core/engine';
import { ArchiveError } from '../core/model/errors';
import { columnsTransfer } from '../core/tar/columns';
import type { WorkerRequest, WorkerResponse } from './protocol';

export type Post = (m: WorkerResponse, transfer?: Transferable[]) => void;

/**
 * Progress is reported per chunk read (thousands per layer); a progress bar needs a few updates a
 * second, and each message costs a clone here and a render on the main thread.
 */
export const PROGRESS_EVERY_MS = 50;

/** A host's handler of requests; `post` sends each answer. */
export function archiveHost(post: Post): (req: WorkerRequest) => void {
  let archive: ImageArchive | undefined;
  let openCtrl: AbortController | undefined;
  /** Requests running now, by id, so an `abort` can reach them. */
  const running = new Map<number, AbortController>();

  let lastProgress = 0;
  const due = (p: EngineProgress) => {
    if (p.layerDone) return true;
    const now = performance.now();
    if (now - lastProgress < PROGRESS_EVERY_MS) return false;
    lastProgress = now;
    return true;
  };
  const progress = (id: number, p: EngineProgress) =>
    due(p) &&
    post({
      id,
      type: 'progress',
      phase: p.phase,
      bytesDone: p.bytesDone,
      bytesTotal: p.bytesTotal,
      layersDone: p.layersDone,
      layersTotal: p.layersTotal,
    });

  /** Runs one request under its own AbortController; any failure is its final answer. */
  async function run(
    id: number,
    work: (signal: AbortSignal) => Promise<void>,
    ctrl = new AbortController(),
  ): Promise<void> {
    running.set(id, ctrl);
    try {
      await work(ctrl.signal);
    } catch (e) {
      post({ id, type: 'error', error: engineFailure(e) });
    } finally {
      running.delete(id);
    }
  }

  function open(id: number, file: Blob, fileName: string) {
    // Only the latest open counts: the one before stops, and its archive is dropped.
    openCtrl?.abort();
    archive = undefined;
    const ctrl = (openCtrl = new AbortController());
    void run(
      id,
      async (signal) => {
        const a = await openImageArchive(file, {
          fileName,
          signal,
          onProgress: (p) => progress(id, p),
        });
        // Superseded as it finished: the newer open's archive (or none) stays the current one.
        signal.throwIfAborted();
        archive = a;
        post({ id, type: 'model', model: a.model });
        await a.indexLayersAsColumns({
          signal,
          onProgress: (p) => progress(id, p),
          onLayer: (l) =>
            post(
              { id, type: 'layer', key: l.key, entries: l.index, layer: l.layer },
              columnsTransfer(l.index),
            ),
        });
        post({ id, type: 'indexed' });
        // A layer that cannot be hashed stays unverified; indexing already reported real damage.
        await a.verify({
          signal,
          onLayer: (v) => post({ id, type: 'verify', key: v.key, layer: v.layer }),
        });
        post({ id, type: 'verified' });
      },
      ctrl,
    ).finally(() => {
      if (openCtrl === ctrl) openCtrl = undefined;
    });
  }

  /** The archive a read or a save is for; the page asks only while one is open. */
  function current(): ImageArchive {
    if (!archive)
      throw new ArchiveError(
        'no-archive',
        'No archive is open in the worker (it was closed, or opening it failed): open the archive again.',
      );
    return archive;
  }

  return (req) => {
    switch (req.type) {
      case 'open':
        return open(req.id, req.file, req.fileName);
      case 'read':
        void run(req.id, async (signal) => {
          const bytes = await current().readFile(
            req.layerKey,
            { dataOffset: req.dataOffset, size: req.size },
            req.maxBytes,
            { signal },
          );
          post({ id: req.id, type: 'file', bytes }, [bytes.buffer as ArrayBuffer]);
        });
        return;
      case 'readBlob':
        void run(req.id, async (signal) => {
          const blob = await current().readFileBlob(
            req.layerKey,
            { dataOffset: req.dataOffset, size: req.size },
            { signal },
          );
          post({ id: req.id, type: 'fileBlob', blob });
        });
        return;
      case 'save':
        void run(req.id, async (signal) => {
          const saved = await current().save(
            req.images.map((x) => ({ image: x.image, tars: new Map(x.tars) })),
            { signal },
          );
          post({ id: req.id, type: 'saved', blob: saved.blob, fileName: saved.fileName });
        });
        return;
      case 'abort':
        running.get(req.id)?.abort();
        return;
    }
  };
}
