/**
 * A simulated container: the image's read-only layers (the overlay model's merged view at the top
 * layer) plus one writable upper layer, changed the way overlayfs changes it under Docker's
 * overlay2 storage driver (Linux fs/overlayfs, Documentation/filesystems/overlayfs.rst):
 *
 *  - Copy-up: changing anything that lives in an image layer (contents, mode, owner, mtime, or a
 *    rename) first copies it into the upper layer with its metadata, and its parent directories
 *    too (their timestamps restored, as `ovl_copy_up` does). Image layers are never changed.
 *  - Deleting a path the image has ("lower positive", `ovl_lower_positive`) leaves a whiteout (a
 *    0/0 char device, `.wh.<name>` in a committed tar); deleting an upper-only path just removes
 *    it. A deleted directory is one whiteout, whatever was below it (`ovl_remove_and_whiteout`).
 *  - Creating a directory over a whiteout makes it opaque (`ovl_create_over_whiteout` sets
 *    `trusted.overlay.opaque`): `rm -r dir && mkdir dir` hides every lower child.
 *  - rename(2): Docker mounts overlay2 without `redirect_dir` (moby daemon/graphdriver/overlay2
 *    passes only `index=off` and maybe `userxattr`), and with a redirect_dir kernel Docker stops
 *    using its native diff (overlay2/check.go `doesSupportNativeDiff`), so we model the common
 *    native-diff setup: a non-directory is copied up to the new name and the old name whited out;
 *    a directory that exists in the image (`ovl_type_merge_or_lower`) fails with EXDEV
 *    (`ovl_can_move`), which is what `rename()` throws. `move()` is what `mv` then does: copy the
 *    tree to the new name and delete the old one. A directory made in the container moves
 *    normally, and becomes opaque when its new parent is a merged directory (`ovl_rename`).
 *
 * What is not modelled: Docker's init layer (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`,
 * `/.dockerenv`, `/dev/console`...: it sits between the image and the upper layer, and `docker
 * diff` and `docker commit` compare against it, so they never show it), hardlinks made in the
 * container, and users: new files belong to root (0:0).
 */
import type { ImageInfo } from '../model/types';
import type { TarEntry, TarEntryType } from '../tar/types';
import { compareBytes } from '../model/order';
import { truncateId } from '../format/display';
import type { LowerFs, LowerNode } from './lower';
import {
  cryptoRandom,
  randomId,
  uniqueName,
  CONTAINER_NAME_PATTERN,
  type RandomBytes,
} from './names';
import {
  CONTAINER_STATE_FORMAT,
  ContainerConfigError,
  ContainerFsError,
  type ContainerEvent,
  type ContainerOp,
  type ContainerStat,
  type ContainerState,
  type DockerContainerConfig,
  type FileContent,
  type FileType,
  type FsErrorCode,
  type UpperEffect,
  type UpperEntry,
  type UpperType,
} from './types';
import { containerConfigFor, mergeConfig } from './config';

/** Linux SYMLOOP_MAX: symlinks followed while resolving one path. */
const MAX_SYMLINKS = 40;

export interface ContainerEnv {
  /** Milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  random?: RandomBytes;
}

export interface CreateContainerOptions extends ContainerEnv {
  image: ImageInfo;
  /** The image's layers merged (`lowerFromOverlay(buildOverlay(layers), image.layerKeys)`). */
  lower: LowerFs;
  /** `--name`; a random `adjective_surname` otherwise. */
  name?: string;
  /** Names already used by other containers (a generated name avoids them). */
  takenNames?: Iterable<string>;
  /** `docker run IMAGE CMD...`: replaces the image's CMD. */
  cmd?: string[];
  /** `docker run -it` (default true) or `docker run -d`: only the container config shows it. */
  interactive?: boolean;
  /** What `docker run` was given (`Config.Image`); default the first tag, else the image ID. */
  imageRef?: string;
}

type Merged =
  | { source: 'upper'; path: string; entry: UpperEntry }
  | { source: 'lower'; path: string; node: LowerNode };

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c !== '');
}

/** Tar entry types as the upper layer holds them (a hardlink is just another name of a file). */
function upperTypeOf(t: TarEntryType): Exclude<UpperType, 'whiteout'> {
  switch (t) {
    case 'dir':
    case 'symlink':
    case 'char':
    case 'block':
    case 'fifo':
      return t;
    default:
      return 'file';
  }
}

/** What `lstat` reports: hardlinks and GNU sparse / unknown entries are regular files. */
function fileTypeOf(t: TarEntryType): FileType {
  return t === 'hardlink' || t === 'other' ? 'file' : t;
}

const utf8 = new TextEncoder();

function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

export class Container {
  readonly id: string;
  readonly name: string;
  /** RFC 3339. */
  readonly created: string;
  readonly image: ImageInfo;
  readonly lower: LowerFs;
  /** Docker's container config (what `docker inspect` shows as Config). */
  readonly config: DockerContainerConfig;
  readonly imageRef: string;

  readonly #upper = new Map<string, UpperEntry>();
  /** Names in the upper layer per directory (whiteouts included). */
  readonly #kids = new Map<string, Set<string>>();
  readonly #events: ContainerEvent[] = [];
  #seq = 0;
  readonly #now: () => number;

  private constructor(
    init: {
      id: string;
      name: string;
      created: string;
      image: ImageInfo;
      lower: LowerFs;
      config: DockerContainerConfig;
      imageRef: string;
    },
    env: ContainerEnv,
  ) {
    this.id = init.id;
    this.name = init.name;
    this.created = init.created;
    this.image = init.image;
    this.lower = init.lower;
    this.config = init.config;
    this.imageRef = init.imageRef;
    this.#now = env.now ?? Date.now;
  }

  /** `docker create` / `docker run`: a new container with an empty writable layer. */
  static create(opts: CreateContainerOptions): Container {
    const random = opts.random ?? cryptoRandom;
    const now = opts.now ?? Date.now;
    if (opts.lower.layerKeys.length !== opts.image.layerKeys.length)
      throw new ContainerConfigError('The lower filesystem does not belong to this image.');
    const id = randomId(random);
    const taken = new Set(opts.takenNames ?? []);
    let name: string;
    if (opts.name !== undefined) {
      const n = opts.name.replace(/^\//, '');
      // daemon/names.go: `Invalid container name (...), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`.
      if (!CONTAINER_NAME_PATTERN.test(n))
        throw new ContainerConfigError(
          `Invalid container name (${opts.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
          true,
          'name',
        );
      if (taken.has(n))
        throw new ContainerConfigError(
          `Conflict. The container name "/${n}" is already in use by another container.`,
          true,
          'conflict',
        );
      name = n;
    } else name = uniqueName(id, taken, random);
    const imageRef = opts.imageRef ?? opts.image.repoTags[0] ?? opts.image.id;
    const user = containerConfigFor({
      imageRef,
      cmd: opts.cmd,
      interactive: opts.interactive ?? true,
    });
    const config = mergeConfig(user, opts.image.config.config ?? {});
    // daemon/create.go mergeAndVerifyConfig.
    if (config.Entrypoint?.length === 1 && config.Entrypoint[0] === '') config.Entrypoint = null;
    if (!config.Entrypoint?.length && !config.Cmd?.length)
      // Docker 20.10's text (moby lowercased it in later versions).
      throw new ContainerConfigError('No command specified', true, 'no-command');
    // daemon/container.go generateHostname: the short ID unless --hostname.
    config.Hostname = id.slice(0, 12);
    return new Container(
      {
        id,
        name,
        created: rfc3339(now()),
        image: opts.image,
        lower: opts.lower,
        config,
        imageRef,
      },
      { now, random },
    );
  }

  /** A container saved with `snapshot()`, on the same image (`image.id` must match). */
  static restore(
    state: ContainerState,
    opts: { image: ImageInfo; lower: LowerFs } & ContainerEnv,
  ): Container {
    if (state?.format !== CONTAINER_STATE_FORMAT)
      throw new ContainerConfigError('This is not a saved layerscope container.');
    if (state.image.id !== opts.image.id)
      throw new ContainerConfigError(
        `Container ${state.name} was made from image ${state.image.id}, not ${opts.image.id}.`,
      );
    const c = new Container(
      {
        id: state.id,
        name: state.name,
        created: state.created,
        image: opts.image,
        lower: opts.lower,
        config: structuredClone(state.config),
        imageRef: state.image.ref,
      },
      opts,
    );
    for (const [path, e] of state.upper) c.#set(path, { ...e });
    c.#events.push(...state.events);
    c.#seq = state.seq;
    return c;
  }

  get shortId(): string {
    return truncateId(this.id);
  }

  /** Every operation so far, oldest first. */
  get events(): readonly ContainerEvent[] {
    return this.#events;
  }

  /**
   * Plain data to store and `restore` later. Entry objects are copies; file bytes are shared
   * (the container never mutates an array it holds: a write replaces it).
   */
  snapshot(): ContainerState {
    return {
      format: CONTAINER_STATE_FORMAT,
      id: this.id,
      name: this.name,
      created: this.created,
      image: {
        id: this.image.id,
        ref: this.imageRef,
        repoTags: [...this.image.repoTags],
        layerKeys: [...this.image.layerKeys],
        diffIds: [...this.image.diffIds],
      },
      config: structuredClone(this.config),
      upper: this.upperEntries().map(({ path, entry }) => [path, { ...entry }]),
      events: this.#events.map((e) => ({ ...e, effects: e.effects.map((x) => ({ ...x })) })),
      seq: this.#seq,
    };
  }

  // -------------------------------------------------------------------------------------------
  // The writable layer, read-only access (docker diff, commit, the UI's layer view)

  /** The upper layer's entry at a path (whiteouts included), or undefined. */
  upperEntry(path: string): UpperEntry | undefined {
    return this.#upper.get(normalise(path));
  }

  /** Names in the upper layer directly under `dir` (whiteouts included), in byte order. */
  upperChildren(dir: string): string[] {
    return [...(this.#kids.get(normalise(dir)) ?? [])].sort(compareBytes);
  }

  /** The upper layer depth first, children in byte order: the order a committed tar lists them. */
  upperEntries(): { path: string; entry: UpperEntry }[] {
    const out: { path: string; entry: UpperEntry }[] = [];
    const walk = (dir: string) => {
      for (const name of this.upperChildren(dir)) {
        const path = join(dir, name);
        const entry = this.#upper.get(path)!;
        out.push({ path, entry });
        if (entry.type === 'dir') walk(path);
      }
    };
    walk('');
    return out;
  }

  /** Names in a directory of the merged filesystem (no symlink followed), in byte order. */
  childNames(dir: string): string[] {
    return this.#childNames(normalise(dir));
  }

  /** The container's writable layer is empty (nothing to diff or commit). */
  get pristine(): boolean {
    return this.#upper.size === 0;
  }

  // -------------------------------------------------------------------------------------------
  // Reading the merged filesystem

  /** `lstat` (or `stat` with `follow`): throws ENOENT when the path does not exist. */
  stat(path: string, opts: { follow?: boolean } = {}): ContainerStat {
    const p = this.#resolve(path, opts.follow === true, 'stat');
    const m = this.#merged(p);
    if (!m) throw new ContainerFsError('ENOENT', 'stat', p);
    return this.#statOf(m);
  }

  exists(path: string): boolean {
    try {
      return this.#merged(this.#resolve(path, false, 'stat')) !== undefined;
    } catch (e) {
      if (e instanceof ContainerFsError) return false;
      throw e;
    }
  }

  /** A directory's entries (symlinks to directories followed), in byte order of their names. */
  list(dir: string): ContainerStat[] {
    const p = this.#resolve(dir, true, 'list');
    const m = this.#merged(p);
    if (!m) throw new ContainerFsError('ENOENT', 'list', p);
    if (this.#typeOf(m) !== 'dir') throw new ContainerFsError('ENOTDIR', 'list', p);
    return this.#childNames(p).map((name) => this.#statOf(this.#merged(join(p, name))!));
  }

  /** A file's contents (symlinks followed): bytes written in the container, or a lazy reference. */
  readFile(path: string): FileContent {
    const p = this.#resolve(path, true, 'read');
    const m = this.#merged(p);
    if (!m) throw new ContainerFsError('ENOENT', 'read', p);
    const type = this.#typeOf(m);
    if (type === 'dir') throw new ContainerFsError('EISDIR', 'read', p);
    if (type !== 'file') throw new ContainerFsError('EINVAL', 'read', p, `a ${type}`);
    if (m.source === 'upper') {
      if (m.entry.data) return { kind: 'bytes', data: m.entry.data };
      if (m.entry.lower) return { kind: 'lower', file: { ...m.entry.lower } };
      return { kind: 'bytes', data: new Uint8Array(0) };
    }
    const ino = this.lower.inode(p);
    if (!ino?.file) throw new ContainerFsError('ENOENT', 'read', p, 'no data in the image');
    return { kind: 'lower', file: ino.file };
  }

  // -------------------------------------------------------------------------------------------
  // Changing it

  /** Creates a regular file (O_CREAT|O_EXCL): EEXIST if the path exists. */
  createFile(path: string, data: Uint8Array, mode = 0o644): void {
    const p = this.#resolve(path, false, 'create');
    this.#op('create', p, undefined, (fx) => this.#create(p, 'file', { mode, data }, fx, 'create'));
  }

  /**
   * Replaces a file's contents (an editor's save), creating it if missing. A file from an image
   * layer is copied up first (a `copy-up` effect, then `write`).
   */
  writeFile(path: string, data: Uint8Array): void {
    const p = this.#resolve(path, true, 'write');
    const m = this.#merged(p);
    this.#op('write', p, undefined, (fx) => {
      if (!m) {
        this.#create(p, 'file', { mode: 0o644, data }, fx, 'write');
        return;
      }
      const type = this.#typeOf(m);
      if (type === 'dir') throw new ContainerFsError('EISDIR', 'write', p);
      if (type !== 'file') throw new ContainerFsError('EINVAL', 'write', p, `a ${type}`);
      const u = this.#copyUp(p, fx);
      u.data = data.slice();
      delete u.lower;
      u.mtime = this.#seconds();
      fx.push({ kind: 'write', path: p, size: data.length });
    });
  }

  /** `mkdir [-p]`. */
  mkdir(path: string, opts: { mode?: number; parents?: boolean } = {}): void {
    const mode = opts.mode ?? 0o755;
    if (!opts.parents) {
      const p = this.#resolve(path, false, 'mkdir');
      this.#op('mkdir', p, undefined, (fx) => this.#create(p, 'dir', { mode }, fx, 'mkdir'));
      return;
    }
    const target = this.#resolve(path, true, 'mkdir');
    const parts = splitPath(target);
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    for (const cur of prefixes) {
      const m = this.#merged(cur);
      if (!m) break;
      if (this.#typeOf(m) !== 'dir') throw new ContainerFsError('ENOTDIR', 'mkdir', cur);
    }
    this.#op('mkdir', target, undefined, (fx) => {
      for (const cur of prefixes) {
        if (!this.#merged(cur)) this.#create(cur, 'dir', { mode }, fx, 'mkdir');
      }
    });
  }

  /** `ln -s target path`. */
  symlink(target: string, path: string): void {
    const p = this.#resolve(path, false, 'symlink');
    this.#op('symlink', p, undefined, (fx) =>
      this.#create(p, 'symlink', { mode: 0o777, linkname: target }, fx, 'symlink'),
    );
  }

  /** `rm [-r]`: a directory needs `recursive` (EISDIR otherwise), like rm. */
  remove(path: string, opts: { recursive?: boolean } = {}): void {
    const p = this.#resolve(path, false, 'remove');
    if (p === '') throw new ContainerFsError('EPERM', 'remove', p, 'refusing to remove /');
    const m = this.#merged(p);
    if (!m) throw new ContainerFsError('ENOENT', 'remove', p);
    if (this.#typeOf(m) === 'dir' && !opts.recursive)
      throw new ContainerFsError('EISDIR', 'remove', p);
    this.#op('remove', p, undefined, (fx) => this.#removeTree(p, fx));
  }

  /** `rmdir`: only an empty directory. */
  rmdir(path: string): void {
    const p = this.#resolve(path, false, 'rmdir');
    if (p === '') throw new ContainerFsError('EPERM', 'rmdir', p);
    const m = this.#merged(p);
    if (!m) throw new ContainerFsError('ENOENT', 'rmdir', p);
    if (this.#typeOf(m) !== 'dir') throw new ContainerFsError('ENOTDIR', 'rmdir', p);
    if (this.#childNames(p).length > 0) throw new ContainerFsError('ENOTEMPTY', 'rmdir', p);
    this.#op('rmdir', p, undefined, (fx) => this.#removeTree(p, fx));
  }

  /**
   * rename(2) on overlayfs without redirect_dir: EXDEV for a directory that exists in the image
   * (use `move`, as `mv` does). Replaces a file, or an empty directory with a directory.
   */
  rename(from: string, to: string): void {
    const src = this.#resolve(from, false, 'rename');
    const dst = this.#resolve(to, false, 'rename');
    this.#checkRename(src, dst, 'rename');
    if (src === dst) return;
    if (this.#typeOf(this.#merged(src)!) === 'dir' && !this.#movable(src))
      throw new ContainerFsError(
        'EXDEV',
        'rename',
        src,
        'overlayfs cannot rename a directory from an image layer; mv copies it instead',
      );
    this.#op('rename', src, dst, (fx) => this.#renameUpper(src, dst, fx));
  }

  /**
   * `mv -T from to`: rename(2), and when that fails with EXDEV (a directory from the image), a
   * copy of the tree at the new name (metadata kept, as mv does) and the old one removed.
   */
  move(from: string, to: string): void {
    const src = this.#resolve(from, false, 'move');
    const dst = this.#resolve(to, false, 'move');
    this.#checkRename(src, dst, 'move');
    if (src === dst) return;
    const srcM = this.#merged(src)!;
    this.#op('move', src, dst, (fx) => {
      if (this.#typeOf(srcM) !== 'dir' || this.#movable(src)) {
        this.#renameUpper(src, dst, fx);
        return;
      }
      const dstM = this.#merged(dst);
      if (dstM) this.#removeTree(dst, fx); // an empty directory (checked above)
      this.#copyTree(src, dst, fx);
      this.#removeTree(src, fx);
    });
  }

  /** `chmod` (follows symlinks): copies up what it changes. */
  chmod(path: string, mode: number): void {
    const p = this.#resolve(path, true, 'chmod');
    if (p === '')
      throw new ContainerFsError('EPERM', 'chmod', p, 'the root directory is not modelled');
    this.#requireExists(p, 'chmod');
    this.#op('chmod', p, undefined, (fx) => {
      const u = this.#copyUp(p, fx);
      u.mode = mode & 0o7777;
      fx.push({ kind: 'metadata', path: p, mode: u.mode });
    });
  }

  /** `chown uid:gid` (follows symlinks). */
  chown(path: string, uid: number, gid: number): void {
    const p = this.#resolve(path, true, 'chown');
    if (p === '')
      throw new ContainerFsError('EPERM', 'chown', p, 'the root directory is not modelled');
    this.#requireExists(p, 'chown');
    this.#op('chown', p, undefined, (fx) => {
      const u = this.#copyUp(p, fx);
      u.uid = uid;
      u.gid = gid;
      fx.push({ kind: 'metadata', path: p, uid, gid });
    });
  }

  /** `touch`: creates an empty file, or sets the mtime to now (a copy-up for image files). */
  touch(path: string): void {
    const p = this.#resolve(path, true, 'touch');
    if (p === '')
      throw new ContainerFsError('EPERM', 'touch', p, 'the root directory is not modelled');
    const m = this.#merged(p);
    this.#op('touch', p, undefined, (fx) => {
      if (!m) {
        this.#create(p, 'file', { mode: 0o644, data: new Uint8Array(0) }, fx, 'touch');
        return;
      }
      const u = this.#copyUp(p, fx);
      u.mtime = this.#seconds();
      fx.push({ kind: 'metadata', path: p, mtime: u.mtime });
    });
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  #seconds(): number {
    return this.#now() / 1000;
  }

  /** Runs an operation; the event is recorded only when it succeeds. */
  #op(op: ContainerOp, path: string, to: string | undefined, fn: (fx: UpperEffect[]) => void) {
    const fx: UpperEffect[] = [];
    fn(fx);
    const ev: ContainerEvent = {
      seq: ++this.#seq,
      time: rfc3339(this.#now()),
      op,
      path,
      effects: fx,
    };
    if (to !== undefined) ev.to = to;
    this.#events.push(ev);
  }

  #set(path: string, e: UpperEntry): void {
    this.#upper.set(path, e);
    const dir = parentOf(path);
    let kids = this.#kids.get(dir);
    if (!kids) this.#kids.set(dir, (kids = new Set()));
    kids.add(baseOf(path));
  }

  #delete(path: string): void {
    this.#upper.delete(path);
    const kids = this.#kids.get(parentOf(path));
    kids?.delete(baseOf(path));
    this.#kids.delete(path);
  }

  /** Upper entries strictly below `path`, each after its own descendants (children by name). */
  #upperBelow(path: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of [...(this.#kids.get(dir) ?? [])].sort(compareBytes)) {
        const p = join(dir, name);
        walk(p);
        out.push(p);
      }
    };
    walk(path);
    return out;
  }

  /**
   * The lower layers can show `path`: no directory above it in the upper layer is opaque or a
   * non-directory (overlayfs lookup stops at those).
   */
  #lowerReachable(path: string): boolean {
    for (let a = parentOf(path); a !== ''; a = parentOf(a)) {
      const u = this.#upper.get(a);
      if (u && (u.type !== 'dir' || u.opaque)) return false;
    }
    return true;
  }

  /** `ovl_lower_positive`: the image has something at this name, as the container sees it. */
  #lowerPositive(path: string): LowerNode | undefined {
    return this.#lowerReachable(path) ? this.lower.get(path) : undefined;
  }

  /** A directory with both an upper and a lower part (`OVL_TYPE_MERGE`). */
  #isMergeDir(path: string): boolean {
    const u = path === '' ? undefined : this.#upper.get(path);
    if (u && (u.type !== 'dir' || u.opaque)) return false;
    return this.#lowerPositive(path)?.entry.type === 'dir';
  }

  /** A directory overlayfs can rename without redirect_dir: upper-only (`ovl_can_move`). */
  #movable(path: string): boolean {
    return this.#upper.has(path) && !this.#isMergeDir(path);
  }

  #merged(path: string): Merged | undefined {
    if (path === '') {
      const node = this.lower.get('');
      return node ? { source: 'lower', path, node } : undefined;
    }
    const u = this.#upper.get(path);
    if (u) return u.type === 'whiteout' ? undefined : { source: 'upper', path, entry: u };
    const node = this.#lowerPositive(path);
    return node ? { source: 'lower', path, node } : undefined;
  }

  #typeOf(m: Merged): FileType {
    return m.source === 'upper'
      ? (m.entry.type as FileType)
      : fileTypeOf(this.lower.inode(m.path)?.entry.type ?? m.node.entry.type);
  }

  #childNames(dir: string): string[] {
    const names = new Set<string>();
    const u = dir === '' ? undefined : this.#upper.get(dir);
    if (!u?.opaque && this.#lowerPositive(dir)?.entry.type === 'dir') {
      for (const n of this.lower.childNames(dir)) names.add(n);
    }
    for (const n of this.#kids.get(dir) ?? []) {
      if (this.#upper.get(join(dir, n))!.type === 'whiteout') names.delete(n);
      else names.add(n);
    }
    return [...names].sort(compareBytes);
  }

  #statOf(m: Merged): ContainerStat {
    const name = baseOf(m.path);
    if (m.source === 'upper') {
      const e = m.entry;
      const type = e.type as FileType;
      const size =
        type === 'file'
          ? (e.data?.length ?? e.lower?.size ?? 0)
          : type === 'symlink'
            ? utf8.encode(e.linkname ?? '').length
            : 0;
      const s: ContainerStat = {
        path: m.path,
        name,
        type,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        size,
        mtime: e.mtime,
        linkname: e.linkname ?? '',
        devmajor: e.devmajor ?? 0,
        devminor: e.devminor ?? 0,
        origin: 'container',
        copiedUp: e.copiedUpFrom !== undefined,
        contentFromImage: e.lower !== undefined,
        opaque: e.opaque === true,
      };
      if (e.copiedUpFrom !== undefined) s.layer = e.copiedUpFrom;
      return s;
    }
    const raw = m.node.entry;
    const ino = this.lower.inode(m.path);
    const e: TarEntry = ino?.entry ?? raw;
    const type = fileTypeOf(e.type === 'other' ? 'file' : e.type);
    const s: ContainerStat = {
      path: m.path,
      name,
      type,
      mode: e.mode & 0o7777,
      uid: e.uid,
      gid: e.gid,
      size: type === 'file' ? e.size : type === 'symlink' ? utf8.encode(e.linkname).length : 0,
      mtime: e.mtime,
      linkname: type === 'symlink' ? e.linkname : '',
      devmajor: e.devmajor,
      devminor: e.devminor,
      origin: 'image',
      layer: m.node.layer,
      copiedUp: false,
      contentFromImage: true,
      opaque: false,
    };
    if (raw.type === 'hardlink') s.hardlinkTo = ino?.entry.path ?? raw.linkname;
    return s;
  }

  /**
   * Resolves symlinks in the directories of `input` (and in its last component with `follow`),
   * as the kernel's path walk does; `..` is taken after resolution. Missing components are kept
   * (the operation then reports ENOENT or creates them).
   */
  #resolve(input: string, follow: boolean, op: ContainerFsError['op']): string {
    let parts = splitPath(input);
    const cur: string[] = [];
    let hops = 0;
    while (parts.length > 0) {
      const c = parts.shift()!;
      if (c === '.') continue;
      if (c === '..') {
        cur.pop();
        continue;
      }
      const p = cur.length === 0 ? c : `${cur.join('/')}/${c}`;
      const last = parts.length === 0;
      const m = this.#merged(p);
      if (m && (!last || follow) && this.#typeOf(m) === 'symlink') {
        if (++hops > MAX_SYMLINKS) throw new ContainerFsError('ELOOP', op, normalise(input));
        const target = m.source === 'upper' ? (m.entry.linkname ?? '') : m.node.entry.linkname;
        if (target.startsWith('/')) cur.length = 0;
        parts = [...splitPath(target), ...parts];
        continue;
      }
      cur.push(c);
    }
    return cur.join('/');
  }

  #requireExists(p: string, op: ContainerOp): Merged {
    const m = this.#merged(p);
    if (!m) throw new ContainerFsError('ENOENT', op, p);
    return m;
  }

  /** The parent of `p` must be an existing directory. */
  #requireParentDir(p: string, op: ContainerOp): void {
    const dir = parentOf(p);
    const m = this.#merged(dir);
    if (!m) throw new ContainerFsError('ENOENT', op, p);
    if (this.#typeOf(m) !== 'dir') throw new ContainerFsError('ENOTDIR', op, p);
  }

  /** Copies `dir` and its missing ancestors up as directories (copy-up of parents). */
  #copyUpDirs(dir: string, fx: UpperEffect[]): void {
    const chain: string[] = [];
    for (let a = dir; a !== '' && !this.#upper.has(a); a = parentOf(a)) chain.push(a);
    for (let i = chain.length - 1; i >= 0; i--) {
      const a = chain[i]!;
      const node = this.lower.get(a)!;
      this.#set(a, this.#fromLower(node.entry, node.layer, a));
      fx.push({ kind: 'copy-up', path: a, type: 'dir', fromLayer: node.layer });
    }
  }

  /** An upper entry made from an image entry: metadata kept, bytes left in the image. */
  #fromLower(raw: TarEntry, layer: number, path: string): UpperEntry {
    const ino = raw.type === 'hardlink' ? this.lower.inode(path) : undefined;
    const e = ino?.entry ?? raw;
    const type = upperTypeOf(e.type);
    const u: UpperEntry = {
      type,
      mode: e.mode & 0o7777,
      uid: e.uid,
      gid: e.gid,
      mtime: e.mtime,
      copiedUpFrom: layer,
    };
    if (type === 'file') {
      const file = (ino ?? this.lower.inode(path))?.file;
      if (file && file.size > 0) u.lower = file;
    } else if (type === 'symlink') u.linkname = e.linkname;
    else if (type === 'char' || type === 'block') {
      u.devmajor = e.devmajor;
      u.devminor = e.devminor;
    }
    if (e.xattrs && Object.keys(e.xattrs).length > 0) u.xattrs = { ...e.xattrs };
    return u;
  }

  /** The upper entry of an existing path, copied up first when it lives in the image. */
  #copyUp(p: string, fx: UpperEffect[]): UpperEntry {
    const u = this.#upper.get(p);
    if (u) return u;
    const m = this.#merged(p)!;
    if (m.source !== 'lower') throw new Error('unreachable');
    if (this.#typeOf(m) === 'dir') {
      this.#copyUpDirs(p, fx);
      return this.#upper.get(p)!;
    }
    this.#copyUpDirs(parentOf(p), fx);
    const e = this.#fromLower(m.node.entry, m.node.layer, p);
    this.#set(p, e);
    fx.push({ kind: 'copy-up', path: p, type: e.type, fromLayer: m.node.layer });
    return e;
  }

  /** A namespace change in `dir` sets its mtime, as any create, unlink or rename does. */
  #touchDir(dir: string): void {
    const u = this.#upper.get(dir);
    if (u?.type === 'dir') u.mtime = this.#seconds();
  }

  #create(
    p: string,
    type: Exclude<UpperType, 'whiteout'>,
    init: { mode: number; data?: Uint8Array; linkname?: string },
    fx: UpperEffect[],
    op: ContainerOp,
  ): void {
    if (p === '' || this.#merged(p)) throw new ContainerFsError('EEXIST', op, p);
    this.#requireParentDir(p, op);
    const dir = parentOf(p);
    this.#copyUpDirs(dir, fx);
    const overWhiteout = this.#upper.get(p)?.type === 'whiteout';
    const e: UpperEntry = {
      type,
      mode: init.mode & 0o7777,
      uid: 0,
      gid: 0,
      mtime: this.#seconds(),
    };
    if (type === 'file') e.data = (init.data ?? new Uint8Array(0)).slice();
    if (type === 'symlink') e.linkname = init.linkname ?? '';
    this.#set(p, e);
    fx.push({ kind: 'create', path: p, type, overWhiteout });
    if (type === 'dir' && overWhiteout) {
      // ovl_create_over_whiteout: a directory made where a whiteout was is opaque.
      e.opaque = true;
      fx.push({ kind: 'opaque', path: p });
    }
    this.#touchDir(dir);
  }

  /**
   * Removes a path and everything below it. Upper entries go; a whiteout is left when the image
   * has something at this name (`ovl_remove_and_whiteout`), nothing otherwise.
   */
  #removeTree(p: string, fx: UpperEffect[]): void {
    const dir = parentOf(p);
    this.#copyUpDirs(dir, fx);
    for (const q of this.#upperBelow(p)) {
      const e = this.#upper.get(q)!;
      this.#delete(q);
      fx.push({ kind: 'drop', path: q, type: e.type });
    }
    const lowerNode = this.#lowerPositive(p);
    const own = this.#upper.get(p);
    if (own) {
      this.#delete(p);
      if (!lowerNode) fx.push({ kind: 'drop', path: p, type: own.type });
    }
    if (lowerNode) {
      const hides = fileTypeOf(this.lower.inode(p)?.entry.type ?? lowerNode.entry.type);
      this.#set(p, { type: 'whiteout', mode: 0, uid: 0, gid: 0, mtime: this.#seconds() });
      fx.push({ kind: 'whiteout', path: p, hides: hides === 'other' ? 'file' : hides });
    }
    this.#touchDir(dir);
  }

  #checkRename(src: string, dst: string, op: ContainerOp): void {
    if (src === '' || dst === '') throw new ContainerFsError('EINVAL', op, src);
    const s = this.#merged(src);
    if (!s) throw new ContainerFsError('ENOENT', op, src);
    this.#requireParentDir(dst, op);
    if (src === dst) return;
    if (dst.startsWith(src + '/'))
      throw new ContainerFsError('EINVAL', op, src, `cannot move into itself: /${dst}`);
    const d = this.#merged(dst);
    if (!d) return;
    const srcDir = this.#typeOf(s) === 'dir';
    const dstDir = this.#typeOf(d) === 'dir';
    if (srcDir && !dstDir) throw new ContainerFsError('ENOTDIR', op, dst);
    if (!srcDir && dstDir) throw new ContainerFsError('EISDIR', op, dst);
    if (dstDir && this.#childNames(dst).length > 0)
      throw new ContainerFsError('ENOTEMPTY', op, dst);
  }

  /** `ovl_rename` for what overlayfs can move: a non-directory, or an upper-only directory. */
  #renameUpper(src: string, dst: string, fx: UpperEffect[]): void {
    const srcLower = this.#lowerPositive(src);
    const srcDir = parentOf(src);
    const dstDir = parentOf(dst);
    this.#copyUp(src, fx);
    this.#copyUpDirs(dstDir, fx);
    // The target goes (an upper entry and what it held; an image entry is covered by the new one).
    if (this.#upper.has(dst)) {
      for (const q of this.#upperBelow(dst)) this.#delete(q);
      const old = this.#upper.get(dst)!;
      this.#delete(dst);
      if (old.type !== 'whiteout') fx.push({ kind: 'drop', path: dst, type: old.type });
    }
    const moved = [...this.#upperBelow(src), src];
    const entries = moved.map((q) => [q, this.#upper.get(q)!] as const);
    for (const q of moved) this.#delete(q);
    for (const [q, e] of entries) this.#set(dst + q.slice(src.length), e);
    fx.push({ kind: 'move', from: src, to: dst });
    const e = this.#upper.get(dst)!;
    if (e.type === 'dir' && !e.opaque && this.#isMergeDir(dstDir)) {
      // ovl_rename: a directory moved into a merged parent is marked opaque.
      e.opaque = true;
      fx.push({ kind: 'opaque', path: dst });
    }
    if (srcLower) {
      const hides = fileTypeOf(this.lower.inode(src)?.entry.type ?? srcLower.entry.type);
      this.#set(src, { type: 'whiteout', mode: 0, uid: 0, gid: 0, mtime: this.#seconds() });
      fx.push({ kind: 'whiteout', path: src, hides: hides === 'other' ? 'file' : hides });
    }
    this.#touchDir(srcDir);
    this.#touchDir(dstDir);
  }

  /** mv's copy fallback: the tree at `src` recreated at `dst`, modes, owners and mtimes kept. */
  #copyTree(src: string, dst: string, fx: UpperEffect[]): void {
    const m = this.#merged(src)!;
    const type = this.#typeOf(m);
    const meta =
      m.source === 'upper' ? { ...m.entry } : this.#fromLower(m.node.entry, m.node.layer, src);
    delete meta.copiedUpFrom;
    delete meta.opaque;
    if (type === 'dir') {
      this.#create(dst, 'dir', { mode: meta.mode }, fx, 'move');
      for (const name of this.#childNames(src))
        this.#copyTree(join(src, name), join(dst, name), fx);
    } else {
      this.#create(
        dst,
        upperTypeOf(type),
        { mode: meta.mode, linkname: meta.linkname },
        fx,
        'move',
      );
    }
    const e = this.#upper.get(dst)!;
    e.uid = meta.uid;
    e.gid = meta.gid;
    e.mtime = meta.mtime;
    if (meta.data) e.data = meta.data;
    else delete e.data;
    if (meta.lower) e.lower = { ...meta.lower };
    if (meta.devmajor !== undefined) e.devmajor = meta.devmajor;
    if (meta.devminor !== undefined) e.devminor = meta.devminor;
    if (meta.xattrs) e.xattrs = { ...meta.xattrs };
  }
}

/** A path as the container keys it: no leading, trailing or doubled `/`, no `.` components. */
export function normalise(path: string): string {
  return splitPath(path)
    .filter((c) => c !== '.')
    .join('/');
}

export type { FsErrorCode };
