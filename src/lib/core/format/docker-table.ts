/**
 * The text `docker image history` and `docker image ls` print, byte for byte.
 *
 * Followed (reimplemented, not copied), docker/cli:
 * - `cli/command/formatter/formatter.go`: a table is the header row, `\n`, then one template
 *   execution plus `\n` per row, all run through `tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`;
 * - `cli/command/image/formatter_history.go` + `history.go`: format
 *   `{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}` (`{{.CreatedAt}}` with
 *   `--human=false`), headers `IMAGE`, `CREATED` / `CREATED AT`, `CREATED BY`, `SIZE`, `COMMENT`;
 *   CreatedBy has its tabs replaced by spaces and, unless `--no-trunc`, goes through
 *   `Ellipsis(…, 45)`; ID goes through `TruncateID` unless `--no-trunc`; the daemon sends the ID
 *   `<missing>` for history entries that are not an image of their own;
 * - `cli/command/formatter/image.go` + `cli/command/image/list.go`: format
 *   `{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince}}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}`
 *   (with `{{.Digest}}` after the tag for `--digests`), `<none>` for missing repository/tag/digest.
 *
 * Newlines inside a CREATED BY value are kept, as docker keeps them (they break the table the
 * same way). Note that Docker 29 prints a different, tree-like `docker image ls` view when no
 * flag is given; this is the classic table (`--no-trunc`, `--digests`, `--format table`, or
 * earlier versions).
 */

import { ellipsis, truncateId } from './display';
import { dockerTabwrite } from './tabwriter';
import { createdSince, formatRfc3339, humanSize, parseUnixSeconds } from './units';

export interface HistoryRow {
  /** Image ID for entries that are images; `undefined` prints `<missing>`. */
  id: string | undefined;
  /** RFC 3339 creation time from the config's history entry. */
  created?: string;
  createdBy: string;
  /** Layer size in bytes (0 for empty layers). */
  size: number;
  comment: string;
}

export interface HistoryOptions {
  /** `--no-trunc`: full IDs and full CREATED BY. */
  noTrunc?: boolean;
  /** `--human` (default true); false prints RFC 3339 dates and sizes in bytes. */
  human?: boolean;
  /** `--quiet`: only the IDs, one a line. */
  quiet?: boolean;
  now: Date;
  /** The zone for `--human=false` dates, minutes east of UTC (docker uses local time). */
  utcOffsetMinutes?: number;
}

const MISSING = '<missing>';
const NONE = '<none>';

function historyId(id: string | undefined, noTrunc: boolean): string {
  const value = id ?? MISSING;
  return noTrunc ? value : truncateId(value);
}

/** The output of `docker image history [--no-trunc] [--human=false] IMAGE`, rows newest first. */
export function formatHistory(rows: readonly HistoryRow[], options: HistoryOptions): string {
  const noTrunc = options.noTrunc ?? false;
  const human = options.human ?? true;
  if (options.quiet) return rows.map((r) => historyId(r.id, noTrunc) + '\n').join('');
  let text = `IMAGE\t${human ? 'CREATED' : 'CREATED AT'}\tCREATED BY\tSIZE\tCOMMENT\n`;
  for (const row of rows) {
    const unix = parseUnixSeconds(row.created) ?? 0;
    const created = human
      ? createdSince(unix, options.now, 'history')
      : formatRfc3339(unix, options.utcOffsetMinutes ?? 0);
    const createdBy = row.createdBy.replaceAll('\t', ' ');
    const size = human ? humanSize(row.size) : String(Math.trunc(row.size));
    text +=
      `${historyId(row.id, noTrunc)}\t${created}\t` +
      `${noTrunc ? createdBy : ellipsis(createdBy, 45)}\t${size}\t${row.comment}\n`;
  }
  return dockerTabwrite(text);
}

export interface ImageLsRow {
  /** Familiar repository name (`busybox`, `localhost:5000/app`); `undefined` prints `<none>`. */
  repository?: string;
  tag?: string;
  /** Repository digest (`sha256:…`), shown with `digests`. */
  digest?: string;
  /** Image ID, `sha256:<hex>` (a bare 64-hex ID gets the `sha256:` prefix). */
  id: string;
  created?: string;
  size: number;
}

export interface ImageLsOptions {
  /** `--no-trunc`: full `sha256:…` IDs. */
  noTrunc?: boolean;
  /** `--digests`: adds the DIGEST column. */
  digests?: boolean;
  /** `--quiet`: only the IDs, one a line (one per row, so repeated for several tags). */
  quiet?: boolean;
  now: Date;
}

function imageId(id: string, noTrunc: boolean): string {
  const full = /^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id;
  return noTrunc ? full : truncateId(full);
}

/** The output of `docker image ls [--no-trunc] [--digests]` for the given rows, in order. */
export function formatImageLs(rows: readonly ImageLsRow[], options: ImageLsOptions): string {
  const noTrunc = options.noTrunc ?? false;
  if (options.quiet) return rows.map((r) => imageId(r.id, noTrunc) + '\n').join('');
  const digests = options.digests ?? false;
  let text = `REPOSITORY\tTAG\t${digests ? 'DIGEST\t' : ''}IMAGE ID\tCREATED\tSIZE\n`;
  for (const row of rows) {
    const created = createdSince(parseUnixSeconds(row.created) ?? 0, options.now, 'image');
    text +=
      `${row.repository || NONE}\t${row.tag || NONE}\t` +
      (digests ? `${row.digest || NONE}\t` : '') +
      `${imageId(row.id, noTrunc)}\t${created || 'N/A'}\t${humanSize(row.size)}\n`;
  }
  return dockerTabwrite(text);
}
