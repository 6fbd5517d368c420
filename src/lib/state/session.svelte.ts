/**
 * One Session per opened archive: what the worker has told us so far. Big worker data is held in
 * `$state.raw` (replaced, never mutated) and every view is `$derived` from it.
 */
import type { ArchiveModel, ImageInfo, LayerInfo } from '../core/model/types';
import type { TarEntry } from '../core/tar/types';
import { Overlay, buildOverlay } from '../core/overlay';
import type { CommittedLayer } from '../core/container';
import { ContainersState } from './containers.svelte';
import { ArchiveClient, ArchiveClientError } from '../workers/client';
import type { ProgressMessage, WorkerFailure } from '../workers/protocol';

export type SessionStatus = 'opening' | 'indexing' | 'ready' | 'error' | 'cancelled';

export interface SessionSource {
  file: Blob;
  fileName: string;
  /** Set when the archive is one of the bundled samples (deep links name it). */
  sampleId?: string;
}

/** Text files are shown up to this size; larger ones are cut (with a note). */
export const TEXT_PREVIEW_BYTES = 256 * 1024;
/** Layer messages arriving within this long are applied to the state together (see #queue). */
const LAYER_BATCH_MS = 30;
/** Lets the browser paint the "analysing…" state before the overlay build blocks the thread. */
const ANALYSE_DELAY_MS = 20;

export class Session {
  readonly source: SessionSource;
  readonly startedAt = performance.now();
  status = $state<SessionStatus>('opening');
  verifying = $state(false);
  model = $state.raw<ArchiveModel | undefined>();
  /** Each layer's tar index by layer key, replaced as a whole when a layer arrives. */
  entries = $state.raw<Record<string, TarEntry[]>>({});
  layers = $state.raw<Record<string, LayerInfo>>({});
  progress = $state.raw<ProgressMessage | undefined>();
  error = $state.raw<WorkerFailure | undefined>();
  /** Milliseconds from open to the overview (shown in the status line, measured by tests). */
  overviewMs = $state<number | undefined>();
  indexedMs = $state<number | undefined>();
  /** One overlay per image (by image index), built once every layer is indexed. */
  overlays = $state.raw<Record<number, Overlay>>({});
  /** Milliseconds the last overlay took to build (shown beside the other timings). */
  overlayMs = $state<number | undefined>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #building = new Set<number>();
  /**
   * The overlay of the image on screen, built layer by layer while the archive is indexed (see
   * `ensureOverlay`); published when indexing ends.
   */
  #early: { index: number; keys: readonly string[]; overlay: Overlay; ms: number } | undefined;
  #client: ArchiveClient;
  /** Committed layers' tars by layer key: they have no place in the archive (issue 5). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bytes to read, never rendered
  readonly #tars = new Map<string, Blob>();
  /** The simulated containers of this archive (features/container). */
  readonly containers: ContainersState = new ContainersState(this);

  constructor(source: SessionSource, client: ArchiveClient) {
    this.source = source;
    this.#client = client;
    client.open(source.file, source.fileName, {
      onModel: (model) => {
        this.model = model;
        this.layers = model.layers;
        this.overviewMs = performance.now() - this.startedAt;
        performance.mark('layerscope:overview');
        const anyPresent = Object.values(model.layers).some((l) => l.present);
        this.status = anyPresent ? 'indexing' : 'ready';
      },
      onLayer: (key, entries, layer) => this.#queue(key, layer, entries),
      onProgress: (p) => (this.progress = p),
      onIndexed: () => {
        this.#flush();
        const early = this.#early;
        if (early && early.overlay.applied === early.keys.length) {
          this.overlayMs = early.ms;
          this.overlays = { ...this.overlays, [early.index]: early.overlay };
        }
        this.#early = undefined;
        this.status = 'ready';
        this.verifying = true;
        this.indexedMs = performance.now() - this.startedAt;
        performance.mark('layerscope:indexed');
        void this.containers.load();
      },
      onVerify: (key, layer) => this.#queue(key, layer),
      onVerified: () => {
        this.#flush();
        this.verifying = false;
      },
      onError: (e) => {
        this.#flush();
        this.#early = undefined;
        this.verifying = false;
        if (e.code === 'cancelled') this.status = 'cancelled';
        else if (this.status === 'ready') {
          // Only verification was left (the worker failed during it): every view still has what
          // it shows, so they stay; what could not be hashed is unverified, not pending forever.
          this.layers = Object.fromEntries(
            Object.entries(this.layers).map(([k, l]) => [k, unpending(l)]),
          );
        } else {
          this.error = e;
          this.status = 'error';
        }
      },
    });
  }

  get images(): ImageInfo[] {
    return this.model?.images ?? [];
  }

  /** Layers of an image, bottom to top, with what the worker knows now. */
  imageLayers(image: ImageInfo): LayerInfo[] {
    return image.layerKeys.map((k) => this.layers[k]).filter((l): l is LayerInfo => !!l);
  }

  /** Each layer's entries for an image, bottom to top (undefined while not indexed yet). */
  imageEntries(image: ImageInfo): (TarEntry[] | undefined)[] {
    return image.layerKeys.map((k) => this.entries[k]);
  }

  /** The image's overlay, or undefined while it is not built (see `ensureOverlay`). */
  overlay(image: ImageInfo): Overlay | undefined {
    return this.overlays[image.index];
  }

  /**
   * Builds the image's overlay once all of its layers are indexed, on the main thread (about
   * 0.2 s for 5 × 40k entries) after a timeout, so the "analysing…" state paints first. A layer
   * the archive does not hold counts as empty (the layers view says it is missing).
   *
   * Asked while the archive is still being indexed, it builds the overlay of that image layer by
   * layer as they arrive instead (one image at a time): the work and the memory it takes are then
   * spread over the indexing rather than piled into one long task at its end, which was the
   * renderer's memory peak on big images (docs/PERFORMANCE.md).
   */
  ensureOverlay(image: ImageInfo): void {
    const i = image.index;
    if (this.status === 'indexing' && !this.#early && !this.overlays[i]) {
      this.#early = {
        index: i,
        keys: [...image.layerKeys],
        overlay: new Overlay(image.layerKeys.length),
        ms: 0,
      };
      this.#advance();
      return;
    }
    if (this.status !== 'ready' || this.overlays[i] || this.#building.has(i)) return;
    this.#building.add(i);
    setTimeout(() => {
      this.#building.delete(i);
      if (this.status !== 'ready' || this.overlays[i]) return;
      const t = performance.now();
      const layers = image.layerKeys.map((k) => this.entries[k] ?? []);
      const overlay = buildOverlay(layers);
      this.overlayMs = performance.now() - t;
      this.overlays = { ...this.overlays, [i]: overlay };
    }, ANALYSE_DELAY_MS);
  }

  /**
   * Layer messages not yet applied. Each one replaced `entries` and `layers` whole (the views
   * derive from them), which is O(layers) per message: 3,000 layers took 5 s of the page's time
   * and 10,000 took 90 s (tests/e2e/fuzz.spec.ts's cases, profiled). They are applied together,
   * at most every `LAYER_BATCH_MS`, and always before the state says indexing or verifying ended.
   */
  #pending: { layers: Record<string, LayerInfo>; entries: Record<string, TarEntry[]> } | undefined;
  #pendingTimer: ReturnType<typeof setTimeout> | undefined;

  #queue(key: string, layer: LayerInfo, entries?: TarEntry[]): void {
    const p = (this.#pending ??= { layers: {}, entries: {} });
    p.layers[key] = layer;
    if (entries) p.entries[key] = entries;
    this.#pendingTimer ??= setTimeout(() => this.#flush(), LAYER_BATCH_MS);
  }

  #flush(): void {
    clearTimeout(this.#pendingTimer);
    this.#pendingTimer = undefined;
    const p = this.#pending;
    this.#pending = undefined;
    if (!p) return;
    if (Object.keys(p.entries).length) this.entries = { ...this.entries, ...p.entries };
    this.layers = { ...this.layers, ...p.layers };
    this.#advance();
  }

  /** Applies to the early overlay every next layer of its image that has arrived. */
  #advance(): void {
    const early = this.#early;
    if (!early) return;
    const t = performance.now();
    while (early.overlay.applied < early.keys.length) {
      const key = early.keys[early.overlay.applied]!;
      // A layer the archive does not hold counts as empty, as in `ensureOverlay`.
      const entries = this.entries[key] ?? (this.layers[key]?.present ? undefined : []);
      if (!entries) break;
      early.overlay.applyNext(entries);
    }
    early.ms += performance.now() - t;
  }

  /** Like `ensureOverlay`, but now, on this thread (a container needs its image's overlay). */
  overlayNow(image: ImageInfo): Overlay | undefined {
    if (this.status !== 'ready') return undefined;
    const have = this.overlays[image.index];
    if (have) return have;
    const overlay = buildOverlay(image.layerKeys.map((k) => this.entries[k] ?? []));
    this.overlays = { ...this.overlays, [image.index]: overlay };
    return overlay;
  }

  /**
   * Adds an image made in the browser (`docker commit`) to the model, so every view shows it.
   * Its layer has no archive location: its index is `layer.entries`, its bytes `layer.tar`.
   */
  addImage(image: ImageInfo, layer?: CommittedLayer): ImageInfo {
    const model = this.model;
    if (!model) throw new Error('No archive is open.');
    const same = model.images.find((i) => i.id === image.id);
    if (same) return same;
    const added = { ...image, index: model.images.length };
    if (layer) {
      this.#tars.set(layer.key, layer.tar);
      this.entries = { ...this.entries, [layer.key]: layer.entries };
      this.layers = { ...this.layers, [layer.key]: layer.info };
    }
    this.model = {
      ...model,
      images: [...model.images, added],
      layers: layer ? { ...model.layers, [layer.key]: layer.info } : model.layers,
    };
    return added;
  }

  /** Tars of the layers committed in this session, by layer key. */
  get committedTars(): ReadonlyMap<string, Blob> {
    return this.#tars;
  }

  /**
   * At most `maxBytes` of one file of a layer. A view whose read can be abandoned (the selection
   * moved on) passes a signal: its abort stops the read in the worker and rejects with an
   * AbortError.
   */
  async readFile(
    layerKey: string,
    entry: { dataOffset: number; size: number },
    maxBytes: number,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    const tar = this.#tars.get(layerKey);
    if (tar) {
      opts.signal?.throwIfAborted();
      const end = entry.dataOffset + Math.min(entry.size, maxBytes);
      return new Uint8Array(await tar.slice(entry.dataOffset, end).arrayBuffer());
    }
    return this.#client.readFile(layerKey, entry, maxBytes, opts);
  }

  /** One whole file, of any size, as a Blob: what a download hands to the browser. */
  async readFileBlob(
    layerKey: string,
    entry: { dataOffset: number; size: number },
    opts: { signal?: AbortSignal } = {},
  ): Promise<Blob> {
    const tar = this.#tars.get(layerKey);
    if (tar) {
      opts.signal?.throwIfAborted();
      return tar.slice(entry.dataOffset, entry.dataOffset + entry.size);
    }
    return this.#client.readFileBlob(layerKey, entry, opts);
  }

  /** `docker save IMAGE...`: the archive Docker 25+ writes, made in the worker. */
  save(
    images: readonly ImageInfo[],
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ blob: Blob; fileName: string }> {
    const tars = [...this.#tars.entries()];
    return this.#client.save(
      images.map((image) => ({ image, tars })),
      opts,
    );
  }

  cancel(): void {
    clearTimeout(this.#pendingTimer);
    this.#pendingTimer = undefined;
    this.#pending = undefined;
    this.#early = undefined;
    this.#client.cancel();
    if (this.status === 'opening' || this.status === 'indexing') this.status = 'cancelled';
    this.verifying = false;
  }
}

/** A layer whose hashes are still pending, with them unverified (nothing will hash it now). */
function unpending(l: LayerInfo): LayerInfo {
  if (l.digestState !== 'pending' && l.diffIdState !== 'pending') return l;
  return {
    ...l,
    digestState: l.digestState === 'pending' ? 'unavailable' : l.digestState,
    diffIdState: l.diffIdState === 'pending' ? 'unavailable' : l.diffIdState,
  };
}

/** Why a read or a save of the session failed, as the error panel and the views show it. */
export function failureOf(e: unknown): WorkerFailure {
  if (e instanceof ArchiveClientError) return e.failure;
  if ((e as { name?: string } | undefined)?.name === 'AbortError')
    return { code: 'cancelled', message: 'Cancelled.' };
  return { code: 'internal', message: (e as Error)?.message ?? String(e) };
}
