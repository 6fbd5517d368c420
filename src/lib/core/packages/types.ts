/**
 * The packages an image installs, as its package databases record them (never guessed from file
 * names): dpkg, apk, npm's package.json files, Python's dist-info / egg-info metadata.
 * Everything here is plain data from the archive: untrusted text, shown as text only.
 */

export type Ecosystem = 'deb' | 'apk' | 'npm' | 'pypi';

export const ECOSYSTEMS: readonly Ecosystem[] = ['deb', 'apk', 'npm', 'pypi'];

export interface DeclaredLicense {
  /** The text the package declares, as it is written. */
  declared: string;
  /** The same as an SPDX license expression, when it is a valid one (`MIT`, `GPL-2.0-only OR MIT`). */
  spdx?: string;
}

/** One package as one database records it at one layer. */
export interface PackageRecord {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  arch?: string;
  /** dpkg `Source`, apk `o:` (origin): the source package it was built from. */
  source?: string;
  license?: DeclaredLicense;
  description?: string;
  /** Absolute paths the package owns (dpkg info/*.list, apk F:/R:, a dist-info RECORD). */
  files: string[];
  /** Bytes: declared by the database (dpkg Installed-Size × 1024, apk I:), or the files' sum. */
  size: number;
  sizeFrom: 'declared' | 'files';
  /** The database file that lists it (`var/lib/dpkg/status`, `…/node_modules/x/package.json`). */
  db: string;
  /** dpkg's state (`installed`, `half-configured`, …) where the database has one. */
  status?: string;
}

export type PackageEventKind = 'added' | 'upgraded' | 'downgraded' | 'changed' | 'removed';

export interface PackageEvent {
  kind: PackageEventKind;
  /** Index of the layer (from 0, bottom) after which the database says so. */
  layer: number;
  /** The version before (upgraded/downgraded/changed/removed). */
  from?: string;
  /** The version after (added/upgraded/downgraded/changed). */
  to?: string;
  /** `created_by` of the history step that made the layer, when the config says. */
  createdBy?: string;
}

/** A package through the life of the image: every version it had, layer by layer. */
export interface ImagePackage {
  /** Stable within the inventory: ecosystem, location and name (and arch for dpkg). */
  id: string;
  ecosystem: Ecosystem;
  name: string;
  /** The package at each layer where it is installed, by layer index; absent where it is not. */
  at: (PackageRecord | undefined)[];
  events: PackageEvent[];
  /** The layer that added it first. */
  addedIn: number;
  /** The layer that removed it, when it is gone from the top layer. */
  removedIn?: number;
}

/** What a database could not say: a line that does not parse, a file over a limit. */
export interface PackageIssue {
  layer: number;
  /** The database file. */
  path: string;
  /** 1-based line of the first character that failed, when the failure has one. */
  line?: number;
  message: string;
}

/** One image's packages at every layer. */
export interface Inventory {
  layers: number;
  packages: ImagePackage[];
  issues: PackageIssue[];
  /** The distribution (`etc/os-release` ID and VERSION_ID) at the top layer, for package URLs. */
  distro?: { id: string; versionId?: string; prettyName?: string };
  /** Database files read, and their bytes: what the inventory cost. */
  filesRead: number;
  bytesRead: number;
}

/** One installed package at one layer, with what the inventory knows of its life. */
export interface InstalledPackage extends PackageRecord {
  id: string;
  purl: string;
  addedIn: number;
  /** The layer that gave it this version (its `addedIn`, or the last upgrade at or below). */
  versionIn: number;
  events: PackageEvent[];
  removedIn?: number;
  /** Files it owns that are not in the merged filesystem at this layer. */
  missingFiles: number;
}
