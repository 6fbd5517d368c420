/**
 * The simulated container: plain data only (structured-clone safe), so the UI can keep it in
 * IndexedDB and post it across the worker boundary.
 *
 * Paths are written like the overlay model's: relative, no leading or trailing `/`, '' for the
 * root. The API also accepts `/etc/passwd`; `docker diff` lines carry the leading `/`.
 */
import type { TarEntryType } from '../tar/types';

/** What the writable (upper) layer holds at a path. `whiteout` is overlayfs's 0/0 char device. */
export type UpperType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'whiteout';

/**
 * A regular file's bytes in an image layer, read on demand: `readLayerFile(opened, layerKey,
 * {dataOffset, size}, size)`, or `lowerFileReader(opened)` of ./lower.ts. Hardlinks are already
 * followed: `path` is the entry that carries the data.
 */
export interface LowerFile {
  /** Index of the image layer (bottom = 0). */
  layer: number;
  /** `ImageInfo.layerKeys[layer]`. */
  layerKey: string;
  path: string;
  dataOffset: number;
  size: number;
}

export interface UpperEntry {
  type: UpperType;
  /** Permission and special bits (`mode & 0o7777`). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch, with a fraction (what `stat` shows, before tar truncates it). */
  mtime: number;
  /** A regular file written in the container. */
  data?: Uint8Array;
  /** A regular file copied up and not written since: its bytes are still the image layer's. */
  lower?: LowerFile;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** A directory carrying overlayfs's opaque xattr: no lower child shows through. */
  opaque?: boolean;
  /** Extended attributes copied up with the entry (overlayfs copies them; tar keeps only caps). */
  xattrs?: Record<string, string>;
  /** The image layer the entry was copied up from (its metadata came from there). */
  copiedUpFrom?: number;
}

export type FileType = Exclude<TarEntryType, 'hardlink'>;

/** One path of the container's merged filesystem, as `lstat` sees it. */
export interface ContainerStat {
  path: string;
  name: string;
  type: FileType;
  mode: number;
  uid: number;
  gid: number;
  /** Regular files: bytes; symlinks: the target's length (what `lstat` reports). */
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** `image`: shown from a read-only layer; `container`: from the writable layer. */
  origin: 'image' | 'container';
  /** origin `image`: the layer it comes from; `container`: the layer it was copied up from. */
  layer?: number;
  /** In the writable layer because a change copied it up from `layer`. */
  copiedUp: boolean;
  /** A copied-up file whose bytes are still the image layer's. */
  contentFromImage: boolean;
  opaque: boolean;
  /** The image stores this file as a hardlink to that path. */
  hardlinkTo?: string;
}

/** What `readFile` gives: bytes written in the container, or where to read them in the image. */
export type FileContent = { kind: 'bytes'; data: Uint8Array } | { kind: 'lower'; file: LowerFile };

export type ContainerOp =
  | 'create'
  | 'write'
  | 'mkdir'
  | 'symlink'
  | 'remove'
  | 'rmdir'
  | 'rename'
  | 'move'
  | 'chmod'
  | 'chown'
  | 'touch';

/** One change to the writable layer, in the order it happened (what the UI animates). */
export type UpperEffect =
  /** An image entry copied into the writable layer before being changed (dirs: parents of a change). */
  | { kind: 'copy-up'; path: string; type: UpperType; fromLayer: number }
  /** A new entry; `overWhiteout` when it replaced a whiteout (a dir then becomes opaque). */
  | { kind: 'create'; path: string; type: UpperType; overWhiteout: boolean }
  | { kind: 'write'; path: string; size: number }
  /** A whiteout now hides the image's `path` (of type `hides`, and everything below it). */
  | { kind: 'whiteout'; path: string; hides: FileType }
  /** The directory got the opaque xattr: `.wh..wh..opq` in a committed layer. */
  | { kind: 'opaque'; path: string }
  /** An entry left the writable layer with nothing to hide below it. */
  | { kind: 'drop'; path: string; type: UpperType }
  /** A writable-layer entry renamed (with its subtree). */
  | { kind: 'move'; from: string; to: string }
  | { kind: 'metadata'; path: string; mode?: number; uid?: number; gid?: number; mtime?: number };

export interface ContainerEvent {
  seq: number;
  /** RFC 3339. */
  time: string;
  op: ContainerOp;
  path: string;
  to?: string;
  effects: UpperEffect[];
}

/**
 * Docker's container `Config` (moby api/types/container Config), as `docker inspect` shows it and
 * as `docker commit` copies it into the new image. Optional fields are Go `omitempty` ones.
 */
export interface DockerContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Healthcheck?: Record<string, unknown>;
  ArgsEscaped?: boolean;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild?: string[];
  Labels: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

export const CONTAINER_STATE_FORMAT = 'layerscope.container/v1';

/** Everything needed to restore a container (with its image's layers). */
export interface ContainerState {
  format: typeof CONTAINER_STATE_FORMAT;
  id: string;
  name: string;
  /** RFC 3339. */
  created: string;
  image: {
    id: string;
    /** The image as `docker run` was given it (`Config.Image`). */
    ref: string;
    repoTags: string[];
    layerKeys: string[];
    diffIds: string[];
  };
  config: DockerContainerConfig;
  /** The writable layer, parents before children. */
  upper: [string, UpperEntry][];
  events: ContainerEvent[];
  seq: number;
}

export type FsErrorCode =
  'ENOENT' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'ENOTEMPTY' | 'EXDEV' | 'EINVAL' | 'ELOOP' | 'EPERM';

const MESSAGES: Record<FsErrorCode, string> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ENOTEMPTY: 'Directory not empty',
  EXDEV: 'Invalid cross-device link',
  EINVAL: 'Invalid argument',
  ELOOP: 'Too many levels of symbolic links',
  EPERM: 'Operation not permitted',
};

/** A failed operation, with the errno a real container would give (message as strerror). */
export class ContainerFsError extends Error {
  constructor(
    readonly code: FsErrorCode,
    readonly op: ContainerOp | 'stat' | 'list' | 'read',
    readonly path: string,
    readonly detail?: string,
  ) {
    super(`${op} /${path}: ${MESSAGES[code]}${detail ? ` (${detail})` : ''}`);
    this.name = 'ContainerFsError';
  }
}

/**
 * A container Docker would refuse to create (e.g. "No command specified"). `daemon` marks the
 * daemon's own refusals, whose message is the daemon's text (core/present/run.ts prints them as
 * `docker run` does); the others are the simulation's own (no container yet, say).
 */
export class ContainerConfigError extends Error {
  constructor(
    message: string,
    readonly daemon = false,
    /** What refused, for an explanation beside Docker's text. */
    readonly reason?: 'no-command' | 'name' | 'conflict',
  ) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}
