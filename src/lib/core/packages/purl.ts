/** Package URLs (the purl spec, github.com/package-url/purl-spec) made by packageurl-js. */
import { PackageURL } from 'packageurl-js';
import type { Inventory, PackageRecord } from './types';

/** PEP 503's normalised name, what the purl spec asks for pypi. */
const pep503 = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

export function packageUrl(p: PackageRecord, distro?: Inventory['distro']): string {
  const distroQ = distro
    ? `${distro.id}${distro.versionId ? `-${distro.versionId}` : ''}`
    : undefined;
  const q = (o: Record<string, string | undefined>) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) if (v) out[k] = v;
    return Object.keys(out).length ? out : undefined;
  };
  switch (p.ecosystem) {
    case 'deb':
      return new PackageURL(
        'deb',
        distro?.id ?? 'debian',
        p.name,
        p.version,
        q({ arch: p.arch, distro: distroQ }),
        undefined,
      ).toString();
    case 'apk':
      return new PackageURL(
        'apk',
        distro?.id ?? 'alpine',
        p.name,
        p.version,
        q({ arch: p.arch, distro: distroQ }),
        undefined,
      ).toString();
    case 'npm': {
      const slash = p.name.startsWith('@') ? p.name.indexOf('/') : -1;
      return new PackageURL(
        'npm',
        slash > 0 ? p.name.slice(0, slash) : undefined,
        slash > 0 ? p.name.slice(slash + 1) : p.name,
        p.version || undefined,
        undefined,
        undefined,
      ).toString();
    }
    case 'pypi':
      return new PackageURL(
        'pypi',
        undefined,
        pep503(p.name),
        p.version,
        undefined,
        undefined,
      ).toString();
  }
}
