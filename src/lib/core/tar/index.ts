export type { TarEntry, TarEntryType } from './types';
export { TarFormatError } from './types';
export { indexTarBlob, SKIP_THRESHOLD, type IndexTarBlobOptions } from './index-blob';
export { indexTarChunks, indexTarStream, type IndexTarStreamOptions } from './index-stream';
export { TarParser, MAX_EXTENSION_BYTES, type TarParserOptions } from './parser';
export { normalizePath } from './header';
export {
  writeTar,
  writeTarBlob,
  tarParts,
  type TarWriteEntry,
  type TarWriteFormat,
  type TarWriteOptions,
} from './write';
