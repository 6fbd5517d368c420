/**
 * `--image` and `--platform`: which image of the archive a command works on. `--image` is an
 * index (as `ls` lists them), a reference (normalised as docker normalises it, so `app:1.0`,
 * `app:1.0` and `docker.io/library/app:1.0` are one name) or an image ID / manifest digest
 * prefix of at least 4 hex digits, like docker's short IDs. `--platform` keeps the images of
 * that `os/arch[/variant]`.
 */
import type { ArchiveModel, ImageInfo, Platform } from '../lib/core/model/types';
import { parseImageReference, tryParseImageReference } from '../lib/core/reference';

/** An --image or --platform that matches nothing, or too much: exit status 2, no usage line. */
export class SelectError extends Error {}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

function describe(img: ImageInfo): string {
  const tags = img.repoTags.length ? img.repoTags.join(', ') : '<none>';
  return `  ${img.index}  ${img.id.replace(/^sha256:/, '').slice(0, 12)}  ${platformString(img.platform)}  ${tags}`;
}

function canonical(ref: string): string | undefined {
  const r = tryParseImageReference(ref);
  return r.ok ? r.reference.canonical : undefined;
}

function matchesPlatform(p: Platform, want: string): boolean {
  const [os, arch, variant] = want.split('/');
  if (p.os !== os || p.architecture !== arch) return false;
  // `linux/arm64` matches `linux/arm64/v8`; a variant given must be the image's.
  return variant === undefined || (p.variant ?? '') === variant;
}

export function selectImage(
  model: ArchiveModel,
  opts: { image?: string; platform?: string },
): ImageInfo {
  let images = model.images;
  if (opts.platform !== undefined) {
    if (!/^[^/]+\/[^/]+(\/[^/]+)?$/.test(opts.platform))
      throw new SelectError(`--platform ${opts.platform}: give it as os/arch or os/arch/variant`);
    const available = [...new Set(model.images.map((i) => platformString(i.platform)))];
    images = images.filter((i) => matchesPlatform(i.platform, opts.platform!));
    if (images.length === 0)
      throw new SelectError(
        `--platform ${opts.platform}: no image of that platform; the archive has ${available.join(', ')}`,
      );
  }
  const listing = () => images.map(describe).join('\n');
  const v = opts.image;
  if (v === undefined) return images[0]!;

  if (/^\d+$/.test(v)) {
    const img = model.images[Number(v)];
    if (img && images.includes(img)) return img;
    if (!/^[0-9a-f]{4,}$/.test(v))
      throw new SelectError(`--image ${v}: the archive has no such image; it has:\n${listing()}`);
  }

  // A reference first, as docker resolves a name before an ID prefix.
  const want = canonical(v);
  if (want !== undefined) {
    const byRef = images.filter((i) => i.repoTags.some((t) => canonical(t) === want));
    if (byRef.length > 0) return byRef[0]!;
  }

  const hex = /^(sha256:)?([0-9a-f]+)$/.exec(v)?.[2];
  if (hex !== undefined && hex.length >= 4 && hex.length <= 64) {
    const idHex = (d?: string) => d?.replace(/^sha256:/, '') ?? '';
    const byId = images.filter(
      (i) => idHex(i.id).startsWith(hex) || idHex(i.manifestDoc?.digest).startsWith(hex),
    );
    if (byId.length === 1) return byId[0]!;
    if (byId.length > 1)
      throw new SelectError(
        `--image ${v} is ambiguous: it begins ${byId.length} images' IDs or digests:\n${byId.map(describe).join('\n')}`,
      );
  } else if (want === undefined) {
    // Neither a reference nor an ID: say why the reference is invalid.
    try {
      parseImageReference(v);
    } catch (e) {
      throw new SelectError(`--image ${v}: ${(e as Error).message}`);
    }
  }
  throw new SelectError(`--image ${v}: no image of the archive matches; it has:\n${listing()}`);
}
