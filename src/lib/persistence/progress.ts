/**
 * Lesson progress, in IndexedDB: per lesson the step reached and whether it was finished, so a
 * learner resumes where they left off. Its own database (not recent.ts's), so the two schemas
 * version independently.
 *
 * Storage is optional: when IndexedDB is missing, refused, blocked or full, reads return nothing
 * and writes are dropped, quietly. Progress then lasts as long as the tab.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface LessonProgress {
  lessonId: string;
  /** The step reached, 0-based. */
  step: number;
  /** The learner reached the end and pressed Finish once. */
  completed: boolean;
  updatedAt: number;
}

interface ProgressDB extends DBSchema {
  progress: { key: string; value: LessonProgress };
}

const DB_NAME = 'layerscope-lessons';
const DB_VERSION = 1;
/** An open that has not answered by then is treated as blocked (it normally takes milliseconds). */
const OPEN_TIMEOUT_MS = 3000;

type Db = IDBPDatabase<ProgressDB>;
let db: Promise<Db | undefined> | undefined;

function open(): Promise<Db | undefined> {
  let factory: IDBFactory | undefined;
  try {
    factory = typeof indexedDB === 'undefined' ? undefined : indexedDB;
  } catch {
    factory = undefined;
  }
  if (!factory) return Promise.resolve(undefined);
  let opening: Promise<Db | undefined>;
  try {
    opening = openDB<ProgressDB>(DB_NAME, DB_VERSION, {
      upgrade(d, oldVersion) {
        // Versioned upgrades: each step moves one version forward.
        if (oldVersion < 1) d.createObjectStore('progress', { keyPath: 'lessonId' });
      },
      blocking(_current, _next, event) {
        (event.target as IDBDatabase).close();
        db = undefined;
      },
      terminated() {
        db = undefined;
      },
    }).then(
      (d) => (d.objectStoreNames.contains('progress') ? d : (d.close(), undefined)),
      () => undefined,
    );
  } catch {
    return Promise.resolve(undefined);
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS);
  });
  return Promise.race([opening, timeout]).finally(() => clearTimeout(timer));
}

function database(): Promise<Db | undefined> {
  db ??= open();
  return db;
}

/** A stored value is used only if it has the shape this version writes. */
export function isLessonProgress(v: unknown): v is LessonProgress {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.lessonId === 'string' &&
    Number.isInteger(r.step) &&
    (r.step as number) >= 0 &&
    typeof r.completed === 'boolean' &&
    typeof r.updatedAt === 'number'
  );
}

/** Every lesson's progress, by lesson id. Never throws. */
export async function listProgress(): Promise<Record<string, LessonProgress>> {
  const out: Record<string, LessonProgress> = {};
  try {
    const d = await database();
    if (!d) return out;
    for (const v of await d.getAll('progress')) if (isLessonProgress(v)) out[v.lessonId] = v;
  } catch {
    // Unreadable: start from nothing.
  }
  return out;
}

/** Stores one lesson's progress. Never throws. */
export async function saveProgress(p: LessonProgress): Promise<void> {
  try {
    const d = await database();
    await d?.put('progress', p);
  } catch {
    // Full or refused: kept for this tab only.
  }
}

/** Forgets all progress (the index's "Start over"). Never throws. */
export async function clearProgress(): Promise<void> {
  try {
    const d = await database();
    await d?.clear('progress');
  } catch {
    // Nothing to forget.
  }
}
