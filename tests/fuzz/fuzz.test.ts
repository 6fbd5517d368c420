/**
 * The seeded fuzz subset `npm test` runs (issue 8): every synthetic archive and the small samples
 * truncated at every 512-byte boundary, sampled cuts of the large samples, then 1,500 seeded random
 * mutations. Each case must end within 5 s in a result or ArchiveErrors, with no failure: no other
 * exception, no broken invariant, no wrong verdict (pipeline.ts). `npm run fuzz` runs the full set.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, nodeCodecs } from '../../scripts/fuzz';
import {
  FuzzSummary,
  makePlan,
  planSize,
  prepare,
  runCase,
  type CaseResult,
  type FuzzPlan,
  type PreparedInput,
} from './harness';

const SEED = 20261123;
const RANDOM_CASES = 1500;
const CHUNK = 250;
/** Samples larger than this get sampled truncation cuts instead of every boundary. */
const SWEEP_ALL_BELOW = 256 * 1024;

let plan: FuzzPlan;
const summary = new FuzzSummary();

beforeAll(async () => {
  const prepared: PreparedInput[] = [];
  // The 30 MB debian sample is left to `npm run fuzz`: its cases take seconds each.
  for (const input of loadCorpus().filter((c) => !c.name.startsWith('debian'))) {
    const big = input.bytes.length > SWEEP_ALL_BELOW;
    prepared.push(await prepare({ ...input, sweep: big ? 25 : 'all' }));
  }
  plan = makePlan(prepared, { seed: SEED, random: RANDOM_CASES, sweep: true, codecs: nodeCodecs });
});

function explain(failed: CaseResult[]): string {
  return failed
    .map(
      (f) =>
        `case ${f.index} (${f.input} ${f.op} ${f.detail}) → ${f.outcome}\n  ${f.failures.join('\n  ')}`,
    )
    .join('\n');
}

describe('fuzzing the engine (seeded subset)', () => {
  it('starts from inputs the engine reads (and one it rightly refuses)', () => {
    for (const p of plan.inputs) {
      expect(p.clean.failures, p.input.name).toEqual([]);
      expect(p.clean.outcome, p.input.name).toBe(
        p.input.name === 'busybox-export.tar' ? 'filesystem-export' : 'ok',
      );
    }
    expect(planSize(plan)).toBeGreaterThanOrEqual(500 + RANDOM_CASES);
  });

  it('truncation at every 512-byte boundary ends in a result or a specific error', async () => {
    const failed: CaseResult[] = [];
    for (let i = 0; i < plan.sweep.length; i++) {
      const r = await runCase(plan, i);
      summary.add(r);
      if (r.failures.length) failed.push(r);
    }
    expect(failed, explain(failed)).toEqual([]);
  });

  for (let from = 0; from < RANDOM_CASES; from += CHUNK) {
    it(`random mutations ${from}–${from + CHUNK - 1} (seed ${SEED})`, async () => {
      const failed: CaseResult[] = [];
      for (let k = from; k < Math.min(from + CHUNK, RANDOM_CASES); k++) {
        const r = await runCase(plan, plan.sweep.length + k);
        summary.add(r);
        if (r.failures.length) failed.push(r);
      }
      expect(failed, explain(failed)).toEqual([]);
    });
  }

  it('reached results, many kinds of error, and the deep stages', () => {
    const outcomes = summary.outcomes;
    expect(summary.cases).toBeGreaterThanOrEqual(500);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(50);
    for (const code of ['truncated', 'corrupt', 'bad-json', 'limit']) {
      expect(outcomes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    expect(outcomes.get('timeout') ?? 0).toBe(0);
    expect(outcomes.get('exception') ?? 0).toBe(0);
    // Every mutation operator ran.
    expect(summary.ops.size).toBeGreaterThanOrEqual(15);
    console.log(summary.format((r) => `case ${r.index}`));
  });
});
