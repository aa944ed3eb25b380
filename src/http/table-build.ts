// The table builders moved to src/formats/ (readers usable without HTTP); these names stay for callers.

export { headerNames } from '../formats/cell-names.js';
export { assembleTable, buildTable, type ColumnKind, type ColumnSpec } from '../formats/cell-table.js';
