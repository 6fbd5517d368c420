/**
 * Simulated containers and the images committed from them, kept in IndexedDB so they survive a
 * reload and reattach when the same archive is opened again (keyed by the archive's identity, as
 * the recent list names it: `sample:<id>` or name + size + lastModified).
 *
 * A database of its own (not a store in recent.ts's): its version moves independently, and a
 * failure here never touches the recent list. Storage is optional: every call resolves, and a
 * `false` or empty answer means "not kept"; the container view says so.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ContainerState } from '../core/container';
import { CONTAINER_STATE_FORMAT } from '../core/container';
import type { ImageInfo, LayerInfo } from '../core/model/types';
import type { TarEntry } from '../core/tar/types';

export interface StoredContainer {
  id: string;
  archive: string;
  /** Milliseconds since the epoch: the list keeps creation order. */
  savedAt: number;
  state: ContainerState;
}

export interface StoredCommit {
  /** `<archive>\0<image id>`. */
  key: string;
  archive: string;
  savedAt: number;
  image: ImageInfo;
  /** Absent for a commit without changes (an `empty_layer` step). */
  layer?: { key: string; diffId: string; tar: Blob; entries: TarEntry[]; info: LayerInfo };
}

interface ContainersDB extends DBSchema {
  containers: { key: string; value: StoredContainer; indexes: { archive: string } };
  commits: { key: string; value: StoredCommit; indexes: { archive: string } };
}

const DB_NAME = 'layerscope-containers';
const DB_VERSION = 1;
/** An open that has not answered by then is treated as unavailable (see recent.ts). */
const OPEN_TIMEOUT_MS = 3000;

type Db = IDBPDatabase<ContainersDB>;
let db: Promise<Db | undefined> | undefined;

function open(): Promise<Db | undefined> {
  let opening: Promise<Db>;
  try {
    if (typeof indexedDB === 'undefined' || !indexedDB) return Promise.resolve(undefined);
    opening = openDB<ContainersDB>(DB_NAME, DB_VERSION, {
      upgrade(d, oldVersion) {
        // Versioned upgrades: each step moves one version forward.
        if (oldVersion < 1) {
          d.createObjectStore('containers', { keyPath: 'id' }).createIndex('archive', 'archive');
          d.createObjectStore('commits', { keyPath: 'key' }).createIndex('archive', 'archive');
        }
      },
      blocking(_current, _next, event) {
        (event.target as IDBDatabase).close();
        db = undefined;
      },
      terminated() {
        db = undefined;
      },
    });
  } catch {
    return Promise.resolve(undefined);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS);
  });
  return Promise.race([opening.catch(() => undefined), timeout]).then((d) => {
    clearTimeout(timer);
    if (!d) db = undefined;
    return d;
  });
}

function database(): Promise<Db | undefined> {
  db ??= open();
  return db;
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object';

function isStoredContainer(v: unknown): v is StoredContainer {
  return (
    isObj(v) &&
    typeof v.id === 'string' &&
    typeof v.archive === 'string' &&
    typeof v.savedAt === 'number' &&
    isObj(v.state) &&
    v.state.format === CONTAINER_STATE_FORMAT &&
    Array.isArray(v.state.upper) &&
    Array.isArray(v.state.events)
  );
}

function isStoredCommit(v: unknown): v is StoredCommit {
  return (
    isObj(v) &&
    typeof v.key === 'string' &&
    typeof v.archive === 'string' &&
    isObj(v.image) &&
    typeof v.image.id === 'string' &&
    Array.isArray(v.image.layerKeys) &&
    (v.layer === undefined ||
      (isObj(v.layer) && v.layer.tar instanceof Blob && Array.isArray(v.layer.entries)))
  );
}

/** What was kept for an archive: commits oldest first, then containers oldest first. */
export async function loadArchive(
  archive: string,
): Promise<{ commits: StoredCommit[]; containers: StoredContainer[] }> {
  const d = await database();
  if (!d) return { commits: [], containers: [] };
  try {
    const [commits, containers] = await Promise.all([
      d.getAllFromIndex('commits', 'archive', archive),
      d.getAllFromIndex('containers', 'archive', archive),
    ]);
    return {
      commits: (commits as unknown[]).filter(isStoredCommit).sort((a, b) => a.savedAt - b.savedAt),
      containers: (containers as unknown[])
        .filter(isStoredContainer)
        .sort((a, b) => a.savedAt - b.savedAt),
    };
  } catch {
    return { commits: [], containers: [] };
  }
}

/** Stores a container's state; false when it could not be kept. */
export async function putContainer(c: StoredContainer): Promise<boolean> {
  const d = await database();
  if (!d) return false;
  try {
    await d.put('containers', c);
    return true;
  } catch {
    return false;
  }
}

/** `docker rm`: forgets a container and its writable layer. */
export async function deleteContainer(id: string): Promise<boolean> {
  const d = await database();
  if (!d) return false;
  try {
    await d.delete('containers', id);
    return true;
  } catch {
    return false;
  }
}

export async function putCommit(c: StoredCommit): Promise<boolean> {
  const d = await database();
  if (!d) return false;
  try {
    await d.put('commits', c);
    return true;
  } catch {
    return false;
  }
}

/**
 * Forgets everything kept for an archive: its containers (with their writable layers) and the
 * images committed from them. Called when the archive is forgotten or leaves the recent list, so
 * nothing derived from an archive outlives it. Never throws.
 */
export async function forgetArchive(archive: string): Promise<void> {
  const d = await database();
  if (!d) return;
  try {
    const tx = d.transaction(['containers', 'commits'], 'readwrite');
    const keys = await Promise.all([
      tx.objectStore('containers').index('archive').getAllKeys(archive),
      tx.objectStore('commits').index('archive').getAllKeys(archive),
    ]);
    await Promise.all([
      ...keys[0].map((k) => tx.objectStore('containers').delete(k)),
      ...keys[1].map((k) => tx.objectStore('commits').delete(k)),
      tx.done,
    ]);
  } catch {
    // Storage went away: nothing is kept to forget.
  }
}
