/**
 * Reporting storage problems: the state the notice reads, and the notice itself, mounted over the
 * page the first time there is something to say (unless the app renders one where it fits).
 */
import { mount } from 'svelte';
import StorageNotice from './StorageNotice.svelte';
import { storageStatus, type StorageProblem } from './status.svelte';

let floating = false;

/**
 * Mounts the floating notice once. It hides itself while the app renders one in place
 * (`<StorageNotice />` in the open view) and shows when that one goes (an archive was opened).
 */
function ensureVisible(): void {
  if (floating || typeof document === 'undefined') return;
  floating = true;
  const target = document.createElement('div');
  target.className = 'layerscope-storage-notice';
  document.body.append(target);
  mount(StorageNotice, { target, props: { floating: true } });
}

export function reportProblem(problem: StorageProblem): void {
  if (storageStatus.problem !== problem) storageStatus.dismissed = false;
  storageStatus.problem = problem;
  ensureVisible();
}

/** Storage answered after all (a blocked open that went through late). */
export function clearProblem(problem: StorageProblem): void {
  if (storageStatus.problem === problem) storageStatus.problem = undefined;
}

export function reportSkipped(n: number): void {
  if (n !== storageStatus.skipped) storageStatus.dismissed = false;
  storageStatus.skipped = n;
  if (n > 0) ensureVisible();
}
