export { Overlay, buildOverlay, type OverlayTree } from './overlay';
export { mergedListing, listingLine } from './listing';
export { diveEfficiency, diveLayerFiles, type DiveFileInfo, type DiveLayerFiles } from './dive';
export { compareBytes } from './paths';
export type * from './types';
