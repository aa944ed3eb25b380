import { type Data, DataType, type Field, type Table, Type, util, type Vector } from 'apache-arrow';
import type { FrameDiff } from '../contract/frame-reads.js';

/**
 * Which columns differ between two frames (§2 `diffVersions`). Column by column, so a caller can
 * skip what it already knows is equal: a column whose Arrow `Data` objects are the very same in
 * both frames is unchanged without looking at a value.
 */
export function diffTables(before: Table, after: Table): FrameDiff {
  const beforeIndex = firstIndexByName(before.schema.fields);
  const afterIndex = firstIndexByName(after.schema.fields);
  const diff: FrameDiff = {
    rowsBefore: before.numRows,
    rowsAfter: after.numRows,
    columnsAdded: [],
    columnsRemoved: [],
    columnsChanged: [],
    columnsUnchanged: [],
  };
  for (const [name, i] of afterIndex) {
    const j = beforeIndex.get(name);
    if (j === undefined) {
      diff.columnsAdded.push(name);
      continue;
    }
    const same = columnsEqual(
      before.schema.fields[j] as Field,
      before.getChildAt(j) as Vector,
      after.schema.fields[i] as Field,
      after.getChildAt(i) as Vector,
    );
    (same ? diff.columnsUnchanged : diff.columnsChanged).push(name);
  }
  for (const name of beforeIndex.keys()) {
    if (!afterIndex.has(name)) diff.columnsRemoved.push(name);
  }
  return diff;
}

/** Name → index of its first field, in schema order (a Map keeps insertion order). */
function firstIndexByName(fields: readonly Field[]): Map<string, number> {
  const index = new Map<string, number>();
  fields.forEach((field, i) => {
    if (!index.has(field.name)) index.set(field.name, i);
  });
  return index;
}

/** Same type and the same values (nulls included) in the same number of rows. */
export function columnsEqual(fieldA: Field, a: Vector, fieldB: Field, b: Vector): boolean {
  if (!typesEqual(fieldA.type, fieldB.type)) return false;
  if (a.length !== b.length) return false;
  if (sameData(a.data, b.data)) return true;
  if (a.nullCount === 0 && b.nullCount === 0 && isFixedWidthNumber(fieldA.type.typeId)) {
    return bytesEqual(a.toArray() as ArrayBufferView, b.toArray() as ArrayBufferView);
  }
  for (let row = 0; row < a.length; row++) {
    if (!valuesEqual(a.get(row), b.get(row))) return false;
  }
  return true;
}

/**
 * Arrow's own comparison also compares dictionary ids, which are numbering artefacts of one schema:
 * two frames with the same dictionary-string column would look retyped. Dictionaries compare by
 * index and value type (values themselves are compared decoded); nested types field by field.
 */
export function typesEqual(a: DataType, b: DataType): boolean {
  if (DataType.isDictionary(a) || DataType.isDictionary(b)) {
    return (
      DataType.isDictionary(a) &&
      DataType.isDictionary(b) &&
      a.isOrdered === b.isOrdered &&
      typesEqual(a.indices, b.indices) &&
      typesEqual(a.dictionary, b.dictionary)
    );
  }
  const childrenA = a.children ?? [];
  const childrenB = b.children ?? [];
  if (childrenA.length === 0 && childrenB.length === 0) return util.compareTypes(a, b);
  return (
    a.typeId === b.typeId &&
    String(a) === String(b) &&
    childrenA.length === childrenB.length &&
    childrenA.every((child: Field, i: number) => {
      const other = childrenB[i] as Field;
      return (
        child.name === other.name && child.nullable === other.nullable && typesEqual(child.type, other.type)
      );
    })
  );
}

function sameData(a: readonly Data[], b: readonly Data[]): boolean {
  return a.length === b.length && a.every((data, i) => data === b[i]);
}

// Types whose `toArray()` is one contiguous typed array of the values (no nulls asked for).
const FIXED_WIDTH = new Set<Type>([
  Type.Int,
  Type.Float,
  Type.Date,
  Type.Time,
  Type.Timestamp,
  Type.Duration,
  Type.Decimal,
]);
const isFixedWidthNumber = (typeId: Type): boolean => FIXED_WIDTH.has(typeId);

function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** Value equality for what `Vector.get` returns: primitives, bigints, bytes, lists, structs, maps. */
function valuesEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return bytesEqual(a, b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  const listA = asList(a);
  const listB = asList(b);
  if (listA !== undefined || listB !== undefined) {
    if (listA === undefined || listB === undefined || listA.length !== listB.length) return false;
    return listA.every((item, i) => valuesEqual(item, listB[i]));
  }
  const entriesA = Object.entries(toPlain(a));
  const plainB = toPlain(b);
  if (entriesA.length !== Object.keys(plainB).length) return false;
  return entriesA.every(([key, value]) => key in plainB && valuesEqual(value, plainB[key]));
}

/** Lists come back as Vectors (or arrays); Map rows iterate as [key, value] pairs. */
function asList(value: object): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if ('toArray' in value && typeof value.toArray === 'function' && 'length' in value) {
    return Array.from(value as unknown as Iterable<unknown>);
  }
  if (value instanceof Map) return Array.from(value.entries());
  return undefined;
}

/** Struct rows and Map rows expose their fields through toJSON(). */
function toPlain(value: object): Record<string, unknown> {
  if ('toJSON' in value && typeof value.toJSON === 'function') {
    return value.toJSON() as Record<string, unknown>;
  }
  return value as Record<string, unknown>;
}
