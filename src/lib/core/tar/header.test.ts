import { describe, expect, it } from 'vitest';
import {
  F,
  HEADER_BAD_CHECKSUM,
  HEADER_OK,
  HEADER_ZERO,
  checkHeader,
  decodeBinary,
  decodeField,
  decodeLibarchiveXattr,
  normalizePath,
  parseNumeric,
  parsePaxRecords,
} from './header';
import { encodeHeader, paxBody } from './write';

const enc = new TextEncoder();

function field(bytes: number[] | string, len: number): Uint8Array {
  const b = new Uint8Array(len);
  b.set(typeof bytes === 'string' ? enc.encode(bytes) : bytes);
  return b;
}

describe('parseNumeric', () => {
  it('reads octal with NUL or space terminators and leading spaces', () => {
    expect(parseNumeric(field('0000644\0', 8), 0, 8)).toBe(0o644);
    expect(parseNumeric(field('   644 \0', 8), 0, 8)).toBe(0o644);
    expect(parseNumeric(field('00000001750 ', 12), 0, 12)).toBe(1000);
    // All 12 bytes used by digits, no terminator (some writers do this for mtime).
    expect(parseNumeric(field('777777777777', 12), 0, 12)).toBe(8 ** 12 - 1);
  });

  it('reads an all-NUL or all-space field as 0', () => {
    expect(parseNumeric(new Uint8Array(8), 0, 8)).toBe(0);
    expect(parseNumeric(field('        ', 8), 0, 8)).toBe(0);
  });

  it('rejects non-octal digits', () => {
    expect(parseNumeric(field('0000999\0', 8), 0, 8)).toBeNaN();
    expect(parseNumeric(field('12x4\0', 8), 0, 8)).toBeNaN();
  });

  it('reads GNU base-256, positive and negative', () => {
    expect(parseNumeric(field([0x80, 0, 0, 0, 0, 0, 0x01, 0x00], 8), 0, 8)).toBe(256);
    const big = field([0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0], 12);
    expect(parseNumeric(big, 0, 12)).toBe(2 ** 33);
    expect(parseNumeric(field(Array(12).fill(0xff), 12), 0, 12)).toBe(-1);
    const minus1e9 = new Uint8Array(12).fill(0xff);
    new DataView(minus1e9.buffer).setInt32(8, -1_000_000_000);
    expect(parseNumeric(minus1e9, 0, 12)).toBe(-1_000_000_000);
  });

  it('gives NaN beyond 2^53 instead of a wrong number', () => {
    const huge = field([0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 8);
    expect(parseNumeric(huge, 0, 8)).toBeNaN();
  });
});

describe('checkHeader', () => {
  it('accepts a valid header, spots a zero block and a bad checksum', () => {
    const h = encodeHeader({ name: 'a', typeflag: '0' });
    expect(checkHeader(h, 0)).toBe(HEADER_OK);
    expect(checkHeader(new Uint8Array(512), 0)).toBe(HEADER_ZERO);
    h[10] = 0x41;
    expect(checkHeader(h, 0)).toBe(HEADER_BAD_CHECKSUM);
  });

  it('accepts the signed-char checksum of old writers', () => {
    const h = encodeHeader({ name: 'caf\u00e9\u00e9', typeflag: '0' });
    let signed = 0;
    for (let i = 0; i < 512; i++) {
      const inField = i >= F.chksum && i < F.chksum + 8;
      signed += inField ? 0x20 : h[i] > 127 ? h[i] - 256 : h[i];
    }
    const s = signed.toString(8).padStart(6, '0') + '\0 ';
    for (let i = 0; i < 8; i++) h[F.chksum + i] = s.charCodeAt(i);
    expect(checkHeader(h, 0)).toBe(HEADER_OK);
  });

  it('works at an offset inside a larger buffer', () => {
    const buf = new Uint8Array(2048);
    buf.set(encodeHeader({ name: 'x', typeflag: '5' }), 1024);
    expect(checkHeader(buf, 1024)).toBe(HEADER_OK);
    expect(checkHeader(buf, 512)).toBe(HEADER_ZERO);
  });
});

describe('decodeField', () => {
  it('stops at NUL and decodes UTF-8', () => {
    expect(decodeField(field('abc\0def', 10), 0, 10)).toBe('abc');
    expect(decodeField(field('ünï', 10), 0, 10)).toBe('ünï');
    expect(decodeField(field('x'.repeat(100), 100), 0, 100)).toBe('x'.repeat(100));
  });

  it('replaces invalid UTF-8 with U+FFFD instead of throwing', () => {
    expect(decodeField(field([0x61, 0xff, 0xc3, 0x62], 8), 0, 8)).toBe('a\ufffd\ufffdb');
  });

  it('keeps binary values as one char per byte', () => {
    expect(decodeBinary(new Uint8Array([1, 0, 0xff]))).toBe('\x01\x00\xff');
    expect(decodeBinary(enc.encode('✓'))).toBe('✓');
  });
});

describe('normalizePath', () => {
  it.each([
    ['./', ''],
    ['.', ''],
    ['/', ''],
    ['', ''],
    ['./etc/passwd', 'etc/passwd'],
    ['/etc/passwd', 'etc/passwd'],
    ['etc/', 'etc'],
    ['a//b/./c/.', 'a/b/c'],
    ['.wh..wh..opq', '.wh..wh..opq'],
    ['a/.hidden', 'a/.hidden'],
    ['a/..', 'a/..'],
    ['../x', '../x'],
    ['...', '...'],
    ['usr/bin/x', 'usr/bin/x'],
  ])('%j → %j', (input, output) => {
    expect(normalizePath(input)).toBe(output);
  });

  it('returns clean paths unchanged without copying', () => {
    const p = 'usr/lib/x86_64-linux-gnu/libc.so.6';
    expect(normalizePath(p)).toBe(p);
  });
});

describe('parsePaxRecords', () => {
  const collect = (body: Uint8Array) => {
    const out: [string, string][] = [];
    const err = parsePaxRecords(body, (k, v) => out.push([k, new TextDecoder().decode(v)]));
    return { err, out };
  };

  it('reads values with newlines, = signs and multi-byte UTF-8 (lengths are bytes)', () => {
    const body = paxBody([
      ['path', 'a\nb=c/ünï😀'],
      ['SCHILY.xattr.user.ü', 'v'],
      ['mtime', '1.5'],
    ]);
    expect(collect(body)).toEqual({
      err: '',
      out: [
        ['path', 'a\nb=c/ünï😀'],
        ['SCHILY.xattr.user.ü', 'v'],
        ['mtime', '1.5'],
      ],
    });
  });

  it('handles records whose length gains a digit (9 → 10 bytes)', () => {
    for (let n = 0; n < 120; n++) {
      const v = 'x'.repeat(n);
      expect(collect(paxBody([['k', v]])).out).toEqual([['k', v]]);
    }
  });

  it('ignores NUL padding after the last record', () => {
    const body = new Uint8Array(64);
    body.set(paxBody([['uid', '5']]));
    expect(collect(body)).toEqual({ err: '', out: [['uid', '5']] });
  });

  it.each([
    ['no length', 'path=x\n'],
    ['length past the end', '99 path=x\n'],
    ['no newline', '11 path=xyz'],
    ['no =', '9 pathx\n\n'],
    ['zero length', '0 \n'],
  ])('reports a malformed record: %s', (_, text) => {
    expect(collect(enc.encode(text)).err).not.toBe('');
  });
});

describe('decodeLibarchiveXattr', () => {
  it('URL-decodes the name and base64-decodes the value', () => {
    expect(decodeLibarchiveXattr('user.caf%C3%A9', btoa('hello'))).toEqual({
      name: 'user.café',
      value: 'hello',
    });
    expect(decodeLibarchiveXattr('security.capability', btoa('\x01\x00\xff'))).toEqual({
      name: 'security.capability',
      value: '\x01\x00\xff',
    });
    expect(decodeLibarchiveXattr('x', '!!!')).toBeUndefined();
  });
});
