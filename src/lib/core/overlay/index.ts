export { Overlay, buildOverlay, type OverlayTree } from './overlay';
export { mergedListing, listingLine } from './listing';
export { diveEfficiency } from './dive';
export { compareBytes } from './paths';
export type * from './types';
