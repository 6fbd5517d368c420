/**
 * The one typed protocol across the worker boundary. Every request carries an id; every answer
 * names the id it belongs to, so answers to a cancelled or superseded request are dropped. Every
 * request ends with exactly one final answer: `verified` or `error` (open), `file` or `error`
 * (read), `fileBlob` or `error` (readBlob), `saved` or `error` (save); an `abort` of a request that is running makes it end with
 * an `error` coded `cancelled`.
 */
import type { EngineFailureCode } from '../core/engine';
import type { ArchiveModel, ImageInfo, LayerInfo } from '../core/model/types';
import type { EntryColumns } from '../core/tar/columns';

export type WorkerRequest =
  | { id: number; type: 'open'; file: Blob; fileName: string }
  | {
      id: number;
      type: 'read';
      layerKey: string;
      dataOffset: number;
      size: number;
      maxBytes: number;
    }
  /** One whole file, of any size, as a Blob (a download). */
  | { id: number; type: 'readBlob'; layerKey: string; dataOffset: number; size: number }
  /** `docker save`: committed layers travel as their tars (layer key → Blob). */
  | { id: number; type: 'save'; images: SaveRequestImage[] }
  /** Runs the abort of request `id` (open, read or save); nothing happens if it has ended. */
  | { id: number; type: 'abort' };

export interface SaveRequestImage {
  image: ImageInfo;
  tars: [string, Blob][];
}

export interface ProgressMessage {
  id: number;
  type: 'progress';
  phase: 'opening' | 'indexing' | 'verifying';
  /** Stored bytes of the archive consumed so far (all layers together). */
  bytesDone: number;
  bytesTotal: number;
  layersDone: number;
  layersTotal: number;
}

/**
 * The engine's codes, and the client's own: `worker-crashed` when the worker failed (an uncaught
 * error, a message that could not be read) and took the archive it held with it.
 */
export type WorkerFailureCode = EngineFailureCode | 'worker-crashed';

export interface WorkerFailure {
  code: WorkerFailureCode;
  /** User-facing; from the engine's ArchiveError when there is one. */
  message: string;
  /** Extra untrusted facts for the error panel. */
  detail?: string;
}

export type WorkerResponse =
  /** The overview, posted as soon as the manifest and configs are read. */
  | { id: number; type: 'model'; model: ArchiveModel }
  | {
      id: number;
      type: 'layer';
      key: string;
      /** The layer's index as columns (core/tar/columns.ts), its typed arrays moved. */
      entries: EntryColumns;
      /** The layer with its `stats` (the engine sets them as it indexes). */
      layer: LayerInfo;
    }
  | ProgressMessage
  | { id: number; type: 'indexed' }
  | { id: number; type: 'verify'; key: string; layer: LayerInfo }
  | { id: number; type: 'verified' }
  | { id: number; type: 'file'; bytes: Uint8Array }
  | { id: number; type: 'fileBlob'; blob: Blob }
  | { id: number; type: 'saved'; blob: Blob; fileName: string }
  | { id: number; type: 'error'; error: WorkerFailure };
