import {
  type Data,
  type Decimal,
  type FixedSizeBinary,
  type FixedSizeList,
  type Float,
  Precision,
  Type,
  util,
  type Vector,
} from 'apache-arrow';

/** A JSON cell value. */
export type JsonValue = null | boolean | number | string | JsonValue[];
/** Reads the value at logical index `i` (0-based within the Data). */
type Reader = (i: number) => JsonValue;

/** Int64-backed values stay JSON numbers while they are exact, otherwise become decimal strings. */
export const bigToJson = (value: bigint): number | string => {
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
};

/** NaN, infinities and negative zero have no JSON number; they travel as strings. */
export function floatToJson(value: number): number | string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? '-0' : value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** The unscaled integer of a decimal, from its little-endian 32-bit words, as a decimal string. */
function decimalToJson(words: Uint32Array, start: number, count: number): string {
  let value = 0n;
  for (let w = count - 1; w >= 0; w--) value = (value << 32n) | BigInt(words[start + w]!);
  return BigInt.asIntN(count * 32, value).toString();
}

const bufferOf = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Builds a reader over a Vector that may have several chunks. */
function vectorReader(vector: Vector): Reader {
  if (vector.data.length === 1) return dataReader(vector.data[0]!);
  const readers = vector.data.map(dataReader);
  const starts = vector.data.map((_, k) => vector.data.slice(0, k).reduce((n, d) => n + d.length, 0));
  return (i) => {
    let k = starts.length - 1;
    while (starts[k]! > i) k--;
    return readers[k]!(i - starts[k]!);
  };
}

/**
 * Arrow JS keeps `offset` only for bit-packed buffers (validity, booleans); slicing already narrowed value,
 * offset and child buffers, so everything else is indexed from 0.
 */
function valuesReader(data: Data): Reader {
  const { type, offset } = data;
  const values = data.values as ArrayLike<number | bigint>;
  switch (type.typeId) {
    case Type.Null:
      return () => null;
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      return (i) => {
        const pos = offset + i;
        return (bits[pos >> 3]! & (1 << (pos & 7))) !== 0;
      };
    }
    case Type.Float: {
      if ((type as Float).precision === Precision.HALF) {
        return (i) => floatToJson(util.uint16ToFloat64(values[i] as number));
      }
      return (i) => floatToJson(values[i] as number);
    }
    case Type.Decimal: {
      const stride = (type as Decimal).bitWidth / 32;
      return (i) => decimalToJson(data.values as Uint32Array, i * stride, stride);
    }
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      const encoding = type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8 ? 'utf8' : 'base64';
      const bytes = bufferOf(data.values as Uint8Array);
      return (i) => bytes.toString(encoding, Number(offsets[i]!), Number(offsets[i + 1]!));
    }
    case Type.FixedSizeBinary: {
      const width = (type as FixedSizeBinary).byteWidth;
      const bytes = bufferOf(data.values as Uint8Array);
      return (i) => bytes.toString('base64', i * width, (i + 1) * width);
    }
    case Type.List:
    case Type.Map: {
      const offsets = data.valueOffsets as Int32Array;
      const child = dataReader(data.children[0]!);
      return (i) => {
        const out: JsonValue[] = [];
        for (let j = offsets[i]!; j < offsets[i + 1]!; j++) out.push(child(j));
        return out;
      };
    }
    case Type.FixedSizeList: {
      const size = (type as FixedSizeList).listSize;
      const child = dataReader(data.children[0]!);
      return (i) => Array.from({ length: size }, (_, k) => child(i * size + k));
    }
    case Type.Struct: {
      const children = data.children.map(dataReader);
      return (i) => children.map((read) => read(i));
    }
    case Type.Dictionary: {
      // Dictionaries are small and their values repeat: decode each entry once.
      const dictionary = vectorReader(data.dictionary!);
      const decoded = new Map<number, JsonValue>();
      return (i) => {
        const key = Number(values[i]!);
        let value = decoded.get(key);
        if (value === undefined) {
          value = dictionary(key);
          decoded.set(key, value);
        }
        return value;
      };
    }
    default:
      // Int, Date, Time, Timestamp, Duration: one (possibly 64-bit) integer per value, read raw so nothing
      // is rounded (Arrow's own getters turn nanosecond timestamps into float milliseconds).
      if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
        return (i) => bigToJson(values[i] as bigint);
      }
      return (i) => values[i] as number;
  }
}

/** A reader for one Data chunk that yields null for null slots. */
export function dataReader(data: Data): Reader {
  const read = valuesReader(data);
  if (data.typeId === Type.Null || data.nullCount === 0) return read;
  return (i) => (data.getValid(i) ? read(i) : null);
}

/** All values of a column (every chunk, in order) as JSON values. */
export function columnToJson(vector: Vector): JsonValue[] {
  const out = new Array<JsonValue>(vector.length);
  let at = 0;
  for (const chunk of vector.data) {
    const read = dataReader(chunk);
    for (let i = 0; i < chunk.length; i++) out[at++] = read(i);
  }
  return out;
}
