/**
 * The inventory: every package database of an image read at every layer that changed it, from
 * those files' bytes only, and compared layer to layer to say which layer added, upgraded and
 * removed each package (and which history step made that layer).
 *
 *   const inv = await buildInventory({ overlay, read, history });
 *   installedAt(inv, k, overlay)   // InstalledPackage[] of the merged filesystem after layer k
 *   layerPackageSummary(inv, k)    // what layer k installed, upgraded, removed
 */
import type { Overlay } from '../overlay';
import type { TarEntry } from '../tar/types';
import type { HistoryEntry } from '../model/types';
import { ArchiveError } from '../model/errors';
import { LIMITS, formatLimit } from '../model/limits';
import type {
  Ecosystem,
  ImagePackage,
  InstalledPackage,
  Inventory,
  PackageEvent,
  PackageIssue,
  PackageRecord,
} from './types';
import type { StanzaProblem } from './stanzas';
import {
  DPKG_STATUS,
  DPKG_STATUS_D,
  compareDebVersions,
  dpkgListKey,
  parseDpkgList,
  parseDpkgStatus,
} from './dpkg';
import { APK_INSTALLED, parseApkInstalled } from './apk';
import { npmPackageDir, parsePackageJson } from './npm';
import {
  parsePythonMetadata,
  parsePythonRecord,
  pythonMetadataDir,
  pythonRecordDir,
} from './python';
import { packageUrl } from './purl';

export interface InventoryInput {
  overlay: Overlay;
  /** At most `maxBytes` of `entry`, a regular file of layer `layer` (from 0, bottom). */
  read(layer: number, entry: TarEntry, maxBytes: number): Promise<Uint8Array>;
  /** The image's history: names the step that made each layer. */
  history?: readonly HistoryEntry[];
  signal?: AbortSignal;
}

type Kind = 'dpkg' | 'dpkg-list' | 'apk' | 'npm' | 'py-meta' | 'py-record' | 'os-release';

/** What a path of the filesystem is to the inventory, if anything. */
export function databaseKind(path: string): Kind | undefined {
  if (path === DPKG_STATUS) return 'dpkg';
  if (path.startsWith(DPKG_STATUS_D)) {
    const rest = path.slice(DPKG_STATUS_D.length);
    return rest && !rest.includes('/') && !rest.endsWith('.md5sums') ? 'dpkg' : undefined;
  }
  if (dpkgListKey(path)) return 'dpkg-list';
  if (path === APK_INSTALLED) return 'apk';
  if (path === 'etc/os-release' || path === 'usr/lib/os-release') return 'os-release';
  if (path.endsWith('/package.json')) return npmPackageDir(path) ? 'npm' : undefined;
  if (pythonMetadataDir(path)) return 'py-meta';
  if (pythonRecordDir(path)) return 'py-record';
  return undefined;
}

interface Tracked {
  kind: Kind;
  packages?: PackageRecord[];
  lines?: string[];
  record?: { files: string[]; size: number };
  os?: Inventory['distro'];
}

const decoder = new TextDecoder();

export async function buildInventory(input: InventoryInput): Promise<Inventory> {
  const { overlay, signal } = input;
  const layers = overlay.applied;
  const tracked = new Map<string, Tracked>();
  const issues: PackageIssue[] = [];
  const byId = new Map<string, ImagePackage>();
  const order: ImagePackage[] = [];
  let prev = new Map<string, PackageRecord>();
  let filesRead = 0;
  let bytesRead = 0;
  let distro: Inventory['distro'];

  for (let k = 0; k < layers; k++) {
    signal?.throwIfAborted();
    let dirty = false;
    for (const c of overlay.changes(k)) {
      // Deletions: the databases they hide are dropped below, by looking each one up.
      if (c.action === 'deleted') continue;
      const kind = databaseKind(c.path);
      if (!kind) continue;
      if (tracked.has(c.path)) dirty = true;
      tracked.delete(c.path);
      const file = regularFile(overlay, k, c.entry);
      if (!file) continue;
      dirty = true;
      if (file.entry.size > LIMITS.packageDbBytes) {
        issues.push({
          layer: k,
          path: c.path,
          message: `${c.path} is ${formatLimit(file.entry.size)}, over the ${formatLimit(LIMITS.packageDbBytes)} one package database may have (LIMITS.packageDbBytes): not read, its packages are not listed`,
        });
        continue;
      }
      if (++filesRead > LIMITS.packageDbFiles)
        throw new ArchiveError(
          'limit',
          `The image has more than ${LIMITS.packageDbFiles} package database files (LIMITS.packageDbFiles); its package list was not made.`,
        );
      bytesRead += file.entry.size;
      if (bytesRead > LIMITS.packageDbTotalBytes)
        throw new ArchiveError(
          'limit',
          `The package databases of this image add up to more than ${formatLimit(LIMITS.packageDbTotalBytes)} (LIMITS.packageDbTotalBytes); its package list was not made.`,
        );
      const bytes = await input.read(file.layer, file.entry, LIMITS.packageDbBytes);
      const text = decoder.decode(bytes);
      const t = parseTracked(kind, text, c.path);
      for (const p of t.problems)
        issues.push({
          layer: k,
          path: c.path,
          line: p.line,
          message: `line ${p.line}: ${p.message}`,
        });
      tracked.set(c.path, t.tracked);
    }
    // A database hidden by a whiteout, an opaque directory or a replaced parent is gone.
    for (const path of [...tracked.keys()]) {
      if (overlay.entryAt(k, path) === undefined) {
        tracked.delete(path);
        dirty = true;
      }
    }
    for (const t of tracked.values()) if (t.kind === 'os-release') distro = t.os;
    const state = dirty || k === 0 ? assemble(tracked, overlay, k) : prev;
    const createdBy = input.history?.find((h) => h.layerIndex === k)?.createdBy;
    for (const [id, rec] of state) {
      let pkg = byId.get(id);
      const before = prev.get(id);
      if (!pkg) {
        pkg = { id, ecosystem: rec.ecosystem, name: rec.name, at: [], events: [], addedIn: k };
        byId.set(id, pkg);
        order.push(pkg);
      }
      pkg.at[k] = rec;
      if (!before) {
        pkg.events.push({ kind: 'added', layer: k, to: rec.version, createdBy });
        if (pkg.removedIn !== undefined) pkg.removedIn = undefined;
      } else if (before.version !== rec.version) {
        pkg.events.push({
          kind: versionChange(rec.ecosystem, before.version, rec.version),
          layer: k,
          from: before.version,
          to: rec.version,
          createdBy,
        });
      }
    }
    for (const [id, rec] of prev) {
      if (state.has(id)) continue;
      const pkg = byId.get(id)!;
      pkg.events.push({ kind: 'removed', layer: k, from: rec.version, createdBy });
      pkg.removedIn = k;
    }
    prev = state;
  }
  for (const p of order) p.at.length = layers;
  return { layers, packages: order, issues, distro, filesRead, bytesRead };
}

function versionChange(eco: Ecosystem, from: string, to: string): PackageEvent['kind'] {
  if (eco !== 'deb') return 'changed';
  return compareDebVersions(to, from) > 0 ? 'upgraded' : 'downgraded';
}

/** Layer k's entry as a regular file (a hardlink followed to its target), or undefined. */
function regularFile(
  overlay: Overlay,
  k: number,
  entry: TarEntry,
): { layer: number; entry: TarEntry } | undefined {
  if (entry.type === 'file') return { layer: k, entry };
  if (entry.type !== 'hardlink') return undefined;
  const target = overlay.node(k, entry.linkname.replace(/^\/+/, ''));
  return target && target.entry.type === 'file'
    ? { layer: target.layer, entry: target.entry }
    : undefined;
}

function parseTracked(
  kind: Kind,
  text: string,
  path: string,
): { tracked: Tracked; problems: StanzaProblem[] } {
  switch (kind) {
    case 'dpkg': {
      const r = parseDpkgStatus(text, path);
      return { tracked: { kind, packages: r.packages }, problems: r.problems };
    }
    case 'apk': {
      const r = parseApkInstalled(text, path);
      return { tracked: { kind, packages: r.packages }, problems: r.problems };
    }
    case 'npm': {
      const r = parsePackageJson(text, path);
      return { tracked: { kind, packages: r.packages }, problems: r.problems };
    }
    case 'py-meta': {
      const r = parsePythonMetadata(text, path);
      return { tracked: { kind, packages: r.packages }, problems: r.problems };
    }
    case 'dpkg-list':
      return { tracked: { kind, lines: parseDpkgList(text) }, problems: [] };
    case 'py-record': {
      const dir = pythonRecordDir(path)!;
      const site = dir.slice(0, Math.max(0, dir.lastIndexOf('/')));
      return { tracked: { kind, record: parsePythonRecord(text, site) }, problems: [] };
    }
    case 'os-release':
      return { tracked: { kind, os: parseOsRelease(text) }, problems: [] };
  }
}

/** os-release(5): `KEY=value` lines, values optionally quoted. */
function parseOsRelease(text: string): Inventory['distro'] {
  const f = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) f.set(m[1]!, m[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  const id = f.get('ID');
  return id ? { id, versionId: f.get('VERSION_ID'), prettyName: f.get('PRETTY_NAME') } : undefined;
}

/** The packages the tracked databases list after layer k, by id. */
function assemble(
  tracked: Map<string, Tracked>,
  overlay: Overlay,
  k: number,
): Map<string, PackageRecord> {
  const lists = new Map<string, string[]>();
  const records = new Map<string, { files: string[]; size: number }>();
  for (const [path, t] of tracked) {
    if (t.lines) lists.set(dpkgListKey(path)!, t.lines);
    if (t.record) records.set(pythonRecordDir(path)!, t.record);
  }
  const out = new Map<string, PackageRecord>();
  // dpkg's status file before status.d, in path order: a deterministic first-wins.
  const paths = [...tracked.keys()].sort();
  for (const path of paths) {
    const t = tracked.get(path)!;
    for (const p of t.packages ?? []) {
      let rec = p;
      let where = '';
      if (p.ecosystem === 'deb') {
        const files = lists.get(`${p.name}:${p.arch}`) ?? lists.get(p.name) ?? [];
        rec = { ...p, files };
      } else if (p.ecosystem === 'npm') {
        where = p.db.slice(0, -'/package.json'.length);
        const all = overlay.node(k, where)?.size ?? 0;
        const nested = overlay.node(k, `${where}/node_modules`)?.size ?? 0;
        rec = { ...p, size: all - nested };
      } else if (p.ecosystem === 'pypi') {
        where = pythonMetadataDir(p.db)!;
        const r = records.get(where);
        rec = r ? { ...p, files: r.files, size: r.size } : { ...p, files: [`/${where}`] };
      }
      const id = `${p.ecosystem}:${where}:${p.name}${p.arch ? `:${p.arch}` : ''}`;
      if (!out.has(id)) out.set(id, rec);
    }
  }
  return out;
}

/** The packages installed in the merged filesystem after layer k, in name order. */
export function installedAt(inv: Inventory, k: number, overlay?: Overlay): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const p of inv.packages) {
    const rec = p.at[k];
    if (!rec) continue;
    let versionIn = p.addedIn;
    for (const e of p.events) if (e.layer <= k && e.kind !== 'removed') versionIn = e.layer;
    let missingFiles = 0;
    if (overlay && (rec.ecosystem === 'deb' || rec.ecosystem === 'apk' || rec.ecosystem === 'pypi'))
      for (const f of rec.files) if (overlay.entryAt(k, f.slice(1)) === undefined) missingFiles++;
    out.push({
      ...rec,
      id: p.id,
      purl: packageUrl(rec, inv.distro),
      addedIn: p.addedIn,
      versionIn,
      events: p.events,
      removedIn: p.removedIn,
      missingFiles,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
}

export interface LayerPackageSummary {
  layer: number;
  /** Packages this layer added, and their bytes (declared, or their files'). */
  installed: { count: number; bytes: number };
  upgraded: number;
  removed: number;
}

/** What layer k did to the packages: "this layer installed 37 packages (12.3 MB)". */
export function layerPackageSummary(inv: Inventory, k: number): LayerPackageSummary {
  const s: LayerPackageSummary = {
    layer: k,
    installed: { count: 0, bytes: 0 },
    upgraded: 0,
    removed: 0,
  };
  for (const p of inv.packages)
    for (const e of p.events) {
      if (e.layer !== k) continue;
      if (e.kind === 'added') {
        s.installed.count++;
        s.installed.bytes += p.at[k]?.size ?? 0;
      } else if (e.kind === 'removed') s.removed++;
      else s.upgraded++;
    }
  return s;
}
