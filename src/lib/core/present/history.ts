/**
 * `docker image history`: its rows, their cells, and the text, byte for byte.
 *
 * Followed (reimplemented, not copied):
 * - moby `daemon/images/image_history.go`: one item per config history entry, newest first, SIZE
 *   the layer's `DiffSize` (0 for empty layers), ID `<missing>` except on the rows that are images
 *   of their own: the top row is the image, the next its `Parent` if that image is present, and so
 *   on until an image has no parent or its parent is not there;
 * - docker/cli `cli/command/image/formatter_history.go` + `history.go`: format
 *   `{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}` (`{{.CreatedAt}}` with
 *   `--human=false`), headers `IMAGE`, `CREATED` / `CREATED AT`, `CREATED BY`, `SIZE`, `COMMENT`;
 *   CreatedBy has its tabs replaced by spaces and, unless `--no-trunc`, goes through
 *   `Ellipsis(…, 45)`; ID goes through `TruncateID` unless `--no-trunc`.
 *
 * Newlines inside a CREATED BY value are kept, as docker keeps them (they break the table the
 * same way).
 */
import { ellipsis, truncateId } from '../format/display';
import { createdSince, formatRfc3339, humanSize, parseUnixSeconds } from '../format/units';
import type { ImageInfo } from '../model/types';
import { layerSize, type ImageSet } from './sizes';
import { formatQuiet, formatTable, type Column } from './table';

/** What the daemon sends for one history entry (moby's `image.HistoryResponseItem`). */
export interface HistoryItem {
  /** Image ID for entries that are images; `undefined` prints `<missing>`. */
  id: string | undefined;
  /** RFC 3339 creation time from the config's history entry. */
  created?: string;
  createdBy: string;
  /** Layer size in bytes (0 for empty layers). */
  size: number;
  comment: string;
}

export type HistoryKey = 'id' | 'created' | 'createdBy' | 'size' | 'comment';
export type HistoryCells = Record<HistoryKey, string>;
/** A history item with the cells docker prints for it. */
export type HistoryRow<T extends HistoryItem = HistoryItem> = T & { cells: HistoryCells };

export interface HistoryOptions {
  /** `--no-trunc`: full IDs and full CREATED BY. */
  noTrunc?: boolean;
  /** `--human` (default true); false prints RFC 3339 dates and sizes in bytes. */
  human?: boolean;
  now: Date;
  /**
   * The zone for `--human=false` dates, minutes east of UTC (docker prints local time): a fixed
   * offset, or the local zone's offset at an instant (Unix seconds), which follows summer time.
   */
  utcOffsetMinutes?: number | ((unixSeconds: number) => number);
}

/** The columns of `docker image history` (`--human=false` renames CREATED). */
export function historyColumns(options: { human?: boolean } = {}): Column<HistoryKey>[] {
  return [
    { key: 'id', header: 'IMAGE' },
    { key: 'created', header: (options.human ?? true) ? 'CREATED' : 'CREATED AT' },
    { key: 'createdBy', header: 'CREATED BY' },
    { key: 'size', header: 'SIZE' },
    { key: 'comment', header: 'COMMENT' },
  ];
}

const MISSING = '<missing>';

function offsetAt(offset: HistoryOptions['utcOffsetMinutes'], unix: number): number {
  return typeof offset === 'function' ? offset(unix) : (offset ?? 0);
}

/**
 * The local zone's offset east of UTC at an instant, in minutes, as the runtime knows it (the
 * CLI: `TZ`; a browser: the user's zone). Date is no host API, so the core may ask it.
 */
export function localUtcOffsetMinutes(unixSeconds: number): number {
  return -new Date(unixSeconds * 1000).getTimezoneOffset();
}

/** The cells of one row. */
export function historyCells(item: HistoryItem, options: HistoryOptions): HistoryCells {
  const noTrunc = options.noTrunc ?? false;
  const human = options.human ?? true;
  const unix = parseUnixSeconds(item.created) ?? 0;
  const createdBy = item.createdBy.replaceAll('\t', ' ');
  const id = item.id ?? MISSING;
  return {
    id: noTrunc ? id : truncateId(id),
    created: human
      ? createdSince(unix, options.now, 'history')
      : formatRfc3339(unix, offsetAt(options.utcOffsetMinutes, unix)),
    createdBy: noTrunc ? createdBy : ellipsis(createdBy, 45),
    size: human ? humanSize(item.size) : String(Math.trunc(item.size)),
    comment: item.comment,
  };
}

/** Each item with its cells (and whatever else it carries). */
export function historyRows<T extends HistoryItem>(
  items: readonly T[],
  options: HistoryOptions,
): HistoryRow<T>[] {
  return items.map((item) => ({ ...item, cells: historyCells(item, options) }));
}

/** The text of these rows, as `docker image history [--human=false] [--quiet]` prints it. */
export function historyTable(
  rows: readonly { cells: HistoryCells }[],
  options: { human?: boolean; quiet?: boolean } = {},
): string {
  return options.quiet ? formatQuiet('id', rows) : formatTable(historyColumns(options), rows);
}

/** The output of `docker image history [--no-trunc] [--human=false] [--quiet]`, newest first. */
export function formatHistory(
  items: readonly HistoryItem[],
  options: HistoryOptions & { quiet?: boolean },
): string {
  return historyTable(historyRows(items, options), options);
}

/** A history item of an image in the archive, with what the views need beside the cells. */
export interface ImageHistoryItem extends HistoryItem {
  /** Position of the entry in the config's `history` (oldest = 0). */
  index: number;
  /** The layer the step made (bottom = 0); undefined for an empty layer. */
  layerIndex?: number;
  emptyLayer: boolean;
  /** False while the layer is not indexed yet (`size` is then 0). */
  sizeKnown: boolean;
}

/**
 * The history items of `image`, newest first, as the daemon would send them with the archive's
 * images loaded: IDs follow `Parent` links through the images of `set`.
 */
export function imageHistory(set: ImageSet, image: ImageInfo): ImageHistoryItem[] {
  const items = image.history.map((h, index): ImageHistoryItem => {
    const key = h.layerIndex !== undefined ? image.layerKeys[h.layerIndex] : undefined;
    const size = layerSize(set, key);
    return {
      id: undefined,
      created: h.created,
      createdBy: h.createdBy,
      size: size.bytes,
      comment: h.comment,
      index,
      layerIndex: h.layerIndex,
      emptyLayer: h.emptyLayer,
      sizeKnown: size.known,
    };
  });
  items.reverse();
  let current: ImageInfo | undefined = image;
  for (const item of items) {
    if (!current) break;
    item.id = current.id;
    const parent: string | undefined = current.parentId;
    current = parent ? set.images.find((i) => i.id === parent) : undefined;
  }
  return items;
}
