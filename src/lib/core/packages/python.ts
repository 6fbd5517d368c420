/**
 * Python distributions as installed (PyPA "Recording installed projects", "Core metadata
 * specifications"): `<name>-<version>.dist-info/METADATA` with its `RECORD` (one CSV row a file:
 * path, hash, size), and the older `*.egg-info/PKG-INFO` (or an `*.egg-info` file holding the
 * same headers). The metadata is email headers (RFC 822) up to the first blank line.
 */
import type { PackageRecord } from './types';
import type { StanzaProblem } from './stanzas';
import { declaredLicense, isSpdxExpression } from './license';

/** `…/x.dist-info/METADATA`, `…/x.egg-info/PKG-INFO` or a `…/x.egg-info` file: its folder. */
export function pythonMetadataDir(path: string): string | undefined {
  if (/\.dist-info\/METADATA$/.test(path)) return path.slice(0, -'/METADATA'.length);
  if (/\.egg-info\/PKG-INFO$/.test(path)) return path.slice(0, -'/PKG-INFO'.length);
  if (/\.egg-info$/.test(path)) return path;
  return undefined;
}

/** `…/x.dist-info/RECORD` → `…/x.dist-info`. */
export function pythonRecordDir(path: string): string | undefined {
  return /\.dist-info\/RECORD$/.test(path) ? path.slice(0, -'/RECORD'.length) : undefined;
}

export function parsePythonMetadata(
  text: string,
  db: string,
): { packages: PackageRecord[]; problems: StanzaProblem[] } {
  const fields = new Map<string, string[]>();
  const problems: StanzaProblem[] = [];
  let last: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      const vs = fields.get(last)!;
      vs[vs.length - 1] += `\n${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      problems.push({ line: i + 1, message: 'not a "Field: value" header' });
      last = undefined;
      continue;
    }
    last = line.slice(0, colon).toLowerCase();
    const vs = fields.get(last) ?? [];
    vs.push(line.slice(colon + 1).trim());
    fields.set(last, vs);
  }
  const name = fields.get('name')?.[0];
  const version = fields.get('version')?.[0];
  if (!name || !version) {
    problems.push({ line: 1, message: `no ${name ? 'Version' : 'Name'} header` });
    return { packages: [], problems };
  }
  return {
    packages: [
      {
        ecosystem: 'pypi',
        name,
        version,
        license: pythonLicense(fields),
        description: fields.get('summary')?.[0],
        files: [],
        size: 0,
        sizeFrom: 'files',
        db,
      },
    ],
    problems,
  };
}

/**
 * `License-Expression` (metadata 2.4, SPDX by definition), else `License` when it is a short
 * SPDX expression (it is often the whole license text), else the OSI classifier's name.
 */
function pythonLicense(fields: Map<string, string[]>) {
  const expr = fields.get('license-expression')?.[0];
  if (expr) return declaredLicense(expr);
  const lic = fields.get('license')?.[0];
  if (lic && lic !== 'UNKNOWN' && !lic.includes('\n') && lic.length < 200)
    return declaredLicense(lic);
  const cls = fields.get('classifier')?.find((c) => c.startsWith('License ::'));
  if (cls) {
    const declared = cls.split('::').pop()!.trim();
    return { declared, ...(isSpdxExpression(declared) ? { spdx: declared } : {}) };
  }
  return lic && lic !== 'UNKNOWN' ? { declared: lic.split('\n')[0]! } : undefined;
}

/** RECORD: `path,hash,size` rows (CSV; a path with a comma is quoted), relative to site-packages. */
export function parsePythonRecord(
  text: string,
  siteDir: string,
): { files: string[]; size: number } {
  const files: string[] = [];
  let size = 0;
  for (const row of text.split('\n')) {
    if (!row) continue;
    let path: string;
    let rest: string;
    if (row.startsWith('"')) {
      const close = row.indexOf('",', 1);
      if (close < 0) continue;
      path = row.slice(1, close).replace(/""/g, '"');
      rest = row.slice(close + 2);
    } else {
      const comma = row.indexOf(',');
      path = comma < 0 ? row : row.slice(0, comma);
      rest = comma < 0 ? '' : row.slice(comma + 1);
    }
    const n = Number(rest.slice(rest.lastIndexOf(',') + 1));
    if (Number.isFinite(n)) size += n;
    files.push(`/${joinPath(siteDir, path)}`);
  }
  return { files, size };
}

/** `a/b` + `../../bin/x` → `bin/x` (RECORD paths may climb out of site-packages). */
function joinPath(dir: string, rel: string): string {
  const parts = dir && !rel.startsWith('/') ? dir.split('/') : [];
  for (const p of rel.split('/')) {
    if (p === '..') parts.pop();
    else if (p && p !== '.') parts.push(p);
  }
  return parts.join('/');
}
