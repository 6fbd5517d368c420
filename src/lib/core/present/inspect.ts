/**
 * The inspect documents: what `docker image inspect` prints for an image (the Inspect view, and
 * the CLI's `inspect --docker`), and the CLI's own `inspect --json` document (its shape is
 * documented in the README).
 */
import type { ArchiveModel, ImageInfo } from '../model/types';
import { imageSize, type ImageSet } from './sizes';

/**
 * The fields `docker image inspect IMAGE` prints (moby `api/types/image` `InspectResponse`, in
 * its order) that an archive determines, as after `docker load`: `RepoDigests` empty (a loaded
 * image has none), `Parent` from manifest.json, `Comment` the newest history entry's, `Size` the
 * layers' sizes ({@link imageSize}), `RootFS` the config's diffIDs.
 */
export function dockerImageInspect(set: ImageSet, image: ImageInfo) {
  return [
    {
      Id: image.id,
      RepoTags: image.repoTags,
      RepoDigests: [] as string[],
      Parent: image.parentId ?? '',
      Comment: image.history.at(-1)?.comment ?? '',
      Created: image.created ?? '',
      Author: image.author ?? '',
      Config: image.config.config ?? {},
      Architecture: image.platform.architecture,
      ...(image.platform.variant ? { Variant: image.platform.variant } : {}),
      Os: image.platform.os,
      Size: imageSize(set, image).bytes,
      RootFS: { Type: image.config.rootfs?.type ?? 'layers', Layers: image.diffIds },
    },
  ];
}

/** The CLI's `inspect --json` document: every image, layer and check of the archive. */
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
      size: imageSize(model, image).bytes,
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
