/**
 * The fuzz harness: baselines of known-good (or known-bad) archives, a deterministic plan of cases
 * (a truncation sweep at every 512-byte boundary, then seeded random mutations), and a runner that
 * gives every case a deadline. Pure TypeScript; the Node entry points
 * (tests/fuzz/fuzz.test.ts, scripts/fuzz.ts) bring the inputs and the parallelism.
 *
 * A case passes when the pipeline (pipeline.ts) ends before the deadline in a result or in
 * `ArchiveError`s, with no failure recorded: no other exception, no broken invariant, no layer
 * verified whose bytes or claims the mutation changed, no false mismatch.
 */
import { openArchive } from '../../src/lib/core/archive/open';
import { indexLayer } from '../../src/lib/core/archive/layers';
import { decompressedStream } from '../../src/lib/core/compress/decompress';
import { sniffCompression } from '../../src/lib/core/compress/sniff';
import { indexTarBlob } from '../../src/lib/core/tar/index-blob';
import { BLOCK } from '../../src/lib/core/tar/header';
import { Rng, caseSeed } from './rng';
import {
  jsonStrings,
  mutate,
  pakoCodecs,
  truncateAt,
  type Baseline,
  type Codecs,
  type LayerBlob,
  type Member,
  type Mutation,
} from './mutate';
import { Aborted, runPipeline, type PipelineReport, type VerdictOracle } from './pipeline';

export { Rng, caseSeed } from './rng';
export type { Baseline, Codecs, Mutation } from './mutate';
export type { PipelineReport } from './pipeline';

export interface FuzzInput {
  name: string;
  bytes: Uint8Array;
  /** Relative frequency in the random cases (default 1). */
  weight?: number;
  /** Truncation sweep: 'all' 512-byte boundaries, or this many sampled ones (default 'all'). */
  sweep?: 'all' | number;
}

export interface PreparedInput {
  input: FuzzInput;
  baseline: Baseline;
  oracle: VerdictOracle;
  /** What the untouched input gives (a sample that is not an image gives its error). */
  clean: PipelineReport;
}

/** Per-case deadline: a case that has not ended by then FAILS. */
export const CASE_TIMEOUT_MS = 5000;
/** Compressed layers up to this size are kept uncompressed for re-compression mutations. */
const KEEP_PLAIN_BYTES = 64 * 1024 * 1024;

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const blobOf = (b: Uint8Array) => new Blob([b as Uint8Array<ArrayBuffer>]);
const padded = (n: number) => Math.ceil(n / BLOCK) * BLOCK;

/** Reads the input once, untouched: its members, JSON documents, layers and verdicts. */
export async function prepare(input: FuzzInput): Promise<PreparedInput> {
  const bytes = input.bytes;
  const outerCompression = sniffCompression(bytes.subarray(0, 8));
  let tar = bytes;
  if (outerCompression !== 'none') {
    try {
      tar = await collect(decompressedStream(blobOf(bytes), outerCompression));
    } catch {
      tar = bytes;
    }
  }
  let members: Member[] = [];
  try {
    members = (await indexTarBlob(blobOf(tar))).map((e) => ({
      path: e.path,
      type: e.type,
      mode: e.mode,
      headerOffset: e.headerOffset,
      dataOffset: e.dataOffset,
      size: e.size,
      end: e.dataOffset + padded(e.size),
    }));
  } catch {
    // Not a tar: only blind mutations apply.
  }
  const headerBlocks = [
    ...new Set(members.flatMap((m) => [m.headerOffset, m.dataOffset - BLOCK])),
  ].sort((a, b) => a - b);
  const byData = new Map(members.map((m) => [m.dataOffset, m]));

  const json: Baseline['json'] = [];
  const layers: LayerBlob[] = [];
  const texts: string[] = [];
  try {
    const opened = await openArchive(blobOf(bytes));
    const m = opened.outer.members;
    const paths = new Set<string>(Object.keys(opened.model.documents));
    for (const img of opened.model.images) {
      if (img.configDoc.path) paths.add(img.configDoc.path);
      if (img.manifestDoc?.path) paths.add(img.manifestDoc.path);
      if (img.indexDoc?.path) paths.add(img.indexDoc.path);
    }
    for (const p of paths) {
      const e = m.get(p);
      if (!e || e.type !== 'file') continue;
      json.push({ path: p, offset: e.dataOffset, size: e.size, member: byData.get(e.dataOffset) });
      texts.push(new TextDecoder().decode(tar.subarray(e.dataOffset, e.dataOffset + e.size)));
    }
    for (const l of Object.values(opened.model.layers)) {
      if (!l.present || !l.blob) continue;
      const blob: LayerBlob = {
        key: l.key,
        member: byData.get(l.blob.offset),
        offset: l.blob.offset,
        size: l.blob.size,
        compression: l.compression,
        innerHeaders: [],
      };
      try {
        const idx = await indexLayer(opened, l.key);
        blob.innerHeaders = [
          ...new Set(idx.entries.flatMap((e) => [e.headerOffset, e.dataOffset - BLOCK])),
        ].filter((h) => h >= 0);
        if (l.compression !== 'none' && idx.stats.uncompressedSize <= KEEP_PLAIN_BYTES)
          blob.plain = await collect(
            decompressedStream(
              opened.outer.source.slice(l.blob.offset, l.blob.offset + l.blob.size),
              l.compression,
              l.compression === 'gzip' ? 'pako-gzip' : undefined,
            ),
          );
      } catch {
        // A layer the original cannot index: mutate its bytes blindly.
      }
      layers.push(blob);
    }
  } catch {
    // Not an image archive (busybox-export, a broken synthetic one): blind and tar mutations.
  }
  const baseline: Baseline = {
    name: input.name,
    bytes,
    outerCompression,
    tar,
    members,
    headerBlocks,
    json,
    layers,
    strings: jsonStrings(texts),
  };
  const clean = await runPipeline(bytes, {
    signal: new AbortController().signal,
    rng: new Rng(0),
    hashAll: true,
  });
  const oracle: VerdictOracle = { storedHexes: new Set(), verifiedPairs: new Set() };
  for (const l of clean.layers) {
    if (!l.storedHex) continue;
    oracle.storedHexes.add(l.storedHex);
    if (l.diffIdState === 'verified') oracle.verifiedPairs.add(`${l.storedHex} ${l.diffId}`);
  }
  return { input, baseline, oracle, clean };
}

export interface FuzzPlan {
  seed: number;
  inputs: PreparedInput[];
  /** The truncation sweep, run first: (input index, cut offset). */
  sweep: { input: number; cut: number }[];
  /** Random cases after the sweep. */
  random: number;
  codecs: Codecs;
}

export function makePlan(
  inputs: PreparedInput[],
  opts: { seed: number; random: number; sweep: boolean; codecs?: Codecs },
): FuzzPlan {
  const sweep: FuzzPlan['sweep'] = [];
  if (opts.sweep) {
    inputs.forEach((p, i) => {
      const n = p.baseline.bytes.length;
      // A compressed archive has no 512-byte structure: cut it every 64 bytes instead.
      const step = p.baseline.outerCompression === 'none' ? BLOCK : 64;
      const cuts: number[] = [];
      for (let c = 0; c < n; c += step) cuts.push(c);
      const mode = p.input.sweep ?? 'all';
      if (mode === 'all') for (const c of cuts) sweep.push({ input: i, cut: c });
      else {
        const rng = new Rng(caseSeed(opts.seed, -1 - i));
        for (let k = 0; k < mode; k++) sweep.push({ input: i, cut: rng.pick(cuts) });
      }
    });
  }
  return {
    seed: opts.seed,
    inputs,
    sweep,
    random: opts.random,
    codecs: opts.codecs ?? pakoCodecs,
  };
}

export function planSize(plan: FuzzPlan): number {
  return plan.sweep.length + plan.random;
}

/** Case `i` of the plan: the input it mutates and the mutated bytes (deterministic). */
export function caseAt(plan: FuzzPlan, i: number): { input: PreparedInput; mutation: Mutation } {
  if (i < plan.sweep.length) {
    const s = plan.sweep[i]!;
    const input = plan.inputs[s.input]!;
    return { input, mutation: truncateAt(input.baseline, s.cut) };
  }
  const rng = new Rng(caseSeed(plan.seed, i));
  const input = rng.weighted(plan.inputs.map((p) => [p, p.input.weight ?? 1] as const));
  return { input, mutation: mutate(input.baseline, rng, plan.codecs) };
}

export interface CaseResult {
  index: number;
  input: string;
  op: string;
  detail: string;
  ms: number;
  /** 'ok', an ArchiveError code, 'timeout' or 'exception'. */
  outcome: string;
  /** The first error's message (for the summary). */
  message?: string;
  failures: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs case `i` against its deadline. */
export async function runCase(
  plan: FuzzPlan,
  i: number,
  timeoutMs = CASE_TIMEOUT_MS,
): Promise<CaseResult> {
  const started = performance.now();
  let input: PreparedInput;
  let mutation: Mutation;
  try {
    ({ input, mutation } = caseAt(plan, i));
  } catch (e) {
    return {
      index: i,
      input: '?',
      op: 'mutate',
      detail: '',
      ms: 0,
      outcome: 'exception',
      failures: [`the mutator itself failed: ${(e as Error)?.stack ?? String(e)}`],
    };
  }
  const result: CaseResult = {
    index: i,
    input: input.input.name,
    op: mutation.op,
    detail: mutation.detail,
    ms: 0,
    outcome: 'ok',
    failures: [],
  };
  const ctrl = new AbortController();
  const rng = new Rng(caseSeed(plan.seed ^ 0x5bd1e995, i));
  const work = runPipeline(mutation.bytes, { signal: ctrl.signal, rng, oracle: input.oracle });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const r = await Promise.race([work, deadline]);
    if (r === 'timeout') {
      ctrl.abort();
      // Still cancellable? The pipeline must settle soon after the abort.
      const settled = await Promise.race([
        work.then(
          () => true,
          () => true,
        ),
        sleep(2000).then(() => false),
      ]);
      result.outcome = 'timeout';
      result.failures.push(
        `no result within ${timeoutMs} ms${settled ? '' : '; still running 2 s after the abort'}`,
      );
    } else {
      result.outcome = r.outcome;
      result.message = r.errors[0]?.message;
      result.failures.push(...r.failures);
    }
  } catch (e) {
    result.outcome = 'exception';
    result.failures.push(
      e instanceof Aborted ? `aborted in ${e.message}` : `harness: ${(e as Error)?.stack ?? e}`,
    );
  } finally {
    clearTimeout(timer);
  }
  result.ms = performance.now() - started;
  return result;
}

/** Counts for the summary `npm run fuzz` prints. */
export class FuzzSummary {
  cases = 0;
  readonly outcomes = new Map<string, number>();
  readonly ops = new Map<string, Map<string, number>>();
  readonly failures: CaseResult[] = [];
  /** One example message per error code. */
  readonly examples = new Map<string, string>();
  slowest: CaseResult | undefined;
  totalMs = 0;

  add(r: CaseResult): void {
    this.cases++;
    this.totalMs += r.ms;
    this.outcomes.set(r.outcome, (this.outcomes.get(r.outcome) ?? 0) + 1);
    const op = this.ops.get(r.op) ?? new Map<string, number>();
    op.set(r.outcome, (op.get(r.outcome) ?? 0) + 1);
    this.ops.set(r.op, op);
    if (r.message && !this.examples.has(r.outcome)) this.examples.set(r.outcome, r.message);
    if (r.failures.length > 0) this.failures.push(r);
    if (!this.slowest || r.ms > this.slowest.ms) this.slowest = r;
  }

  format(repro: (r: CaseResult) => string): string {
    const lines: string[] = [];
    const ok = this.outcomes.get('ok') ?? 0;
    lines.push(
      `cases: ${this.cases}  results: ${ok}  errors: ${this.cases - ok}  failures: ${this.failures.length}`,
    );
    lines.push('outcomes:');
    for (const [k, v] of [...this.outcomes].sort((a, b) => b[1] - a[1]))
      lines.push(`  ${k.padEnd(24)} ${String(v).padStart(7)}`);
    lines.push('by mutation:');
    for (const [op, m] of [...this.ops].sort()) {
      const total = [...m.values()].reduce((a, b) => a + b, 0);
      const top = [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 4)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      lines.push(`  ${op.padEnd(18)} ${String(total).padStart(6)}  (${top})`);
    }
    if (this.slowest)
      lines.push(
        `slowest: ${this.slowest.ms.toFixed(0)} ms — case ${this.slowest.index} ${this.slowest.input} ${this.slowest.op} ${this.slowest.detail} → ${this.slowest.outcome}`,
      );
    lines.push(`mean: ${(this.totalMs / Math.max(1, this.cases)).toFixed(1)} ms per case`);
    for (const f of this.failures.slice(0, 50)) {
      lines.push(`FAIL case ${f.index} (${f.input} ${f.op} ${f.detail}) → ${f.outcome}`);
      for (const m of f.failures.slice(0, 3))
        lines.push(`    ${m.split('\n').slice(0, 4).join('\n    ')}`);
      lines.push(`    reproduce: ${repro(f)}`);
    }
    return lines.join('\n');
  }
}
