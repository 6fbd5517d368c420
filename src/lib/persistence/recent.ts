/**
 * Recently opened archives, in IndexedDB behind one typed schema. The File itself is kept where
 * the quota allows (IndexedDB stores Blobs by copy, ~4 s/GB, docs/BROWSER.md); otherwise only its name
 * and size, and the user is asked to drop it again.
 *
 * Storage is optional. Every call survives IndexedDB being missing, refused, blocked, full or
 * holding records it cannot read: none throws or hangs, and each problem is reported once to
 * the storage notice (notice.ts), which says that recent items cannot be kept.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { forgetArchive } from './containers';
import { clearProblem, reportProblem, reportSkipped } from './notice';

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
/**
 * An open that has not answered by then is treated as blocked (it normally takes milliseconds;
 * it never answers while another tab holds the database through a pending upgrade or delete).
 */
export const OPEN_TIMEOUT_MS = 3000;

type Db = IDBPDatabase<LayerscopeDB>;
let db: Promise<Db | undefined> | undefined;

/** The browser's IndexedDB, if this page may use it (reading it can throw in opaque origins). */
function factory(): IDBFactory | undefined {
  try {
    return typeof indexedDB === 'undefined' || !indexedDB ? undefined : indexedDB;
  } catch {
    return undefined;
  }
}

const problemOf = (e: unknown) => {
  const name = (e as { name?: string } | null)?.name;
  return name === 'QuotaExceededError'
    ? 'full'
    : name === 'SecurityError' || name === 'InvalidStateError'
      ? 'denied'
      : 'error';
};

function open(): Promise<Db | undefined> {
  if (!factory()) {
    reportProblem('missing');
    return Promise.resolve(undefined);
  }
  let opening: Promise<Db>;
  try {
    opening = openDB<LayerscopeDB>(DB_NAME, DB_VERSION, {
      upgrade(d, oldVersion) {
        // Versioned upgrades: each step moves one version forward.
        if (oldVersion < 1) {
          const store = d.createObjectStore('recent', { keyPath: 'id' });
          store.createIndex('openedAt', 'openedAt');
        }
      },
      blocked() {
        reportProblem('blocked');
      },
      blocking(_current, _next, event) {
        // A newer layerscope in another tab wants to upgrade: let it, reconnect on next use.
        (event.target as IDBDatabase).close();
        db = undefined;
      },
      terminated() {
        db = undefined;
      },
    });
  } catch (e) {
    // indexedDB.open itself threw (storage disabled for this site, sandboxed frames).
    reportProblem(problemOf(e));
    return Promise.resolve(undefined);
  }
  const checked = opening.then(
    (d) => {
      if (d.objectStoreNames.contains('recent')) {
        clearProblem('blocked');
        return d;
      }
      // Someone else's database under our name, without our store.
      d.close();
      reportProblem('error');
      return undefined;
    },
    (e: unknown) => {
      reportProblem(problemOf(e));
      return undefined;
    },
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), OPEN_TIMEOUT_MS);
  });
  return Promise.race([checked, timeout]).then((r) => {
    clearTimeout(timer);
    if (r !== 'timeout') return r;
    reportProblem('blocked');
    // If it answers after all, later calls use it.
    void checked.then((late) => {
      if (!late) return;
      db = Promise.resolve(late);
      clearProblem('blocked');
    });
    return undefined;
  });
}

function database(): Promise<Db | undefined> {
  db ??= open();
  return db;
}

export function recentId(name: string, size: number, lastModified = 0): string {
  return `${name}\u0000${size}\u0000${lastModified}`;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A stored value is used only if it has the shape this version writes. */
export function isRecentArchive(v: unknown): v is RecentArchive {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.name === 'string' &&
    isCount(r.size) &&
    isCount(r.openedAt) &&
    (r.file === undefined || r.file instanceof Blob) &&
    (r.sampleId === undefined || typeof r.sampleId === 'string') &&
    (r.images === undefined ||
      (Array.isArray(r.images) && r.images.every((x) => typeof x === 'string')))
  );
}

/** Newest first. Records that cannot be read are skipped (and removed), and the notice says so. */
export async function listRecent(): Promise<RecentArchive[]> {
  const d = await database();
  if (!d) return [];
  let values: unknown[];
  let keys: IDBValidKey[];
  try {
    // The store, not the openedAt index: a record with a broken openedAt is not in the index.
    const tx = d.transaction('recent', 'readonly');
    [values, keys] = await Promise.all([tx.store.getAll(), tx.store.getAllKeys(), tx.done]);
  } catch (e) {
    reportProblem(problemOf(e));
    return [];
  }
  const good: RecentArchive[] = [];
  const bad: IDBValidKey[] = [];
  for (const [i, v] of values.entries()) {
    if (isRecentArchive(v)) good.push(v);
    else bad.push(keys[i]!);
  }
  reportSkipped(bad.length);
  if (bad.length) void removeKeys(d, bad);
  return good.sort((a, b) => b.openedAt - a.openedAt);
}

async function removeKeys(d: Db, keys: IDBValidKey[]): Promise<void> {
  try {
    const tx = d.transaction('recent', 'readwrite');
    // The raw store: these keys may not even be strings.
    const store = tx.objectStore('recent') as unknown as { delete(k: IDBValidKey): unknown };
    for (const k of keys) void store.delete(k);
    await tx.done;
  } catch {
    // Skipped again next time.
  }
}

/** Stores the entry; returns whether the File itself was kept. Never throws. */
export async function rememberRecent(entry: RecentArchive): Promise<boolean> {
  const d = await database();
  if (!d) return false;
  const withFile =
    entry.file && entry.size <= MAX_STORED_BYTES ? entry : { ...entry, file: undefined };
  let stored = !!withFile.file;
  try {
    await d.put('recent', withFile);
  } catch (first) {
    // QuotaExceededError (or a browser that cannot store Blobs): keep the name only.
    stored = false;
    try {
      if (!withFile.file) throw first;
      await d.put('recent', { ...entry, file: undefined });
    } catch (e) {
      reportProblem(problemOf(e));
      return false;
    }
  }
  try {
    const all = (await d.getAll('recent')).filter(isRecentArchive);
    all.sort((a, b) => a.openedAt - b.openedAt);
    for (const old of all.slice(0, Math.max(0, all.length - MAX_RECENT))) {
      await d.delete('recent', old.id);
      await forgetArchive(old.id);
    }
  } catch {
    // Trimming is best effort.
  }
  return stored;
}

/** Forgets an archive: its entry, its stored bytes, and its containers and commits. */
export async function forgetRecent(id: string): Promise<void> {
  try {
    const d = await database();
    await d?.delete('recent', id);
  } catch {
    // Nothing to forget when storage is unavailable.
  }
  await forgetArchive(id);
}
