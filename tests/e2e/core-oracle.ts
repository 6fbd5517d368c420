/**
 * The core engine run in Node on the same archive the browser opens, so a view's figures can be
 * checked against the model they come from (the core's own tests check it against dive).
 */
import { openAsBlob } from 'node:fs';
import { openArchive } from '../../src/lib/core/archive/open';
import { indexLayer } from '../../src/lib/core/archive/layers';
import { buildOverlay } from '../../src/lib/core/overlay';
import type { WastedSpace } from '../../src/lib/core/overlay';

export async function coreWastedSpace(path: string, image = 0): Promise<WastedSpace> {
  const archive = await openArchive(await openAsBlob(path), { fileName: path });
  const img = archive.model.images[image]!;
  const layers = [];
  for (const key of img.layerKeys) layers.push((await indexLayer(archive, key, {})).entries);
  return buildOverlay(layers).wastedSpace();
}
