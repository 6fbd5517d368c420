/**
 * JSON as Go's encoding/json writes it, so documents Docker writes (image configs, manifests,
 * manifest.json) come out with Docker's bytes: struct fields in declaration order (a plain object's
 * key order here), map keys sorted bytewise (`GoMap`), no whitespace, `<`, `>`, `&`, U+2028 and
 * U+2029 escaped as `\u003c`-style sequences (encoding/json HTMLEscape default), invalid UTF-16
 * (a lone surrogate, Go's invalid UTF-8) written as `\ufffd`. `undefined` properties are omitted
 * (in a `GoMap` too: what `omitempty` leaves out is decided by the caller).
 */
import { compareBytes } from './order';

/** A Go map: its keys are written in sorted (byte) order. */
export class GoMap {
  constructor(readonly entries: Readonly<Record<string, unknown>>) {}
}

export function goMap(entries: Readonly<Record<string, unknown>>): GoMap {
  return new GoMap(entries);
}

const ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

export function goString(s: string): string {
  return JSON.stringify(s)
    .replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]!)
    .replace(/\\(u[0-9a-f]{4}|.)/g, (all, seq: string) =>
      /^ud[89a-f]/.test(seq) ? '\\ufffd' : all,
    );
}

export function goJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new RangeError(`json: unsupported value: ${v}`);
      return JSON.stringify(v);
    case 'string':
      return goString(v);
    case 'object':
      break;
    default:
      throw new TypeError(`json: unsupported type: ${typeof v}`);
  }
  if (Array.isArray(v)) return `[${v.map((x) => goJson(x)).join(',')}]`;
  if (v instanceof GoMap) {
    const keys = Object.keys(v.entries)
      .filter((k) => v.entries[k] !== undefined)
      .sort(compareBytes);
    return `{${keys.map((k) => `${goString(k)}:${goJson(v.entries[k])}`).join(',')}}`;
  }
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x !== undefined) parts.push(`${goString(k)}:${goJson(x)}`);
  }
  return `{${parts.join(',')}}`;
}

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * A timestamp as Go re-marshals a parsed `time.Time` (RFC3339Nano): the fraction without trailing
 * zeros (none when zero), a zero offset written `Z`. Unparseable input is returned unchanged.
 */
export function goTime(s: string): string {
  const m = RFC3339.exec(s);
  if (!m) return s;
  const frac = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const off = m[4]!;
  const zone = /^[Zz]$|^[+-]00:00$/.test(off) ? 'Z' : off;
  return `${m[1]}T${m[2]}${frac ? '.' + frac : ''}${zone}`;
}

/**
 * Go's `json.Indent(dst, src, "", indent)` over compact JSON: one element a line, `": "` after
 * keys, empty arrays and objects kept as `[]` and `{}`. Strings are copied as they are.
 */
export function goIndent(compact: string, indent: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let needIndent = false;
  const newline = () => '\n' + indent.repeat(depth);
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += compact[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (needIndent && c !== ']' && c !== '}') {
      needIndent = false;
      depth++;
      out += newline();
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '[' || c === '{') {
      out += c;
      needIndent = true;
    } else if (c === ']' || c === '}') {
      if (needIndent) needIndent = false;
      else {
        depth--;
        out += newline();
      }
      out += c;
    } else if (c === ',') out += c + newline();
    else if (c === ':') out += ': ';
    else out += c;
  }
  return out;
}
