/**
 * The thin worker: holds the opened archive and runs the engine off the main thread. The order of
 * work is what makes the first view fast: overview first, then every layer's index in order, then
 * hash verification in the background (BROWSER.md: listing is I/O-bound, hashing is not).
 */
import { openArchive, type OpenedArchive } from '../core/archive/open';
import { indexLayerColumns, readLayerFile, verifyLayer } from '../core/archive/layers';
import { ArchiveError, isAbort } from '../core/model/errors';
import { saveArchive, saveInput } from '../core/save/save';
import type { WorkerFailure, WorkerRequest, WorkerResponse } from './protocol';
import { columnsTransfer } from '../core/tar/columns';

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let opened: OpenedArchive | undefined;
let running: AbortController | undefined;

const post = (m: WorkerResponse, transfer: Transferable[] = []) => scope.postMessage(m, transfer);

/**
 * Progress is reported per chunk read (thousands per layer); a progress bar needs a few updates a
 * second, and each message costs a clone here and a render on the main thread.
 */
const PROGRESS_EVERY_MS = 50;
let lastProgress = 0;
function throttled(): boolean {
  const now = performance.now();
  if (now - lastProgress < PROGRESS_EVERY_MS) return false;
  lastProgress = now;
  return true;
}

function failure(e: unknown): WorkerFailure {
  if (e instanceof ArchiveError) return { code: e.code, message: e.message, detail: e.detail };
  if (isAbort(e)) return { code: 'cancelled', message: 'Cancelled.' };
  return { code: 'internal', message: (e as Error)?.message ?? String(e) };
}

async function open(id: number, file: Blob, fileName: string): Promise<void> {
  running?.abort();
  const ctrl = new AbortController();
  running = ctrl;
  const signal = ctrl.signal;
  opened = undefined;
  try {
    const result = await openArchive(file, {
      fileName,
      signal,
      onProgress: (p) =>
        throttled() &&
        post({
          id,
          type: 'progress',
          phase: 'opening',
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
          layersDone: 0,
          layersTotal: 0,
        }),
    });
    opened = result;
    post({ id, type: 'model', model: result.model });

    const keys = Object.values(result.model.layers)
      .filter((l) => l.present)
      .map((l) => l.key);
    const bytesTotal = keys.reduce((n, k) => n + (result.model.layers[k]?.storedSize ?? 0), 0);
    let bytesBefore = 0;
    for (const [i, key] of keys.entries()) {
      signal.throwIfAborted();
      const idx = await indexLayerColumns(result, key, {
        signal,
        onProgress: (p) =>
          throttled() &&
          post({
            id,
            type: 'progress',
            phase: 'indexing',
            bytesDone: bytesBefore + p.bytesDone,
            bytesTotal,
            layersDone: i,
            layersTotal: keys.length,
          }),
      });
      const layer = result.model.layers[key]!;
      layer.stats = idx.stats;
      bytesBefore += layer.storedSize;
      post(
        { id, type: 'layer', key, entries: idx.columns, stats: idx.stats, layer },
        columnsTransfer(idx.columns),
      );
      post({
        id,
        type: 'progress',
        phase: 'indexing',
        bytesDone: bytesBefore,
        bytesTotal,
        layersDone: i + 1,
        layersTotal: keys.length,
      });
    }
    post({ id, type: 'indexed' });

    for (const key of keys) {
      signal.throwIfAborted();
      try {
        await verifyLayer(result, key, { signal });
      } catch (e) {
        if (isAbort(e)) throw e;
        // A layer that cannot be hashed stays 'pending'; indexing already reported real damage.
      }
      post({ id, type: 'verify', key, layer: result.model.layers[key]! });
    }
    post({ id, type: 'verified' });
  } catch (e) {
    post({ id, type: 'error', error: failure(e) });
  } finally {
    if (running === ctrl) running = undefined;
  }
}

async function read(req: Extract<WorkerRequest, { type: 'read' }>): Promise<void> {
  try {
    if (!opened) throw new ArchiveError('cancelled', 'No archive is open.');
    const bytes = await readLayerFile(
      opened,
      req.layerKey,
      { dataOffset: req.dataOffset, size: req.size },
      req.maxBytes,
    );
    post({ id: req.id, type: 'file', bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    post({ id: req.id, type: 'error', error: failure(e) });
  }
}

async function save(req: Extract<WorkerRequest, { type: 'save' }>): Promise<void> {
  try {
    const inputs = [];
    for (const x of req.images)
      inputs.push(await saveInput(x.image, { opened, tars: new Map(x.tars) }));
    const saved = await saveArchive(inputs);
    post({ id: req.id, type: 'saved', blob: saved.blob, fileName: saved.fileName });
  } catch (e) {
    post({ id: req.id, type: 'error', error: failure(e) });
  }
}

scope.onmessage = (e) => {
  const req = e.data;
  if (req.type === 'open') void open(req.id, req.file, req.fileName);
  else if (req.type === 'read') void read(req);
  else if (req.type === 'save') void save(req);
  else running?.abort();
};
