/**
 * `layerscope ci`: dive's CI gate (`dive --ci`, github.com/wagoodman/dive
 * cmd/dive/cli/internal/command/ci and internal/options/ci*.go, read at d6c69194), on the
 * figures core/overlay already computes for the Wasted view (`Overlay.wastedSpace()`: dive's
 * efficiency and wasted bytes, replicated in overlay/dive.ts, and our reclaimable bytes).
 *
 * As dive does it:
 *  - three rules, lowestEfficiency (default 0.9), highestWastedBytes (disabled) and
 *    highestUserWastedPercent (0.1); a value that is empty, `disabled`, `off` or `false` (any
 *    case, spaces around) disables its rule;
 *  - the ratios are Go `strconv.ParseFloat` numbers and must lie in 0..1; the bytes are
 *    go-humanize `ParseBytes` sizes (`20MB` = 20,000,000, `20MiB` = 20,971,520, case ignored);
 *  - the rules file is YAML with the three camelCase keys under `rules:` (other keys ignored);
 *    each value is taken as the text written (`0.20` stays `0.20`); a rule the file leaves out
 *    keeps its default; flags override the file;
 *  - the report: Analysis, Inefficient Files, then one PASS/FAIL/SKIP line per rule in name
 *    order and the tally; a rule that fails fails the gate.
 */
import { parse as parseYaml } from 'yaml';
import type { WastedSpace } from '../lib/core/overlay';

export const RULE_KEYS = [
  'lowestEfficiency',
  'highestWastedBytes',
  'highestUserWastedPercent',
] as const;
export type RuleKey = (typeof RULE_KEYS)[number];
export type RuleValues = Record<RuleKey, string>;

export const DEFAULT_RULES: RuleValues = {
  lowestEfficiency: '0.9',
  highestWastedBytes: 'disabled',
  highestUserWastedPercent: '0.1',
};

/** A rules file or a rule value dive would refuse: exit status 2. */
export class CiConfigError extends Error {}

function isDisabled(v: string): boolean {
  const s = v.trim().toLowerCase();
  return s === '' || s === 'disabled' || s === 'off' || s === 'false';
}

/** Go's `strconv.ParseFloat(s, 64)` for decimal input (and inf / nan), else undefined. */
export function goParseFloat(s: string): number | undefined {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  const m = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (!m) return undefined;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  p: 1e15,
  pb: 1e15,
  e: 1e18,
  eb: 1e18,
  ki: 2 ** 10,
  kib: 2 ** 10,
  mi: 2 ** 20,
  mib: 2 ** 20,
  gi: 2 ** 30,
  gib: 2 ** 30,
  ti: 2 ** 40,
  tib: 2 ** 40,
  pi: 2 ** 50,
  pib: 2 ** 50,
  ei: 2 ** 60,
  eib: 2 ** 60,
};

/** go-humanize `ParseBytes`: digits, dots and commas, then a unit; the error text is its. */
export function parseBytes(s: string): number {
  const num = /^[\d.,]*/.exec(s)![0];
  const f = goParseFloat(num.replaceAll(',', ''));
  if (f === undefined || Number.isNaN(f))
    throw new Error(`strconv.ParseFloat: parsing "${num.replaceAll(',', '')}": invalid syntax`);
  const extra = s.slice(num.length).trim().toLowerCase();
  const m = SIZE_UNITS[extra];
  if (m === undefined) throw new Error(`unhandled size name: ${extra}`);
  if (f * m >= 2 ** 64) throw new Error(`too large: ${s}`);
  return Math.floor(f * m);
}

/** go-humanize `Bytes`: SI units, one decimal under 10 (`131 B`, `1.2 MB`, `32 kB`). */
export function humanBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const val = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${val < 10 ? val.toFixed(1) : val.toFixed(0)} ${sizes[e]}`;
}

/** Go's `%v` of a float64 (shortest form; an exponent below 1e-4 or from 1e21, as %g does). */
function goFloat(x: number): string {
  if (x !== 0 && Number.isFinite(x) && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e21)) {
    const [m, e] = x.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  return String(x);
}

/** Go's `%2.2f`. */
function f2(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  return x.toFixed(2);
}

/**
 * The rule values from a rules file (`.dive-ci`): as dive reads it with yaml.v3 into string
 * fields, a scalar keeps the text written and `~` / nothing is empty (which disables the rule).
 */
export function parseRulesFile(text: string, path: string): Partial<RuleValues> {
  let doc: unknown;
  try {
    // The failsafe schema keeps every scalar as its text, as a Go string field receives it.
    doc = parseYaml(text, { schema: 'failsafe' });
  } catch (e) {
    throw new CiConfigError(`failed to unmarshal CI config file ${path}: ${(e as Error).message}`);
  }
  const out: Partial<RuleValues> = {};
  if (doc === null || doc === undefined || doc === '') return out;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new CiConfigError(`failed to unmarshal CI config file ${path}: not a mapping`);
  const rules = (doc as Record<string, unknown>).rules;
  if (rules === undefined || rules === null || rules === '') return out;
  if (typeof rules !== 'object' || Array.isArray(rules))
    throw new CiConfigError(`failed to unmarshal CI config file ${path}: rules is not a mapping`);
  for (const key of RULE_KEYS) {
    if (!(key in rules)) continue;
    const v = (rules as Record<string, unknown>)[key];
    if (v === null || v === undefined || v === '' || v === '~' || v === 'null') out[key] = '';
    else if (typeof v === 'string') out[key] = v;
    else
      throw new CiConfigError(
        `failed to unmarshal CI config file ${path}: rules.${key} is not a single value`,
      );
  }
  return out;
}

interface Rule {
  key: RuleKey;
  /** The value as configured (shown after a PASS: `lowestEfficiency (0.9)`). */
  config: string;
  evaluate?: (w: WastedSpace) => string | undefined;
}

/** dive's `ci.Rules`: the three rules from their values, or every value's error at once. */
export function buildRules(values: RuleValues): Rule[] {
  const errors: string[] = [];
  const rules: Rule[] = [];
  const ratio = (key: RuleKey): number | undefined => {
    const v = values[key];
    const x = goParseFloat(v);
    if (x === undefined) {
      errors.push(
        `invalid ${key} config value, given ${JSON.stringify(v)}: strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`,
      );
      return undefined;
    }
    if (x < 0 || x > 1) {
      errors.push(`${key} config value is outside allowed range (0-1), given '${x.toFixed(6)}'`);
      return undefined;
    }
    return x;
  };
  for (const key of RULE_KEYS) {
    const config = values[key];
    if (isDisabled(config)) {
      rules.push({ key, config: 'disabled' });
      continue;
    }
    if (key === 'lowestEfficiency') {
      const t = ratio(key);
      rules.push({
        key,
        config,
        evaluate: (w) =>
          t !== undefined && t > w.dive.score
            ? `image efficiency is too low (efficiency=${f2(w.dive.score)} < threshold=${goFloat(t)})`
            : undefined,
      });
    } else if (key === 'highestWastedBytes') {
      let t: number | undefined;
      try {
        t = parseBytes(config);
      } catch (e) {
        errors.push(
          `invalid highestWastedBytes config value, given ${JSON.stringify(config)}: ${(e as Error).message}`,
        );
      }
      rules.push({
        key,
        config,
        evaluate: (w) =>
          t !== undefined && w.dive.wastedBytes > t
            ? `too many bytes wasted (wasted-bytes=${w.dive.wastedBytes} > threshold=${t})`
            : undefined,
      });
    } else {
      const t = ratio(key);
      rules.push({
        key,
        config,
        evaluate: (w) =>
          t !== undefined && w.dive.wastedUserPercent > t
            ? `too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=${f2(w.dive.wastedUserPercent)} > threshold=${goFloat(t)})`
            : undefined,
      });
    }
  }
  if (errors.length) throw new CiConfigError(errors.join('\n'));
  return rules;
}

export interface CiReport {
  text: string;
  pass: boolean;
}

/** The report `dive --ci` prints (without its colours), plus the reclaimable bytes line. */
export function ciReport(w: WastedSpace, rules: readonly Rule[]): CiReport {
  const d = w.dive;
  const kv = (k: string, v: string) => `  ${`${k}:`.padEnd(18)} ${v}`;
  const analysis = [
    'Analysis:',
    kv('efficiency', `${f2(d.score * 100)} %`),
    kv(
      'wastedBytes',
      `${d.wastedBytes} bytes ${d.wastedBytes > 0 ? `(${humanBytes(d.wastedBytes)})` : ''}`,
    ),
    kv('userWastedPercent', d.wastedBytes > 0 ? `${f2(d.wastedUserPercent * 100)} %` : '0 %'),
    kv(
      'reclaimableBytes',
      `${w.reclaimableBytes} bytes (${humanBytes(w.reclaimableBytes)}), what a rebuild can win back (wastedBytes counts every copy: dive #684, see --help)`,
    ),
  ].join('\n');

  const files =
    d.inefficiencies.length === 0
      ? 'Inefficient Files: (None)'
      : [
          'Inefficient Files:',
          `  ${'Count'.padEnd(5)}  ${'Wasted Space'.padEnd(12)}  File Path`,
          ...d.inefficiencies.map(
            (f) =>
              `  ${String(f.visits.length).padEnd(5)}  ${humanBytes(f.cumulative).padEnd(12)}  /${f.path}`,
          ),
        ].join('\n');

  const tally = { pass: 0, fail: 0, warn: 0, skip: 0 };
  const lines: string[] = [];
  for (const r of [...rules].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    if (!r.evaluate) {
      tally.skip++;
      lines.push(`  SKIP  ${r.key} (disabled)`);
      continue;
    }
    const failure = r.evaluate(w);
    if (failure !== undefined) {
      tally.fail++;
      lines.push(`  FAIL  ${r.key} (${failure})`);
    } else {
      tally.pass++;
      lines.push(`  PASS  ${r.key} (${r.config})`);
    }
  }
  const pass = tally.fail === 0;
  const parts = Object.entries(tally)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}:${n}`);
  const evaluation = [
    'Evaluation:',
    ...lines,
    '',
    `${pass ? 'PASS' : 'FAIL'} [${parts.join(' ')}]`,
  ].join('\n');
  return { text: `${analysis}\n\n${files}\n\n${evaluation}\n`, pass };
}
