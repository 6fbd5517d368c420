/** Go's order of strings: the one sort used by the overlay, the listings and Go-JSON keys. */

/**
 * Compare two strings in UTF-8 byte order (what `LC_ALL=C sort` and Go's `sort.Strings` do).
 * UTF-16 code-unit order differs only where a surrogate meets a code unit >= U+E000, so those are
 * remapped to code-point order; everything else is a plain code-unit comparison.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 && cb >= 0xd800) return utf8Rank(ca) - utf8Rank(cb);
      return ca - cb;
    }
  }
  return a.length - b.length;
}

function utf8Rank(c: number): number {
  // Surrogates (astral code points) sort after U+E000..U+FFFF in code-point order.
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}
