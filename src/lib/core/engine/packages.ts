/**
 * An image's package inventory from an opened archive (the CLI, the tests, the benchmark): the
 * overlay of its indexed layers, and each database file read with `readFile`, those bytes only.
 * The app builds the same inventory on the page, reading through the worker (state/session).
 */
import type { ImageArchive } from './engine';
import type { ImageInfo } from '../model/types';
import type { TarEntry } from '../tar/types';
import { buildOverlay, type Overlay } from '../overlay';
import { buildInventory } from '../packages';
import type { Inventory } from '../packages';

export async function imageInventory(
  archive: ImageArchive,
  image: ImageInfo,
  layers: readonly (readonly TarEntry[])[],
  opts: { signal?: AbortSignal; overlay?: Overlay } = {},
): Promise<{ inventory: Inventory; overlay: Overlay }> {
  const overlay = opts.overlay ?? buildOverlay(layers);
  const inventory = await buildInventory({
    overlay,
    history: image.history,
    signal: opts.signal,
    read: (k, entry, max) => archive.readFile(image.layerKeys[k]!, entry, max, opts),
  });
  return { inventory, overlay };
}
