/**
 * Wasted space, three figures side by side:
 *  - dive's efficiency score and
 *  - dive's wasted bytes, both replicated in dive.ts, and
 *  - the truly reclaimable bytes of our own model: per path, every copy the layers carry minus
 *    the copy the final filesystem needs (0 when the path is gone at the top).
 *
 * Why "minus the shipped copy" and not "minus the smallest copy": rebuilding the image so each
 * path is written once, in its final form, ships Σ shipped bytes, so Σ (cumulative − shipped) is
 * exactly what can be saved. When a path's final version is its smallest (the usual case, and
 * always for deleted paths) this equals dive's per-path cumulative − min; when a file grows (10 B
 * in layer 0, 100 B in layer 1), only the 10 B are reclaimable, not 100. `min` is kept on each row.
 */
import type { TarEntry } from '../tar/types';
import type {
  DeleteCause,
  WasteExplanation,
  WasteOccurrence,
  WasteRow,
  WastedSpace,
} from './types';
import type { Shadowed, Version } from './overlay';
import { diveEfficiency } from './dive';
import { compareBytes, diffEntries, isMetadataOnly, isRegular, regularSize } from './paths';

export interface WasteSource {
  layers: readonly (readonly TarEntry[])[];
  /** Paths in the overlay's table (id 0 = root). */
  count: number;
  /** The path of an id. */
  pathOf: (id: number) => string;
  /** A path's versions, oldest first. */
  versionsOf: (id: number) => readonly Version[];
  shadowed: readonly Shadowed[];
}

export function computeWastedSpace(src: WasteSource): WastedSpace {
  const { analysis, byPath } = diveEfficiency(src.layers);
  const shadowById = new Map<number, Shadowed[]>();
  for (const s of src.shadowed) {
    const list = shadowById.get(s.id) ?? [];
    list.push(s);
    shadowById.set(s.id, list);
  }

  const rows: WasteRow[] = [];
  let layerFileBytes = 0;
  let shippedBytes = 0;
  let reclaimableBytes = 0;

  for (let id = 1; id < src.count; id++) {
    const vs = src.versionsOf(id);
    const shadows = shadowById.get(id);
    if (vs.length === 0 && shadows === undefined) continue;

    const occurrences: WasteOccurrence[] = [];
    const explanation: WasteExplanation = {
      addedIn: -1,
      rewrittenIn: [],
      metadataOnlyIn: [],
      duplicatedIn: [],
      deletedIn: [],
      stillShipped: false,
    };
    let deletedBy: DeleteCause['kind'] | undefined;
    let s = 0;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i]!;
      // Shadowed copies came earlier in the same layer's tar than the version that won.
      while (shadows !== undefined && s < shadows.length && shadows[s]!.layer <= v.layer) {
        const sh = shadows[s++]!;
        occurrences.push({ layer: sh.layer, action: 'shadowed', size: sh.size });
        if (!explanation.duplicatedIn.includes(sh.layer)) explanation.duplicatedIn.push(sh.layer);
      }
      occurrences.push({ layer: v.layer, action: v.action, size: regularSize(v.entry) });
      if (v.action === 'added' && explanation.addedIn < 0) explanation.addedIn = v.layer;
      if (v.action === 'modified') {
        explanation.rewrittenIn.push(v.layer);
        const before = vs[i - 1]?.entry;
        if (before && v.entry && isRegular(before) && isRegular(v.entry)) {
          if (isMetadataOnly(diffEntries(before, v.entry)))
            explanation.metadataOnlyIn.push(v.layer);
        }
      }
      if (v.action === 'deleted') {
        explanation.deletedIn.push(v.layer);
        deletedBy = v.deletedBy?.kind;
      }
    }
    while (shadows !== undefined && s < shadows.length) {
      const sh = shadows[s++]!;
      occurrences.push({ layer: sh.layer, action: 'shadowed', size: sh.size });
      if (!explanation.duplicatedIn.includes(sh.layer)) explanation.duplicatedIn.push(sh.layer);
    }
    if (explanation.addedIn < 0) explanation.addedIn = occurrences[0]!.layer;

    const last = vs[vs.length - 1];
    const shipped = regularSize(last?.entry);
    let cumulative = 0;
    let min = Infinity;
    for (const o of occurrences) {
      cumulative += o.size;
      if (o.size < min) min = o.size;
    }
    layerFileBytes += cumulative;
    shippedBytes += shipped;
    const reclaimable = cumulative - shipped;
    if (reclaimable <= 0) continue;
    reclaimableBytes += reclaimable;

    explanation.stillShipped = last?.entry !== undefined;
    if (deletedBy !== undefined && !explanation.stillShipped) explanation.deletedBy = deletedBy;
    const path = src.pathOf(id);
    const row: WasteRow = {
      path,
      occurrences,
      cumulative,
      min,
      shipped,
      reclaimable,
      explanation,
    };
    const d = byPath.get(path);
    if (d !== undefined) {
      row.dive = {
        cumulative: d.cumulative,
        min: d.min,
        visits: d.visits.length,
        countedInWastedBytes: d.visits.length >= 2,
      };
    }
    rows.push(row);
  }
  rows.sort((a, b) => b.reclaimable - a.reclaimable || compareBytes(a.path, b.path));
  return { dive: analysis, reclaimableBytes, layerFileBytes, shippedBytes, rows };
}
