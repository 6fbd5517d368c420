/**
 * `--format`: the part of Go's text/template that docker's `--format` flags are used with, as
 * docker/cli `cli/command/formatter/formatter.go` runs it. A format starting with `table ` prints
 * a header row (each field replaced by its column header) and goes through the tabwriter; any
 * other format is executed once per row, each followed by `\n`, untabulated. The literal escapes
 * `\t` and `\n` in the format become a tab and a newline, as docker/cli replaces them.
 *
 * Supported actions: `{{.Field}}`, `{{json .}}` (every field, keys sorted, as docker/cli's
 * `MarshalJSON` of a context), `{{json .Field}}`. Anything else is a {@link TemplateError}, not a
 * guess.
 */
import { goJson, goMap } from '../model/gojson';
import { dockerTabwrite } from '../format/tabwriter';

export class TemplateError extends Error {}

/** One row's fields by their template names (`ID`, `Repository`, …). */
export type TemplateFields = Readonly<Record<string, string>>;

type Part = { text: string } | { field: string | undefined; json: boolean };

function parse(format: string, known: readonly string[]): Part[] {
  const parts: Part[] = [];
  let rest = format;
  while (rest) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      parts.push({ text: rest });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    const close = rest.indexOf('}}', open + 2);
    if (close < 0)
      throw new TemplateError(`template: unclosed action in ${JSON.stringify(format)}`);
    const action = rest.slice(open + 2, close).trim();
    const m = /^(json\s+)?\.([A-Za-z_][A-Za-z0-9_]*)?$/.exec(action);
    if (!m || (!m[1] && !m[2]))
      throw new TemplateError(`unsupported template action {{${action}}}`);
    if (m[2] && !known.includes(m[2]))
      throw new TemplateError(`template: can't evaluate field ${m[2]}`);
    parts.push({ field: m[2], json: Boolean(m[1]) });
    rest = rest.slice(close + 2);
  }
  return parts;
}

function execute(parts: readonly Part[], fields: TemplateFields): string {
  return parts
    .map((p) => {
      if ('text' in p) return p.text;
      if (p.field === undefined) return goJson(goMap(fields));
      const v = fields[p.field] ?? '';
      return p.json ? goJson(v) : v;
    })
    .join('');
}

/**
 * The text docker prints for `--format FORMAT` over these rows. `headers` names each field's
 * column header (docker's `…Header` constants) for `table` formats.
 */
export function formatTemplate(
  format: string,
  rows: readonly TemplateFields[],
  headers: Readonly<Record<string, string>>,
): string {
  let f = format;
  const table = f.startsWith('table');
  if (table) f = f.slice('table'.length);
  f = f
    .replace(/^ +| +$/g, '')
    .replaceAll('\\t', '\t')
    .replaceAll('\\n', '\n');
  const parts = parse(f, Object.keys(headers));
  let text = '';
  if (table) text += execute(parts, headers) + '\n';
  for (const r of rows) text += execute(parts, r) + '\n';
  return table ? dockerTabwrite(text) : text;
}
