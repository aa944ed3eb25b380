import type { ColumnSpec } from './cell-table.js';

/**
 * Type inference for text (CSV) and loosely typed values (JSON records, spreadsheet cells).
 * A column gets the narrowest kind every non-null value fits; one misfit makes it utf8 with the
 * original text kept, so inference never changes what the user typed.
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// No leading zeros: "007" and "01234" are identifiers (zip codes, account numbers), not numbers.
const INTEGER = /^[+-]?(0|[1-9]\d*)$/;
const FLOAT = /^[+-]?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEAN = /^(true|false)$/i;

const fitsInt64 = (value: bigint): boolean => value >= INT64_MIN && value <= INT64_MAX;
// Up to 18 digits always fits; only longer text needs the BigInt range check.
const textFitsInt64 = (value: string): boolean => value.length < 19 || fitsInt64(BigInt(value));

/**
 * Infers one CSV column: empty → null; integers → int64; decimals → float64; true/false (any case) → bool;
 * anything else → utf8.
 */
export function inferTextColumn(name: string, raw: readonly string[]): ColumnSpec {
  let ints = true;
  let floats = true;
  let bools = true;
  for (const value of raw) {
    if (value === '') continue;
    const integer = INTEGER.test(value);
    if (integer && !textFitsInt64(value)) {
      // Beyond int64: float64 would silently round it, so the column stays text.
      ints = false;
      floats = false;
    }
    if (ints && !integer) ints = false;
    if (floats && !FLOAT.test(value)) floats = false;
    if (bools && !BOOLEAN.test(value)) bools = false;
    if (!ints && !floats && !bools) break;
  }
  const nonEmpty = raw.some((value) => value !== '');
  if (nonEmpty && ints) return { name, kind: 'int64', values: raw.map((v) => (v === '' ? null : BigInt(v))) };
  if (nonEmpty && floats)
    return { name, kind: 'float64', values: raw.map((v) => (v === '' ? null : Number(v))) };
  if (nonEmpty && bools) {
    return { name, kind: 'bool', values: raw.map((v) => (v === '' ? null : v.toLowerCase() === 'true')) };
  }
  return { name, kind: 'utf8', values: raw.map((v) => (v === '' ? null : v)) };
}

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
