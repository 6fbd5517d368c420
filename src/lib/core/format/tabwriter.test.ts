import { describe, expect, it } from 'vitest';
import { ALIGN_RIGHT, DEBUG, DISCARD_EMPTY_COLUMNS, TabWriter, dockerTabwrite } from './tabwriter';

// The cases of docker/cli cli/command/formatter/tabwriter/tabwriter_test.go (Go's own
// text/tabwriter tests) as data; the ones about Escape (0xff) and FilterHTML are left out as
// this port supports neither.
const cases: [string, number, number, number, string, number, string, string][] = [
  ['1a', 8, 0, 1, '.', 0, '', ''],
  ['1a debug', 8, 0, 1, '.', DEBUG, '', ''],
  ['2', 8, 0, 1, '.', 0, '\n\n\n', '\n\n\n'],
  ['3', 8, 0, 1, '.', 0, 'a\nb\nc', 'a\nb\nc'],
  ['4a', 8, 0, 1, '.', 0, '\t', ''],
  ['4b', 8, 0, 1, '.', ALIGN_RIGHT, '\t', ''],
  ['5', 8, 0, 1, '.', 0, '*\t*', '*.......*'],
  ['5b', 8, 0, 1, '.', 0, '*\t*\n', '*.......*\n'],
  ['5c', 8, 0, 1, '.', 0, '*\t*\t', '*.......*'],
  ['5c debug', 8, 0, 1, '.', DEBUG, '*\t*\t', '*.......|*'],
  ['5d', 8, 0, 1, '.', ALIGN_RIGHT, '*\t*\t', '.......**'],
  ['6', 8, 0, 1, '.', 0, '\t\n', '........\n'],
  ['7a', 8, 0, 1, '.', 0, 'a) foo', 'a) foo'],
  ['7b', 8, 0, 1, ' ', 0, 'b) foo\tbar', 'b) foo  bar'],
  ['7c', 8, 0, 1, '.', 0, 'c) foo\tbar\t', 'c) foo..bar'],
  ['7d', 8, 0, 1, '.', 0, 'd) foo\tbar\n', 'd) foo..bar\n'],
  ['7e', 8, 0, 1, '.', 0, 'e) foo\tbar\t\n', 'e) foo..bar.....\n'],
  ['8', 8, 0, 1, '*', 0, 'Hello, world!\n', 'Hello, world!\n'],
  ['9a', 1, 0, 0, '.', 0, '1\t2\t3\t4\n11\t222\t3333\t44444\n', '1.2..3...4\n11222333344444\n'],
  ['9c', 1, 0, 0, '.', 0, '1\t2\t3\t4\f11\t222\t3333\t44444\n', '1234\n11222333344444\n'],
  [
    '9c debug',
    1,
    0,
    0,
    '.',
    DEBUG,
    '1\t2\t3\t4\f11\t222\t3333\t44444\n',
    '1|2|3|4\n---\n11|222|3333|44444\n',
  ],
  ['10a', 5, 0, 0, '.', 0, '1\t2\t3\t4\n', '1....2....3....4\n'],
  ['10b', 5, 0, 0, '.', 0, '1\t2\t3\t4\t\n', '1....2....3....4....\n'],
  [
    '11',
    8,
    0,
    1,
    '.',
    0,
    '本\tb\tc\naa\t\u672c\u672c\u672c\tcccc\tddddd\naaa\tbbbb\n',
    '本......b.......c\naa......本本本..cccc....ddddd\naaa.....bbbb\n',
  ],
  [
    '12a',
    8,
    0,
    1,
    ' ',
    ALIGN_RIGHT,
    'a\tè\tc\t\naa\tèèè\tcccc\tddddd\t\naaa\tèèèè\t\n',
    '       a       è       c\n      aa     èèè    cccc   ddddd\n     aaa    èèèè\n',
  ],
  ['12b', 2, 0, 0, ' ', 0, 'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n', 'a  b  c\naa bbbcccc\naaabbbb\n'],
  [
    '12c',
    8,
    0,
    1,
    '_',
    0,
    'a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n',
    'a_______b_______c\naa______bbb_____cccc\naaa_____bbbb\n',
  ],
  [
    '13a',
    4,
    0,
    1,
    '-',
    0,
    '4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    '4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n666666-666666-666666----4444\n1------1------999999999-0000000000\n',
  ],
  [
    '13b',
    4,
    0,
    3,
    '.',
    0,
    '4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n',
    '4444........333...22...1...333\n999999999...22\n7...........22\n....................88888888\n\n666666...666666...666666......4444\n1........1........999999999...0000000000\n',
  ],
  [
    '14',
    1,
    0,
    2,
    ' ',
    ALIGN_RIGHT,
    '.0\t.3\t2.4\t-5.1\t\n23.0\t12345678.9\t2.4\t-989.4\t\n5.1\t12.0\t2.4\t-7.0\t\n.0\t0.0\t332.0\t8908.0\t\n.0\t-.3\t456.4\t22.1\t\n.0\t1.2\t44.4\t-13.3\t\t',
    '    .0          .3    2.4    -5.1\n  23.0  12345678.9    2.4  -989.4\n   5.1        12.0    2.4    -7.0\n    .0         0.0  332.0  8908.0\n    .0         -.3  456.4    22.1\n    .0         1.2   44.4   -13.3',
  ],
  [
    '14 debug',
    1,
    0,
    2,
    ' ',
    ALIGN_RIGHT | DEBUG,
    '.0\t.3\t2.4\t-5.1\t\n23.0\t12345678.9\t2.4\t-989.4\t\n5.1\t12.0\t2.4\t-7.0\t\n.0\t0.0\t332.0\t8908.0\t\n.0\t-.3\t456.4\t22.1\t\n.0\t1.2\t44.4\t-13.3\t\t',
    '    .0|          .3|    2.4|    -5.1|\n  23.0|  12345678.9|    2.4|  -989.4|\n   5.1|        12.0|    2.4|    -7.0|\n    .0|         0.0|  332.0|  8908.0|\n    .0|         -.3|  456.4|    22.1|\n    .0|         1.2|   44.4|   -13.3|',
  ],
  ['15a', 4, 0, 0, '.', 0, 'a\t\tb', 'a.......b'],
  ['15b', 4, 0, 0, '.', DISCARD_EMPTY_COLUMNS, 'a\t\tb', 'a.......b'],
  ['15c', 4, 0, 0, '.', DISCARD_EMPTY_COLUMNS, 'a\v\vb', 'a...b'],
  ['15d', 4, 0, 0, '.', ALIGN_RIGHT | DISCARD_EMPTY_COLUMNS, 'a\v\vb', '...ab'],
  [
    '16a',
    100,
    100,
    0,
    '\t',
    0,
    'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
    'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
  ],
  [
    '16b',
    100,
    100,
    0,
    '\t',
    DISCARD_EMPTY_COLUMNS,
    'a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n',
    'a\tb\td\na\tb\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
  ],
  [
    '16b debug',
    100,
    100,
    0,
    '\t',
    DISCARD_EMPTY_COLUMNS | DEBUG,
    'a\vb\v\vd\na\vb\v\vd\ve\na\na\vb\vc\vd\na\vb\vc\vd\ve\n',
    'a\t|b\t||d\na\t|b\t||d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n',
  ],
  [
    '16c',
    100,
    100,
    0,
    '\t',
    DISCARD_EMPTY_COLUMNS,
    'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
    'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
  ],
  [
    '16c debug',
    100,
    100,
    0,
    '\t',
    DISCARD_EMPTY_COLUMNS | DEBUG,
    'a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n',
    'a\t|b\t|\t|d\na\t|b\t|\t|d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n',
  ],
];

describe('tabwriter (Go text/tabwriter tests)', () => {
  it.each(cases)('%s', (_name, minwidth, tabwidth, padding, padchar, flags, src, expected) => {
    const w = new TabWriter(minwidth, tabwidth, padding, padchar, flags);
    // written all at once
    expect(w.write(src).flush()).toBe(expected);
    // written character by character
    for (const ch of src) w.write(ch);
    expect(w.flush()).toBe(expected);
    // written in fibonacci slices
    for (let i = 0, d = 0; i < src.length;) {
      w.write(src.slice(i, i + d));
      [i, d] = [i + d, d + 1];
      if (i + d > src.length) d = src.length - i;
    }
    expect(w.flush()).toBe(expected);
  });

  it('rejects negative settings', () => {
    expect(() => new TabWriter(-1, 0, 0)).toThrow(RangeError);
  });
});

describe('docker table settings (minwidth 10, tabwidth 1, padding 3)', () => {
  it.each([
    ['a\tb\n', 'a         b\n'],
    ['IMAGE\tSIZE\nabcdefghijklmn\t1B\n', 'IMAGE            SIZE\nabcdefghijklmn   1B\n'],
    // display width: CJK counts 2, a combining mark 0, an emoji 2, a ZWJ sequence 2
    ['本本本\tx\nab\tx\n', '本本本    x\nab        x\n'],
    ['e\u0301\tx\n', 'e\u0301         x\n'],
    ['🐳\tx\n', '🐳        x\n'],
    ['👩‍👩‍👧\tx\n', '👩‍👩‍👧        x\n'],
    ['\u{1F1EF}\u{1F1F5}\tx\n', '\u{1F1EF}\u{1F1F5}         x\n'],
    // a line without a tab ends the columns above it
    ['a\tb\nlonger line\nccccccccccccccc\td\n', 'a         b\nlonger line\nccccccccccccccc   d\n'],
  ])('%j', (src, expected) => {
    expect(dockerTabwrite(src)).toBe(expected);
  });
});
