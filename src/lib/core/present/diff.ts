/**
 * `docker diff CONTAINER`: its lines and the text.
 *
 * docker/cli `cli/command/container/diff.go` writes the changes with the format
 * `{{.Type}} {{.Path}}` (not a table: no header, no tabwriter), one change a line, in the order the
 * daemon sends them (core/container/diff.ts computes which and in what order); `Type` is the
 * change kind's letter (`A`, `C`, `D`), `Path` the absolute path.
 */
import type { DiffChange, DiffKind } from '../container/diff';

/** One line of `docker diff`: the change, and the text docker prints for it. */
export interface DiffRow {
  kind: DiffKind;
  /** As Docker prints it: with a leading `/`. */
  path: string;
  cells: { line: string };
}

export function diffRows(changes: readonly DiffChange[]): DiffRow[] {
  return changes.map((c) => ({
    kind: c.kind,
    path: c.path,
    cells: { line: `${c.kind} ${c.path}` },
  }));
}

/** The lines alone, as `docker diff` prints them. */
export function diffLines(changes: readonly DiffChange[]): string[] {
  return diffRows(changes).map((r) => r.cells.line);
}

/** The output of `docker diff CONTAINER`. */
export function formatDiff(rows: readonly DiffRow[]): string {
  return rows.map((r) => r.cells.line + '\n').join('');
}
