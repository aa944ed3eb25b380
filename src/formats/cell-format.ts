import {
  type Data,
  type Decimal,
  type Duration,
  type FixedSizeBinary,
  type FixedSizeList,
  type Float,
  type Interval,
  makeVector,
  Precision,
  type Struct,
  type Time,
  type Timestamp,
  Type,
} from 'apache-arrow';
import { decimalText, float16Text, float32Text, float64Text, genericJson } from './number-text.js';
import {
  daysToDate,
  durationText,
  epochToTimestamp,
  intervalText,
  millisToDate,
  timeOfDay,
} from './temporal-text.js';

/**
 * How a cell's text becomes JSON: `raw` is JSON already (numbers, booleans, nested values), `plain` is a
 * string that needs no escaping (timestamps, base64, big integers), `escaped` any user string, `float`
 * a number unless it is NaN/±Infinity (JSON has no such numbers; they become strings).
 */
export type JsonKind = 'raw' | 'plain' | 'escaped' | 'float';

/** One chunk (Data) of a column, read cell by cell as text. The same text serves CSV and JSON. */
export interface CellReader {
  kind: JsonKind;
  valid(i: number): boolean;
  /** The cell's text; only called for valid cells. */
  text(i: number): string;
}

export interface CellOptions {
  /** 64-bit integers as JSON strings (the column holds a value beyond ±(2^53 − 1)). */
  bigAsString: boolean;
}

const SPECIAL_FLOATS = new Set(['NaN', 'Infinity', '-Infinity']);

/** The JSON text of a valid cell. */
export function jsonText(reader: CellReader, i: number): string {
  const text = reader.text(i);
  switch (reader.kind) {
    case 'raw':
      return text;
    case 'plain':
      return `"${text}"`;
    case 'escaped':
      return JSON.stringify(text);
    case 'float':
      return SPECIAL_FLOATS.has(text) ? `"${text}"` : text;
  }
}

const jsonOrNull = (reader: CellReader, i: number): string =>
  reader.valid(i) ? jsonText(reader, i) : 'null';

/** Validity read straight from the chunk's bitmap, at the chunk's bit offset. */
function validity(data: Data): (i: number) => boolean {
  if (data.typeId === Type.Null) return () => false;
  const bits = data.nullBitmap;
  if (data.nullCount === 0 || bits === undefined || bits.length === 0) return () => true;
  const offset = data.offset;
  return (i) => {
    const pos = offset + i;
    return (bits[pos >> 3]! & (1 << (pos & 7))) !== 0;
  };
}

const reader = (data: Data, kind: JsonKind, text: (i: number) => string): CellReader => ({
  kind,
  valid: validity(data),
  text,
});

/** Values as BigInt whatever the array (Time32 uses Int32Array, Time64 BigInt64Array). */
const bigAt = (values: ArrayLike<number | bigint>) => (i: number) => BigInt(values[i]!);

/** A reader for one chunk of any Arrow type; values are read raw, never through Arrow's lossy getters. */
export function cellReader(data: Data, opts: CellOptions): CellReader {
  const { type } = data;
  const values = data.values as ArrayLike<number | bigint>;
  switch (type.typeId) {
    case Type.Null:
      return reader(data, 'raw', () => 'null');
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      return reader(data, 'raw', (i) => {
        const pos = data.offset + i;
        return (bits[pos >> 3]! & (1 << (pos & 7))) !== 0 ? 'true' : 'false';
      });
    }
    case Type.Int: {
      const big = values instanceof BigInt64Array || values instanceof BigUint64Array;
      return reader(data, big && opts.bigAsString ? 'plain' : 'raw', (i) => String(values[i]));
    }
    case Type.Float: {
      const precision = (type as Float).precision;
      if (precision === Precision.HALF) return reader(data, 'float', (i) => float16Text(values[i] as number));
      if (precision === Precision.SINGLE)
        return reader(data, 'float', (i) => float32Text(values[i] as number));
      return reader(data, 'float', (i) => float64Text(values[i] as number));
    }
    case Type.Decimal: {
      const { bitWidth, scale } = type as Decimal;
      const words = data.values as Uint32Array;
      const stride = bitWidth / 32;
      return reader(data, 'plain', (i) => decimalText(words, i * stride, stride, scale));
    }
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Binary:
    case Type.LargeBinary: {
      const text = type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8;
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      const bytes = Buffer.from(data.values.buffer, data.values.byteOffset, data.values.byteLength);
      const encoding = text ? 'utf8' : 'base64';
      return reader(data, text ? 'escaped' : 'plain', (i) =>
        bytes.toString(encoding, Number(offsets[i]), Number(offsets[i + 1])),
      );
    }
    case Type.FixedSizeBinary: {
      const width = (type as FixedSizeBinary).byteWidth;
      const bytes = Buffer.from(data.values.buffer, data.values.byteOffset, data.values.byteLength);
      return reader(data, 'plain', (i) => bytes.toString('base64', i * width, (i + 1) * width));
    }
    case Type.Date:
      return values instanceof Int32Array
        ? reader(data, 'plain', (i) => daysToDate(values[i] as number))
        : reader(data, 'plain', (i) => millisToDate(BigInt(values[i]!)));
    case Type.Timestamp: {
      const { unit, timezone } = type as Timestamp;
      const utc = typeof timezone === 'string' && timezone !== '';
      const at = bigAt(values);
      return reader(data, 'plain', (i) => epochToTimestamp(at(i), unit, utc));
    }
    case Type.Time: {
      const { unit } = type as Time;
      const at = bigAt(values);
      return reader(data, 'plain', (i) => timeOfDay(at(i), unit));
    }
    case Type.Duration: {
      const { unit } = type as Duration;
      const at = bigAt(values);
      return reader(data, 'plain', (i) => durationText(at(i), unit));
    }
    case Type.Dictionary:
      return dictionaryReader(data, opts);
    case Type.List:
    case Type.LargeList: {
      const offsets = data.valueOffsets as ArrayLike<number | bigint>;
      const child = cellReader(data.children[0]!, opts);
      return reader(data, 'raw', (i) => listJson(child, Number(offsets[i]), Number(offsets[i + 1])));
    }
    case Type.FixedSizeList: {
      const size = (type as FixedSizeList).listSize;
      const child = cellReader(data.children[0]!, opts);
      return reader(data, 'raw', (i) => listJson(child, i * size, (i + 1) * size));
    }
    case Type.Struct: {
      const keys = (type as Struct).children.map((field) => `${JSON.stringify(field.name)}:`);
      const children = data.children.map((child) => cellReader(child, opts));
      return reader(data, 'raw', (i) => `{${children.map((c, k) => keys[k] + jsonOrNull(c, i)).join(',')}}`);
    }
    case Type.Map: {
      // Entries are a struct<key, value>; written as an object keyed by the key's text.
      const offsets = data.valueOffsets as Int32Array;
      const entries = data.children[0]!;
      const key = cellReader(entries.children[0]!, opts);
      const value = cellReader(entries.children[1]!, opts);
      return reader(data, 'raw', (i) => {
        const parts: string[] = [];
        for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
          parts.push(`${JSON.stringify(key.text(j))}:${jsonOrNull(value, j)}`);
        }
        return `{${parts.join(',')}}`;
      });
    }
    case Type.Interval: {
      const { unit } = type as Interval;
      return reader(data, 'plain', (i) => intervalText(data.values as Int32Array, i, unit));
    }
    case Type.Utf8View: {
      const vector = makeVector(data);
      return reader(data, 'escaped', (i) => String(vector.get(i)));
    }
    case Type.BinaryView: {
      const vector = makeVector(data);
      return reader(data, 'plain', (i) => Buffer.from(vector.get(i) as Uint8Array).toString('base64'));
    }
    default: {
      // Unions (rare): Arrow's own getter, made JSON-safe.
      const vector = makeVector(data);
      return reader(data, 'raw', (i) => genericJson(vector.get(i), opts.bigAsString));
    }
  }
}

function listJson(child: CellReader, from: number, to: number): string {
  const parts: string[] = new Array(to - from);
  for (let j = from; j < to; j++) parts[j - from] = jsonOrNull(child, j);
  return `[${parts.join(',')}]`;
}

/** Dictionary cells: each entry's text is computed once, on first use (entries repeat). */
function dictionaryReader(data: Data, opts: CellOptions): CellReader {
  const dictionary = data.dictionary!;
  const chunks = dictionary.data.map((chunk) => cellReader(chunk, opts));
  const starts: number[] = [];
  let total = 0;
  for (const chunk of dictionary.data) {
    starts.push(total);
    total += chunk.length;
  }
  const locate = (key: number): [CellReader, number] => {
    let k = starts.length - 1;
    while (k > 0 && starts[k]! > key) k--;
    return [chunks[k]!, key - starts[k]!];
  };
  const texts: (string | null | undefined)[] = new Array(total);
  const keys = data.values as ArrayLike<number | bigint>;
  const entry = (i: number): string | null => {
    const key = Number(keys[i]);
    let text = texts[key];
    if (text === undefined) {
      const [chunk, at] = locate(key);
      text = chunk.valid(at) ? chunk.text(at) : null;
      texts[key] = text;
    }
    return text;
  };
  const valid = validity(data);
  const kind = chunks[0]?.kind ?? 'raw';
  return { kind, valid: (i) => valid(i) && entry(i) !== null, text: (i) => entry(i)! };
}
