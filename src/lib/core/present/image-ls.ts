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
import { humanSize, timeAgo } from '../format/units';
import type { ImageInfo } from '../model/types';
import { splitRepoTag } from '../reference/reference';
import { imageSize, type ImageSet } from './sizes';
import { formatQuiet, formatTable, type Column } from './table';

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

/** The output of `docker image ls [--no-trunc] [--digests] [--quiet]` for the items, in order. */
export function formatImageLs(
  items: readonly ImageLsItem[],
  options: ImageLsOptions & { digests?: boolean; quiet?: boolean },
): string {
  return imageLsTable(imageLsRows(items, options), options);
}

/** An image ls item of an image in the archive, with what the views need beside the cells. */
export interface ArchiveImageLsItem extends ImageLsItem {
  image: ImageInfo;
  /** False while a layer of the image is not indexed yet (`size` is then a lower bound). */
  sizeKnown: boolean;
}

/** The archive's images as `docker image ls` lists them after `docker load`, in archive order. */
export function imageLs(set: ImageSet): ArchiveImageLsItem[] {
  const items: ArchiveImageLsItem[] = [];
  for (const image of set.images) {
    const size = imageSize(set, image);
    const base = {
      id: image.id,
      created: image.created,
      size: size.bytes,
      image,
      sizeKnown: size.known,
    };
    if (image.repoTags.length === 0) items.push(base);
    for (const t of image.repoTags) items.push({ ...splitRepoTag(t), ...base });
  }
  return items;
}
