/**
 * The sizes docker prints, from the layers as far as they are indexed.
 *
 * A layer's size is the sum of its regular files (graphdriver `DiffSize`; docs/FORMATS.md 1.11), known
 * once the layer is indexed. The app learns the layers one by one (the Session's `layers`), the
 * CLI indexes them all first (the model's `layers`): both are an {@link ImageSet}, so both sizes
 * come from here.
 */
import type { ImageInfo, LayerInfo } from '../model/types';

/** The images and what is known of their layers (an `ArchiveModel`, or the app's Session). */
export interface ImageSet {
  readonly images: readonly ImageInfo[];
  readonly layers: Readonly<Record<string, LayerInfo | undefined>>;
}

/** A size in bytes, and whether every layer it counts is indexed (else a lower bound). */
export interface KnownSize {
  bytes: number;
  /** False while a layer the archive holds is not indexed yet; absent layers count 0. */
  known: boolean;
}

/** One layer's size; a layer the archive lacks counts 0 (docker could not have loaded it). */
export function layerSize(set: ImageSet, key: string | undefined): KnownSize {
  if (key === undefined) return { bytes: 0, known: true };
  const layer = set.layers[key];
  if (layer?.stats) return { bytes: layer.stats.contentSize, known: true };
  return { bytes: 0, known: !layer?.present };
}

/**
 * The image size `docker image ls` and `docker image inspect` show: the sum of its layers'
 * sizes, each distinct layer once, as the archive stores it. (moby's classic store sums `DiffSize`
 * along the layer chain, layer/ro_layer.go `Size`, where a diffID listed twice is two chain
 * entries and would count twice; no bundled sample lists a diffID twice.)
 */
export function imageSize(set: ImageSet, image: ImageInfo): KnownSize {
  let bytes = 0;
  let known = true;
  for (const key of new Set(image.layerKeys)) {
    const s = layerSize(set, key);
    bytes += s.bytes;
    known &&= s.known;
  }
  return { bytes, known };
}
