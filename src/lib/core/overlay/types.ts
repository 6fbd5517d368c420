/**
 * The overlay model: the layers of one image merged bottom→top the way a runtime applies them
 * (OCI image-spec layer.md "Applying Changesets", "Whiteouts"; docs/FORMATS.md 1.9), plus the per-layer
 * changes, path histories and wasted-space figures derived from it.
 *
 * Everything returned by the query methods is plain data (structured-clone safe); the `Overlay`
 * object itself stays in the worker that built it.
 */
import type { TarEntry, TarEntryType } from '../tar/types';

export type ChangeAction = 'added' | 'modified' | 'deleted';
export type NodeStatus = ChangeAction | 'unchanged';

/** Header fields that differ between the lower version of a path and this layer's version. */
export type ModifiedField =
  | 'type'
  | 'size'
  | 'mode'
  /** uid, gid, uname or gname. */
  | 'owner'
  | 'link'
  | 'mtime'
  | 'device'
  | 'xattrs';

/** Why a path disappeared in a layer. Descendants of a removed directory share its cause. */
export type DeleteCause =
  /** A `.wh.<name>` marker (`marker` is the marker's own path, never shown as a file). */
  | { kind: 'whiteout'; marker: string }
  /** The parent directory `dir` became opaque (`dir/.wh..wh..opq`). */
  | { kind: 'opaque'; dir: string; marker: string }
  /** The directory at `by` was replaced by a non-directory (or a file in the way of a parent). */
  | { kind: 'replaced'; by: string };

/** What a deletion took away: the path itself and everything under it. */
export interface HiddenStats {
  /** Paths removed (the path itself included). */
  entries: number;
  /** Regular files among them. */
  files: number;
  /** Their regular-file bytes. */
  bytes: number;
}

/** One row of a layer's change list (`Overlay.changes(k)`). */
export interface LayerChange {
  path: string;
  action: ChangeAction;
  /** Type after the change; for deletions the type of what was deleted. */
  type: TarEntryType;
  /** This layer's entry (added/modified) or the deleted lower entry (deleted). */
  entry: TarEntry;
  /** The lower version this layer replaced or deleted, and the layer that provided it. */
  before?: TarEntry;
  beforeLayer?: number;
  /** Modified only: which header fields differ from `before` (empty: re-listed unchanged). */
  changed?: ModifiedField[];
  /** Regular-file bytes: of the new version (added/modified) or of everything removed (deleted). */
  size: number;
  /** A directory this layer created only because an entry below it needed a parent. */
  implied?: boolean;
  /** The directory carries `.wh..wh..opq` in this layer: every lower child was hidden. */
  opaque?: boolean;
  /** The lower version was deleted (see `deletedBy`) and this layer re-created the path. */
  replaced?: boolean;
  /** An AUFS hardlink into `.wh..wh.plnk` turned into a copy of the linked file (moby diff.go). */
  retargeted?: boolean;
  deletedBy?: DeleteCause;
  /** Deleted rows: what went away. Directories that stay: what was removed directly beneath them. */
  hidden?: HiddenStats;
}

export interface ByteCount {
  count: number;
  /** Regular-file bytes. */
  bytes: number;
}

export interface LayerSummary {
  layer: number;
  /** Tar entries in the layer, markers included. */
  entries: number;
  added: ByteCount;
  /** `bytes` = size of the new versions. */
  modified: ByteCount;
  /**
   * Of `modified`: non-files written again with identical headers (typically parent directories
   * a layer re-lists). Regular files are never in here: their contents may have changed.
   */
  relisted: number;
  /** Every removed path (nested ones included); `bytes` = regular-file bytes removed. */
  deleted: ByteCount;
  /** Deleted rows in `changes(k)`: top-most deleted paths only. */
  deletedRoots: number;
  /** `.wh.<name>` markers that hid something. */
  whiteouts: number;
  /** `.wh.<name>` markers whose target did not exist below. */
  ineffectiveWhiteouts: number;
  opaqueDirs: number;
  /** The merged filesystem after this layer (root excluded). */
  merged: { entries: number; files: number; bytes: number };
  issues: number;
}

export type OverlayIssueKind =
  /** Absolute path, or a `..`/`.`/empty component: dropped so nothing escapes the root. */
  | 'unsafe-path'
  /** A bare `.wh.` marker names nothing (OCI layer.md): dropped. */
  | 'empty-whiteout'
  /** A path below a `.wh.`-named directory: not a valid marker, dropped. */
  | 'marker-parent'
  /** A `.wh.<name>` whose target did not exist in a lower layer. */
  | 'ineffective-whiteout'
  /** An entry's parent was a non-directory: replaced by an implied directory (moby would fail). */
  | 'parent-not-dir'
  /** A marker's parent is a non-directory: the marker was ignored. */
  | 'marker-parent-not-dir'
  /** A hardlink into `.wh..wh.plnk` with no such file in the layer (moby: "invalid aufs hardlink"). */
  | 'aufs-hardlink-missing'
  /** A hardlink whose target does not exist at that point (OCI allows lower-layer targets). */
  | 'hardlink-target-missing';

export interface OverlayIssue {
  layer: number;
  path: string;
  kind: OverlayIssueKind;
}

/** A path of the merged filesystem as one layer shows it. */
export interface OverlayNode {
  /** Stable id of the path within this overlay (same across layers). */
  id: number;
  /** '' for the root. */
  path: string;
  name: string;
  type: TarEntryType;
  isDir: boolean;
  /** The version shown: the current one, or for `deleted` nodes the one that was deleted. */
  entry: TarEntry;
  /** Layer that provided `entry`. */
  layer: number;
  status: NodeStatus;
  implied: boolean;
  /** Made opaque in the viewed layer. */
  opaque: boolean;
  /** Some path below was added, modified or deleted in the viewed layer. */
  changedBelow: boolean;
  /** Regular file: its size. Directory: regular-file bytes below. Deleted: bytes it took away. */
  size: number;
  /** Regular files at or below. */
  files: number;
  /** Children in the same view (what a tree row needs for its expander). */
  childCount: number;
  /** Modified nodes: which fields changed. */
  changed?: ModifiedField[];
  /** Deleted nodes, and modified nodes that were deleted then re-created. */
  deletedBy?: DeleteCause;
}

export interface TreeOptions {
  /** Only nodes changed in the layer (deleted ones included) and their ancestors. */
  changesOnly?: boolean;
}

export interface TreeRow {
  node: OverlayNode;
  /** 0 for children of the root. */
  depth: number;
}

export interface PathEvent {
  layer: number;
  action: ChangeAction;
  /** The version this layer wrote; absent for deletions. */
  entry?: TarEntry;
  /** The version that was deleted (deletions only). */
  deletedEntry?: TarEntry;
  type: TarEntryType;
  /** Regular-file bytes of this layer's version; 0 for deletions. */
  size: number;
  implied?: boolean;
  opaque?: boolean;
  replaced?: boolean;
  retargeted?: boolean;
  changed?: ModifiedField[];
  deletedBy?: DeleteCause;
  /** Deletions: what disappeared at and below this path. */
  hidden?: HiddenStats;
  /** Extra copies of the path in the same layer that a later entry overwrote (bytes). */
  shadowedBytes?: number;
}

export interface PathHistory {
  path: string;
  /** Every layer that touched the path, bottom to top. */
  events: PathEvent[];
  /** Present in the top layer. */
  presentAtTop: boolean;
}

// ---------------------------------------------------------------------------------------------
// Wasted space

/** One visit of dive's efficiency walk (a leaf of one layer's tree). */
export interface DiveNodeVisit {
  layer: number;
  /** The leaf was a `.wh.` marker: sized from the stacked lower tree. */
  whiteout: boolean;
  size: number;
}

/** dive's EfficiencyData for one path. */
export interface DivePathData {
  /** dive's `node.Path()` without the leading `/` (whiteout prefix trimmed). */
  path: string;
  visits: DiveNodeVisit[];
  cumulative: number;
  /** dive's minDiscoveredSize; -1 when the first visit of the path failed (kept, as dive does). */
  min: number;
}

export interface DiveAnalysis {
  /** minSum / cumulativeSum, 1 when cumulativeSum is 0 (dive filetree/efficiency.go). */
  score: number;
  minSum: number;
  cumulativeSum: number;
  /** Sum of `cumulative` over `inefficiencies` (dive image/analysis.go; issue #684). */
  wastedBytes: number;
  /** dive's SizeBytes: sum of every tar header size of every layer. */
  sizeBytes: number;
  /** SizeBytes without layer 0. */
  userSizeBytes: number;
  /** wastedBytes / userSizeBytes (Infinity or NaN when userSizeBytes is 0, as in Go). */
  wastedUserPercent: number;
  /** Paths visited two or more times, largest cumulative first (dive's inefficiency list). */
  inefficiencies: DivePathData[];
  /**
   * Layers whose walk dive abandoned: a whiteout of a path absent from the stacked lower tree makes
   * the visitor return an error, and the rest of that layer's leaves are never counted.
   */
  aborted: { layer: number; path: string }[];
}

/** One occurrence of a path in a layer (our own model). */
export interface WasteOccurrence {
  layer: number;
  /** `shadowed`: an earlier copy in the same layer's tar that a later entry overwrote. */
  action: ChangeAction | 'shadowed';
  size: number;
}

/** Structured reason for a wasted-space row; the UI turns it into a sentence. */
export interface WasteExplanation {
  /** First layer that wrote the path. */
  addedIn: number;
  /** Later layers that wrote the path again. */
  rewrittenIn: number[];
  /** Of those, rewrites that changed only metadata (mode, owner, mtime, xattrs): a chmod/chown copy. */
  metadataOnlyIn: number[];
  /** Layers whose tar held more than one copy of the path. */
  duplicatedIn: number[];
  /** Layers that deleted the path (whiteout, opaque directory, or a replaced parent). */
  deletedIn: number[];
  deletedBy?: DeleteCause['kind'];
  /** The path is in the top layer's filesystem. */
  stillShipped: boolean;
}

export interface WasteRow {
  path: string;
  occurrences: WasteOccurrence[];
  /** Bytes of every copy the layers carry. */
  cumulative: number;
  /** Smallest version (0 when the path was deleted at some point). */
  min: number;
  /** Size in the top layer's filesystem (0 when not shipped). */
  shipped: number;
  /** cumulative − shipped: what rebuilding the image with one final copy of each path saves. */
  reclaimable: number;
  /** dive's record of the same path, when it has one. */
  dive?: { cumulative: number; min: number; visits: number; countedInWastedBytes: boolean };
  explanation: WasteExplanation;
}

export interface WastedSpace {
  dive: DiveAnalysis;
  /** Sum of `reclaimable` over `rows`. */
  reclaimableBytes: number;
  /** Regular-file bytes in all layers' tars (shadowed copies included). */
  layerFileBytes: number;
  /** Regular-file bytes of the top layer's merged filesystem. */
  shippedBytes: number;
  /** Paths with reclaimable bytes, most reclaimable first. */
  rows: WasteRow[];
}
