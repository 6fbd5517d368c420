/**
 * The container's merged filesystem as text, in the overlay listing's format
 * (`path\ttype\tsize\tmode\tlink`, byte order, root excluded; overlay/listing.ts), as it would be
 * extracted: hardlinks are files. Tests compare it with what `umoci unpack` of a commit gives.
 */
import { compareBytes } from '../model/order';
import type { Container } from './container';

function escapeField(s: string): string {
  return s.replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

export function containerListing(c: Container): string[] {
  const out: { path: string; line: string }[] = [];
  const walk = (dir: string) => {
    for (const name of c.childNames(dir)) {
      const path = dir === '' ? name : `${dir}/${name}`;
      const s = c.stat(path);
      const mode = s.type === 'symlink' ? 0o777 : s.mode & 0o7777;
      const size = s.type === 'file' ? s.size : 0;
      out.push({
        path,
        line: `${escapeField(path)}\t${s.type}\t${size}\t${mode.toString(8)}\t${escapeField(s.type === 'symlink' ? s.linkname : '')}`,
      });
      if (s.type === 'dir') walk(path);
    }
  };
  walk('');
  out.sort((a, b) => compareBytes(a.path, b.path));
  return out.map((x) => x.line);
}
