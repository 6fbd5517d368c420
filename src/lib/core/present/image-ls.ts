/**
 * `docker image ls`: its rows, their cells, and the text, byte for byte.
 *
 * Followed (reimplemented, not copied), docker/cli `cli/command/formatter/image.go` +
 * `cli/command/image/list.go`: format
 * `{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince}}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}`
 * (with `{{.Digest}}` after the tag for `--digests`), `<none>` for a missing repository, tag or
 * digest, one row per tag and one `<none>` row for an untagged image; ID through `TruncateID`
 * unless `--no-trunc`; SIZE `HumanSizeWithPrecision(size, 3)`.
 *
 * Docker 29 prints a different, tree-like `docker image ls` view when no flag is given; this is
 * the classic table (`--no-trunc`, `--digests`, `--format table`, or earlier versions).
 */
import { truncateId } from '../format/display';
import { formatRfc3339, humanSize, humanSize4, parseUnixSeconds, timeAgo } from '../format/units';
import type { ImageInfo } from '../model/types';
import { parseNormalizedNamed, splitRepoTag } from '../reference/reference';
import { imageSize, type ImageSet } from './sizes';
import { formatQuiet, formatTable, type Column } from './table';
import { formatTemplate } from './template';

/** What the daemon sends for one image and tag (moby's `image.Summary`, one RepoTag). */
export interface ImageLsItem {
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

export type ImageLsKey = 'repository' | 'tag' | 'digest' | 'id' | 'created' | 'size';
export type ImageLsCells = Record<ImageLsKey, string>;
/** An image ls item with the cells docker prints for it. */
export type ImageLsRow<T extends ImageLsItem = ImageLsItem> = T & { cells: ImageLsCells };

export interface ImageLsOptions {
  /** `--no-trunc`: full `sha256:…` IDs. */
  noTrunc?: boolean;
  now: Date;
}

/** The columns of `docker image ls` (`--digests` adds DIGEST after TAG). */
export function imageLsColumns(options: { digests?: boolean } = {}): Column<ImageLsKey>[] {
  return [
    { key: 'repository', header: 'REPOSITORY' },
    { key: 'tag', header: 'TAG' },
    ...(options.digests ? [{ key: 'digest', header: 'DIGEST' } as const] : []),
    { key: 'id', header: 'IMAGE ID' },
    { key: 'created', header: 'CREATED' },
    { key: 'size', header: 'SIZE' },
  ];
}

const NONE = '<none>';

/** The cells of one row. */
export function imageLsCells(item: ImageLsItem, options: ImageLsOptions): ImageLsCells {
  const full = /^[0-9a-f]{64}$/.test(item.id) ? `sha256:${item.id}` : item.id;
  return {
    repository: item.repository || NONE,
    tag: item.tag || NONE,
    digest: item.digest || NONE,
    id: options.noTrunc ? full : truncateId(full),
    created: timeAgo(item.created, options.now, 'image') || 'N/A',
    size: humanSize(item.size),
  };
}

/** Each item with its cells (and whatever else it carries). */
export function imageLsRows<T extends ImageLsItem>(
  items: readonly T[],
  options: ImageLsOptions,
): ImageLsRow<T>[] {
  return items.map((item) => ({ ...item, cells: imageLsCells(item, options) }));
}

/** The text of these rows, as `docker image ls [--digests] [--quiet]` prints it. */
export function imageLsTable(
  rows: readonly { cells: ImageLsCells }[],
  options: { digests?: boolean; quiet?: boolean } = {},
): string {
  return options.quiet ? formatQuiet('id', rows) : formatTable(imageLsColumns(options), rows);
}

/** The header of each `--format` field of `docker image ls` (docker/cli formatter/image.go). */
const IMAGE_LS_HEADERS = {
  Containers: 'CONTAINERS',
  CreatedAt: 'CREATED AT',
  CreatedSince: 'CREATED',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  SharedSize: 'SHARED SIZE',
  Size: 'SIZE',
  Tag: 'TAG',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'SIZE',
} as const;

/**
 * Go's `time.Unix(s, 0).String()` in a zone `offsetMinutes` east of UTC named `zone`
 * (`2026-12-07 13:26:45 +0000 UTC`), as `{{.CreatedAt}}` prints it.
 */
export function goTimeString(unixSeconds: number, offsetMinutes: number, zone: string): string {
  const t = formatRfc3339(unixSeconds, offsetMinutes);
  const a = Math.abs(offsetMinutes);
  const off =
    (offsetMinutes < 0 ? '-' : '+') +
    String(Math.floor(a / 60)).padStart(2, '0') +
    String(a % 60).padStart(2, '0');
  return `${t.slice(0, 10)} ${t.slice(11, 19)} ${off} ${zone}`;
}

/**
 * `docker image ls --format FORMAT` over these rows (core/present/template.ts). `{{.CreatedAt}}`
 * is local time: `utcOffsetMinutes` gives the zone's offset at an instant and `zoneName` its
 * abbreviation (default UTC).
 */
export function imageLsTemplate(
  format: string,
  rows: readonly (ImageLsItem & { cells: ImageLsCells })[],
  options: {
    utcOffsetMinutes?: (unixSeconds: number) => number;
    zoneName?: (unixSeconds: number) => string;
  } = {},
): string {
  const fields = rows.map((r) => {
    const unix = parseUnixSeconds(r.created) ?? 0;
    return {
      Containers: 'N/A',
      CreatedAt: goTimeString(
        unix,
        options.utcOffsetMinutes?.(unix) ?? 0,
        options.zoneName?.(unix) ?? 'UTC',
      ),
      CreatedSince: r.cells.created,
      Digest: r.cells.digest,
      ID: r.cells.id,
      Repository: r.cells.repository,
      SharedSize: 'N/A',
      Size: r.cells.size,
      Tag: r.cells.tag,
      UniqueSize: 'N/A',
      VirtualSize: humanSize4(r.size),
    };
  });
  return formatTemplate(format, fields, IMAGE_LS_HEADERS);
}

/** The output of `docker image ls [--no-trunc] [--digests] [--quiet]` for the items, in order. */
export function formatImageLs(
  items: readonly ImageLsItem[],
  options: ImageLsOptions & { digests?: boolean; quiet?: boolean },
): string {
  return imageLsTable(imageLsRows(items, options), options);
}

/**
 * Why an untagged image is listed or not: `dangling` (no tag, and no image of the archive has it
 * as its parent: `docker image ls` shows it as `<none>`), `intermediate` (no tag, but the parent
 * of another image: shown only with `-a`). Tagged images are `tagged`.
 */
export type ImageLsKind = 'tagged' | 'dangling' | 'intermediate';

/** An image ls item of an image in the archive, with what the views need beside the cells. */
export interface ArchiveImageLsItem extends ImageLsItem {
  image: ImageInfo;
  /** False while a layer of the image is not indexed yet (`size` is then a lower bound). */
  sizeKnown: boolean;
  kind: ImageLsKind;
  /** For an intermediate image: the images of the archive whose parent it is. */
  children: ImageInfo[];
}

/** Which images `docker image ls` lists (`-a`, `--filter dangling=true|false`). */
export interface ImageLsFilter {
  /** `-a` / `--all`: intermediate images too. */
  all?: boolean;
  /** `--filter dangling=true` (only untagged images) or `=false` (only tagged ones). */
  dangling?: boolean;
}

/**
 * Seconds of an RFC 3339 time with its fraction, for ordering (a missing or unparseable value
 * sorts as the epoch, as the daemon reports it as 0).
 */
function createdOrder(created: string | undefined): number {
  const s = parseUnixSeconds(created);
  if (s === undefined) return 0;
  const frac = /\.(\d+)/.exec(created!.slice(19))?.[1];
  return s + (frac ? Number('0.' + frac) : 0);
}

/**
 * Tags as the daemon lists them for one image after a load: sorted by their full normalized
 * reference (the reference store's `References` sorts them), which keeps the tags of one
 * repository together. (docker/cli then prints each repository's tags in that order, but the
 * repositories of one image in Go map order, which is random: this is one of its outputs.)
 */
function daemonTagOrder(tags: readonly string[]): string[] {
  const full = (t: string) => {
    try {
      const r = parseNormalizedNamed(t);
      return `${r.domain}/${r.path}${r.tag !== undefined ? ':' + r.tag : ''}`;
    } catch {
      return t;
    }
  };
  return [...tags].sort((a, b) => {
    const x = full(a);
    const y = full(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The archive's images as `docker image ls` lists them after `docker load`: newest first by
 * `Created` (moby daemon/images/images.go sorts by creation time; it compares whole seconds and
 * leaves ties in random order, here they keep the archive's order), one row per tag, an untagged
 * image as one `<none>` row unless it is intermediate (the parent of another image of the
 * archive, moby's `Children`) and `all` is not set.
 */
export function imageLs(set: ImageSet, filter: ImageLsFilter = {}): ArchiveImageLsItem[] {
  const items: ArchiveImageLsItem[] = [];
  const byCreated = set.images
    .map((image, i) => ({ image, i, t: createdOrder(image.created) }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .map((x) => x.image);
  for (const image of byCreated) {
    const size = imageSize(set, image);
    const children = set.images.filter((i) => i.parentId !== undefined && i.parentId === image.id);
    const tagged = image.repoTags.length > 0;
    const kind: ImageLsKind = tagged ? 'tagged' : children.length ? 'intermediate' : 'dangling';
    if (filter.dangling === true && tagged) continue;
    if (filter.dangling === false && !tagged) continue;
    if (kind === 'intermediate' && !filter.all) continue;
    const base = {
      id: image.id,
      created: image.created,
      size: size.bytes,
      image,
      sizeKnown: size.known,
      kind,
      children: kind === 'intermediate' ? children : [],
    };
    if (!tagged) items.push(base);
    for (const t of daemonTagOrder(image.repoTags)) items.push({ ...splitRepoTag(t), ...base });
  }
  return items;
}
