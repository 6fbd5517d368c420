/**
 * `docker ps -a` for the simulated containers: their rows, cells and text.
 *
 * Followed (reimplemented, not copied):
 * - moby `daemon/container/view.go` `transform`: `Image` is the reference given to `docker run`
 *   (`Config.Image`), `Command` the path then the arguments (from daemon/create.go: the
 *   entrypoint and cmd, or the cmd alone), an argument with a space in single quotes, `Created`
 *   Unix seconds;
 * - docker/cli `cli/command/formatter/container.go` `ContainerContext`: ID through `TruncateID`;
 *   Image the truncated ID when the reference is the image's ID, else the familiar reference
 *   with any digest dropped; Command `strconv.Quote(Ellipsis(command, 20))`; RunningFor
 *   (header CREATED) `HumanDuration(now - created) + " ago"`; Names without the `/` prefix.
 *   Without `--no-trunc` (the truncated form) each of these is cut.
 *
 * The containers are never started, so there is no STATUS or PORTS to show: the table is
 * `docker ps -a --format 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Names}}'`.
 */
import type { Container } from '../container/container';
import { ellipsis, truncateId } from '../format/display';
import { dockerDiff } from '../container/diff';
import { humanDuration, humanSize, parseUnixSeconds } from '../format/units';
import { imageSize, type ImageSet } from './sizes';
import {
  familiarString,
  InvalidReferenceError,
  parseNormalizedNamed,
} from '../reference/reference';
import { formatTable, type Column } from './table';

/** What the daemon sends for one container (moby's `container.Summary`, the fields used here). */
export interface PsItem {
  id: string;
  /** The reference given to `docker run`. */
  image: string;
  imageId: string;
  /** `Path` and `Args` joined, as the daemon joins them. */
  command: string;
  /** RFC 3339. */
  created: string;
  name: string;
}

export type PsKey = 'id' | 'image' | 'command' | 'created' | 'names';
export type PsCells = Record<PsKey, string>;
export type PsRow<T extends PsItem = PsItem> = T & { cells: PsCells };

export interface PsOptions {
  noTrunc?: boolean;
  now: Date;
}

export function psColumns(): Column<PsKey>[] {
  return [
    { key: 'id', header: 'CONTAINER ID' },
    { key: 'image', header: 'IMAGE' },
    { key: 'command', header: 'COMMAND' },
    { key: 'created', header: 'CREATED' },
    { key: 'names', header: 'NAMES' },
  ];
}

/** moby's command line of a container: entrypoint + cmd, arguments with a space quoted. */
export function containerCommand(
  entrypoint: readonly string[] | null,
  cmd: readonly string[] | null,
): string {
  const all = entrypoint?.length ? [...entrypoint, ...(cmd ?? [])] : [...(cmd ?? [])];
  const [path = '', ...args] = all;
  if (args.length === 0) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** Go `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go `strconv.Quote`: a double-quoted string, non-printable characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (GO_ESCAPES[ch]) out += GO_ESCAPES[ch];
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** docker/cli `ContainerContext.Image` for the truncated table. */
function imageCell(image: string, imageId: string): string {
  if (image === '') return '<no image>';
  const trunc = truncateId(imageId);
  if (trunc === truncateId(image)) return trunc;
  try {
    const ref = parseNormalizedNamed(image);
    return familiarString({ ...ref, digest: undefined });
  } catch (e) {
    if (!(e instanceof InvalidReferenceError)) throw e;
    return image;
  }
}

export function psCells(item: PsItem, options: PsOptions): PsCells {
  const trunc = !options.noTrunc;
  const created = parseUnixSeconds(item.created) ?? 0;
  return {
    id: trunc ? truncateId(item.id) : item.id,
    image: trunc ? imageCell(item.image, item.imageId) : item.image,
    command: goQuote(trunc ? ellipsis(item.command, 20) : item.command),
    created: humanDuration(options.now.getTime() / 1000 - created) + ' ago',
    names: item.name,
  };
}

export function psRows<T extends PsItem>(items: readonly T[], options: PsOptions): PsRow<T>[] {
  return items.map((item) => ({ ...item, cells: psCells(item, options) }));
}

/** The text of these rows (see the format in this file's header). */
export function psTable(rows: readonly { cells: PsCells }[]): string {
  return formatTable(psColumns(), rows);
}

/** A simulated container as the daemon would list it. */
export interface ContainerPsItem extends PsItem {
  container: Container;
}

/** The containers as `docker ps -a` items, in the given order. */
export function containerPs(containers: readonly Container[]): ContainerPsItem[] {
  return containers.map((c) => ({
    id: c.id,
    image: c.imageRef,
    imageId: c.image.id,
    command: containerCommand(c.config.Entrypoint, c.config.Cmd),
    created: c.created,
    name: c.name,
    container: c,
  }));
}

/**
 * The SIZE cell of `docker ps -s`: the writable layer's size, and with it the image's
 * (`74B (virtual 1.99MB)`). moby daemon/images `GetContainerLayerSize`: `SizeRw` is go-archive
 * `ChangesSize` over `docker diff`'s changes, the lstat size of each added or changed path that
 * is not a directory (a symlink counts its target's length, a deleted path nothing);
 * `SizeRootFs` the image's layers plus `SizeRw`. docker/cli `ContainerContext.Size` prints both
 * with `HumanSizeWithPrecision(…, 3)`. (A file with several names counts once in Docker; the
 * container view cannot make hard links.)
 */
export function containerPsSize(container: Container, set: ImageSet): string {
  let rw = 0;
  for (const change of dockerDiff(container).changes) {
    if (change.kind === 'D') continue;
    const st = container.stat(change.path.slice(1));
    if (st.type !== 'dir') rw += st.size;
  }
  const rootFs = imageSize(set, container.image).bytes + rw;
  return rootFs > 0 ? `${humanSize(rw)} (virtual ${humanSize(rootFs)})` : humanSize(rw);
}
