import {
  Binary,
  Bool,
  type Data,
  type DataType,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  DurationNanosecond,
  Field,
  FixedSizeBinary,
  FixedSizeList,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  IntervalYearMonth,
  LargeList,
  LargeUtf8,
  List,
  Map_,
  makeData,
  makeVector,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeMillisecond,
  TimeNanosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';

/** Fixtures for the codec suites: one column per Arrow type, built from raw storage so values are exact. */

/** Validity bitmap where the listed rows are null. */
function bitmap(length: number, nullRows: readonly number[]): Uint8Array {
  const bits = new Uint8Array(((length + 63) & ~63) >> 3);
  for (let i = 0; i < length; i++) if (!nullRows.includes(i)) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/** A fixed-width column from raw storage values; row 2 is null. */
function raw(type: DataType, values: ArrayLike<number | bigint>): Data {
  const data = new (type.ArrayType as new (n: number) => Int32Array | BigInt64Array)(values.length);
  for (let i = 0; i < values.length; i++) (data as unknown as (number | bigint)[])[i] = values[i]!;
  return makeData({
    type,
    length: values.length,
    nullCount: 1,
    nullBitmap: bitmap(values.length, [2]),
    data,
  } as never);
}

function decimal(type: Decimal, values: readonly bigint[]): Data {
  const stride = type.bitWidth / 32;
  const words = new Uint32Array(values.length * stride);
  values.forEach((value, i) => {
    let v = BigInt.asUintN(type.bitWidth, value);
    for (let w = 0; w < stride; w++, v >>= 32n) words[i * stride + w] = Number(v & 0xffffffffn);
  });
  return makeData({
    type,
    length: values.length,
    nullCount: 1,
    nullBitmap: bitmap(values.length, [2]),
    data: words,
  });
}

const ROWS = 5;
const column = (values: unknown[], type: DataType): Data => vectorFromArray(values, type).data[0]!;

/** Every type the JSON serialization carries exactly, five rows each (row 2 null where the type allows). */
export function jsonSupportedColumns(): Record<string, Data> {
  const ns = 1_700_000_000_123_456_789n;
  const listType = new List(new Field('item', new Int32(), true));
  const structType = new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]);
  const entries = new Struct([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)]);
  const mapType = new Map_(new Field('entries', entries, false));
  return {
    int8: raw(new Int8(), [-128, 127, 0, 1, -1]),
    int16: raw(new Int16(), [-32768, 32767, 0, 1, -1]),
    int32: raw(new Int32(), [-(2 ** 31), 2 ** 31 - 1, 0, 1, -1]),
    int64: raw(new Int64(), [-(2n ** 63n), 2n ** 63n - 1n, 0n, 2n ** 53n + 1n, -1n]),
    uint8: raw(new Uint8(), [0, 255, 0, 1, 2]),
    uint16: raw(new Uint16(), [0, 65535, 0, 1, 2]),
    uint32: raw(new Uint32(), [0, 2 ** 32 - 1, 0, 1, 2]),
    uint64: raw(new Uint64(), [0n, 2n ** 64n - 1n, 0n, 2n ** 53n + 1n, 2n]),
    float16: column([1.5, -0, null, 65504, Number.NaN], new Float16()),
    float32: column([Math.fround(0.1), -0, null, Number.POSITIVE_INFINITY, Number.NaN], new Float32()),
    float64: column([0.1, -0, null, Number.NEGATIVE_INFINITY, 1e-310], new Float64()),
    utf8: column(['', 'héllo', null, '日本語 "quoted"\n', '😀'], new Utf8()),
    large_utf8: column(['a', 'b', null, '', 'ünï'], new LargeUtf8()),
    binary: column(
      [new Uint8Array([0, 255]), new Uint8Array(), null, new Uint8Array([1]), new Uint8Array([9, 9])],
      new Binary(),
    ),
    fixed_binary: column(
      [
        new Uint8Array([1, 2]),
        new Uint8Array([3, 4]),
        null,
        new Uint8Array([0, 0]),
        new Uint8Array([255, 1]),
      ],
      new FixedSizeBinary(2),
    ),
    dictionary: column(['city', 'town', null, 'city', 'ünï'], new Dictionary(new Utf8(), new Int32())),
    dictionary_int8_ordered: column(
      ['x', 'y', null, 'x', 'z'],
      new Dictionary(new Utf8(), new Int8(), null, true),
    ),
    bool: column([true, false, null, true, false], new Bool()),
    date_day: raw(new DateDay(), [0, 19_700, 0, -1, 2_932_896]),
    date_ms: raw(new DateMillisecond(), [0n, 1_700_000_000_000n, 0n, -86_400_000n, 8_640_000_000_000_000n]),
    ts_s: raw(new TimestampSecond(), [0n, 1_700_000_000n, 0n, -1n, 2n ** 40n]),
    ts_ms: raw(new TimestampMillisecond(), [0n, 1_700_000_000_123n, 0n, -1n, 2n]),
    ts_ms_utc: raw(new TimestampMillisecond('UTC'), [0n, 1_700_000_000_123n, 0n, -1n, 2n]),
    ts_us: raw(new TimestampMicrosecond(), [0n, 1_700_000_000_123_456n, 0n, -1n, 2n]),
    ts_s_tz: raw(new TimestampSecond('America/New_York'), [0n, 1_700_000_000n, 0n, -1n, 2n]),
    ts_us_berlin: raw(new TimestampMicrosecond('Europe/Berlin'), [0n, 1_700_000_000_123_456n, 0n, -1n, 2n]),
    ts_ns: raw(new TimestampNanosecond(), [0n, ns, 0n, -1n, ns + 1n]),
    ts_ns_tz: raw(new TimestampNanosecond('+05:30'), [0n, ns, 0n, -1n, 2n ** 62n]),
    time_ms: raw(new TimeMillisecond(), [0, 86_399_999, 0, 1, 2]),
    time_ns: raw(new TimeNanosecond(), [0n, 86_399_999_999_999n, 0n, 1n, 2n]),
    duration_ns: raw(new DurationNanosecond(), [0n, -(2n ** 62n), 0n, 1n, 2n]),
    decimal128: decimal(new Decimal(2, 38, 128), [12345n, -(10n ** 37n), 0n, -1n, 10n ** 37n]),
    decimal256: decimal(new Decimal(4, 76, 256), [1n, -(2n ** 200n), 0n, 2n ** 250n, -1n]),
    list: column([[1, 2], [], null, [null, 3], [4]], listType),
    fixed_list: column(
      [[1.5, 2], [0, -0], null, [null, 1], [3, 4]],
      new FixedSizeList(2, new Field('v', new Float64(), true)),
    ),
    struct: column(
      [{ a: 1, b: 'x' }, { a: null, b: 'y' }, null, { a: 3, b: null }, { a: 4, b: 'z' }],
      structType,
    ),
    nested: column(
      [[{ a: 1, b: 'p' }], [], null, [null], [{ a: 2, b: null }]],
      new List(new Field('s', structType, true)),
    ),
    map: column(
      [
        new Map([
          ['a', 1],
          ['b', null],
        ]),
        new Map(),
        null,
        new Map([['c', 3]]),
        new Map(),
      ],
      mapType,
    ),
    null: makeData({ type: new Null(), length: ROWS, nullCount: ROWS }),
  };
}

/** Types the JSON serialization refuses with INVALID_INPUT (Arrow IPC still carries them). */
export function jsonUnsupportedColumns(): Record<string, Data> {
  return {
    interval: column([1, 2, null, 3, 4], new IntervalYearMonth()),
    large_list: column([[1], [], null, [2, 3], [4]], new LargeList(new Field('item', new Int32(), true))),
  };
}

/** A single-batch table from named columns; `metadata` goes on the schema. */
export function tableOf(columns: Record<string, Data>, metadata?: Record<string, string>): Table {
  const fields = Object.entries(columns).map(([name, data]) => new Field(name, data.type, true));
  const schema = new Schema(fields, metadata ? new Map(Object.entries(metadata)) : null);
  const rows = Object.values(columns)[0]?.length ?? 0;
  const datas = Object.values(columns);
  return new Table(schema, [
    new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, children: datas })),
  ]);
}

/** A column of `rows` nulls of `type`. */
export const allNulls = (type: DataType, rows: number): Data =>
  makeVector(vectorFromArray(new Array(rows).fill(null), type)).data[0]!;
