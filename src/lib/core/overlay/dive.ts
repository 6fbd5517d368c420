/**
 * A faithful replica of dive's efficiency analysis (github.com/wagoodman/dive, read at d6c69194,
 * May 2025): `dive/filetree/efficiency.go` `Efficiency`, the trees it walks
 * (`dive/image/docker/image_archive.go` `processLayerTar`, `dive/filetree/file_tree.go`
 * `AddPath`/`Stack`/`StackTreeRange`/`GetNode`, `file_node.go` `Path`/`IsWhiteout`/`IsLeaf`/
 * `VisitDepthChildFirst`) and the wasted-bytes sum of `dive/image/analysis.go` `Analyze`.
 *
 * dive's rules are NOT the OCI merge rules, and are replicated on purpose, quirks included:
 *  - One tree per layer, built from every tar entry with `AddPath`: names starting `.wh..wh..`
 *    (opaque markers) are dropped, so opaque directories are invisible to dive; `.wh.<name>`
 *    markers stay in the tree as nodes of that name; AUFS `.wh..wh.plnk/...` entries are kept;
 *    parents with no entry of their own get an empty FileInfo (IsDir false, size 0); a duplicate
 *    entry replaces the payload and keeps the children (even a file over a directory).
 *  - Only leaves of each layer's tree are visited (depth first, children sorted by name, children
 *    before parents). A directory with children in the layer is never counted.
 *  - A leaf's key is `node.Path()`: the path with the leaf's own `.wh.` prefix trimmed, so a marker
 *    and the file it hides share one record.
 *  - A whiteout leaf's size comes from the previous node at that path in the stacked tree of the
 *    layers below (`StackTreeRange(trees, 0, currentTree-1)`, which starts from a copy of layer 0
 *    and stacks layer 0 onto it again). If that node `IsDir`, its size is the sum of FileInfo.Size
 *    over it and every node below it; if it is a regular file (or an implied parent, whose empty
 *    FileInfo says IsDir false) the size stays **0**: the sizer only runs for directories. So
 *    deleting a file records a 0-byte version (min 0, the file's bytes count as waste), while
 *    deleting a directory records the directory's full size under the directory's own path and
 *    costs nothing in the score.
 *  - If the whiteout's path is absent from the stacked tree, `GetNode` errors, the visitor returns
 *    the error and `VisitDepthChildFirst` abandons the rest of that layer (dive logs and goes on
 *    with the next layer). The record created just before keeps minDiscoveredSize -1, which is
 *    still added to the score's numerator.
 *  - score = Σ min / Σ cumulative over every record (1 when Σ cumulative is 0); wasted bytes =
 *    Σ cumulative over records visited twice or more (the whole cumulative, every copy: issue #684).
 */
import type { TarEntry } from '../tar/types';
import type { DiveAnalysis, DivePathData } from './types';
import { WHITEOUT_PREFIX, compareBytes, isSafePath } from './paths';

/** dive's `doubleWhiteoutPrefix`: AddPath never creates a node with a name starting with it. */
const DOUBLE_WHITEOUT_PREFIX = '.wh..wh..';

interface DiveNode {
  name: string;
  /** Names from the root joined by '/', untrimmed (memoised like dive's `node.path`). */
  path: string;
  parent: DiveNode | undefined;
  /** Allocated on the first child: most nodes are leaves. */
  children: Map<string, DiveNode> | undefined;
  /** FileInfo.Size (the tar header size). */
  size: number;
  /** FileInfo.IsDir (typeflag '5'); false for nodes created as implied parents. */
  isDir: boolean;
  /** The tar entry whose payload the node carries; undefined for implied parents. */
  entry: TarEntry | undefined;
}

function newNode(name: string, parent: DiveNode | undefined): DiveNode {
  const path = parent === undefined || parent.path === '' ? name : `${parent.path}/${name}`;
  return { name, path, parent, children: undefined, size: 0, isDir: false, entry: undefined };
}

/** `FileNode.Path()` without the leading '/': the leaf's own `.wh.` prefix is trimmed. */
function nodePath(node: DiveNode): string {
  if (!node.name.startsWith(WHITEOUT_PREFIX)) return node.path;
  const name = node.name.slice(WHITEOUT_PREFIX.length);
  const parent = node.parent!.path;
  return parent === '' ? name : `${parent}/${name}`;
}

function isWhiteout(node: DiveNode): boolean {
  return node.name.startsWith(WHITEOUT_PREFIX);
}

function isLeaf(node: DiveNode): boolean {
  return node.children === undefined || node.children.size === 0;
}

/** `FileTree.AddPath` (empty names skipped, as Trim + Split + the `name == ""` check do). */
function addPath(
  root: DiveNode,
  path: string,
  size: number,
  isDir: boolean,
  entry?: TarEntry,
): void {
  let node = root;
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end < 0) end = path.length;
    const name = path.slice(start, end);
    start = end + 1;
    if (name === '') continue;
    let child = node.children?.get(name);
    if (child === undefined) {
      // "don't add paths that should be deleted"
      if (name.startsWith(DOUBLE_WHITEOUT_PREFIX)) return;
      child = newNode(name, node);
      (node.children ??= new Map()).set(name, child);
    }
    node = child;
  }
  // "attach payload to the last specified node"
  if (node !== root) {
    node.size = size;
    node.isDir = isDir;
    node.entry = entry;
  }
}

/** `FileTree.GetNode`. */
function getNode(root: DiveNode, path: string): DiveNode | undefined {
  let node = root;
  for (const name of path.split('/')) {
    if (name === '') continue;
    const child = node.children?.get(name);
    if (child === undefined) return undefined;
    node = child;
  }
  return node;
}

function copyTree(node: DiveNode, parent: DiveNode | undefined): DiveNode {
  const out: DiveNode = { ...node, parent, children: undefined };
  if (node.children !== undefined && node.children.size > 0) {
    out.children = new Map();
    for (const [name, child] of node.children) out.children.set(name, copyTree(child, out));
  }
  return out;
}

const NO_CHILDREN: DiveNode[] = [];

function sortedChildren(node: DiveNode): DiveNode[] {
  const c = node.children;
  if (c === undefined || c.size === 0) return NO_CHILDREN;
  if (c.size === 1) return [...c.values()];
  return [...c.keys()].sort(compareBytes).map((k) => c.get(k)!);
}

/**
 * `VisitDepthChildFirst` from `node`: children sorted by name, each subtree before its parent, the
 * root never visited. Returns false when `visit` returned false (dive: an error stops the walk).
 * Iterative, so deep paths cannot overflow the stack.
 */
function visitChildFirst(
  start: DiveNode,
  visit: (n: DiveNode) => boolean,
  filter?: (n: DiveNode) => boolean,
): boolean {
  const stack: { node: DiveNode; kids: DiveNode[]; i: number }[] = [
    { node: start, kids: sortedChildren(start), i: 0 },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.i < top.kids.length) {
      const child = top.kids[top.i++]!;
      if (isLeaf(child)) {
        if ((filter === undefined || filter(child)) && !visit(child)) return false;
      } else {
        stack.push({ node: child, kids: sortedChildren(child), i: 0 });
      }
      continue;
    }
    stack.pop();
    const n = top.node;
    if (n.parent === undefined) continue; // "never visit the root node"
    if (filter !== undefined && !filter(n)) continue;
    if (!visit(n)) return false;
  }
  return true;
}

/** `FileTree.Stack`: graft every node of `upper` onto `tree` (whiteouts remove, others add). */
function stack(tree: DiveNode, upper: DiveNode): void {
  visitChildFirst(upper, (node) => {
    const path = nodePath(node);
    if (isWhiteout(node)) {
      const target = getNode(tree, path);
      // RemovePath: a missing path (or the root) is only collected as a failure.
      if (target?.parent !== undefined) target.parent.children!.delete(target.name);
    } else {
      addPath(tree, path, node.size, node.isDir, node.entry);
    }
    return true;
  });
}

/** `processLayerTar`: one tree per layer, every entry added in tar order. */
function layerTree(entries: readonly TarEntry[]): { root: DiveNode; fileSize: number } {
  const root = newNode('', undefined);
  let fileSize = 0;
  for (const e of entries) {
    // getFileList skips the root (path.Clean gives "."). Names that would escape the root are
    // dropped here (dive would add them literally); the overlay reports them as issues.
    if (e.path === '' || !isSafePath(e.path)) continue;
    fileSize += e.size;
    addPath(root, e.path, e.size, e.type === 'dir', e);
  }
  return { root, fileSize };
}

export interface DiveResult {
  analysis: DiveAnalysis;
  /** Every record, keyed by dive's path (for per-file explanations). */
  byPath: Map<string, DivePathData>;
}

/** dive's `Efficiency(trees)` and `Analyze` figures for layers bottom→top. */
export function diveEfficiency(layers: readonly (readonly TarEntry[])[]): DiveResult {
  const byPath = new Map<string, DivePathData>();
  const inefficient: DivePathData[] = [];
  const aborted: { layer: number; path: string }[] = [];
  let sizeBytes = 0;
  let userSizeBytes = 0;
  let stacked: DiveNode | undefined;
  let previous: DiveNode | undefined;

  for (let k = 0; k < layers.length; k++) {
    const { root: tree, fileSize } = layerTree(layers[k]!);
    sizeBytes += fileSize;
    if (k !== 0) userSizeBytes += fileSize;
    // StackTreeRange(trees, 0, k-1): a copy of layer 0, then layers 0..k-1 stacked onto it.
    if (stacked === undefined) stacked = copyTree(tree, undefined);
    else stack(stacked, previous!);
    const lower = stacked;

    visitChildFirst(
      tree,
      (node) => {
        const path = nodePath(node);
        let data = byPath.get(path);
        if (data === undefined) {
          data = { path, visits: [], cumulative: 0, min: -1 };
          byPath.set(path, data);
        }
        let size = 0;
        const whiteout = isWhiteout(node);
        if (whiteout) {
          const prev = getNode(lower, path);
          if (prev === undefined) {
            aborted.push({ layer: k, path });
            return false;
          }
          if (prev.isDir) {
            // VisitDepthChildFirst(sizer, nil): everything below the node, then the node itself.
            visitChildFirst(prev, (n) => {
              size += n.size;
              return true;
            });
          }
        } else {
          size = node.size;
        }
        data.cumulative += size;
        if (data.min < 0 || size < data.min) data.min = size;
        data.visits.push({ layer: k, whiteout, size });
        if (data.visits.length === 2) inefficient.push(data);
        return true;
      },
      isLeaf,
    );
    previous = tree;
  }

  let minSum = 0;
  let cumulativeSum = 0;
  for (const d of byPath.values()) {
    minSum += d.min;
    cumulativeSum += d.cumulative;
  }
  let wastedBytes = 0;
  for (const d of inefficient) wastedBytes += d.cumulative;
  // dive sorts ascending by cumulative with sort.Sort and shows the list reversed (largest first).
  // For up to 12 items Go's pdqsort is an insertion sort, i.e. stable on discovery order, which a
  // stable sort reproduces exactly; longer lists tie-break differently (pdqsort is unstable).
  inefficient.sort((a, b) => a.cumulative - b.cumulative);
  inefficient.reverse();
  return {
    analysis: {
      score: cumulativeSum === 0 ? 1 : minSum / cumulativeSum,
      minSum,
      cumulativeSum,
      wastedBytes,
      sizeBytes,
      userSizeBytes,
      wastedUserPercent: wastedBytes / userSizeBytes,
      inefficiencies: inefficient,
      aborted,
    },
    byPath,
  };
}

/**
 * dive's `filetree.FileInfo` as its JSON export writes it (`dive/filetree/file_info.go`, built
 * from the tar header by `NewFileInfoFromTarHeader`), fields in dive's order.
 */
export interface DiveFileInfo {
  path: string;
  /** The typeflag byte ('0' is 48, '5' is 53). */
  typeFlag: number;
  linkName: string;
  size: number;
  /** Go's `os.FileMode`: permission bits, setuid/setgid/sticky and type bits at Go's positions. */
  fileMode: number;
  uid: number;
  gid: number;
  isDir: boolean;
}

/** Go's io/fs FileMode bits (`fs.ModeDir` is 1 << 31, and so on down). */
const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
} as const;

/** `tar.Header.FileInfo().Mode()` (archive/tar `headerFileInfo.Mode`) for an entry. */
function goFileMode(e: TarEntry): number {
  let m = e.mode & 0o777;
  if (e.mode & 0o4000) m += GO_MODE.setuid;
  if (e.mode & 0o2000) m += GO_MODE.setgid;
  if (e.mode & 0o1000) m += GO_MODE.sticky;
  switch (e.type) {
    case 'dir':
      m += GO_MODE.dir;
      break;
    case 'symlink':
      m += GO_MODE.symlink;
      break;
    case 'char':
      m += GO_MODE.device + GO_MODE.charDevice;
      break;
    case 'block':
      m += GO_MODE.device;
      break;
    case 'fifo':
      m += GO_MODE.namedPipe;
      break;
  }
  return m;
}

function diveFileInfo(e: TarEntry | undefined): DiveFileInfo {
  if (e === undefined)
    return {
      path: '',
      typeFlag: 0,
      linkName: '',
      size: 0,
      fileMode: 0,
      uid: 0,
      gid: 0,
      isDir: false,
    };
  // Go's tar reader turns the old regular-file flag NUL into '0' (or '5' for a name ending in /).
  const flag =
    e.typeflag === '' || e.typeflag === '\0' ? (e.type === 'dir' ? '5' : '0') : e.typeflag;
  return {
    path: e.path,
    typeFlag: flag.charCodeAt(0),
    linkName: e.linkname,
    size: e.size,
    fileMode: goFileMode(e),
    uid: e.uid,
    gid: e.gid,
    isDir: e.type === 'dir',
  };
}

/** One layer as dive's JSON export lists it. */
export interface DiveLayerFiles {
  /** Every node of the layer's tree but the root, in `VisitDepthChildFirst` order. */
  fileList: DiveFileInfo[];
  /** The tree's FileSize: the sum of the tar header sizes of the layer's entries. */
  sizeBytes: number;
}

/**
 * The `fileList` of each layer in dive's export (`cmd/dive/cli/internal/command/export`): the
 * nodes of the layer's own tree (the one `diveEfficiency` walks), children sorted by name, each
 * subtree before its parent; an implied parent (no entry of its own) is an empty FileInfo.
 */
export function diveLayerFiles(layers: readonly (readonly TarEntry[])[]): DiveLayerFiles[] {
  return layers.map((entries) => {
    const { root, fileSize } = layerTree(entries);
    const fileList: DiveFileInfo[] = [];
    visitChildFirst(root, (n) => {
      fileList.push(diveFileInfo(n.entry));
      return true;
    });
    return { fileList, sizeBytes: fileSize };
  });
}
