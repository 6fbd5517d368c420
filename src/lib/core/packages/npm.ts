/**
 * npm's packages as installed: the `package.json` of each directory `node_modules/<name>` or
 * `node_modules/@scope/<name>` (what `npm ls` reads, @npmcli/arborist `loadActual`). Other
 * package.json files inside a package (`lib/package.json`) are not packages of their own.
 */
import type { PackageRecord } from './types';
import type { StanzaProblem } from './stanzas';
import { declaredLicense } from './license';
import { LIMITS } from '../model/limits';
import { jsonDepth } from '../model/json';

/** `…/node_modules/<name>/package.json` → the package's directory, else undefined. */
export function npmPackageDir(path: string): string | undefined {
  const m = /(^|\/)node_modules\/((@[^/]+\/)?[^/@.][^/]*)\/package\.json$/.exec(path);
  return m ? path.slice(0, -'/package.json'.length) : undefined;
}

export function parsePackageJson(
  text: string,
  db: string,
): { packages: PackageRecord[]; problems: StanzaProblem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { packages: [], problems: [{ line: 1, message: `not JSON: ${(e as Error).message}` }] };
  }
  if (
    typeof doc !== 'object' ||
    doc === null ||
    jsonDepth(doc, LIMITS.jsonDepth) > LIMITS.jsonDepth
  )
    return { packages: [], problems: [{ line: 1, message: 'not a package.json object' }] };
  const j = doc as Record<string, unknown>;
  const dir = db.slice(0, -'/package.json'.length);
  const dirName = dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const name = typeof j.name === 'string' && j.name ? j.name : dirName;
  const version = typeof j.version === 'string' ? j.version : '';
  return {
    packages: [
      {
        ecosystem: 'npm',
        name,
        version,
        license: npmLicense(j),
        description: typeof j.description === 'string' ? j.description : undefined,
        files: [`/${dir}`],
        size: 0,
        sizeFrom: 'files',
        db,
      },
    ],
    problems: version ? [] : [{ line: 1, message: `${name} has no "version"` }],
  };
}

/** `license: "MIT"`, the old `license: {type}` and `licenses: [{type}, …]` (npm's docs). */
function npmLicense(j: Record<string, unknown>) {
  const l = j.license;
  if (typeof l === 'string') return declaredLicense(l);
  if (l && typeof l === 'object' && typeof (l as { type?: unknown }).type === 'string')
    return declaredLicense((l as { type: string }).type);
  if (Array.isArray(j.licenses)) {
    const types = j.licenses
      .map((x: unknown) => (typeof x === 'string' ? x : (x as { type?: unknown })?.type))
      .filter((t): t is string => typeof t === 'string');
    if (types.length)
      return declaredLicense(types.length > 1 ? `(${types.join(' OR ')})` : types[0]!);
  }
  return undefined;
}
