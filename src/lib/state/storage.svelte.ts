/**
 * The storage notice's state: what persistence reported (`persistence/notice.ts`), whether the
 * user dismissed it, and how many notices the app renders in place. One per page, as storage is
 * one per origin.
 */
import { watchStorageStatus, type StorageProblem } from '../persistence/notice';

class StorageNoticeState {
  problem = $state<StorageProblem | undefined>();
  /** Stored records that could not be read on the last listing (skipped and removed). */
  skipped = $state(0);
  /** Hidden by the user until storage reports something new. */
  dismissed = $state(false);
  /** Notices rendered inside the app; while there is one, the floating notice stays hidden. */
  hosts = $state(0);

  constructor() {
    watchStorageStatus(({ problem, skipped }) => {
      const fresh = (problem !== undefined && problem !== this.problem) || skipped !== this.skipped;
      if (fresh) this.dismissed = false;
      this.problem = problem;
      this.skipped = skipped;
    });
  }
}

export const storageNotice = new StorageNoticeState();
