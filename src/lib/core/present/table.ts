/**
 * A docker table from rows of cells, as docker/cli `cli/command/formatter/formatter.go` writes
 * one: the header row, `\n`, then one template execution plus `\n` per row, all run through
 * `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)` (core/format/tabwriter.ts). Each table of this
 * folder names its columns once ({@link Column}); the views render the same cells in `<td>`s.
 */
import { dockerTabwrite } from '../format/tabwriter';

/** One column of a docker table: the key of its cell in a row, and the header docker prints. */
export interface Column<K extends string> {
  readonly key: K;
  readonly header: string;
}

/** Anything with the cells of a table's columns (extra fields are the views' own). */
export interface CellRow<K extends string> {
  readonly cells: Readonly<Record<K, string>>;
}

/** The table docker prints for these columns and rows (cells joined by `\t`, then tabwritten). */
export function formatTable<K extends string>(
  columns: readonly Column<K>[],
  rows: readonly CellRow<K>[],
): string {
  let text = columns.map((c) => c.header).join('\t') + '\n';
  for (const row of rows) text += columns.map((c) => row.cells[c.key]).join('\t') + '\n';
  return dockerTabwrite(text);
}

/** `--quiet`: one cell a line, untabulated (docker's `DefaultQuietFormat`, `{{.ID}}`). */
export function formatQuiet<K extends string>(key: K, rows: readonly CellRow<K>[]): string {
  return rows.map((r) => r.cells[key] + '\n').join('');
}
