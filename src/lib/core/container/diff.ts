/**
 * `docker diff CONTAINER`, as Docker computes it with the overlay2 driver.
 *
 * overlay2's `Changes` is the naive diff (moby daemon/graphdriver/overlay2/overlay.go `Changes`
 * → graphdriver/fsdiff.go `NaiveDiffDriver.Changes` → go-archive changes.go `ChangesDirs`): the
 * container's merged filesystem is compared with the image's, both walked in full, by
 * `FileInfo.addChanges`:
 *  - a path only in the container is `A` (its whole subtree too); a path only in the image is
 *    `D`, once, however much was below it;
 *  - a path in both is `C` when `statDifferent` (changes_unix.go): type or permission bits, uid,
 *    gid, device number, or, for non-directories only, mtime (`sameFsTime`: equal, or same second
 *    with one side's fraction zero) or size; or when `security.capability` differs. A directory's
 *    mtime and size never count, so a file copied up with nothing changed (a `chmod` to the same
 *    mode) appears nowhere, though `docker commit` ships it;
 *  - a directory with any change below it is `C` too, inserted before those changes (so every
 *    ancestor of a change is listed, the root excepted).
 * Docker does not sort: siblings come in Go map order (random from run to run), and within each
 * directory the present children come before the deleted ones (the loop over old children runs
 * last). `order: 'docker'` keeps that structure with siblings by name; `order: 'path'` sorts the
 * lines bytewise as go-archive's `changesByPath` does.
 *
 * Only paths in the writable layer can differ: everything else is the image's own entry, so the
 * walk visits the upper layer and the image children of the directories it replaced.
 */
import { compareBytes } from '../model/order';
import type { Container } from './container';
import type { LowerNode } from './lower';
import type { UpperEntry } from './types';

export type DiffKind = 'A' | 'C' | 'D';

export interface DiffChange {
  kind: DiffKind;
  /** As Docker prints it: with a leading `/`. */
  path: string;
}

export interface DockerDiff {
  /** The changes in the order `docker diff` prints them (core/present/diff.ts prints them). */
  changes: DiffChange[];
  /** For the file tree: container path (no leading `/`) → kind. Deleted subtrees: the root only. */
  byPath: Map<string, DiffKind>;
  /** Entries of the writable layer no line mentions (copied up, nothing Docker compares changed). */
  unchangedCopies: string[];
  /**
   * `docker ps --size` SIZE (graphdriver DiffSize = go-archive `ChangesSize`): bytes of the
   * non-directories listed as A or C.
   */
  sizeRw: number;
}

export interface DiffOptions {
  order?: 'docker' | 'path';
}

interface Stat {
  /** Type and permission bits together, as Go's os.FileMode compares them. */
  kind: string;
  perm: number;
  uid: number;
  gid: number;
  rdev: string;
  mtime: number;
  size: number;
  cap?: string;
}

const utf8 = new TextEncoder();

function lowerStat(c: Container, path: string, node: LowerNode): Stat {
  const e = c.lower.inode(path)?.entry ?? node.entry;
  const kind = e.type === 'hardlink' || e.type === 'other' ? 'file' : e.type;
  return {
    kind,
    perm: e.mode & 0o7777,
    uid: e.uid,
    gid: e.gid,
    rdev: kind === 'char' || kind === 'block' ? `${e.devmajor}:${e.devminor}` : '',
    mtime: e.mtime,
    size: kind === 'file' ? e.size : kind === 'symlink' ? utf8.encode(e.linkname).length : 0,
    cap: e.xattrs?.['security.capability'],
  };
}

function upperStat(u: UpperEntry): Stat {
  return {
    kind: u.type,
    perm: u.mode & 0o7777,
    uid: u.uid,
    gid: u.gid,
    rdev: u.type === 'char' || u.type === 'block' ? `${u.devmajor ?? 0}:${u.devminor ?? 0}` : '',
    mtime: u.mtime,
    size:
      u.type === 'file'
        ? (u.data?.length ?? u.lower?.size ?? 0)
        : u.type === 'symlink'
          ? utf8.encode(u.linkname ?? '').length
          : 0,
    cap: u.xattrs?.['security.capability'],
  };
}

/** go-archive `sameFsTime`: equal, or the same second with either fraction exactly zero. */
export function sameFsTime(a: number, b: number): boolean {
  if (a === b) return true;
  const sa = Math.floor(a);
  const sb = Math.floor(b);
  return sa === sb && (a === sa || b === sb);
}

/** go-archive changes_unix.go `statDifferent`, plus the capability comparison of addChanges. */
export function statDifferent(o: Stat, n: Stat): boolean {
  if (o.kind !== n.kind || o.perm !== n.perm || o.uid !== n.uid || o.gid !== n.gid) return true;
  if (o.rdev !== n.rdev) return true;
  if (o.kind !== 'dir' && (!sameFsTime(o.mtime, n.mtime) || o.size !== n.size)) return true;
  return (o.cap ?? '') !== (n.cap ?? '');
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** Compares like filepath.Walk visits: component by component (parents before their children). */
function compareWalk(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = compareBytes(pa[i]!, pb[i]!);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

export function dockerDiff(c: Container, opts: DiffOptions = {}): DockerDiff {
  const out: { kind: DiffKind; path: string }[] = [];

  // FileInfo.addChanges for a directory present in the container; `oldIsDir`: the image has a
  // directory there; `added`: already reported (A, or C by its parent's loop).
  const walk = (dir: string, oldIsDir: boolean, added: boolean) => {
    const start = out.length;
    const newNames = new Set<string>();
    for (const name of c.upperChildren(dir)) {
      const p = join(dir, name);
      const u = c.upperEntry(p)!;
      if (u.type === 'whiteout') continue;
      newNames.add(name);
      const old = oldIsDir ? c.lower.get(p) : undefined;
      let childAdded = false;
      if (!old) {
        out.push({ kind: 'A', path: p });
        childAdded = true;
      } else if (statDifferent(lowerStat(c, p, old), upperStat(u))) {
        out.push({ kind: 'C', path: p });
        childAdded = true;
      }
      if (u.type === 'dir') {
        const oldDir = old !== undefined && lowerStat(c, p, old).kind === 'dir';
        walk(p, oldDir, childAdded);
      }
    }
    if (oldIsDir) {
      // Old children the container no longer has: whited out, or hidden by an opaque directory
      // (or an opaque one above). Children it shows from the image are the same entries.
      const present = new Set(c.childNames(dir));
      for (const name of c.lower.childNames(dir)) {
        if (!present.has(name) && !newNames.has(name))
          out.push({ kind: 'D', path: join(dir, name) });
      }
    }
    if (out.length > start && !added && dir !== '') out.splice(start, 0, { kind: 'C', path: dir });
  };
  walk('', true, true);

  const changes: DiffChange[] = out.map((x) => ({ kind: x.kind, path: '/' + x.path }));
  if (opts.order === 'path') changes.sort((a, b) => compareBytes(a.path, b.path));
  const byPath = new Map<string, DiffKind>();
  for (const x of out) byPath.set(x.path, x.kind);
  let sizeRw = 0;
  const unchangedCopies: string[] = [];
  for (const { path, entry } of c.upperEntries()) {
    if (entry.type === 'whiteout') continue;
    const kind = byPath.get(path);
    if ((kind === 'A' || kind === 'C') && entry.type !== 'dir') sizeRw += upperStat(entry).size;
    if (!kind && entry.type !== 'dir') unchangedCopies.push(path);
  }
  unchangedCopies.sort(compareWalk);
  return {
    changes,
    byPath,
    unchangedCopies,
    sizeRw,
  };
}
