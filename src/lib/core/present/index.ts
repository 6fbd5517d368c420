/**
 * The presentation layer: every table and text Docker prints, computed once, for the views and
 * the CLI alike. Each table comes as rows of cells (plain data: each cell the exact string docker
 * would print, beside the fields a view needs, such as a layer index or the full ID); the views
 * render the cells in `<td>`s, the CLI prints the same rows through the tabwriter.
 *
 * Only this folder knows docker's table columns; core/format keeps the low-level units, widths,
 * truncation and the tabwriter.
 */
export { formatTable, formatQuiet, type CellRow, type Column } from './table';
export { imageSize, layerSize, type ImageSet, type KnownSize } from './sizes';
export {
  formatHistory,
  historyCells,
  historyColumns,
  historyRows,
  historyTable,
  imageHistory,
  localUtcOffsetMinutes,
  type HistoryCells,
  type HistoryItem,
  type HistoryKey,
  type HistoryOptions,
  type HistoryRow,
  type ImageHistoryItem,
} from './history';
export {
  formatImageLs,
  imageLs,
  imageLsCells,
  imageLsColumns,
  imageLsRows,
  imageLsTable,
  imageLsTemplate,
  goTimeString,
  type ArchiveImageLsItem,
  type ImageLsFilter,
  type ImageLsKind,
  type ImageLsCells,
  type ImageLsItem,
  type ImageLsKey,
  type ImageLsOptions,
  type ImageLsRow,
} from './image-ls';
export { formatTemplate, TemplateError, type TemplateFields } from './template';
export { dockerImageInspect, dockerImageInspectText, inspectDocument } from './inspect';
export { diffLines, diffRows, formatDiff, type DiffRow } from './diff';
export {
  containerCommand,
  containerPs,
  containerPsSize,
  goQuote,
  psCells,
  psColumns,
  psRows,
  psTable,
  type ContainerPsItem,
  type PsCells,
  type PsItem,
  type PsKey,
  type PsOptions,
  type PsRow,
} from './ps';
export { dockerRunRefusal } from './run';
