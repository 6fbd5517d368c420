export {
  openImageArchive,
  ImageArchive,
  engineFailure,
  type EngineProgress,
  type EngineFailure,
  type EngineFailureCode,
  type OpenOptions,
  type LayersOptions,
  type IndexOptions,
  type IndexedLayer,
  type VerifyOptions,
  type VerifiedLayer,
  type SaveRequest,
} from './engine';
export { imageInventory } from './packages';
