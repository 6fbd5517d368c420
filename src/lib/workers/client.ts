/**
 * The main-thread side of the worker boundary. The worker is started lazily on the first call.
 * Every call ends once: with its answer, its signal's abort, a cancel ('cancelled'), or the
 * worker's failure ('worker-crashed'), which settles every call still waiting. A cancel lets the
 * worker run its aborts and terminates it once they have answered, or after CANCEL_GRACE_MS
 * (terminating is the only way to stop a read that is blocked in the browser's I/O).
 */
import type { ArchiveModel, LayerInfo } from '../core/model/types';
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
  /** A layer's index; `layer.stats` counts it. */
  onLayer(key: string, entries: TarEntry[], layer: LayerInfo): void;
  onProgress(p: ProgressMessage): void;
  onIndexed(): void;
  onVerify(key: string, layer: LayerInfo): void;
  onVerified(): void;
  /** The open ended early: `cancelled` after its signal's abort, else why it failed. */
  onError(e: WorkerFailure): void;
}

export class ArchiveClientError extends Error {
  constructor(readonly failure: WorkerFailure) {
    super(failure.message);
    this.name = 'ArchiveClientError';
  }
}

/**
 * How long a cancelled worker has to answer its aborts before it is terminated. An abort is seen
 * at the next chunk read, a few milliseconds of work, but a starved machine stretches that (over
 * a second seen with the tests on two busy cores); a read blocked in the browser's I/O never
 * answers and waits this long. Nobody waits on it: the calls have ended already.
 */
export const CANCEL_GRACE_MS = 3000;

const CANCELLED: WorkerFailure = { code: 'cancelled', message: 'Cancelled.' };

/** The answers that end a request: one each (protocol.ts). */
const isFinal = (m: WorkerResponse) =>
  m.type === 'error' ||
  m.type === 'verified' ||
  m.type === 'file' ||
  m.type === 'fileBlob' ||
  m.type === 'saved';

interface Call {
  answer(m: WorkerResponse): void;
  fail(f: WorkerFailure): void;
}

export class ArchiveClient {
  #worker: Worker | undefined;
  #nextId = 1;
  #openId = 0;
  #callbacks: OpenCallbacks | undefined;
  /** The latest open has not had its final answer yet. */
  #openLive = false;
  /** Reads and saves waiting for their answer, by request id. */
  #calls = new Map<number, Call>();
  /** Why the archive of the latest open is gone (the worker failed); cleared by the next open. */
  #lost: WorkerFailure | undefined;

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const w = new Worker(new URL('./archive.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<WorkerResponse>) => this.#receive(e.data);
    w.onerror = (e) => {
      e.preventDefault();
      const where = e.filename ? ` (${e.filename}:${e.lineno})` : '';
      this.#crash(w, {
        code: 'worker-crashed',
        message:
          'The worker that reads this archive stopped with an error, so the archive is no longer open there. Open it again.',
        detail: `${e.message || 'The worker failed without a message.'}${where}`,
      });
    };
    w.onmessageerror = () =>
      this.#crash(w, {
        code: 'worker-crashed',
        message:
          'An answer from the worker that reads this archive could not be received, so it is stopped and the archive is no longer open there. Open it again.',
      });
    this.#worker = w;
    return w;
  }

  #post(req: WorkerRequest, transfer: Transferable[] = []): void {
    this.#ensure().postMessage(req, transfer);
  }

  #receive(m: WorkerResponse): void {
    const call = this.#calls.get(m.id);
    if (call) {
      if (!isFinal(m)) return;
      this.#calls.delete(m.id);
      return call.answer(m);
    }
    // Only the latest open's messages count (squoosh/svelte repl: keep only the latest answer).
    if (m.id !== this.#openId || !this.#callbacks) return;
    const cb = this.#callbacks;
    if (isFinal(m)) this.#openLive = false;
    switch (m.type) {
      case 'model':
        return cb.onModel(m.model);
      case 'layer':
        return cb.onLayer(m.key, entriesOf(m.entries), m.layer);
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

  /** The worker failed: it is stopped, and every call waiting on it ends with `failure`. */
  #crash(w: Worker, failure: WorkerFailure): void {
    if (w !== this.#worker) return;
    w.terminate();
    this.#worker = undefined;
    this.#lost = failure;
    const calls = [...this.#calls.values()];
    this.#calls.clear();
    for (const c of calls) c.fail(failure);
    const cb = this.#callbacks;
    const live = this.#openLive;
    this.#openLive = false;
    if (live) cb?.onError(failure);
  }

  /**
   * Opens an archive in the worker; what it learns arrives through `callbacks`. A later open
   * replaces this one (its messages stop counting). Aborting `signal` runs the worker's abort,
   * which answers with `onError` coded `cancelled`.
   */
  open(
    file: Blob,
    fileName: string,
    callbacks: OpenCallbacks,
    opts: { signal?: AbortSignal } = {},
  ): void {
    const id = (this.#openId = this.#nextId++);
    this.#callbacks = callbacks;
    this.#openLive = true;
    this.#lost = undefined;
    this.#post({ id, type: 'open', file, fileName });
    const { signal } = opts;
    if (!signal) return;
    const abort = () => {
      if (this.#openId === id && this.#openLive) this.#worker?.postMessage(abortOf(id));
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  }

  /** At most `maxBytes` of one file of a layer of the open archive. */
  readFile(
    layerKey: string,
    entry: { dataOffset: number; size: number },
    maxBytes: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    return this.#call(
      {
        id: this.#nextId++,
        type: 'read',
        layerKey,
        dataOffset: entry.dataOffset,
        size: entry.size,
        maxBytes,
      },
      opts.signal,
      (m) => (m.type === 'file' ? m.bytes : undefined),
    );
  }

  /** One whole file of a layer of the open archive, of any size, as a Blob (a download). */
  readFileBlob(
    layerKey: string,
    entry: { dataOffset: number; size: number },
    opts: { signal?: AbortSignal } = {},
  ): Promise<Blob> {
    return this.#call(
      {
        id: this.#nextId++,
        type: 'readBlob',
        layerKey,
        dataOffset: entry.dataOffset,
        size: entry.size,
      },
      opts.signal,
      (m) => (m.type === 'fileBlob' ? m.blob : undefined),
    );
  }

  /** `docker save` of images of the open archive (and committed ones), written in the worker. */
  save(
    images: SaveRequestImage[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ blob: Blob; fileName: string }> {
    return this.#call({ id: this.#nextId++, type: 'save', images }, opts.signal, (m) =>
      m.type === 'saved' ? { blob: m.blob, fileName: m.fileName } : undefined,
    );
  }

  /**
   * One request that is answered once. Its signal's abort rejects it at once with the signal's
   * reason and tells the worker to stop.
   */
  #call<T>(
    req: Extract<WorkerRequest, { type: 'read' | 'readBlob' | 'save' }>,
    signal: AbortSignal | undefined,
    value: (m: WorkerResponse) => T | undefined,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#lost) return Promise.reject(new ArchiveClientError(this.#lost));
    return new Promise<T>((resolve, reject) => {
      const { id } = req;
      const onAbort = () => {
        if (!this.#calls.delete(id)) return;
        this.#worker?.postMessage(abortOf(id));
        reject(signal!.reason as Error);
      };
      const done = () => signal?.removeEventListener('abort', onAbort);
      this.#calls.set(id, {
        answer: (m) => {
          done();
          const v = value(m);
          if (m.type === 'error') reject(new ArchiveClientError(m.error));
          else if (v === undefined)
            reject(new ArchiveClientError({ code: 'internal', message: `Unexpected ${m.type}.` }));
          else resolve(v);
        },
        fail: (f) => {
          done();
          reject(new ArchiveClientError(f));
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#post(req);
    });
  }

  /**
   * Ends every call at once ('cancelled'; the open's callbacks hear nothing more), lets the
   * worker run their aborts, then terminates it; the next call starts a fresh one.
   */
  cancel(): void {
    const w = this.#worker;
    const running = [...this.#calls.keys()];
    if (this.#openLive) running.push(this.#openId);
    const calls = [...this.#calls.values()];
    this.#worker = undefined;
    this.#openId = 0;
    this.#openLive = false;
    this.#callbacks = undefined;
    this.#calls.clear();
    for (const c of calls) c.fail(CANCELLED);
    if (w) retire(w, running);
  }
}

const abortOf = (id: number): WorkerRequest => ({ id, type: 'abort' });

/** Aborts `running` in `w` and terminates it once each has answered, or after the grace time. */
function retire(w: Worker, running: number[]): void {
  if (running.length === 0) return w.terminate();
  const waiting = new Set(running);
  const timer = setTimeout(() => w.terminate(), CANCEL_GRACE_MS);
  const end = () => {
    clearTimeout(timer);
    w.terminate();
  };
  w.onmessage = (e: MessageEvent<WorkerResponse>) => {
    if (isFinal(e.data) && waiting.delete(e.data.id) && waiting.size === 0) end();
  };
  w.onerror = (e) => {
    e.preventDefault();
    end();
  };
  w.onmessageerror = end;
  for (const id of running) w.postMessage(abortOf(id));
}
