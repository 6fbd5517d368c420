/**
 * How a file's bytes are shown. Archive contents are untrusted: text is shown as text, images only
 * for raster types sniffed from their magic bytes (never HTML, never SVG, which can carry script).
 */
export type Preview =
  | { kind: 'text'; text: string; truncated: boolean }
  | { kind: 'image'; mime: 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' }
  | { kind: 'binary'; hex: string; truncated: boolean }
  | { kind: 'empty' };

export const HEX_PREVIEW_BYTES = 4096;

export function sniffImage(
  b: Uint8Array,
): 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp' | undefined {
  const at = (i: number) => b[i] ?? -1;
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return 'image/png';
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (at(0) === 0x47 && at(1) === 0x49 && at(2) === 0x46 && at(3) === 0x38) return 'image/gif';
  if (
    at(0) === 0x52 &&
    at(1) === 0x49 &&
    at(2) === 0x46 &&
    at(3) === 0x46 &&
    at(8) === 0x57 &&
    at(9) === 0x45 &&
    at(10) === 0x42 &&
    at(11) === 0x50
  )
    return 'image/webp';
  return undefined;
}

export function decodeText(b: Uint8Array, complete: boolean): string | undefined {
  if (b.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: !complete });
  } catch {
    return undefined;
  }
}

export function hexDump(b: Uint8Array, max = HEX_PREVIEW_BYTES): string {
  const lines: string[] = [];
  for (let off = 0; off < Math.min(b.length, max); off += 16) {
    const row = b.subarray(off, Math.min(off + 16, b.length));
    const hex = [...row].map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row]
      .map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.'))
      .join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  |${ascii}|`);
  }
  return lines.join('\n');
}

export function preview(b: Uint8Array, fullSize: number): Preview {
  if (fullSize === 0) return { kind: 'empty' };
  const mime = sniffImage(b);
  if (mime && b.length === fullSize) return { kind: 'image', mime };
  const complete = b.length >= fullSize;
  const text = decodeText(b, complete);
  if (text !== undefined) return { kind: 'text', text, truncated: !complete };
  return { kind: 'binary', hex: hexDump(b), truncated: b.length > HEX_PREVIEW_BYTES || !complete };
}
