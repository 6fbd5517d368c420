/**
 * Display helpers of the views' own (file manager sizes, modes, safe names). What docker prints
 * comes from core/present (tables) and core/format (units, truncation): the views import those.
 */

/** Binary units for progress and file sizes (what a learner's file manager shows). */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** `-rwxr-xr-x` as `ls -l` and `tar -tv` print it. */
export function modeString(type: string, mode: number): string {
  const t: Record<string, string> = {
    dir: 'd',
    symlink: 'l',
    hardlink: 'h',
    char: 'c',
    block: 'b',
    fifo: 'p',
  };
  const rwx = (m: number, s: boolean, sc: string) =>
    (m & 4 ? 'r' : '-') +
    (m & 2 ? 'w' : '-') +
    (s ? (m & 1 ? sc : sc.toUpperCase()) : m & 1 ? 'x' : '-');
  return (
    (t[type] ?? '-') +
    rwx(mode >> 6, !!(mode & 0o4000), 's') +
    rwx(mode >> 3, !!(mode & 0o2000), 's') +
    rwx(mode, !!(mode & 0o1000), 't')
  );
}

export function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * A safe download name from an archive path: no directories, no control or reserved chars, and
 * no bidi controls (U+202E would show `invoice-\u202egnp.exe` as "invoice-exe.png", Trojan Source
 * CVE-2021-42574).
 */
export function safeFileName(path: string): string {
  const base = path.split('/').pop() ?? '';
  const clean = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"/\\|?*]/g, '_')
    .replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '_')
    .replace(/^\.+/, '_');
  return (clean || 'file').slice(0, 120);
}

export function isoDate(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().replace('.000Z', 'Z');
}
