/**
 * Alpine's database (apk-tools `src/database.c` `apk_db_index_read`, and the "Installed
 * database V2" section of the apk spec): `lib/apk/db/installed`, one block per package separated
 * by a blank line, each line `X:value` with a one-letter key: P name, V version, A architecture,
 * L license, o origin, I installed size in bytes, T description, F a directory, R a file in the
 * last F directory (Z, a, M, … describe them and are skipped here).
 */
import type { PackageRecord } from './types';
import type { StanzaProblem } from './stanzas';
import { declaredLicense } from './license';

export const APK_INSTALLED = 'lib/apk/db/installed';

export function parseApkInstalled(
  text: string,
  db: string,
): { packages: PackageRecord[]; problems: StanzaProblem[] } {
  const packages: PackageRecord[] = [];
  const problems: StanzaProblem[] = [];
  let block: { line: number; f: Map<string, string>; files: string[]; dir: string } | undefined;
  const end = () => {
    if (!block) return;
    const { f } = block;
    const name = f.get('P');
    const version = f.get('V');
    if (!name || !version) {
      problems.push({
        line: block.line,
        message: `a package without ${name ? 'V: (version)' : 'P: (name)'} (the file may be truncated)`,
      });
    } else {
      const size = Number(f.get('I') ?? '');
      const license = f.get('L');
      packages.push({
        ecosystem: 'apk',
        name,
        version,
        arch: f.get('A'),
        source: f.get('o'),
        license: license ? declaredLicense(license) : undefined,
        description: f.get('T'),
        files: block.files,
        size: Number.isFinite(size) ? size : 0,
        sizeFrom: 'declared',
        db,
      });
    }
    block = undefined;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') {
      end();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') {
      problems.push({ line: i + 1, message: 'not an "X:value" line' });
      continue;
    }
    block ??= { line: i + 1, f: new Map(), files: [], dir: '' };
    const key = line[0]!;
    const value = line.slice(2);
    if (key === 'F') block.dir = value;
    else if (key === 'R') block.files.push(`/${block.dir ? `${block.dir}/` : ''}${value}`);
    else if (!block.f.has(key)) block.f.set(key, value);
  }
  end();
  return { packages, problems };
}
