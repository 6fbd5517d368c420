/**
 * The whole engine on one input, the way the app drives it (src/lib/workers/archive.worker.ts):
 * open → index every layer → verify every layer → overlay, listing and wasted space of every image
 * → read a few files. Every stage must end in a result or an `ArchiveError` with a code and a
 * message; anything else (another exception type, an invariant broken, a wrong verdict) is
 * recorded as a failure.
 */
import { openArchive, type OpenedArchive } from '../../src/lib/core/archive/open';
import {
  indexLayer,
  readLayerFile,
  verifyLayer,
  type LayerIndex,
} from '../../src/lib/core/archive/layers';
import { ArchiveError, isAbort } from '../../src/lib/core/model/errors';
import { buildOverlay, mergedListing } from '../../src/lib/core/overlay';
import type { TarEntry } from '../../src/lib/core/tar/types';
import type { Compression, VerifyState } from '../../src/lib/core/model/types';
import { decompressedStream, type DecoderKind } from '../../src/lib/core/compress/decompress';
import type { Rng } from './rng';

export interface LayerReport {
  key: string;
  compression: Compression;
  /** sha256 hex of the stored bytes, computed with SubtleCrypto (independent of hash-wasm). */
  storedHex?: string;
  digest?: string;
  diffId?: string;
  digestState: VerifyState;
  diffIdState: VerifyState;
}

export interface PipelineReport {
  /** 'ok' when every stage gave a result, else the code of the first ArchiveError. */
  outcome: string;
  errors: { stage: string; code: string; message: string }[];
  /** Bugs: an exception other than ArchiveError, a broken invariant, a wrong verdict. */
  failures: string[];
  images: number;
  layers: LayerReport[];
  entries: number;
}

/** What the untouched input showed, to judge the verdicts on a mutated copy. */
export interface VerdictOracle {
  /** sha256 hex of every layer blob of the original. */
  storedHexes: Set<string>;
  /** `${storedHex} ${diffId}` for every layer the original verified. */
  verifiedPairs: Set<string>;
}

export interface PipelineOptions {
  signal: AbortSignal;
  rng: Rng;
  oracle?: VerdictOracle;
  /** Hash every present layer (building an oracle), not only those with a verdict. */
  hashAll?: boolean;
  /** Files read through readLayerFile (default 3). */
  reads?: number;
}

const READ_MAX = 64 * 1024;

/** Aborts are the timeout's doing: they propagate so the runner can report a hang. */
class Aborted extends Error {}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  let s = '';
  for (const b of new Uint8Array(d)) s += b.toString(16).padStart(2, '0');
  return s;
}

/** sha256 of the uncompressed layer by every decoder that can read it (none when none can). */
async function plainHashes(stored: Uint8Array, compression: Compression): Promise<string[]> {
  if (compression === 'none') return [`sha256:${await sha256Hex(stored)}`];
  const out: string[] = [];
  const decoders: (DecoderKind | undefined)[] =
    compression === 'gzip' ? ['native-gzip', 'pako-gzip'] : [undefined];
  for (const d of decoders) {
    try {
      const reader = decompressedStream(
        new Blob([stored as Uint8Array<ArrayBuffer>]),
        compression,
        d,
      ).getReader();
      const parts: Uint8Array[] = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      out.push(`sha256:${await sha256Hex(all)}`);
    } catch {
      // this decoder cannot read it
    }
  }
  return out;
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${e.stack ?? ''}`;
  return `non-Error thrown: ${String(e)}`;
}

export async function runPipeline(
  bytes: Uint8Array,
  opts: PipelineOptions,
): Promise<PipelineReport> {
  const { signal, rng } = opts;
  const report: PipelineReport = {
    outcome: 'ok',
    errors: [],
    failures: [],
    images: 0,
    layers: [],
    entries: 0,
  };
  /** Runs one stage; ArchiveErrors are results, anything else a failure. */
  const stage = async <T>(name: string, fn: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      if (signal.aborted && isAbort(e)) throw new Aborted(name);
      if (e instanceof ArchiveError) {
        const msg = e.message;
        if (typeof e.code !== 'string' || msg.trim() === '')
          report.failures.push(`${name}: ArchiveError without a code or message`);
        else if (/\bundefined\b|\[object |\bNaN\b/.test(msg))
          report.failures.push(`${name}: ArchiveError ${e.code} with a broken message: ${msg}`);
        report.errors.push({ stage: name, code: e.code, message: msg });
        if (report.outcome === 'ok') report.outcome = e.code;
      } else {
        report.failures.push(`${name}: ${describe(e)}`);
        if (report.outcome === 'ok') report.outcome = 'exception';
      }
      return undefined;
    }
  };

  const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
  const opened = await stage('open', () => openArchive(blob, { signal, fileName: 'fuzz.tar' }));
  if (!opened) return report;
  const model = opened.model;
  report.images = model.images.length;
  if (model.images.length === 0) report.failures.push('open: a result without images');
  for (const img of model.images)
    for (const k of img.layerKeys)
      if (!model.layers[k]) report.failures.push(`open: image ${img.index} names no layer ${k}`);

  const keys = Object.values(model.layers)
    .filter((l) => l.present)
    .map((l) => l.key);
  const indexes = new Map<string, LayerIndex>();
  for (const key of keys) {
    const idx = await stage(`index ${key}`, () => indexLayer(opened, key, { signal }));
    if (!idx) continue;
    indexes.set(key, idx);
    report.entries += idx.entries.length;
    checkIndex(report, key, idx);
  }
  // As in the app, a layer that could not be indexed is not verified (it would only fail again).
  for (const key of indexes.keys())
    await stage(`verify ${key}`, () => verifyLayer(opened, key, { signal }));

  await stage('overlay', () => overlays(opened, indexes, rng));
  await readFiles(opened, indexes, opts, stage, report);
  await judgeVerdicts(opened, opts, report);
  return report;
}

/** A layer index that claims more than the layer holds is a wrong answer, not a result. */
function checkIndex(report: PipelineReport, key: string, idx: LayerIndex): void {
  const size = idx.stats.uncompressedSize;
  if (idx.stats.entries !== idx.entries.length)
    report.failures.push(
      `index ${key}: stats count ${idx.stats.entries} entries, index has ${idx.entries.length}`,
    );
  for (const e of idx.entries) {
    if (!(e.size >= 0) || !Number.isSafeInteger(e.size)) {
      report.failures.push(`index ${key}: ${e.path} has size ${e.size}`);
      return;
    }
    if (e.size > 0 && (e.dataOffset < 0 || e.dataOffset + e.size > size)) {
      report.failures.push(
        `index ${key}: ${e.path} claims bytes ${e.dataOffset}..${e.dataOffset + e.size} of a ${size}-byte layer`,
      );
      return;
    }
  }
}

function overlays(opened: OpenedArchive, indexes: Map<string, LayerIndex>, rng: Rng): void {
  for (const img of opened.model.images) {
    const layers: TarEntry[][] = [];
    for (const k of img.layerKeys) {
      const idx = indexes.get(k);
      // An absent layer is shown as empty (the app lists it as missing); a broken one stops here.
      if (idx) layers.push(idx.entries);
      else if (opened.model.layers[k]?.present === false) layers.push([]);
      else return;
    }
    if (layers.length === 0) continue;
    const ov = buildOverlay(layers);
    const top = ov.layerCount - 1;
    for (let k = 0; k <= top; k++) {
      ov.layerSummary(k);
      ov.changes(k);
    }
    const rows = ov.tree(top).rows(() => true);
    ov.tree(rng.int(top + 1), { changesOnly: true }).rows(() => true);
    const listing = mergedListing(ov, top);
    ov.wastedSpace();
    for (let i = 0; i < 3 && rows.length > 0; i++) ov.pathHistory(rng.pick(rows).node.path);
    if (listing.length !== rows.length)
      throw new Error(`listing has ${listing.length} lines but the tree ${rows.length} rows`);
  }
}

async function readFiles(
  opened: OpenedArchive,
  indexes: Map<string, LayerIndex>,
  opts: PipelineOptions,
  stage: <T>(name: string, fn: () => Promise<T> | T) => Promise<T | undefined>,
  report: PipelineReport,
): Promise<void> {
  const files: { key: string; e: TarEntry }[] = [];
  for (const [key, idx] of indexes)
    for (const e of idx.entries) if (e.type === 'file' && e.size > 0) files.push({ key, e });
  const n = Math.min(opts.reads ?? 3, files.length);
  let compressed = 0;
  for (let i = 0; i < n; i++) {
    const { key, e } = opts.rng.pick(files);
    // A compressed layer is decompressed from its start for every read: one per case is enough.
    if (opened.model.layers[key]?.compression !== 'none' && compressed++ > 0) continue;
    const bytes = await stage(`read ${key}:${e.path}`, () =>
      readLayerFile(opened, key, e, READ_MAX, opts.signal),
    );
    if (bytes && bytes.length !== Math.min(e.size, READ_MAX))
      report.failures.push(
        `read ${key}:${e.path}: got ${bytes.length} bytes for a ${e.size}-byte file`,
      );
  }
}

/**
 * The verdicts must be right: a layer reported verified must have exactly the bytes of an original
 * layer (a mutation that touched its bytes can never be verified), with the claims the original
 * verified; a layer reported mismatched must not be an untouched original with untouched claims.
 */
async function judgeVerdicts(
  opened: OpenedArchive,
  opts: PipelineOptions,
  report: PipelineReport,
): Promise<void> {
  for (const l of Object.values(opened.model.layers)) {
    if (!l.present || !l.blob) continue;
    const r: LayerReport = {
      key: l.key,
      compression: l.compression,
      digest: l.digest,
      diffId: l.diffId,
      digestState: l.digestState,
      diffIdState: l.diffIdState,
    };
    report.layers.push(r);
    const judged =
      l.digestState === 'verified' ||
      l.digestState === 'mismatch' ||
      l.diffIdState === 'verified' ||
      l.diffIdState === 'mismatch';
    if (!judged && !opts.hashAll) continue;
    const stored = new Uint8Array(
      await opened.outer.source.slice(l.blob.offset, l.blob.offset + l.blob.size).arrayBuffer(),
    );
    const hex = await sha256Hex(stored);
    r.storedHex = hex;
    const o = opts.oracle;
    if (!o) continue;
    const original = o.storedHexes.has(hex);
    if (l.digestState === 'verified') {
      if (l.digest !== `sha256:${hex}`)
        report.failures.push(`verdict ${l.key}: digest verified but the bytes hash to ${hex}`);
      else if (!original)
        report.failures.push(`verdict ${l.key}: digest verified on bytes no original layer has`);
    }
    if (l.digestState === 'mismatch' && l.digest === `sha256:${hex}`)
      report.failures.push(`verdict ${l.key}: digest mismatch reported on matching bytes`);
    const pair = `${hex} ${l.diffId}`;
    // Changed stored bytes can still hold the same tar (a gzip header's mtime, trailing padding):
    // then the diffID is rightly verified, which only the uncompressed bytes can tell.
    if (l.diffIdState === 'verified' && !o.verifiedPairs.has(pair)) {
      const plain = await plainHashes(stored, l.compression);
      if (!plain.includes(l.diffId ?? ''))
        report.failures.push(
          `verdict ${l.key}: diffID ${l.diffId} verified, but the layer's tar hashes to ${plain.join(' or ') || 'nothing (it cannot be decompressed)'}`,
        );
    }
    if (l.diffIdState === 'mismatch' && o.verifiedPairs.has(pair))
      report.failures.push(`verdict ${l.key}: diffID mismatch on an untouched verified layer`);
  }
}

export { Aborted };
