/**
 * The engine: the one entry every host goes through (the worker, the CLI, the playground). It
 * opens an archive, indexes its layers and verifies their hashes, each call with an AbortSignal
 * and progress, and it is the only place that writes a layer's `stats`. Hosts only translate: the
 * worker into messages, the CLI into printed text.
 *
 *   const archive = await openImageArchive(blob, { fileName, signal, onProgress });
 *   const entries = await archive.indexLayers({ signal, onLayer });   // key → TarEntry[]
 *   await archive.verify({ signal, onLayer });
 *   const bytes = await archive.readFile(key, entry, maxBytes, { signal });
 */
import { openArchive, type OpenedArchive } from '../archive/open';
import {
  indexLayer,
  indexLayerColumns,
  readLayerFile,
  readLayerFileBlob,
  verifyLayer,
  type LayerTaskOptions,
} from '../archive/layers';
import type { ProgressReport } from '../archive/source';
import { saveArchive, saveInput, SaveError, type SavedArchive } from '../save/save';
import { ArchiveError, isAbort, type ArchiveErrorCode } from '../model/errors';
import type { ArchiveModel, ImageInfo, LayerInfo, LayerStats } from '../model/types';
import type { TarEntry } from '../tar/types';
import type { EntryColumns } from '../tar/columns';

/** Where a call stands, in the stored bytes of the archive (all the layers it works on). */
export interface EngineProgress {
  phase: 'opening' | 'indexing' | 'verifying';
  bytesDone: number;
  bytesTotal: number;
  layersDone: number;
  layersTotal: number;
  /**
   * True on the one report that ends a layer (`layersDone` has just gone up). Reports come per
   * chunk read, thousands a layer: a host that thins them out keeps every one of these.
   */
  layerDone: boolean;
}

export interface OpenOptions {
  /** The name the archive was given (it names the download of a saved image, for one). */
  fileName?: string;
  signal?: AbortSignal;
  onProgress?: (p: EngineProgress) => void;
}

export interface LayersOptions {
  /**
   * The layers to work on, in this order; default every layer the archive holds, in the model's
   * order. Repeats and layers the archive does not hold are skipped.
   */
  keys?: readonly string[];
  signal?: AbortSignal;
  onProgress?: (p: EngineProgress) => void;
}

/** One layer just indexed: its `layer.stats` are set. */
export interface IndexedLayer<T> {
  key: string;
  layer: LayerInfo;
  /** The layer's tar index: `TarEntry[]`, or columns (core/tar/columns.ts) for the worker. */
  index: T;
  layersDone: number;
  layersTotal: number;
}

export interface IndexOptions<T> extends LayersOptions {
  onLayer?: (l: IndexedLayer<T>) => void;
}

/** One layer just hashed: `layer` holds its digest and diffID states. */
export interface VerifiedLayer {
  key: string;
  layer: LayerInfo;
  /** Why the layer could not be read to its end (its states are then 'unavailable'). */
  error?: ArchiveError;
}

export interface VerifyOptions extends LayersOptions {
  onLayer?: (v: VerifiedLayer) => void;
}

/** One image to `save`, with the layers committed in the browser as uncompressed tars. */
export interface SaveRequest {
  image: ImageInfo;
  /** Layer key → uncompressed tar, for layers that are not in the archive. */
  tars?: ReadonlyMap<string, Blob | Uint8Array>;
}

/**
 * Opens an image archive: the outer tar's headers and the JSON documents only, so the overview
 * (`archive.model`) is there long before any layer is indexed.
 */
export async function openImageArchive(blob: Blob, opts: OpenOptions = {}): Promise<ImageArchive> {
  const { onProgress } = opts;
  const opened = await openArchive(blob, {
    fileName: opts.fileName,
    signal: opts.signal,
    onProgress:
      onProgress &&
      ((p) =>
        onProgress({
          phase: 'opening',
          bytesDone: p.bytesDone,
          bytesTotal: p.bytesTotal,
          layersDone: 0,
          layersTotal: 0,
          layerDone: false,
        })),
  });
  return new ImageArchive(opened);
}

export class ImageArchive {
  readonly #opened: OpenedArchive;

  constructor(opened: OpenedArchive) {
    this.#opened = opened;
  }

  /** The images, their layers (with what is known of them so far) and the documents read. */
  get model(): ArchiveModel {
    return this.#opened.model;
  }

  /** The layers the archive holds among `keys` (default all), in order, each once. */
  layerKeys(keys?: readonly string[]): string[] {
    const layers = this.model.layers;
    const from = keys ?? Object.keys(layers);
    return [...new Set(from)].filter((k) => layers[k]?.present);
  }

  /**
   * Indexes layers one after the other and sets each one's `stats`; resolves to each layer's
   * entries by key. Rejects with the signal's AbortError when aborted, with an ArchiveError that
   * names the layer when one cannot be listed.
   */
  async indexLayers(opts: IndexOptions<TarEntry[]> = {}): Promise<Map<string, TarEntry[]>> {
    const out = new Map<string, TarEntry[]>();
    await this.#index(opts, async (key, task) => {
      const idx = await indexLayer(this.#opened, key, task);
      out.set(key, idx.entries);
      return { stats: idx.stats, index: idx.entries };
    });
    return out;
  }

  /**
   * `indexLayers` into columns, each handed to `onLayer` and not kept: the worker moves their
   * typed arrays to the page (`columnsTransfer`), so the engine holds no layer's index.
   */
  async indexLayersAsColumns(
    opts: IndexOptions<EntryColumns> & { onLayer: (l: IndexedLayer<EntryColumns>) => void },
  ): Promise<void> {
    await this.#index(opts, async (key, task) => {
      const idx = await indexLayerColumns(this.#opened, key, task);
      return { stats: idx.stats, index: idx.columns };
    });
  }

  async #index<T>(
    opts: IndexOptions<T>,
    indexOne: (key: string, task: LayerTaskOptions) => Promise<{ stats: LayerStats; index: T }>,
  ): Promise<void> {
    const { signal, onProgress, onLayer } = opts;
    const layers = this.model.layers;
    const keys = this.layerKeys(opts.keys);
    const layersTotal = keys.length;
    const bytesTotal = this.#storedBytes(keys);
    let bytesBefore = 0;
    for (const [i, key] of keys.entries()) {
      signal?.throwIfAborted();
      const { stats, index } = await indexOne(key, {
        signal,
        onProgress:
          onProgress &&
          layerProgress('indexing', onProgress, {
            bytesBefore,
            bytesTotal,
            layersDone: i,
            layersTotal,
          }),
      });
      const layer = layers[key]!;
      layer.stats = stats;
      bytesBefore += layer.storedSize;
      onLayer?.({ key, layer, index, layersDone: i + 1, layersTotal });
      onProgress?.({
        phase: 'indexing',
        bytesDone: bytesBefore,
        bytesTotal,
        layersDone: i + 1,
        layersTotal,
        layerDone: true,
      });
    }
  }

  /**
   * Hashes layers one after the other (the stored bytes for the digest, the uncompressed tar for
   * the diffID) and records in each layer whether they match what the archive claims. A layer
   * that cannot be read to its end is reported with its error and the rest are still hashed; an
   * abort rejects.
   */
  async verify(opts: VerifyOptions = {}): Promise<VerifiedLayer[]> {
    const { signal, onProgress, onLayer } = opts;
    const keys = this.layerKeys(opts.keys);
    const layersTotal = keys.length;
    const bytesTotal = this.#storedBytes(keys);
    const out: VerifiedLayer[] = [];
    let bytesBefore = 0;
    for (const [i, key] of keys.entries()) {
      signal?.throwIfAborted();
      const layer = this.model.layers[key]!;
      let error: ArchiveError | undefined;
      try {
        await verifyLayer(this.#opened, key, {
          signal,
          onProgress:
            onProgress &&
            layerProgress('verifying', onProgress, {
              bytesBefore,
              bytesTotal,
              layersDone: i,
              layersTotal,
            }),
        });
      } catch (e) {
        if (isAbort(e)) throw e;
        error = e instanceof ArchiveError ? e : new ArchiveError('corrupt', String(e));
      }
      bytesBefore += layer.storedSize;
      const v: VerifiedLayer = { key, layer, error };
      out.push(v);
      onLayer?.(v);
      onProgress?.({
        phase: 'verifying',
        bytesDone: bytesBefore,
        bytesTotal,
        layersDone: i + 1,
        layersTotal,
        layerDone: true,
      });
    }
    return out;
  }

  #storedBytes(keys: readonly string[]): number {
    return keys.reduce((n, k) => n + (this.model.layers[k]?.storedSize ?? 0), 0);
  }

  /**
   * At most `maxBytes` of one file of a layer (`entry` from the layer's index). A file of a
   * compressed layer is reached by decompressing up to it: the signal stops that early.
   */
  async readFile(
    layerKey: string,
    entry: Pick<TarEntry, 'dataOffset' | 'size'>,
    maxBytes: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    opts.signal?.throwIfAborted();
    return readLayerFile(this.#opened, layerKey, entry, maxBytes, opts.signal);
  }

  /** One whole file of a layer, of any size, as a Blob (a download): see readLayerFileBlob. */
  async readFileBlob(
    layerKey: string,
    entry: Pick<TarEntry, 'dataOffset' | 'size'>,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Blob> {
    opts.signal?.throwIfAborted();
    return readLayerFileBlob(this.#opened, layerKey, entry, opts.signal);
  }

  /** `docker save IMAGE...` of images of this archive (and of images committed over it). */
  async save(
    images: readonly SaveRequest[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<SavedArchive> {
    const inputs = [];
    for (const r of images) {
      opts.signal?.throwIfAborted();
      inputs.push(await saveInput(r.image, { opened: this.#opened, tars: r.tars }));
    }
    return saveArchive(inputs, { signal: opts.signal });
  }
}

/** A layer's own progress (its stored bytes) as progress over all the layers of the call. */
function layerProgress(
  phase: 'indexing' | 'verifying',
  onProgress: (p: EngineProgress) => void,
  at: { bytesBefore: number; bytesTotal: number; layersDone: number; layersTotal: number },
): (p: ProgressReport) => void {
  const { bytesBefore, bytesTotal, layersDone, layersTotal } = at;
  return (p) =>
    onProgress({
      phase,
      bytesDone: bytesBefore + p.bytesDone,
      bytesTotal,
      layersDone,
      layersTotal,
      layerDone: false,
    });
}

/** Every code a user can meet from the engine: an ArchiveError's, a refused save, or a defect. */
export type EngineFailureCode = ArchiveErrorCode | 'cannot-save' | 'internal';

/** What went wrong, as a host shows it: a code (for a summary) and the engine's own words. */
export interface EngineFailure {
  code: EngineFailureCode;
  /** User-facing: says what the file is and what to do. */
  message: string;
  /** Extra untrusted facts for an error panel. */
  detail?: string;
}

/** Any error an engine call rejects with, as an `EngineFailure`; an abort is 'cancelled'. */
export function engineFailure(e: unknown): EngineFailure {
  if (e instanceof ArchiveError) return { code: e.code, message: e.message, detail: e.detail };
  if (isAbort(e)) return { code: 'cancelled', message: 'Cancelled.' };
  if (e instanceof SaveError) return { code: 'cannot-save', message: e.message };
  return { code: 'internal', message: (e as Error)?.message ?? String(e) };
}
