/**
 * Recently opened archives, in IndexedDB behind one typed schema. The File itself is kept where
 * the quota allows (IndexedDB stores Blobs by copy, ~4 s/GB, BROWSER.md); otherwise only its name
 * and size, and the user is asked to drop it again. Every call survives storage being unavailable.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface RecentArchive {
  /** name + size + lastModified: the same file dropped twice is one entry. */
  id: string;
  name: string;
  size: number;
  openedAt: number;
  /** The archive itself, when it could be stored. */
  file?: Blob;
  /** A bundled sample is reopened from /samples/, never stored. */
  sampleId?: string;
  images?: string[];
}

interface LayerscopeDB extends DBSchema {
  recent: { key: string; value: RecentArchive; indexes: { openedAt: number } };
}

const DB_NAME = 'layerscope';
const DB_VERSION = 1;
const MAX_RECENT = 8;
/** Archives larger than this are remembered by name only (copying GBs into IndexedDB is slow). */
export const MAX_STORED_BYTES = 512 * 1024 * 1024;

let db: Promise<IDBPDatabase<LayerscopeDB> | undefined> | undefined;

function database(): Promise<IDBPDatabase<LayerscopeDB> | undefined> {
  db ??= openDB<LayerscopeDB>(DB_NAME, DB_VERSION, {
    upgrade(d, oldVersion) {
      // Versioned upgrades: each step moves one version forward.
      if (oldVersion < 1) {
        const store = d.createObjectStore('recent', { keyPath: 'id' });
        store.createIndex('openedAt', 'openedAt');
      }
    },
  }).catch(() => undefined);
  return db;
}

export function recentId(name: string, size: number, lastModified = 0): string {
  return `${name}\u0000${size}\u0000${lastModified}`;
}

export async function listRecent(): Promise<RecentArchive[]> {
  try {
    const d = await database();
    if (!d) return [];
    const all = await d.getAllFromIndex('recent', 'openedAt');
    return all.reverse();
  } catch {
    return [];
  }
}

/** Stores the entry; returns whether the File itself was kept. */
export async function rememberRecent(entry: RecentArchive): Promise<boolean> {
  const d = await database().catch(() => undefined);
  if (!d) return false;
  const withFile =
    entry.file && entry.size <= MAX_STORED_BYTES ? entry : { ...entry, file: undefined };
  let stored = !!withFile.file;
  try {
    await d.put('recent', withFile);
  } catch {
    // QuotaExceededError (or a browser that cannot store Blobs): keep the name only.
    stored = false;
    try {
      await d.put('recent', { ...entry, file: undefined });
    } catch {
      return false;
    }
  }
  try {
    const all = await d.getAllFromIndex('recent', 'openedAt');
    for (const old of all.slice(0, Math.max(0, all.length - MAX_RECENT)))
      await d.delete('recent', old.id);
  } catch {
    // Trimming is best effort.
  }
  return stored;
}

export async function forgetRecent(id: string): Promise<void> {
  try {
    const d = await database();
    await d?.delete('recent', id);
  } catch {
    // Nothing to forget when storage is unavailable.
  }
}
