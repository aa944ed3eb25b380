import {
  type Data,
  type DataType,
  DurationMicrosecond,
  DurationMillisecond,
  DurationSecond,
  Int64,
  IntervalDayTime,
  IntervalMonthDayNano,
  IntervalYearMonth,
  makeData,
  TimeSecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimestampSecond,
  TimeUnit,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { csvField, tableToCsv } from '../../src/formats/csv-write.js';
import { tableToJsonRows } from '../../src/formats/json-write.js';
import { daysToDate, epochToTimestamp, timeOfDay } from '../../src/formats/temporal-text.js';
import { jsonSupportedColumns, tableOf } from '../codec/type-fixtures.js';

/** One column's JSON values, as the text of each cell (so `1` and `"1"` differ). */
function jsonCells(name: string, data: Data): string[] {
  const rows = JSON.parse(tableToJsonRows(tableOf({ [name]: data }))) as Record<string, unknown>[];
  return rows.map((row) => JSON.stringify(row[name]));
}

/** One column's CSV fields (header dropped), raw as written. */
const csvLines = (name: string, data: Data): string[] =>
  tableToCsv(tableOf({ [name]: data }))
    .split('\n')
    .slice(1, -1);

const raw = (type: DataType, values: ArrayLike<number | bigint>): Data => {
  const array = new (type.ArrayType as new (n: number) => Int32Array | BigInt64Array)(values.length);
  for (let i = 0; i < values.length; i++) (array as unknown as (number | bigint)[])[i] = values[i]!;
  return makeData({ type, length: values.length, data: array } as never);
};

describe('timestamps: exact in their own unit, any epoch value', () => {
  it('keeps sub-millisecond digits before 1970 (µs -500, ns -1)', () => {
    expect(epochToTimestamp(-500n, TimeUnit.MICROSECOND, true)).toBe('1969-12-31T23:59:59.999500Z');
    expect(epochToTimestamp(-1n, TimeUnit.NANOSECOND, false)).toBe('1969-12-31T23:59:59.999999999');
    expect(epochToTimestamp(-1_000_000_001n, TimeUnit.NANOSECOND, false)).toBe(
      '1969-12-31T23:59:58.999999999',
    );
    expect(epochToTimestamp(-86_400n, TimeUnit.SECOND, false)).toBe('1969-12-31T00:00:00');
  });

  it('formats the int64 extremes of every unit without overflow', () => {
    const max = 2n ** 63n - 1n;
    expect(epochToTimestamp(max, TimeUnit.NANOSECOND, true)).toBe('2262-04-11T23:47:16.854775807Z');
    expect(epochToTimestamp(-max - 1n, TimeUnit.NANOSECOND, true)).toBe('1677-09-21T00:12:43.145224192Z');
    expect(epochToTimestamp(max, TimeUnit.MICROSECOND, false)).toBe('+294247-01-10T04:00:54.775807');
    expect(epochToTimestamp(-max - 1n, TimeUnit.SECOND, false)).toBe('-292277022657-01-27T08:29:52');
  });

  it('agrees with an independent oracle (Date for the calendar, BigInt for the fraction) on random values', () => {
    const seed = Number(process.env.OUTPUT_SEED ?? Date.now() % 1_000_000);
    let state = seed;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state;
    };
    const units = [
      [TimeUnit.SECOND, 1n, 0],
      [TimeUnit.MILLISECOND, 1_000n, 3],
      [TimeUnit.MICROSECOND, 1_000_000n, 6],
      [TimeUnit.NANOSECOND, 1_000_000_000n, 9],
    ] as const;
    for (let k = 0; k < 4000; k++) {
      const [unit, per, digits] = units[k % 4]!;
      // Magnitudes from 0 to ±2^62 units, clamped to what Date holds (±8.64e15 ms), both signs.
      const magnitude = ((BigInt(next()) << 31n) | BigInt(next())) >> BigInt(next() % 62);
      const limit = (8_640_000_000_000_000n * per) / 1_000n;
      const value = (k % 8 < 4 ? magnitude : -magnitude) % limit;
      const seconds = value / per - (value % per < 0n ? 1n : 0n);
      const fraction = ((value % per) + per) % per;
      const calendar = new Date(Number(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, '');
      const expected = `${calendar}${digits ? `.${String(fraction).padStart(digits, '0')}` : ''}Z`;
      const actual = epochToTimestamp(value, unit, true);
      if (actual !== expected)
        throw new Error(`seed ${seed}: ${value} (unit ${unit}) → ${actual}, expected ${expected}`);
    }
  });

  it('UTC with Z when the column has a timezone, naive without Z when it has none (JSON and CSV alike)', () => {
    const utc = raw(new TimestampMicrosecond('Europe/Berlin'), [-500n]);
    const naive = raw(new TimestampMicrosecond(), [-500n]);
    expect(jsonCells('t', utc)).toEqual(['"1969-12-31T23:59:59.999500Z"']);
    expect(csvLines('t', utc)).toEqual(['1969-12-31T23:59:59.999500Z']);
    expect(jsonCells('t', naive)).toEqual(['"1969-12-31T23:59:59.999500"']);
    expect(csvLines('t', naive)).toEqual(['1969-12-31T23:59:59.999500']);
    expect(jsonCells('t', raw(new TimestampSecond('UTC'), [1n]))).toEqual(['"1970-01-01T00:00:01Z"']);
    const ns = raw(new TimestampNanosecond(), [1_700_000_000_123_456_789n]);
    expect(jsonCells('t', ns)).toEqual(['"2023-11-14T22:13:20.123456789"']);
  });
});

describe('dates, times, durations, intervals', () => {
  it('dates are YYYY-MM-DD, negative days included, expanded years outside 0000–9999', () => {
    expect([-1, 0, 59, -719_528, -719_529, 2_932_897].map(daysToDate)).toEqual([
      '1969-12-31',
      '1970-01-01',
      '1970-03-01',
      '0000-01-01',
      '-000001-12-31',
      '+010000-01-01',
    ]);
    const columns = jsonSupportedColumns();
    expect(jsonCells('d', columns.date_day!)).toEqual([
      '"1970-01-01"',
      '"2023-12-09"',
      'null',
      '"1969-12-31"',
      '"9999-12-31"',
    ]);
    // Date64 is milliseconds; a negative partial day belongs to the day before.
    expect(jsonCells('d', columns.date_ms!)[3]).toBe('"1969-12-31"');
  });

  it('times of day keep the unit digits', () => {
    expect(timeOfDay(86_399_999_999_999n, TimeUnit.NANOSECOND)).toBe('23:59:59.999999999');
    expect(jsonCells('t', raw(new TimeSecond(), [3661]))).toEqual(['"01:01:01"']);
    expect(csvLines('t', jsonSupportedColumns().time_ms!)).toEqual([
      '00:00:00.000',
      '23:59:59.999',
      '',
      '00:00:00.001',
      '00:00:00.002',
    ]);
  });

  it('durations are ISO-8601 seconds whose fraction digits carry the unit', () => {
    expect(jsonCells('d', raw(new DurationMillisecond(), [1500n, -1500n, 0n]))).toEqual([
      '"PT1.500S"',
      '"-PT1.500S"',
      '"PT0.000S"',
    ]);
    expect(jsonCells('d', raw(new DurationMicrosecond(), [-500n]))).toEqual(['"-PT0.000500S"']);
    expect(csvLines('d', raw(new DurationSecond(), [90n, 2n ** 63n - 1n]))).toEqual([
      'PT90S',
      'PT9223372036854775807S',
    ]);
    expect(jsonCells('d', jsonSupportedColumns().duration_ns!)[1]).toBe('"-PT4611686018.427387904S"');
  });

  it('intervals are ISO-8601 with a sign per component', () => {
    const ym = makeData({ type: new IntervalYearMonth(), length: 2, data: new Int32Array([14, -3]) });
    const dt = makeData({ type: new IntervalDayTime(), length: 1, data: new Int32Array([-1, 500]) });
    const mdn = makeData({ type: new IntervalMonthDayNano(), length: 1, data: new Int32Array([1, 2, 3, 0]) });
    expect(jsonCells('i', ym)).toEqual(['"P14M"', '"P-3M"']);
    expect(jsonCells('i', dt)).toEqual(['"P-1DT0.500S"']);
    expect(jsonCells('i', mdn)).toEqual(['"P1M2DT0.000000003S"']);
  });
});

describe('numbers', () => {
  it('a 64-bit column is JSON numbers while every value is exact, strings for the whole column otherwise', () => {
    const safe = raw(new Int64(), [2n ** 53n - 1n, -(2n ** 53n - 1n), 0n]);
    expect(jsonCells('n', safe)).toEqual(['9007199254740991', '-9007199254740991', '0']);
    const unsafe = raw(new Int64(), [2n ** 53n, 1n]);
    expect(jsonCells('n', unsafe)).toEqual(['"9007199254740992"', '"1"']);
    const columns = jsonSupportedColumns();
    expect(jsonCells('u', columns.uint64!)[1]).toBe('"18446744073709551615"');
    expect(csvLines('i', columns.int64!)).toEqual([
      '-9223372036854775808',
      '9223372036854775807',
      '',
      '9007199254740993',
      '-1',
    ]);
  });

  it('an unsafe value in a null slot does not turn the column into strings', () => {
    const data = makeData({
      type: new Int64(),
      length: 2,
      nullCount: 1,
      nullBitmap: new Uint8Array([0b01]),
      data: new BigInt64Array([5n, 2n ** 60n]),
    });
    expect(jsonCells('n', data)).toEqual(['5', 'null']);
  });

  it('floats: shortest exact text, -0.0 kept, NaN/±Infinity as strings in JSON and bare words in CSV', () => {
    const columns = jsonSupportedColumns();
    // The raw text: re-serialising parsed JSON would turn -0 into 0.
    expect(tableToJsonRows(tableOf({ f: columns.float64! }))).toBe(
      '[{"f":0.1},{"f":-0.0},{"f":null},{"f":"-Infinity"},{"f":1e-310}]',
    );
    expect(tableToJsonRows(tableOf({ f: columns.float32! }))).toBe(
      '[{"f":0.1},{"f":-0.0},{"f":null},{"f":"Infinity"},{"f":"NaN"}]',
    );
    expect(jsonCells('f', columns.float16!)).toEqual(['1.5', '0', 'null', '65500', '"NaN"']);
    expect(csvLines('f', columns.float32!)).toEqual(['0.1', '-0.0', '', 'Infinity', 'NaN']);
    // -0.0 is valid JSON and parses back as negative zero (in Python too, where -0 is the integer 0).
    expect(Object.is(JSON.parse(tableToJsonRows(tableOf({ f: columns.float64! })))[1].f, -0)).toBe(true);
  });

  it('decimals are exact strings at their scale (128 and 256 bits)', () => {
    const columns = jsonSupportedColumns();
    expect(jsonCells('d', columns.decimal128!)).toEqual([
      '"123.45"',
      '"-100000000000000000000000000000000000.00"',
      'null',
      '"-0.01"',
      '"100000000000000000000000000000000000.00"',
    ]);
    expect(jsonCells('d', columns.decimal256!)[0]).toBe('"0.0001"');
    expect(jsonCells('d', columns.decimal256!)[4]).toBe('"-0.0001"');
  });
});

describe('strings, binary, nested, nulls', () => {
  it('dictionary strings are their values; nulls are null / empty fields; empty strings are ""', () => {
    const columns = jsonSupportedColumns();
    expect(jsonCells('d', columns.dictionary!)).toEqual(['"city"', '"town"', 'null', '"city"', '"ünï"']);
    expect(jsonCells('s', columns.utf8!)).toEqual([
      '""',
      '"héllo"',
      'null',
      '"日本語 \\"quoted\\"\\n"',
      '"😀"',
    ]);
    expect(tableToCsv(tableOf({ s: columns.utf8! }))).toBe('s\n""\nhéllo\n\n"日本語 ""quoted""\n"\n😀\n');
  });

  it('binary is base64', () => {
    const columns = jsonSupportedColumns();
    expect(jsonCells('b', columns.binary!)).toEqual(['"AP8="', '""', 'null', '"AQ=="', '"CQk="']);
    expect(jsonCells('b', columns.fixed_binary!)[4]).toBe('"/wE="');
  });

  it('lists, structs and maps nest in JSON and are quoted JSON text in CSV', () => {
    const columns = jsonSupportedColumns();
    const rows = JSON.parse(
      tableToJsonRows(tableOf({ s: columns.struct!, m: columns.map!, l: columns.nested! })),
    );
    expect(rows[0]).toEqual({ s: { a: 1, b: 'x' }, m: { a: 1, b: null }, l: [{ a: 1, b: 'p' }] });
    expect(rows[2]).toEqual({ s: null, m: null, l: null });
    expect(csvLines('s', columns.struct!)[0]).toBe('"{""a"":1,""b"":""x""}"');
  });

  it('CSV header names are quoted like fields', () => {
    const data = vectorFromArray(['x'], new Utf8()).data[0]!;
    expect(tableToCsv(tableOf({ 'a,b': data, 'say "hi"': data, plain: data }))).toBe(
      '"a,b","say ""hi""",plain\nx,x,x\n',
    );
    expect(csvField('')).toBe('""');
    expect(csvField('line\r\nbreak')).toBe('"line\r\nbreak"');
  });
});
