import { describe, expect, it } from 'vitest';
import { ellipsis, truncateId } from './display';
import { ellipsisRuneWidth, runeWidth, stringWidth } from './width';

describe('truncateId (docker/cli displayutils_test.go TestTruncateID)', () => {
  it.each([
    ['', ''],
    ['1234', '1234'],
    ['90435eec5c4e124e741ef731e118be2fc799a68aba0466ec17717f24ce2ae6a2', '90435eec5c4e'],
    ['sha256:90435eec5c4e124e741ef731e118be2fc799a68aba0466ec17717f24ce2ae6a2', '90435eec5c4e'],
    [
      '90435eec5c4e124e741ef731e118be2fc799a68aba0466ec17717f24ce2ae6a290435eec5c4e124e741ef731e118be2fc799a68aba0466ec17717f24ce2ae6a2',
      '90435eec5c4e',
    ],
    ['<missing>', '<missing>'],
    ['imageID1', 'imageID1'],
  ])('truncateId(%j) = %j', (id, expected) => {
    expect(truncateId(id)).toBe(expected);
  });
});

describe('ellipsis (docker/cli displayutils_test.go TestEllipsis)', () => {
  it.each([
    ['t🐳ststring', 0, ''],
    ['t🐳ststring', 1, 't'],
    ['t🐳ststring', 2, 't…'],
    ['t🐳ststring', 6, 't🐳st…'],
    ['t🐳ststring', 20, 't🐳ststring'],
    ['你好世界teststring', 0, ''],
    ['你好世界teststring', 1, '你'],
    ['你好世界teststring', 3, '你…'],
    ['你好世界teststring', 6, '你好…'],
    ['你好世界teststring', 20, '你好世界teststring'],
    // beyond upstream
    ['', 1, ''],
    ['abc', 3, 'abc'],
    ['abcd', 3, 'ab…'],
    ['你好世界teststring', 2, '你好世界teststring'], // quirk: nothing fits before the …
    ['e\u0301e\u0301e\u0301', 4, 'e\u0301e…'], // combining marks count 1 here
    ['a\nb\nc', 3, 'a\n…'],
  ])('ellipsis(%j, %i) = %j', (s, width, expected) => {
    expect(ellipsis(s, width)).toBe(expected);
  });
});

describe('widths', () => {
  it.each([
    [0x41, 1, 1],
    [0x0a, 0, 1],
    [0x7f, 0, 1],
    [0xad, 0, 1],
    [0xe8, 1, 1],
    [0x301, 0, 1],
    [0x2026, 1, 1], // … (ambiguous)
    [0x3042, 2, 2], // あ
    [0x4e2d, 2, 2], // 中
    [0xac00, 2, 2], // 가
    [0xff21, 2, 2], // Ａ fullwidth
    [0xff76, 1, 1], // ｶ halfwidth
    [0x1f433, 2, 2], // 🐳
    [0x2764, 1, 1], // ❤ (emoji, not East Asian Wide)
    [0x200b, 0, 1], // zero width space
    [0x20000, 2, 2], // CJK extension B
  ])('U+%s: runeWidth %i, ellipsis width %i', (cp, rw, ew) => {
    expect(runeWidth(cp)).toBe(rw);
    expect(ellipsisRuneWidth(cp)).toBe(ew);
  });

  it.each([
    ['', 0],
    ['hello', 5],
    ['a\tb', 2],
    ['日本語', 6],
    ['e\u0301', 1],
    ['🐳 whale', 8],
    ['👩‍👩‍👧', 2],
    ['\u{1F1EF}\u{1F1F5}', 1],
    ['한국어', 6],
    ['\u0301x', 1],
  ])('stringWidth(%j) = %i', (s, expected) => {
    expect(stringWidth(s)).toBe(expected);
  });
});
