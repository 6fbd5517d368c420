/**
 * The main-thread side of the worker boundary. The worker is started lazily on the first open and
 * terminated on cancel (the only way to stop a read that is blocked in the browser's I/O).
 */
import type { ArchiveModel, LayerInfo, LayerStats } from '../core/model/types';
import type { TarEntry } from '../core/tar/types';
import { entriesOf } from '../core/tar/columns';
import type {
  ProgressMessage,
  SaveRequestImage,
  WorkerFailure,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

export interface OpenCallbacks {
  onModel(model: ArchiveModel): void;
  onLayer(key: string, entries: TarEntry[], stats: LayerStats, layer: LayerInfo): void;
  onProgress(p: ProgressMessage): void;
  onIndexed(): void;
  onVerify(key: string, layer: LayerInfo): void;
  onVerified(): void;
  onError(e: WorkerFailure): void;
}

export class ArchiveClientError extends Error {
  constructor(readonly failure: WorkerFailure) {
    super(failure.message);
  }
}

export class ArchiveClient {
  #worker: Worker | undefined;
  #nextId = 1;
  #openId = 0;
  #callbacks: OpenCallbacks | undefined;
  #reads = new Map<number, { resolve(b: Uint8Array): void; reject(e: Error): void }>();
  #saves = new Map<
    number,
    { resolve(r: { blob: Blob; fileName: string }): void; reject(e: Error): void }
  >();

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(new URL('./archive.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<WorkerResponse>) => this.#receive(e.data);
    w.onerror = (e) => {
      e.preventDefault();
      this.#callbacks?.onError({ code: 'internal', message: e.message || 'The worker failed.' });
    };
    this.#worker = w;
    return w;
  }

  #post(req: WorkerRequest, transfer: Transferable[] = []): void {
    this.#ensure().postMessage(req, transfer);
  }

  #receive(m: WorkerResponse): void {
    if (m.type === 'saved' || (m.type === 'error' && this.#saves.has(m.id))) {
      const pending = this.#saves.get(m.id);
      this.#saves.delete(m.id);
      if (!pending) return;
      if (m.type === 'saved') pending.resolve({ blob: m.blob, fileName: m.fileName });
      else pending.reject(new ArchiveClientError(m.error));
      return;
    }
    if (m.type === 'file' || (m.type === 'error' && this.#reads.has(m.id))) {
      const pending = this.#reads.get(m.id);
      this.#reads.delete(m.id);
      if (!pending) return;
      if (m.type === 'file') pending.resolve(m.bytes);
      else pending.reject(new ArchiveClientError(m.error));
      return;
    }
    // Only the latest open's messages count (squoosh/svelte repl: keep only the latest answer).
    if (m.id !== this.#openId || !this.#callbacks) return;
    const cb = this.#callbacks;
    switch (m.type) {
      case 'model':
        return cb.onModel(m.model);
      case 'layer':
        return cb.onLayer(m.key, entriesOf(m.entries), m.stats, m.layer);
      case 'progress':
        return cb.onProgress(m);
      case 'indexed':
        return cb.onIndexed();
      case 'verify':
        return cb.onVerify(m.key, m.layer);
      case 'verified':
        return cb.onVerified();
      case 'error':
        return cb.onError(m.error);
    }
  }

  open(file: Blob, fileName: string, callbacks: OpenCallbacks): void {
    this.#openId = this.#nextId++;
    this.#callbacks = callbacks;
    this.#post({ id: this.#openId, type: 'open', file, fileName });
  }

  readFile(
    layerKey: string,
    entry: { dataOffset: number; size: number },
    maxBytes: number,
  ): Promise<Uint8Array> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#reads.set(id, { resolve, reject });
      this.#post({
        id,
        type: 'read',
        layerKey,
        dataOffset: entry.dataOffset,
        size: entry.size,
        maxBytes,
      });
    });
  }

  /** `docker save` of images of the open archive (and committed ones), written in the worker. */
  save(images: SaveRequestImage[]): Promise<{ blob: Blob; fileName: string }> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#saves.set(id, { resolve, reject });
      this.#post({ id, type: 'save', images });
    });
  }

  /** Aborts the running work and terminates the worker; the next open starts a fresh one. */
  cancel(): void {
    if (this.#worker) {
      this.#worker.postMessage({ id: this.#nextId++, type: 'cancel' } satisfies WorkerRequest);
      this.#worker.terminate();
    }
    this.#worker = undefined;
    this.#openId = 0;
    this.#callbacks = undefined;
    for (const r of this.#reads.values())
      r.reject(new ArchiveClientError({ code: 'cancelled', message: 'Cancelled.' }));
    this.#reads.clear();
    for (const r of this.#saves.values())
      r.reject(new ArchiveClientError({ code: 'cancelled', message: 'Cancelled.' }));
    this.#saves.clear();
  }
}
