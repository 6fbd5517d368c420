/**
 * Display width of text in terminal cells, the way the docker CLI measures it.
 *
 * Docker uses two different measures, and both are reproduced here:
 *
 * - its tabwriter fork (docker/cli `cli/command/formatter/tabwriter/tabwriter.go`) measures a cell
 *   with go-runewidth `StringWidth` (mattn/go-runewidth v0.0.24, `runewidth.go`, non East Asian
 *   locale): per grapheme cluster, the width of its first non-zero-width code point; control
 *   characters and combining marks are 0, East Asian Wide/Fullwidth are 2, everything else is 1
 *   (ambiguous characters and emoji outside the wide table count 1, "StrictEmojiNeutral").
 *   → {@link stringWidth}, {@link runeWidth}.
 * - `Ellipsis` (docker/cli `cli/command/formatter/displayutils.go`) counts code point by code point
 *   with golang.org/x/text/width: East Asian Wide/Fullwidth are 2, everything else (combining marks
 *   and control characters included) is 1. → {@link ellipsisRuneWidth}.
 *
 * The ranges below are Unicode data (EastAsianWidth.txt W and F; go-runewidth's small zero-width
 * set), written as `FIRST-LAST` hex ranges.
 */

type Ranges = readonly (readonly [number, number])[];

function ranges(spec: string): Ranges {
  return spec.split(',').map((part) => {
    const [a, b] = part.split('-');
    const first = parseInt(a!, 16);
    return [first, b === undefined ? first : parseInt(b, 16)] as const;
  });
}

function inRanges(cp: number, table: Ranges): boolean {
  if (table.length === 0 || cp < table[0]![0] || cp > table[table.length - 1]![1]) return false;
  let lo = 0;
  let hi = table.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last] = table[mid]!;
    if (last < cp) lo = mid + 1;
    else if (first > cp) hi = mid - 1;
    else return true;
  }
  return false;
}

/** East Asian Wide (W) and Fullwidth (F) code points. */
const WIDE = ranges(
  '1100-115F,231A-231B,2329-232A,23E9-23EC,23F0,23F3,25FD-25FE,2614-2615,2630-2637,2648-2653,' +
    '267F,268A-268F,2693,26A1,26AA-26AB,26BD-26BE,26C4-26C5,26CE,26D4,26EA,26F2-26F3,26F5,26FA,' +
    '26FD,2705,270A-270B,2728,274C,274E,2753-2755,2757,2795-2797,27B0,27BF,2B1B-2B1C,2B50,2B55,' +
    '2E80-2E99,2E9B-2EF3,2F00-2FD5,2FF0-303E,3041-3096,3099-30FF,3105-312F,3131-318E,3190-31E5,' +
    '31EF-321E,3220-3247,3250-A48C,A490-A4C6,A960-A97C,AC00-D7A3,F900-FAFF,FE10-FE19,FE30-FE52,' +
    'FE54-FE66,FE68-FE6B,FF01-FF60,FFE0-FFE6,16FE0-16FE4,16FF0-16FF6,17000-18CD5,18CFF-18D1E,' +
    '18D80-18DF2,1AFF0-1AFF3,1AFF5-1AFFB,1AFFD-1AFFE,1B000-1B122,1B132,1B150-1B152,1B155,' +
    '1B164-1B167,1B170-1B2FB,1D300-1D356,1D360-1D376,1F004,1F0CF,1F18E,1F191-1F19A,1F200-1F202,' +
    '1F210-1F23B,1F240-1F248,1F250-1F251,1F260-1F265,1F300-1F320,1F32D-1F335,1F337-1F37C,' +
    '1F37E-1F393,1F3A0-1F3CA,1F3CF-1F3D3,1F3E0-1F3F0,1F3F4,1F3F8-1F43E,1F440,1F442-1F4FC,' +
    '1F4FF-1F53D,1F54B-1F54E,1F550-1F567,1F57A,1F595-1F596,1F5A4,1F5FB-1F64F,1F680-1F6C5,1F6CC,' +
    '1F6D0-1F6D2,1F6D5-1F6D8,1F6DC-1F6DF,1F6EB-1F6EC,1F6F4-1F6FC,1F7E0-1F7EB,1F7F0,1F90C-1F93A,' +
    '1F93C-1F945,1F947-1F9FF,1FA70-1FA7C,1FA80-1FA8A,1FA8E-1FAC6,1FAC8,1FACD-1FADC,1FADF-1FAEA,' +
    '1FAEF-1FAF8,20000-2FFFD,30000-3FFFD',
);

/** go-runewidth's "combining" table (its zero-width marks). */
const COMBINING = ranges(
  '0300-036F,0483-0489,07EB-07F3,0C00,0C04,0CF3,0D00-0D01,135D-135F,180B-180D,180F,1A7F,' +
    '1AB0-1ADD,1AE0-1AEB,1B6B-1B73,1DC0-1DFF,20D0-20F0,2CEF-2CF1,2DE0-2DFF,3099-309A,A66F-A672,' +
    'A674-A67D,A69E-A69F,A6F0-A6F1,A8E0-A8F1,FE00-FE0F,FE20-FE2F,101FD,10376-1037A,10EAB-10EAC,' +
    '10F46-10F50,10F82-10F85,11300-11301,1133B-1133C,11366-1136C,11370-11374,16AF0-16AF4,' +
    '1CF00-1CF2D,1CF30-1CF46,1D165-1D169,1D16D-1D172,1D17B-1D182,1D185-1D18B,1D1AA-1D1AD,' +
    '1D242-1D244,1E000-1E006,1E008-1E018,1E01B-1E021,1E023-1E024,1E026-1E02A,1E08F,1E8D0-1E8D6,' +
    'E0100-E01EF',
);

/** go-runewidth's "nonprint" table (controls, format characters, surrogates, non-characters). */
const NONPRINT = ranges(
  '0000-001F,007F-009F,00AD,070F,180B-180E,200B-200F,2028-202E,206A-206F,D800-DFFF,FEFF,' +
    'FFF9-FFFB,FFFE-FFFF',
);

/** True for East Asian Wide or Fullwidth code points. */
export function isWide(cp: number): boolean {
  return inRanges(cp, WIDE);
}

/** Width of one code point as go-runewidth `RuneWidth` (non East Asian locale). */
export function runeWidth(cp: number): number {
  if (cp < 0 || cp > 0x10ffff) return 0;
  if (cp < 0x20) return 0;
  if ((cp >= 0x7f && cp <= 0x9f) || cp === 0xad) return 0;
  if (cp < 0x300) return 1;
  if (inRanges(cp, COMBINING) || inRanges(cp, NONPRINT)) return 0;
  if (inRanges(cp, WIDE)) return 2;
  return 1;
}

/** Width of one code point as docker's `Ellipsis` counts it (x/text/width: W and F are 2). */
export function ellipsisRuneWidth(cp: number): number {
  return isWide(cp) ? 2 : 1;
}

interface GraphemeSegmenter {
  segment(input: string): Iterable<{ segment: string }>;
}

let segmenter: GraphemeSegmenter | null | undefined;

function graphemeSegmenter(): GraphemeSegmenter | null {
  if (segmenter === undefined) {
    const Seg = (globalThis.Intl as { Segmenter?: typeof Intl.Segmenter } | undefined)?.Segmenter;
    segmenter = Seg ? new Seg(undefined, { granularity: 'grapheme' }) : null;
  }
  return segmenter;
}

/** Splits into grapheme clusters (a base code point plus any zero-width ones when Intl lacks it). */
function graphemes(s: string): Iterable<string> {
  const seg = graphemeSegmenter();
  if (seg) return Array.from(seg.segment(s), (x) => x.segment);
  const out: string[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (out.length > 0 && cp >= 0x300 && runeWidth(cp) === 0) out[out.length - 1] += ch;
    else out.push(ch);
  }
  return out;
}

/** Display width of a string as go-runewidth `StringWidth` (what docker's tabwriter uses). */
export function stringWidth(s: string): number {
  let width = 0;
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      ascii = false;
      break;
    }
    if (c >= 0x20 && c !== 0x7f) width++;
  }
  if (ascii) return width;
  width = 0;
  for (const cluster of graphemes(s)) {
    let w = 0;
    for (const ch of cluster) {
      w = runeWidth(ch.codePointAt(0)!);
      if (w > 0) break;
    }
    width += w;
  }
  return width;
}
