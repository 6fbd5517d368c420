/**
 * Hands a Blob made in the page to the browser as a download: an object URL, never an upload.
 * The URL is revoked once the browser has had time to start reading it.
 */
import { safeFileName } from '../../ui/format';

const REVOKE_AFTER_MS = 60_000;

export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = safeFileName(fileName);
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
