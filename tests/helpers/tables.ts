import {
  Bool,
  type Data,
  type DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Type,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';

/** mulberry32: tiny, fast, deterministic (tests that draw at random print their seed). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = [
  'Berlin',
  'Zürich',
  'São Paulo',
  'Lagos',
  'Mumbai',
  'Osaka',
  'Toronto',
  'Lima',
  'Kraków',
  'Cairo',
];
const CATEGORIES = ['retail', 'wholesale', 'online', 'partner', 'internal'];
const WORDS = [
  'late',
  'delivery',
  'ok',
  'damaged',
  'box',
  'refund',
  'customer',
  'called',
  'twice',
  'n/a',
  'ünïcödé',
  '📦',
];
const DAY_MS = 86_400_000;
const BASE_MS = Date.UTC(2024, 0, 1);

type Rand = () => number;

/** Validity bitmap with roughly `rate` nulls; `null` when the column has none. */
function nulls(rows: number, rand: Rand, rate: number): { nullBitmap?: Uint8Array; nullCount: number } {
  if (rate === 0) return { nullCount: 0 };
  const nullBitmap = new Uint8Array(((rows + 63) & ~63) >> 3);
  let nullCount = 0;
  for (let i = 0; i < rows; i++) {
    if (rand() < rate) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap, nullCount };
}

function float64Column(rows: number, rand: Rand): Data {
  const values = new Float64Array(rows);
  for (let i = 0; i < rows; i++) values[i] = Math.round(rand() * 1e6) / 100 - 2000;
  return makeData({ type: new Float64(), length: rows, data: values, ...nulls(rows, rand, 0.1) });
}

function int32Column(rows: number, rand: Rand): Data {
  const values = new Int32Array(rows);
  for (let i = 0; i < rows; i++) values[i] = Math.floor(rand() * 200_000) - 100_000;
  return makeData({ type: new Int32(), length: rows, data: values, ...nulls(rows, rand, 0.02) });
}

function int64Column(rows: number, rand: Rand): Data {
  // Ids beyond 2^53 so that any lossy (float) handling of int64 shows up.
  const values = new BigInt64Array(rows);
  const base = 9_007_199_254_740_993n;
  for (let i = 0; i < rows; i++) values[i] = base + BigInt(i) * 7n + BigInt(Math.floor(rand() * 5));
  return makeData({ type: new Int64(), length: rows, data: values });
}

function dictionaryColumn(rows: number, rand: Rand, words: readonly string[]): Data {
  const indices = new Int32Array(rows);
  for (let i = 0; i < rows; i++) indices[i] = Math.floor(rand() * words.length);
  const dictionary = vectorFromArray([...words], new Utf8());
  const type = new Dictionary(new Utf8(), new Int32());
  return makeData({ type, length: rows, data: indices, dictionary, ...nulls(rows, rand, 0.05) });
}

function textColumn(rows: number, rand: Rand): Data {
  const encoded = WORDS.map((word) => Buffer.from(word, 'utf8'));
  const offsets = new Int32Array(rows + 1);
  let bytes = Buffer.allocUnsafe(rows * 24);
  let at = 0;
  for (let i = 0; i < rows; i++) {
    const count = 1 + Math.floor(rand() * 4);
    for (let w = 0; w < count; w++) {
      const word = encoded[Math.floor(rand() * encoded.length)]!;
      if (at + word.length + 1 > bytes.length) {
        const grown = Buffer.allocUnsafe(bytes.length * 2);
        bytes.copy(grown, 0, 0, at);
        bytes = grown;
      }
      if (w > 0) bytes[at++] = 0x20;
      at += word.copy(bytes, at);
    }
    offsets[i + 1] = at;
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, at);
  return makeData({
    type: new Utf8(),
    length: rows,
    valueOffsets: offsets,
    data,
    ...nulls(rows, rand, 0.05),
  });
}

function boolColumn(rows: number, rand: Rand): Data {
  const bits = new Uint8Array(((rows + 63) & ~63) >> 3);
  for (let i = 0; i < rows; i++) if (rand() < 0.5) bits[i >> 3]! |= 1 << (i & 7);
  return makeData({ type: new Bool(), length: rows, data: bits, ...nulls(rows, rand, 0.03) });
}

function timestampColumn(rows: number, rand: Rand): Data {
  const values = new BigInt64Array(rows);
  for (let i = 0; i < rows; i++) values[i] = BigInt(BASE_MS + Math.floor(rand() * 365 * DAY_MS));
  return makeData({
    type: new TimestampMillisecond('UTC'),
    length: rows,
    data: values,
    ...nulls(rows, rand, 0.05),
  });
}

const KINDS: ReadonlyArray<{ name: string; make: (rows: number, rand: Rand) => Data }> = [
  { name: 'amount', make: float64Column },
  { name: 'quantity', make: int32Column },
  { name: 'id', make: int64Column },
  { name: 'city', make: (rows, rand) => dictionaryColumn(rows, rand, CITIES) },
  { name: 'note', make: textColumn },
  { name: 'flag', make: boolColumn },
  { name: 'created_at', make: timestampColumn },
  { name: 'category', make: (rows, rand) => dictionaryColumn(rows, rand, CATEGORIES) },
  { name: 'score', make: float64Column },
  { name: 'updated_at', make: timestampColumn },
];

function tableFromData(names: string[], datas: Data[]): Table {
  const fields = datas.map((data, k) => new Field(names[k]!, data.type as DataType, true));
  const schema = new Schema(fields);
  const rows = datas[0]?.length ?? 0;
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(fields), length: rows, children: datas }),
  );
  return new Table(schema, [batch]);
}

/**
 * A deterministic table that looks like user data: float64 with ~10% nulls, int32, int64 (beyond 2^53),
 * dictionary strings (city, category), free text, booleans and UTC millisecond timestamps.
 */
export function makeRealisticTable(rows: number, columns = 50, seed = 1): Table {
  const rand = prng(seed);
  const names: string[] = [];
  const datas: Data[] = [];
  for (let k = 0; k < columns; k++) {
    const kind = KINDS[k % KINDS.length]!;
    names.push(`${kind.name}_${k}`);
    datas.push(kind.make(rows, rand));
  }
  return tableFromData(names, datas);
}

/** A tiny table (id int32, name utf8, score float64 with one null) for quick tests. */
export function makeSmallTable(rows = 3): Table {
  const ids = Int32Array.from({ length: rows }, (_, i) => i + 1);
  const names = Array.from({ length: rows }, (_, i) => `row ${i + 1}`);
  const scores = Array.from({ length: rows }, (_, i) => (i === 1 ? null : (i + 1) * 1.5));
  return tableFromData(
    ['id', 'name', 'score'],
    [
      makeVector(ids).data[0]!,
      vectorFromArray(names, new Utf8()).data[0]!,
      vectorFromArray(scores, new Float64()).data[0]!,
    ],
  );
}

// ---- comparison: schema (names, types incl. dictionary/timestamp tz, nullability, metadata) and every value

const sameMetadata = (a: Map<string, string>, b: Map<string, string>): boolean =>
  a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);

/** Why two types differ, or null. Dictionary ids are ignored; everything else that Arrow records counts. */
function typeDifference(a: DataType, b: DataType): string | null {
  // toString covers bit widths, signedness, units and timezones; the rest is checked explicitly.
  if (a.typeId !== b.typeId || String(a) !== String(b)) return `type ${String(a)} != ${String(b)}`;
  const pa = a as unknown as Record<string, unknown>;
  const pb = b as unknown as Record<string, unknown>;
  for (const key of ['bitWidth', 'precision', 'scale', 'byteWidth', 'listSize', 'keysSorted', 'isOrdered']) {
    if (pa[key] !== pb[key]) return `type ${String(a)}: ${key} ${String(pa[key])} != ${String(pb[key])}`;
  }
  if (a instanceof Dictionary && b instanceof Dictionary) {
    return typeDifference(a.indices, b.indices) ?? typeDifference(a.dictionary, b.dictionary);
  }
  return fieldsDifference(a.children ?? [], b.children ?? []);
}

function fieldsDifference(a: readonly Field[], b: readonly Field[]): string | null {
  if (a.length !== b.length) return `${a.length} fields != ${b.length} fields`;
  for (let k = 0; k < a.length; k++) {
    const fa = a[k]!;
    const fb = b[k]!;
    if (fa.name !== fb.name) return `field ${k}: name ${fa.name} != ${fb.name}`;
    if (fa.nullable !== fb.nullable) return `field ${fa.name}: nullable ${fa.nullable} != ${fb.nullable}`;
    if (!sameMetadata(fa.metadata, fb.metadata)) return `field ${fa.name}: metadata differs`;
    const why = typeDifference(fa.type, fb.type);
    if (why) return `field ${fa.name}: ${why}`;
  }
  return null;
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** Arrow getters' values made exact and comparable with ===: NaN, -0 and bigints become strings. */
function canonical(value: unknown): unknown {
  if (value instanceof Uint8Array) return hex(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
  }
  return value;
}

/** Canonical, exact values of a column, read independently of the codec under test (null = missing). */
function cells(vector: Vector): unknown[] {
  const type = vector.type as DataType;
  const out: unknown[] = [];
  const perChunk = (read: (data: Data, at: number) => unknown): unknown[] => {
    for (const data of vector.data)
      for (let at = 0; at < data.length; at++) out.push(data.getValid(at) ? read(data, at) : null);
    return out;
  };
  switch (type.typeId) {
    case Type.Int:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Duration:
      // Raw storage: Arrow's getters round nanosecond timestamps to float milliseconds. Arrow JS slices value
      // buffers, so `at` needs no offset.
      return perChunk((data, at) => canonical((data.values as ArrayLike<number | bigint>)[at]));
    case Type.Decimal: {
      const words = (type as unknown as { bitWidth: number }).bitWidth / 32;
      return perChunk((data, at) =>
        [...(data.values as Uint32Array).subarray(at * words, (at + 1) * words)].join(','),
      );
    }
    case Type.Struct: {
      const children = type.children.map((_, k) => cells(vector.getChildAt(k)!));
      return perChunk((_, at) => at).map((at, i) => (at === null ? null : children.map((c) => c[i])));
    }
    case Type.List:
    case Type.LargeList:
    case Type.FixedSizeList:
      return perChunk((data, at) => cells(makeVector(data).get(at) as Vector));
    default:
      for (const data of vector.data) {
        let at = 0;
        for (const value of makeVector(data)) out.push(data.getValid(at++) ? canonical(value) : null);
      }
      return out;
  }
}

/** The first difference between two tables (schema, then values row by row), or null when equal. */
export function tableDifference(a: Table, b: Table): string | null {
  if (!sameMetadata(a.schema.metadata, b.schema.metadata)) return 'schema metadata differs';
  const why = fieldsDifference(a.schema.fields, b.schema.fields);
  if (why) return why;
  if (a.numRows !== b.numRows) return `rows ${a.numRows} != ${b.numRows}`;
  for (let k = 0; k < a.numCols; k++) {
    const va = cells(a.getChildAt(k)!);
    const vb = cells(b.getChildAt(k)!);
    for (let i = 0; i < a.numRows; i++) {
      const ca = va[i];
      const cb = vb[i];
      // cells() already turned NaN, -0 and bigints into strings, so === is exact for primitives.
      if (ca === cb) continue;
      if (typeof ca === 'object' && JSON.stringify(ca) === JSON.stringify(cb)) continue;
      return `column ${a.schema.fields[k]!.name} row ${i}: ${JSON.stringify(ca)} != ${JSON.stringify(cb)}`;
    }
  }
  return null;
}

/** True when schema and every value (incl. nulls) are identical. */
export function tablesEqual(a: Table, b: Table): boolean {
  return tableDifference(a, b) === null;
}

/** Throws with the first difference when the tables are not identical. */
export function assertTablesEqual(a: Table, b: Table): void {
  const why = tableDifference(a, b);
  if (why) throw new Error(`tables differ: ${why}`);
}
