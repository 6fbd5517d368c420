/**
 * dpkg's database (dpkg `lib/dpkg/parse.c`, `dpkg-query(1)`): `var/lib/dpkg/status` lists every
 * package dpkg knows, one stanza each; distroless images have no status file but one stanza file
 * per package in `var/lib/dpkg/status.d/`; `var/lib/dpkg/info/<name>[:<arch>].list` lists the
 * paths a package owns, one a line.
 */
import type { PackageRecord } from './types';
import { parseStanzas, type StanzaProblem } from './stanzas';
import { declaredLicense } from './license';

export const DPKG_STATUS = 'var/lib/dpkg/status';
export const DPKG_STATUS_D = 'var/lib/dpkg/status.d/';
export const DPKG_INFO = 'var/lib/dpkg/info/';

/**
 * States in which dpkg-query -W still lists a package and its files are (at least partly) on
 * disk. `not-installed` and `config-files` (removed, only its conffiles left) are not installed.
 */
const ON_DISK = new Set([
  'installed',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
]);

/** The packages of one status file (or one status.d file), and the lines that did not parse. */
export function parseDpkgStatus(
  text: string,
  db: string,
): { packages: PackageRecord[]; problems: StanzaProblem[] } {
  const { stanzas, problems } = parseStanzas(text);
  const packages: PackageRecord[] = [];
  for (const s of stanzas) {
    const f = s.fields;
    const name = f.get('Package');
    const version = f.get('Version');
    // status.d files carry no Status field: a stanza there is an installed package.
    const status =
      f.get('Status')?.split(/\s+/)[2] ?? (db === DPKG_STATUS ? undefined : 'installed');
    if (!name || version === undefined) {
      problems.push({
        line: s.line,
        message: `a stanza without ${name ? 'Version' : 'Package'} (the file may be truncated)`,
      });
      continue;
    }
    if (!status || !ON_DISK.has(status)) continue;
    const kib = Number(f.get('Installed-Size') ?? '');
    const license = f.get('License');
    packages.push({
      ecosystem: 'deb',
      name,
      version,
      arch: f.get('Architecture'),
      source: f.get('Source')?.split(/\s+/)[0],
      license: license ? declaredLicense(license) : undefined,
      description: f.get('Description')?.split('\n')[0],
      files: [],
      size: Number.isFinite(kib) ? kib * 1024 : 0,
      sizeFrom: 'declared',
      db,
      status,
    });
  }
  return { packages, problems };
}

/** The key of a package's `.list` file: `bash` or `libc6:amd64` (Multi-Arch: same). */
export function dpkgListKey(path: string): string | undefined {
  if (!path.startsWith(DPKG_INFO) || !path.endsWith('.list')) return undefined;
  const name = path.slice(DPKG_INFO.length, -'.list'.length);
  return name && !name.includes('/') ? name : undefined;
}

/** The paths of a `.list` file: absolute, `/.` (the root every package lists) left out. */
export function parseDpkgList(text: string): string[] {
  return text.split('\n').filter((l) => l !== '' && l !== '/.');
}

/**
 * dpkg's version order (`lib/dpkg/version.c`, `dpkg_version_compare`, Debian Policy 5.6.12):
 * epoch numerically, then upstream version and revision by `verrevcmp`, where `~` sorts before
 * everything, even the end of the string, and letters before other characters.
 */
export function compareDebVersions(a: string, b: string): number {
  const split = (v: string) => {
    const colon = v.indexOf(':');
    const epoch = colon > 0 ? Number(v.slice(0, colon)) || 0 : 0;
    const rest = colon > 0 ? v.slice(colon + 1) : v;
    const dash = rest.lastIndexOf('-');
    return dash >= 0
      ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) }
      : { epoch, upstream: rest, revision: '' };
  };
  const x = split(a);
  const y = split(b);
  if (x.epoch !== y.epoch) return x.epoch > y.epoch ? 1 : -1;
  return verrevcmp(x.upstream, y.upstream) || verrevcmp(x.revision, y.revision);
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c >= '0' && c <= '9') return 0;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}
