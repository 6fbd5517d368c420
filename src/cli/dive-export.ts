/**
 * `inspect --dive-json`: the document `dive IMAGE --json FILE` writes
 * (cmd/dive/cli/internal/command/export/export.go, read at d6c69194), so scripts written for
 * dive's export read ours. Fields and their order are dive's; the figures are core/overlay's
 * replica of dive's analysis (overlay/dive.ts), the same the Wasted view shows.
 *
 * Per layer, as dive's docker-archive reader fills them (dive/image/docker/layer.go, config.go):
 *  - `id`: the first path component of the layer's file in the archive (`<id>/layer.tar`);
 *  - `digestId` and `command`: the n-th history step that made a layer (empty_layer false) gives
 *    layer n its diffID and its created_by, `/bin/sh -c ` trimmed; a layer without one gets ''
 *    and `(missing)`;
 *  - `sizeBytes`: the sum of the tar header sizes of the layer's entries.
 */
import type { ArchiveModel, ImageInfo } from '../lib/core/model/types';
import type { DiveFileInfo, WastedSpace, DiveLayerFiles } from '../lib/core/overlay';

export interface DiveExport {
  layer: {
    index: number;
    id: string;
    digestId: string;
    sizeBytes: number;
    command: string;
    fileList: DiveFileInfo[];
  }[];
  image: {
    sizeBytes: number;
    inefficientBytes: number;
    efficiencyScore: number;
    fileReference: { count: number; sizeBytes: number; file: string }[];
  };
}

export function diveExport(
  model: ArchiveModel,
  image: ImageInfo,
  files: readonly DiveLayerFiles[],
  wasted: WastedSpace,
): DiveExport {
  const steps = image.history.filter((h) => !h.emptyLayer);
  const d = wasted.dive;
  return {
    layer: image.layerKeys.map((key, index) => {
      const step = steps[index];
      return {
        index,
        id: (model.layers[key]?.key ?? key).split('/')[0]!,
        digestId: step ? (image.diffIds[index] ?? '') : '',
        sizeBytes: files[index]?.sizeBytes ?? 0,
        command: step ? step.createdBy.replace(/^\/bin\/sh -c /, '') : '(missing)',
        fileList: files[index]?.fileList ?? [],
      };
    }),
    image: {
      sizeBytes: d.sizeBytes,
      inefficientBytes: d.wastedBytes,
      efficiencyScore: d.score,
      fileReference: d.inefficiencies.map((f) => ({
        count: f.visits.length,
        sizeBytes: f.cumulative,
        file: `/${f.path}`,
      })),
    },
  };
}

/**
 * `json.MarshalIndent(v, "", "  ")`: JSON.stringify's layout, with Go's HTML-safe escapes of
 * `<`, `>`, `&`, U+2028 and U+2029 (they only occur inside strings, so the text stays valid).
 */
export function goJsonIndent(v: unknown): string {
  return JSON.stringify(v, null, 2).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
