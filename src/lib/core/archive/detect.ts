import type { OuterArchive } from './source';
import { ArchiveError } from '../model/errors';

const ROOTFS_DIRS = ['bin', 'etc', 'usr', 'lib', 'var', 'sbin'];

/**
 * An archive with neither manifest.json nor index.json: say what it is instead (docs/FORMATS.md 1.13
 * steps 3c-3h), so the user learns which command makes a real image archive.
 */
export function classifyNonImage(outer: OuterArchive): ArchiveError {
  const paths = [...outer.members.keys()];
  const top = new Set(paths.map((p) => p.split('/')[0]!));
  if (outer.members.has('repositories') && paths.some((p) => /^[0-9a-f]{64}\/json$/.test(p)))
    return new ArchiveError(
      'pre-1.10',
      "This is a very old docker save format (Docker < 1.10) without manifest.json; it isn't supported. Load it into an older Docker and save it again with a current one.",
    );
  if (outer.members.has('version') && paths.some((p) => /^[0-9a-f]{64}$/.test(p)))
    return new ArchiveError(
      'docker-dir',
      'This is a `podman save --format docker-dir` (containers "dir:") directory packed as a tar, not a docker-archive. Save it with `podman save --format docker-archive -o image.tar IMAGE`.',
    );
  if (paths.some((p) => p.startsWith('blobs/sha256/')))
    return new ArchiveError(
      'incomplete-oci',
      'Incomplete OCI layout: the archive has blobs/ but index.json is missing, so nothing says which image it holds. Save the image again (e.g. `skopeo copy ... oci-archive:image.tar`).',
    );
  const rootfsHits = ROOTFS_DIRS.filter((d) => top.has(d)).length;
  if (top.has('.dockerenv') || outer.members.has('run/.containerenv') || rootfsHits >= 2)
    return new ArchiveError(
      'filesystem-export',
      'This is a container filesystem export (docker export / podman export / buildx --output type=tar), not an image: it has no layers, history or config. Use `docker save -o image.tar IMAGE` to save an image.',
      `Top-level entries: ${[...top].slice(0, 12).join(', ')}`,
    );
  if (paths.some((p) => (p.split('/').pop() ?? '').startsWith('.wh.')))
    return new ArchiveError(
      'single-layer',
      'This looks like a single image layer (a layer.tar or layer blob), not a whole image archive. Open the archive `docker save -o image.tar IMAGE` writes, which holds every layer plus the config.',
    );
  return new ArchiveError(
    'no-image',
    "This tar doesn't contain an image (no manifest.json or index.json). Make an image archive with `docker save -o image.tar IMAGE`.",
    `Top-level entries: ${[...top].slice(0, 12).join(', ') || '(none)'}`,
  );
}
