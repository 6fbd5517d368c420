/**
 * What the browser's storage let us do, for the notice that says so. Storage is one per origin,
 * so this is one shared state, like the connection in recent.ts.
 */

/**
 * Why recent archives cannot be kept: no IndexedDB at all (`missing`), refused for this site
 * (`denied`), no answer (`blocked`, e.g. another tab holds an old version open), no space
 * (`full`), or any other failure (`error`).
 */
export type StorageProblem = 'missing' | 'denied' | 'blocked' | 'full' | 'error';

class StorageStatus {
  problem = $state<StorageProblem | undefined>();
  /** Stored records that could not be read on the last listing (skipped and removed). */
  skipped = $state(0);
  dismissed = $state(false);
  /** Notices rendered inside the app; while there is one, the floating notice stays hidden. */
  hosts = $state(0);
}

export const storageStatus = new StorageStatus();
