/**
 * What the browser's storage let us do, as plain data for the notice that says so: recent.ts
 * reports here and `state/storage.svelte.ts` listens (the notice itself is
 * `features/open/StorageNotice.svelte`). Storage is one per origin, so this is one shared record,
 * like the connection in recent.ts.
 */

/**
 * Why recent archives cannot be kept: no IndexedDB at all (`missing`), refused for this site
 * (`denied`), no answer (`blocked`, e.g. another tab holds an old version open), no space
 * (`full`), or any other failure (`error`).
 */
export type StorageProblem = 'missing' | 'denied' | 'blocked' | 'full' | 'error';

export interface StorageStatus {
  readonly problem: StorageProblem | undefined;
  /** Stored records that could not be read on the last listing (skipped and removed). */
  readonly skipped: number;
}

let status: StorageStatus = { problem: undefined, skipped: 0 };
const listeners = new Set<(status: StorageStatus) => void>();

function update(next: StorageStatus): void {
  if (next.problem === status.problem && next.skipped === status.skipped) return;
  status = next;
  for (const listener of listeners) listener(status);
}

/** Calls `listener` with the status now and after every change; returns how to stop. */
export function watchStorageStatus(listener: (status: StorageStatus) => void): () => void {
  listeners.add(listener);
  listener(status);
  return () => listeners.delete(listener);
}

export function reportProblem(problem: StorageProblem): void {
  update({ ...status, problem });
}

/** Storage answered after all (a blocked open that went through late). */
export function clearProblem(problem: StorageProblem): void {
  if (status.problem === problem) update({ ...status, problem: undefined });
}

export function reportSkipped(n: number): void {
  update({ ...status, skipped: n });
}
