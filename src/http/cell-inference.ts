// Inference for typed values moved to src/formats/cell-values.ts; these names stay for callers.
export { type CellValue, inferValueColumn } from '../formats/cell-values.js';
