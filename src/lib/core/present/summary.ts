import type { ArchiveModel, ImageInfo } from '../model/types';
import { splitRepoTag } from '../reference/reference';

/**
 * The image size `docker image ls` shows: the sum of the layers' content sizes (graphdriver
 * DiffSize; FORMATS.md 1.11), counting each distinct layer once.
 */
export function imageSize(model: ArchiveModel, image: ImageInfo): number {
  let total = 0;
  for (const key of new Set(image.layerKeys)) total += model.layers[key]?.stats?.contentSize ?? 0;
  return total;
}

/**
 * `docker image history` rows, newest first. Every row is `<missing>` except those that match a
 * local image by walking `Parent` (moby daemon/images/image_history.go): the top row is the image
 * itself, the next its parent if the archive holds it, and so on.
 */
export function historyRows(
  model: ArchiveModel,
  image: ImageInfo,
): {
  id: string | undefined;
  created?: string;
  createdBy: string;
  size: number;
  comment: string;
  layerIndex?: number;
  emptyLayer: boolean;
}[] {
  const rows = image.history.map((h) => {
    const key = h.layerIndex !== undefined ? image.layerKeys[h.layerIndex] : undefined;
    const size = key ? (model.layers[key]?.stats?.contentSize ?? 0) : 0;
    return {
      id: undefined as string | undefined,
      created: h.created,
      createdBy: h.createdBy,
      size,
      comment: h.comment,
      layerIndex: h.layerIndex,
      emptyLayer: h.emptyLayer,
    };
  });
  rows.reverse();
  let current: ImageInfo | undefined = image;
  for (const row of rows) {
    if (!current) break;
    row.id = current.id;
    const parent: string | undefined = current.parentId;
    current = parent ? model.images.find((i) => i.id === parent) : undefined;
  }
  return rows;
}

/** `docker image ls` rows: one per tag, or one `<none>` row for an untagged image. */
export function imageLsRows(
  model: ArchiveModel,
): { repository?: string; tag?: string; id: string; created?: string; size: number }[] {
  const rows: { repository?: string; tag?: string; id: string; created?: string; size: number }[] =
    [];
  for (const image of model.images) {
    const size = imageSize(model, image);
    if (image.repoTags.length === 0) rows.push({ id: image.id, created: image.created, size });
    for (const t of image.repoTags)
      rows.push({ ...splitRepoTag(t), id: image.id, created: image.created, size });
  }
  return rows;
}

/** The CLI's `inspect --json` document (its shape is documented in the README). */
export function inspectDocument(model: ArchiveModel) {
  return {
    format: model.kind,
    formatLabel: model.kindLabel,
    outerCompression: model.outerCompression,
    images: model.images.map((image) => ({
      id: image.id,
      repoTags: image.repoTags,
      created: image.created ?? null,
      architecture: image.platform.architecture,
      os: image.platform.os,
      ...(image.platform.variant ? { variant: image.platform.variant } : {}),
      size: imageSize(model, image),
      manifestDigest: image.manifestDoc?.digest ?? null,
      config: image.config,
      layers: image.layerKeys.map((key) => {
        const l = model.layers[key]!;
        return {
          digest: l.digest ?? null,
          diffId: l.diffId ?? null,
          mediaType: l.mediaType ?? null,
          compression: l.compression,
          present: l.present,
          storedSize: l.storedSize,
          uncompressedSize: l.stats?.uncompressedSize ?? null,
          entries: l.stats?.entries ?? null,
          whiteouts: l.stats?.whiteouts ?? null,
          opaqueWhiteouts: l.stats?.opaqueWhiteouts ?? null,
          contentSize: l.stats?.contentSize ?? null,
          digestVerified: l.digestState === 'verified',
          diffIdVerified: l.diffIdState === 'verified',
          ...(l.computedDigest ? { computedDigest: l.computedDigest } : {}),
          ...(l.computedDiffId ? { computedDiffId: l.computedDiffId } : {}),
        };
      }),
      history: image.history.map((h) => ({
        created: h.created ?? null,
        createdBy: h.createdBy,
        comment: h.comment,
        emptyLayer: h.emptyLayer,
        layerIndex: h.layerIndex ?? null,
      })),
      chainIds: image.chainIds,
    })),
    absentManifests: model.absentManifests,
    warnings: model.warnings,
  };
}
