/**
 * Writes the cases compare.py checks against pandas: per column its Arrow type, the raw stored values
 * (decimal strings) and the exact text framestore's JSON and CSV writers give each cell.
 * Usage: npx tsx bench/pandas-compare/export-cases.ts <out.json> [seed]
 */
import { writeFileSync } from 'node:fs';
import {
  type Data,
  type DataType,
  DateDay,
  Decimal,
  DurationMillisecond,
  DurationNanosecond,
  Float32,
  Float64,
  Int64,
  makeData,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
} from 'apache-arrow';
import { cellReader, jsonText } from '../../src/formats/cell-format.js';

const [out = 'pandas-cases.json', seedText = '1'] = process.argv.slice(2);
let state = BigInt(seedText) | 1n;
/** xorshift64*: a uniform 64-bit value. */
function next64(): bigint {
  state ^= state >> 12n;
  state ^= (state << 25n) & 0xffff_ffff_ffff_ffffn;
  state ^= state >> 27n;
  return (state * 0x2545f4914f6cdd1dn) & 0xffff_ffff_ffff_ffffn;
}
/** A uniform signed value in [-bound, bound]. */
const within = (bound: bigint): bigint => (next64() % (2n * bound + 1n)) - bound;

const N = 500;
const NS_BOUND = 2n ** 63n - 1n; // pandas' datetime64[ns] range (−2^63 is NaT)
const series = (bound: bigint, edges: bigint[]) => [
  ...edges,
  ...Array.from({ length: N }, () => within(bound)),
];

function column(type: DataType, values: (number | bigint)[]): Data {
  const array = new (type.ArrayType as new (n: number) => Int32Array | BigInt64Array | Float64Array)(
    values.length,
  );
  values.forEach((v, i) => {
    (array as unknown as (number | bigint)[])[i] = v;
  });
  return makeData({ type, length: values.length, data: array } as never);
}

function decimalColumn(scale: number, values: bigint[]): Data {
  const words = new Uint32Array(values.length * 4);
  values.forEach((value, i) => {
    let v = BigInt.asUintN(128, value);
    for (let w = 0; w < 4; w++, v >>= 32n) words[i * 4 + w] = Number(v & 0xffffffffn);
  });
  return makeData({ type: new Decimal(scale, 38, 128), length: values.length, data: words });
}

const floats = [0.1, -0, 1e-310, 1e21, 1e20, 5e-324, Number.MAX_VALUE, Number.NaN, Infinity, -Infinity];
const randomFloat = () => {
  const bits = new BigUint64Array([next64()]);
  return new Float64Array(bits.buffer)[0]!;
};

const cases: Record<string, { data: Data; raw: string[] }> = {};
const add = (name: string, data: Data, raw: (number | bigint)[]) => {
  cases[name] = { data, raw: raw.map(String) };
};
/** Floats travel as their IEEE bits (hex), so the check does not trust JS's own number printing. */
const bitsOf = (values: number[], single: boolean): string[] =>
  single
    ? Array.from(new Uint32Array(Float32Array.from(values).buffer), (b) => b.toString(16))
    : Array.from(new BigUint64Array(Float64Array.from(values).buffer), (b) => b.toString(16));
const ns = series(NS_BOUND, [-1n, -500n, 0n, 1n, -NS_BOUND, NS_BOUND, -1_000_000_001n]);
add('ts_ns', column(new TimestampNanosecond(), ns), ns);
const us = series(NS_BOUND / 1000n, [-500n, -1n, 0n, 999_999n]);
add('ts_us_utc', column(new TimestampMicrosecond('UTC'), us), us);
const ms = series(NS_BOUND / 1_000_000n, [-1n, 0n, 1n, -86_400_001n]);
add('ts_ms', column(new TimestampMillisecond(), ms), ms);
const s = series(NS_BOUND / 1_000_000_000n, [-1n, 0n, 86_399n]);
add('ts_s_utc', column(new TimestampSecond('America/New_York'), s), s);
const days = series(106_750n, [-1n, 0n, 59n, -106_751n]).map(Number);
add('date32', column(new DateDay(), days), days);
const durMs = series(NS_BOUND / 1_000_000n, [1500n, -1500n, -1n, 0n]);
add('duration_ms', column(new DurationMillisecond(), durMs), durMs);
const durNs = series(NS_BOUND, [1n, -1n, -500n, 0n]);
add('duration_ns', column(new DurationNanosecond(), durNs), durNs);
const timeUs = Array.from({ length: N }, () => (within(43_200_000_000n) + 43_200_000_000n) % 86_400_000_000n);
add('time_us', column(new TimeMicrosecond(), timeUs), timeUs);
const ints = series(2n ** 63n - 1n, [2n ** 53n + 1n, -(2n ** 63n)]);
add('int64', column(new Int64(), ints), ints);
const f64 = [...floats, ...Array.from({ length: N }, randomFloat)];
cases.float64 = { data: column(new Float64(), f64), raw: bitsOf(f64, false) };
const randomFloat32 = () => new Float32Array(Uint32Array.of(Number(next64() & 0xffff_ffffn)).buffer)[0]!;
const f32 = [
  0.1,
  3.4028234663852886e38,
  1.401298464324817e-45,
  ...Array.from({ length: N }, randomFloat32),
].map(Math.fround);
cases.float32 = { data: column(new Float32(), f32), raw: bitsOf(f32, true) };
const dec = series(10n ** 37n, [-1n, 0n, 12_345n]);
add('decimal_s3', decimalColumn(3, dec), dec);

const columns = Object.entries(cases).map(([name, { data, raw }]) => {
  const reader = cellReader(data, { bigAsString: name === 'int64' });
  const rows = Array.from({ length: data.length }, (_, i) => i);
  return {
    name,
    type: String(data.type),
    raw,
    json: rows.map((i) => jsonText(reader, i)),
    csv: rows.map((i) => reader.text(i)),
  };
});
writeFileSync(out, `${JSON.stringify({ seed: seedText, columns }, null, 1)}\n`);
process.stdout.write(`wrote ${columns.length} columns × ~${N} values to ${out}\n`);
