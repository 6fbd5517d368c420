/**
 * A port of Go's `text/tabwriter` (elastic tabstops) as forked by docker/cli in
 * `cli/command/formatter/tabwriter/tabwriter.go`, which measures cells in display cells with
 * go-runewidth instead of counting runes. Reimplemented on strings, not copied.
 *
 * Cells are terminated by `\t` (or `\v`); lines by `\n` (or `\f`, which also ends every column).
 * Tab-terminated cells in consecutive lines form a column whose width is the widest cell plus
 * `padding` (at least `minwidth`); the text after a line's last tab is not part of any column and
 * is never padded. A line with no tab ends all columns above it. Escape sequences (0xff bytes) and
 * HTML filtering are not supported: 0xff cannot occur in UTF-8 text and docker uses neither.
 */

import { stringWidth } from './width';

/** Force right-alignment of cell content. */
export const ALIGN_RIGHT = 1 << 2;
/** Handle empty columns as if they were not present in the input in the first place. */
export const DISCARD_EMPTY_COLUMNS = 1 << 3;
/** Always use tabs for indentation columns (padding of leading empty cells). */
export const TAB_INDENT = 1 << 4;
/** Print a vertical bar ('|') between columns (after formatting). */
export const DEBUG = 1 << 5;

interface Cell {
  text: string;
  /** Display width; stale (0) for a trailing cell added by flush, as in Go. */
  width: number;
  htab: boolean;
}

export class TabWriter {
  private readonly padchar: string;
  private readonly flags: number;
  private cell = '';
  private lines: Cell[][] = [[]];
  private widths: number[] = [];
  private out: string[] = [];

  /**
   * Same parameters as Go's `tabwriter.NewWriter(output, minwidth, tabwidth, padding, padchar,
   * flags)`; docker tables use `(10, 1, 3, ' ', 0)`.
   */
  constructor(
    private readonly minwidth: number,
    private readonly tabwidth: number,
    private readonly padding: number,
    padchar = ' ',
    flags = 0,
  ) {
    if (minwidth < 0 || tabwidth < 0 || padding < 0) {
      throw new RangeError('negative minwidth, tabwidth, or padding');
    }
    if (padchar.length !== 1) throw new RangeError('padchar must be one character');
    this.padchar = padchar;
    // tab padding enforces left-alignment
    this.flags = padchar === '\t' ? flags & ~ALIGN_RIGHT : flags;
  }

  write(text: string): this {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.cell += text.slice(start, i);
      start = i + 1;
      const ncells = this.terminateCell(ch === '\t', stringWidth(this.cell));
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        if (ch === '\f' || ncells === 1) {
          // A line with a single cell cannot affect the following lines: flush.
          this.flushInternal();
          if (ch === '\f' && this.flags & DEBUG) this.out.push('---\n');
        }
      }
    }
    this.cell += text.slice(start);
    return this;
  }

  /** Formats everything buffered and returns the output produced since the last `flush`. */
  flush(): string {
    if (this.cell.length > 0) this.terminateCell(false, 0);
    this.flushInternal();
    const result = this.out.join('');
    this.out = [];
    return result;
  }

  private terminateCell(htab: boolean, width: number): number {
    const line = this.lines[this.lines.length - 1]!;
    line.push({ text: this.cell, width, htab });
    this.cell = '';
    return line.length;
  }

  private flushInternal(): void {
    this.format(0, this.lines.length);
    this.cell = '';
    this.lines = [[]];
    this.widths = [];
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    if (this.padchar === '\t' || useTabs) {
      if (this.tabwidth === 0) return; // tabs have no width: no padding possible
      cellw = Math.ceil(cellw / this.tabwidth) * this.tabwidth;
      const n = cellw - textw;
      if (n < 0) throw new Error('tabwriter: internal error');
      this.out.push('\t'.repeat(Math.ceil(n / this.tabwidth)));
      return;
    }
    this.out.push(this.padchar.repeat(Math.max(cellw - textw, 0)));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      let useTabs = (this.flags & TAB_INDENT) !== 0;
      line.forEach((c, j) => {
        if (j > 0 && this.flags & DEBUG) this.out.push('|');
        if (c.text.length === 0) {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, useTabs);
        } else {
          useTabs = false;
          if (!(this.flags & ALIGN_RIGHT)) {
            this.out.push(c.text);
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
          } else {
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
            this.out.push(c.text);
          }
        }
      });
      // The last buffered line has no newline (its unterminated text is already a cell).
      if (i + 1 < this.lines.length) this.out.push('\n');
    }
  }

  /** Go's recursive `format`: widths of columns to the left are on `this.widths`. */
  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let row = line0; row < line1; row++) {
      let line = this.lines[row]!;
      if (column >= line.length - 1) continue;
      // This line has a cell in this column: print the lines above, then size the column block.
      this.writeLines(line0, row);
      line0 = row;
      let width = this.minwidth;
      let discardable = true;
      for (; row < line1; row++) {
        line = this.lines[row]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        width = Math.max(width, c.width + this.padding);
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.flags & DISCARD_EMPTY_COLUMNS) width = 0;
      this.widths.push(width);
      this.format(line0, row);
      this.widths.pop();
      line0 = row;
    }
    this.writeLines(line0, line1);
  }
}

/** Runs `text` through a tabwriter configured like docker's tables: `(10, 1, 3, ' ', 0)`. */
export function dockerTabwrite(text: string): string {
  return new TabWriter(10, 1, 3, ' ', 0).write(text).flush();
}
