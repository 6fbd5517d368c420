import type { Compression } from '../model/types';

/**
 * Compression by magic bytes, never by file name or media type (docs/FORMATS.md 1.8, the same matchers
 * as moby go-archive compression_detect.go). Returns 'none' when nothing matches.
 */
export function sniffCompression(head: Uint8Array): Compression {
  const b = (i: number) => head[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b && b(2) === 0x08) return 'gzip';
  if (b(0) === 0x28 && b(1) === 0xb5 && b(2) === 0x2f && b(3) === 0xfd) return 'zstd';
  // zstd skippable frame (magic 0x184D2A50..0x184D2A5F little-endian): zstd:chunked may start so.
  if ((b(0) & 0xf0) === 0x50 && b(1) === 0x2a && b(2) === 0x4d && b(3) === 0x18) return 'zstd';
  if (
    b(0) === 0xfd &&
    b(1) === 0x37 &&
    b(2) === 0x7a &&
    b(3) === 0x58 &&
    b(4) === 0x5a &&
    b(5) === 0x00
  )
    return 'xz';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68) return 'bzip2';
  return 'none';
}

/** A 512-byte block whose header checksum is right, or which carries the ustar magic at 257. */
export function looksLikeTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  let allZero = true;
  for (let i = 0; i < 512; i++) {
    if (block[i] !== 0) {
      allZero = false;
      break;
    }
  }
  if (allZero) return false;
  const magic = String.fromCharCode(...block.subarray(257, 262));
  if (magic === 'ustar') return true;
  let stored = 0;
  let seenDigit = false;
  for (let i = 148; i < 156; i++) {
    const c = block[i]!;
    if (c >= 0x30 && c <= 0x37) {
      stored = stored * 8 + (c - 0x30);
      seenDigit = true;
    } else if (seenDigit) break;
  }
  if (!seenDigit) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05);
}
