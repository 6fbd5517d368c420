export type * from './types';
export { ECOSYSTEMS } from './types';
export {
  buildInventory,
  databaseKind,
  installedAt,
  layerPackageSummary,
  type InventoryInput,
  type LayerPackageSummary,
} from './inventory';
export { parseDpkgStatus, parseDpkgList, compareDebVersions } from './dpkg';
export { parseApkInstalled } from './apk';
export { parsePackageJson } from './npm';
export { parsePythonMetadata, parsePythonRecord } from './python';
export { packageUrl } from './purl';
