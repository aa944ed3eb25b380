import {
  type Data,
  type DataType,
  type Decimal,
  type Dictionary,
  type FixedSizeBinary,
  type FixedSizeList,
  type Float,
  type Int,
  makeData,
  makeVector,
  Precision,
  Type,
  util,
} from 'apache-arrow';
import { corruptData } from '../contract/errors.js';
import type { JsonValue } from './json-encode.js';

const bad = (type: DataType, value: unknown): Error =>
  corruptData(`json document has an invalid ${String(type)} value: ${JSON.stringify(value)?.slice(0, 40)}`);

/** Validity bitmap and null count for a list of JSON values (null = missing). */
function validity(values: readonly JsonValue[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(((values.length + 63) & ~63) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

// A Map, not an object literal: 'constructor' or 'toString' must not resolve to a prototype member.
const FLOAT_TOKENS = new Map<string, number>([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
  ['-0', -0],
]);

function toFloat(type: DataType, value: JsonValue): number {
  if (typeof value === 'number') return value;
  const token = typeof value === 'string' ? FLOAT_TOKENS.get(value) : undefined;
  if (token === undefined) throw bad(type, value);
  return token;
}

function toBigInt(type: DataType, value: JsonValue): bigint {
  if (
    (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && /^-?\d+$/.test(value))
  ) {
    return BigInt(value);
  }
  throw bad(type, value);
}

/** Fills one fixed-width integer slot, refusing values the column's width cannot hold (no silent wrap). */
function intSetter(type: DataType, out: ArrayLike<number | bigint>): (i: number, value: JsonValue) => void {
  const bitWidth = type.typeId === Type.Int ? (type as Int).bitWidth : out instanceof Int32Array ? 32 : 64;
  const signed = type.typeId === Type.Int ? (type as Int).isSigned : true;
  if (bitWidth === 64) {
    const wide = out as BigInt64Array | BigUint64Array;
    const fits = signed
      ? (v: bigint) => BigInt.asIntN(64, v) === v
      : (v: bigint) => BigInt.asUintN(64, v) === v;
    return (i, value) => {
      const v = toBigInt(type, value);
      if (!fits(v)) throw bad(type, value);
      wide[i] = v;
    };
  }
  const min = signed ? -(2 ** (bitWidth - 1)) : 0;
  const max = signed ? 2 ** (bitWidth - 1) - 1 : 2 ** bitWidth - 1;
  const narrow = out as Int32Array;
  return (i, value) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw bad(type, value);
    narrow[i] = value;
  };
}

function decimalWords(type: Decimal, values: readonly JsonValue[]): Uint32Array {
  const stride = type.bitWidth / 32;
  const words = new Uint32Array(values.length * stride);
  values.forEach((value, i) => {
    if (value === null) return;
    let v = BigInt.asUintN(type.bitWidth, toBigInt(type, value));
    for (let w = 0; w < stride; w++, v >>= 32n) words[i * stride + w] = Number(v & 0xffffffffn);
  });
  return words;
}

/** Concatenated bytes plus offsets for utf8/binary values. */
function variableWidth(type: DataType, values: readonly JsonValue[], large: boolean, utf8: boolean) {
  const parts = values.map((value) => {
    if (value === null) return null;
    if (typeof value !== 'string') throw bad(type, value);
    return utf8 ? value : Buffer.from(value, 'base64');
  });
  const offsets = large ? new BigInt64Array(values.length + 1) : new Int32Array(values.length + 1);
  let total = 0;
  const lengths = parts.map((part) =>
    part === null ? 0 : typeof part === 'string' ? Buffer.byteLength(part) : part.length,
  );
  lengths.forEach((length, i) => {
    total += length;
    if (large) (offsets as BigInt64Array)[i + 1] = BigInt(total);
    else (offsets as Int32Array)[i + 1] = total;
  });
  const bytes = Buffer.allocUnsafe(total);
  let at = 0;
  parts.forEach((part, i) => {
    if (typeof part === 'string') bytes.write(part, at, 'utf8');
    else if (part !== null) part.copy(bytes, at);
    at += lengths[i]!;
  });
  return { valueOffsets: offsets, data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
}

const asList = (type: DataType, value: JsonValue, size?: number): JsonValue[] => {
  if (!Array.isArray(value) || (size !== undefined && value.length !== size)) throw bad(type, value);
  return value;
};

/** Builds one Arrow Data of `type` from JSON values (null = missing). CORRUPT_DATA on a malformed value. */
export function dataFromJson(type: DataType, values: readonly JsonValue[]): Data {
  const length = values.length;
  if (type.typeId === Type.Null) {
    const notNull = values.find((value) => value !== null);
    if (notNull !== undefined) throw bad(type, notNull);
    return makeData({ type, length, nullCount: length });
  }
  const { nullBitmap, nullCount } = validity(values);
  const base = { type, length, nullCount, nullBitmap };
  switch (type.typeId) {
    case Type.Bool: {
      const bits = new Uint8Array(nullBitmap.length);
      values.forEach((value, i) => {
        if (value === true) bits[i >> 3]! |= 1 << (i & 7);
        else if (value !== false && value !== null) throw bad(type, value);
      });
      return makeData({ ...base, data: bits } as never);
    }
    case Type.Float: {
      const half = (type as Float).precision === Precision.HALF;
      const out = new (type as Float).ArrayType(length) as Float64Array | Uint16Array;
      values.forEach((value, i) => {
        if (value !== null) out[i] = half ? util.float64ToUint16(toFloat(type, value)) : toFloat(type, value);
      });
      return makeData({ ...base, data: out } as never);
    }
    case Type.Decimal:
      return makeData({ ...base, data: decimalWords(type as Decimal, values) } as never);
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const large = type.typeId === Type.LargeUtf8 || type.typeId === Type.LargeBinary;
      const utf8 = type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8;
      return makeData({ ...base, ...variableWidth(type, values, large, utf8) } as never);
    }
    case Type.FixedSizeBinary: {
      const width = (type as FixedSizeBinary).byteWidth;
      const out = new Uint8Array(length * width);
      values.forEach((value, i) => {
        if (value === null) return;
        const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : null;
        if (bytes === null || bytes.length !== width) throw bad(type, value);
        out.set(bytes, i * width);
      });
      return makeData({ ...base, data: out } as never);
    }
    case Type.List:
    case Type.Map: {
      const valueOffsets = new Int32Array(length + 1);
      const flat: JsonValue[] = [];
      values.forEach((value, i) => {
        if (value !== null) for (const item of asList(type, value)) flat.push(item);
        valueOffsets[i + 1] = flat.length;
      });
      return makeData({ ...base, valueOffsets, child: dataFromJson(type.children[0]!.type, flat) } as never);
    }
    case Type.FixedSizeList: {
      const size = (type as FixedSizeList).listSize;
      const flat: JsonValue[] = [];
      for (const value of values)
        flat.push(...(value === null ? new Array(size).fill(null) : asList(type, value, size)));
      return makeData({ ...base, child: dataFromJson(type.children[0]!.type, flat) } as never);
    }
    case Type.Struct: {
      const rows = values.map((value) => (value === null ? null : asList(type, value, type.children.length)));
      const children = type.children.map((field, k) =>
        dataFromJson(
          field.type,
          rows.map((row) => (row === null ? null : row[k]!)),
        ),
      );
      return makeData({ ...base, children } as never);
    }
    case Type.Dictionary:
      return dictionaryFromJson(type as Dictionary, values, base);
    default: {
      // Int, Date, Time, Timestamp, Duration: one integer per value.
      const out = new (type as Int).ArrayType(length) as Int32Array | BigInt64Array;
      const set = intSetter(type, out);
      values.forEach((value, i) => {
        if (value !== null) set(i, value);
      });
      return makeData({ ...base, data: out } as never);
    }
  }
}

/** Rebuilds a dictionary column: distinct values become the dictionary, in first-seen order. */
function dictionaryFromJson(
  type: Dictionary,
  values: readonly JsonValue[],
  base: { type: DataType; length: number; nullCount: number; nullBitmap: Uint8Array },
): Data {
  const positions = new Map<string | number | boolean, number>();
  const distinct: JsonValue[] = [];
  const indices = new type.indices.ArrayType(values.length) as Int32Array | BigInt64Array;
  const setIndex = intSetter(type.indices, indices);
  values.forEach((value, i) => {
    if (value === null) return;
    const key = typeof value === 'object' ? JSON.stringify(value) : value;
    let position = positions.get(key);
    if (position === undefined) {
      position = distinct.length;
      positions.set(key, position);
      distinct.push(value);
    }
    setIndex(i, position);
  });
  const dictionary = makeVector(dataFromJson(type.dictionary, distinct));
  return makeData({ ...base, data: indices, dictionary } as never);
}
