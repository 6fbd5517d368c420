/**
 * docker/cli `cli/command/formatter/displayutils.go` (Ellipsis, TruncateID) and moby
 * `client/pkg/stringid` (TruncateID), reimplemented.
 */

import { ellipsisRuneWidth } from './width';

/**
 * docker's `TruncateID`: drops everything up to the first `:` (the digest algorithm), then keeps at
 * most 12 characters. `sha256:90435eec5c4e124e…` → `90435eec5c4e`; `<missing>` is unchanged.
 */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  if (colon >= 0) id = id.slice(colon + 1);
  return id.length > 12 ? id.slice(0, 12) : id;
}

/**
 * docker's `Ellipsis`: fits `s` into `maxDisplayWidth` cells, ending with `…` when cut. Widths are
 * counted per code point (East Asian Wide/Fullwidth = 2, anything else = 1). Quirks kept: a width
 * of 1 returns the first character whatever its width, and when the first character alone does
 * not fit before the `…` the string is returned whole.
 */
export function ellipsis(s: string, maxDisplayWidth: number): string {
  if (maxDisplayWidth <= 0) return '';
  const rs = Array.from(s);
  if (maxDisplayWidth === 1) return rs[0] ?? '';
  if (rs.every((r) => r.charCodeAt(0) < 0x80)) {
    if (rs.length <= maxDisplayWidth) return s;
    return rs.slice(0, maxDisplayWidth - 1).join('') + '…';
  }
  const display: number[] = [];
  let total = 0;
  for (const r of rs) {
    total += ellipsisRuneWidth(r.codePointAt(0)!);
    display.push(total);
  }
  if (total <= maxDisplayWidth) return s;
  for (let i = 0; i < display.length; i++) {
    if (display[i]! <= maxDisplayWidth - 1 && display[i + 1]! > maxDisplayWidth - 1) {
      return rs.slice(0, i + 1).join('') + '…';
    }
  }
  return s;
}
