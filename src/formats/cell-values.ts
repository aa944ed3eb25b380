import type { ColumnSpec } from './cell-table.js';

/**
 * Type inference for loosely typed values (JSON records, spreadsheet cells); text cells (CSV) are
 * inferred from their bytes in cell-infer.ts. A column gets the narrowest kind every non-null value
 * fits; one misfit makes it utf8 with the original text kept, so inference never changes what the
 * user typed.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const fitsInt64 = (value: bigint): boolean => value >= INT64_MIN && value <= INT64_MAX;

/** A value from JSON or a spreadsheet cell, before inference. */
export type CellValue = null | undefined | string | number | bigint | boolean | Date | object;

const isWholeNumber = (value: CellValue): boolean =>
  (typeof value === 'number' && Number.isSafeInteger(value)) ||
  (typeof value === 'bigint' && fitsInt64(value));

/** Infers a column of typed values: whole numbers → int64, numbers → float64, booleans, dates → timestamp, else utf8. */
export function inferValueColumn(name: string, values: readonly CellValue[]): ColumnSpec {
  const present = values.filter((value) => value !== null && value !== undefined);
  const all = (test: (value: CellValue) => boolean) => present.length > 0 && present.every(test);
  const orNull = <T>(convert: (value: CellValue) => T) =>
    values.map((value) => (value === null || value === undefined ? null : convert(value)));

  if (all(isWholeNumber)) return { name, kind: 'int64', values: orNull((v) => BigInt(v as number | bigint)) };
  if (all((v) => typeof v === 'number' && Number.isFinite(v))) {
    return { name, kind: 'float64', values: orNull((v) => v as number) };
  }
  if (all((v) => typeof v === 'boolean')) return { name, kind: 'bool', values: orNull((v) => v as boolean) };
  if (all((v) => v instanceof Date && !Number.isNaN(v.getTime()))) {
    return { name, kind: 'timestamp', values: orNull((v) => (v as Date).getTime()) };
  }
  return { name, kind: 'utf8', values: orNull(valueText) };
}

function valueText(value: CellValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'object')
    return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v));
  return String(value);
}
