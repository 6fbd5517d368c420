/**
 * Test support (Node only): the bundled samples' oracle facts (`sample-images/*.expected.json`,
 * written by skopeo, podman and GNU tar, never by layerscope), and a small independent overlay of
 * their `tar -tv` listings, so lessons can be checked against what the samples really contain.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const ROOT = join(import.meta.dirname, '../../../..');
export const SAMPLES_DIR = join(ROOT, 'sample-images');

export interface SampleListing {
  id: string;
  file: string;
  expected: string;
  kind: string;
  bytes: number;
  outerCompression: string;
}

export interface ExpectedLayer {
  digest: string;
  diffId: string;
  compression: string;
  storedSize: number;
  uncompressedSize: number;
  entries: number;
  whiteouts: number;
  opaqueWhiteouts: number;
  tarTv: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  config?: Record<string, unknown>;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

export interface ExpectedImage {
  ref: string;
  repoTags: string[];
  id: string;
  manifestDigest?: string;
  created: string;
  architecture: string;
  os: string;
  config: ImageConfig;
  configRaw: ImageConfig;
  layers: ExpectedLayer[];
  merged: string[];
}

export interface Expected {
  archive: string;
  kind: string;
  outerCompression: string;
  bytes: number;
  images?: ExpectedImage[];
  tarTv?: string[];
  entries?: number;
}

export const samples: SampleListing[] = (
  JSON.parse(readFileSync(join(SAMPLES_DIR, 'samples.json'), 'utf8')) as {
    samples: SampleListing[];
  }
).samples;

const expectedCache = new Map<string, Expected>();
export function expectedOf(sampleId: string): Expected {
  const s = samples.find((x) => x.id === sampleId);
  if (!s) throw new Error(`no sample ${sampleId}`);
  let e = expectedCache.get(s.id);
  if (!e) {
    e = JSON.parse(readFileSync(join(SAMPLES_DIR, s.expected), 'utf8')) as Expected;
    expectedCache.set(s.id, e);
  }
  return e;
}

export function imageOf(sampleId: string, index = 0): ExpectedImage | undefined {
  return expectedOf(sampleId).images?.[index];
}

// --- tar -tv lines ------------------------------------------------------------------------------

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
export interface ListedEntry {
  type: EntryType;
  path: string;
  size: number;
  uid: number;
  gid: number;
  link?: string;
}

const TV = /^(\S)(\S{9})\s+(\d+)\/(\d+)\s+(\S+)\s+\S+\s+\S+\s(.*)$/;

/** One line of GNU `tar -tvf --numeric-owner`. */
export function parseTarTv(line: string): ListedEntry {
  const m = TV.exec(line);
  if (!m) throw new Error(`unparsed tar -tv line: ${line}`);
  const [, t, , uid, gid, size, rest] = m as unknown as string[];
  const type: EntryType =
    t === '-'
      ? 'file'
      : t === 'd'
        ? 'dir'
        : t === 'l'
          ? 'symlink'
          : t === 'h'
            ? 'hardlink'
            : 'other';
  let path = rest!;
  let link: string | undefined;
  if (type === 'symlink' && path.includes(' -> ')) [path, link] = splitOnce(path, ' -> ');
  if (type === 'hardlink' && path.includes(' link to '))
    [path, link] = splitOnce(path, ' link to ');
  path = path.replace(/^\.\//, '').replace(/\/+$/, '');
  const n = Number(size);
  return { type, path, size: Number.isFinite(n) ? n : 0, uid: Number(uid), gid: Number(gid), link };
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return [s.slice(0, i), s.slice(i + sep.length)];
}

// --- an independent overlay of the listings --------------------------------------------------------

export interface OverlayState {
  /** Paths present after layers 0..k (implied parent directories included). */
  present: Map<string, ListedEntry & { layer: number }>;
  /** Paths that layer k hid, with the marker that hid them (and not re-created by layer k). */
  deleted: Map<string, { marker: string; opaque: boolean }>;
  /** Directories that layer k made opaque. */
  opaqueDirs: Set<string>;
}

const WH = '.wh.';
const OPQ = '.wh..wh..opq';
const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

export function layerEntries(layer: ExpectedLayer): ListedEntry[] {
  return layer.tarTv.map(parseTarTv);
}

/** The merged filesystem after layers 0..k, following the OCI whiteout rules. */
export function overlayAt(image: ExpectedImage, k: number): OverlayState {
  const present = new Map<string, ListedEntry & { layer: number }>();
  let deleted = new Map<string, { marker: string; opaque: boolean }>();
  let opaqueDirs = new Set<string>();
  const removeTree = (root: string, marker: string, opaque: boolean, record: boolean) => {
    for (const p of [...present.keys()]) {
      if (p === root || (root === '' ? true : p.startsWith(root + '/'))) {
        if (opaque && p === root) continue;
        present.delete(p);
        if (record) deleted.set(p, { marker, opaque });
      }
    }
  };
  for (let j = 0; j <= k && j < image.layers.length; j++) {
    const top = j === k;
    if (top) {
      deleted = new Map();
      opaqueDirs = new Set();
    }
    const entries = layerEntries(image.layers[j]!);
    for (const e of entries) {
      const base = baseOf(e.path);
      if (!base.startsWith(WH)) continue;
      const dir = parentOf(e.path);
      if (base === OPQ) {
        if (top) opaqueDirs.add(dir);
        for (const p of [...present.keys()])
          if (dir === '' || p.startsWith(dir + '/')) {
            present.delete(p);
            if (top) deleted.set(p, { marker: e.path, opaque: true });
          }
      } else {
        const target = (dir ? dir + '/' : '') + base.slice(WH.length);
        removeTree(target, e.path, false, top);
      }
    }
    for (const e of entries) {
      if (e.path === '' || baseOf(e.path).startsWith(WH)) continue;
      let d = parentOf(e.path);
      while (d !== '' && !present.has(d)) {
        present.set(d, { type: 'dir', path: d, size: 0, uid: 0, gid: 0, layer: j });
        d = parentOf(d);
      }
      const old = present.get(e.path);
      if (old?.type === 'dir' && e.type !== 'dir') removeTree(e.path, e.path, false, false);
      present.set(e.path, { ...e, layer: j });
      if (top) deleted.delete(e.path);
    }
  }
  return { present, deleted, opaqueDirs };
}

/** Paths a lesson may select at layer k: present, deleted by layer k, or listed in layer k. */
export function selectablePaths(image: ExpectedImage, k: number): Set<string> {
  const o = overlayAt(image, k);
  const listed = layerEntries(image.layers[k]!).map((e) => e.path);
  return new Set([...o.present.keys(), ...o.deleted.keys(), ...listed]);
}

/** Per path: bytes of every regular-file version, and the bytes still visible at the top. */
export function wasteRows(image: ExpectedImage): { path: string; reclaimable: number }[] {
  const versions = new Map<string, number>();
  image.layers.forEach((l) => {
    for (const e of layerEntries(l))
      if (e.type === 'file') versions.set(e.path, (versions.get(e.path) ?? 0) + e.size);
  });
  const top = overlayAt(image, image.layers.length - 1).present;
  const rows: { path: string; reclaimable: number }[] = [];
  for (const [path, cumulative] of versions) {
    const shipped = top.get(path)?.type === 'file' ? top.get(path)!.size : 0;
    if (cumulative - shipped > 0) rows.push({ path, reclaimable: cumulative - shipped });
  }
  return rows.sort((a, b) => b.reclaimable - a.reclaimable || (a.path < b.path ? -1 : 1));
}

// --- documents inside the archives -------------------------------------------------------------

/** Regular members of a (possibly gzipped) tar archive whose names pass `want`. */
export function tarMembers(file: string, want: (name: string) => boolean): Map<string, Buffer> {
  let buf: Buffer = readFileSync(join(SAMPLES_DIR, file));
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const out = new Map<string, Buffer>();
  let off = 0;
  let longName: string | undefined;
  const str = (h: Buffer, a: number, b: number) =>
    h
      .subarray(a, b)
      .toString('utf8')
      .replace(/\0[\s\S]*$/, '');
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const prefix = str(h, 345, 500);
    const name = (prefix ? prefix + '/' : '') + str(h, 0, 100);
    const size = parseInt(str(h, 124, 136).trim() || '0', 8);
    const type = String.fromCharCode(h[156]!);
    const body = buf.subarray(off + 512, off + 512 + size);
    if (type === 'L') longName = str(body, 0, body.length);
    else {
      const n = (longName ?? name).replace(/^\.\//, '');
      longName = undefined;
      if ((type === '0' || type === '\0') && want(n)) out.set(n, Buffer.from(body));
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

export function tarJson(file: string, name: string): unknown {
  const m = tarMembers(file, (n) => n === name).get(name);
  return m ? JSON.parse(m.toString('utf8')) : undefined;
}

/** The value at a dotted path (`rootfs.diff_ids.0`), or undefined. */
export function atPath(doc: unknown, path: string[]): unknown {
  let v: unknown = doc;
  for (const p of path) {
    if (Array.isArray(v) && /^\d+$/.test(p)) v = v[Number(p)];
    else if (v !== null && typeof v === 'object' && Object.hasOwn(v, p))
      v = (v as Record<string, unknown>)[p];
    else return undefined;
  }
  return v;
}

/** Every sha256 hex named by any oracle: image IDs, digests, diffIDs, manifest digests. */
export function knownHashes(): string[] {
  const out = new Set<string>();
  const add = (s?: string) => s && out.add(s.replace(/^sha256:/, ''));
  for (const s of samples) {
    for (const im of expectedOf(s.id).images ?? []) {
      add(im.id);
      add(im.manifestDigest);
      for (const l of im.layers) {
        add(l.digest);
        add(l.diffId);
      }
    }
  }
  return [...out];
}
