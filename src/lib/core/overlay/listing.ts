/**
 * The merged filesystem as text, one line per path: `path\ttype\tsize\tmode\tlink`. The CLI prints
 * it, and tests compare it with what `umoci unpack` extracts (scripts/build-samples.sh prints the
 * same columns with `find -printf '%P\t%y\t%s\t%m\t%l'` and `LC_ALL=C sort`).
 */
import type { TarEntry, TarEntryType } from '../tar/types';
import type { Overlay } from './overlay';
import { apparentSize, cleanLinkPath, compareBytes } from './paths';

const TYPE_NAMES: Record<TarEntryType, string> = {
  file: 'file',
  // GNU sparse and unknown typeflags extract as regular files (POSIX: unknown types are regular).
  other: 'file',
  dir: 'dir',
  symlink: 'symlink',
  hardlink: 'hardlink',
  char: 'char',
  block: 'block',
  fifo: 'fifo',
};

/** Tabs and newlines would break the line format; other bytes are printed as they are. */
function escapeField(s: string): string {
  return /[\t\n\r]/.test(s)
    ? s.replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : s;
}

export function listingLine(path: string, e: TarEntry): string {
  const type = TYPE_NAMES[e.type];
  const size = type === 'file' ? apparentSize(e) : 0;
  // Linux ignores a symlink's own mode and always reports 0777, whatever the header says.
  const mode = e.type === 'symlink' ? 0o777 : e.mode & 0o7777;
  const link =
    e.type === 'symlink' ? e.linkname : e.type === 'hardlink' ? cleanLinkPath(e.linkname) : '';
  return `${escapeField(path)}\t${type}\t${size}\t${mode.toString(8)}\t${escapeField(link)}`;
}

/**
 * The merged filesystem after layer k: one line per path (root excluded), sorted by path in byte
 * order. Paths have no leading `/`; size is given for regular files only; mode is the permission
 * bits in octal (setuid/setgid/sticky included, e.g. `1777`); link is a symlink's target as
 * written, or a hardlink's target path normalised like entry names.
 */
export function mergedListing(overlay: Overlay, k: number): string[] {
  const items: { path: string; line: string }[] = [];
  overlay.forEachEntry(k, (path, e) => items.push({ path, line: listingLine(path, e) }));
  items.sort((a, b) => compareBytes(a.path, b.path));
  return items.map((i) => i.line);
}
