import { Field, Float64, Int32, Schema, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { decodeFrame, encodeFrame, FrameCodec, frameCodecFromConfig } from '../../src/codec/frame-codec.js';
import type { CompressionCodec, SerializationMethod } from '../../src/config/load-config.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable, tablesEqual } from '../helpers/tables.js';
import { allNulls, jsonSupportedColumns, tableOf } from './type-fixtures.js';

const CODECS: CompressionCodec[] = ['none', 'snappy', 'zstd', 'gzip', 'lz4'];
const METHODS: SerializationMethod[] = ['arrow', 'json'];
const MAX = 64 * 1024 * 1024;
const MATRIX = METHODS.flatMap((serialization) =>
  CODECS.map((compression) => ({ serialization, compression })),
);
const REALISTIC = makeRealisticTable(10_000, 50);

const roundTrip = (table: Table, serialization: SerializationMethod, compression: CompressionCodec): Table =>
  decodeFrame(encodeFrame(table, { serialization, compression, maxFrameBytes: MAX }), { maxFrameBytes: MAX });

describe.each(MATRIX)(
  'frame round trip ($serialization + $compression)',
  ({ serialization, compression }) => {
    const check = (table: Table): void =>
      assertTablesEqual(table, roundTrip(table, serialization, compression));

    it('keeps a small table', () => check(makeSmallTable()));

    it('keeps a table with zero rows', () => {
      const empty = makeRealisticTable(0, 12);
      const back = roundTrip(empty, serialization, compression);
      expect(back.numRows).toBe(0);
      assertTablesEqual(empty, back);
    });

    it('keeps a table with one row', () => check(makeRealisticTable(1, 20, 7)));

    it('keeps a table with no columns', () => check(new Table(new Schema([]))));

    it('keeps 500 columns', () => check(makeRealisticTable(20, 500, 3)));

    it('keeps columns of every type that are null everywhere', () => {
      const columns = Object.entries(jsonSupportedColumns()).map(([name, data]) => [
        name,
        allNulls(data.type, 40),
      ]);
      check(tableOf(Object.fromEntries(columns)));
    });

    it('keeps every supported type exactly', () => check(tableOf(jsonSupportedColumns())));

    it('keeps unicode column names and schema and field metadata', () => {
      const field = new Field(
        'Größe 📏',
        new Float64(),
        true,
        new Map([
          ['unit', 'cm'],
          ['ключ', 'значение'],
        ]),
      );
      const other = new Field('名前', new Utf8(), false);
      const schema = new Schema(
        [field, other],
        new Map([
          ['source', 'upload.xlsx'],
          ['émoji', '✅'],
        ]),
      );
      const table = new Table(schema, {
        'Größe 📏': vectorFromArray([1.5, null], new Float64()).data[0]!,
        名前: vectorFromArray(['a', 'b'], new Utf8()).data[0]!,
      } as never);
      const back = roundTrip(table, serialization, compression);
      expect(back.schema.metadata.get('émoji')).toBe('✅');
      expect(back.schema.fields[0]!.metadata.get('ключ')).toBe('значение');
      expect(back.schema.fields[1]!.nullable).toBe(false);
      assertTablesEqual(table, back);
    });

    it('keeps several record batches, sliced data and per-batch dictionaries', () => {
      const joined = makeRealisticTable(30, 10, 1).concat(makeRealisticTable(25, 10, 2));
      expect(joined.batches.length).toBe(2);
      check(joined);
      check(joined.slice(7, 41));
    });

    // The JSON document does not depend on the codec, so one JSON pass at this size is enough.
    if (serialization === 'arrow' || compression === 'zstd') {
      it('keeps a realistic 10k x 50 table', () => check(REALISTIC));
    }
  },
);

describe('frames stay readable when the configured codec changes', () => {
  const table = makeRealisticTable(200, 15, 5);
  it.each(MATRIX)(
    'a frame written with $serialization + $compression decodes under every other config',
    (written) => {
      const frame = new FrameCodec({ ...written, maxFrameBytes: MAX }).encode(table);
      for (const current of MATRIX) {
        assertTablesEqual(table, frameCodecFromConfig({ ...current, maxFrameBytes: MAX }).decode(frame));
      }
    },
  );
});

describe('table comparison helper', () => {
  it('notices a changed value, a changed type and a changed null', () => {
    const base = makeSmallTable(3);
    expect(tablesEqual(base, makeSmallTable(3))).toBe(true);
    expect(tablesEqual(base, makeSmallTable(4))).toBe(false);
    const renamed = tableOf({ id: vectorFromArray([1, 2, 3], new Float64()).data[0]! });
    expect(tablesEqual(tableOf({ id: vectorFromArray([1, 2, 3], new Int32()).data[0]! }), renamed)).toBe(
      false,
    );
    const withNull = tableOf({ x: vectorFromArray([1, null], new Float64()).data[0]! });
    const withZero = tableOf({ x: vectorFromArray([1, 0], new Float64()).data[0]! });
    expect(tablesEqual(withNull, withZero)).toBe(false);
    expect(tablesEqual(makeRealisticTable(50, 10, 1), makeRealisticTable(50, 10, 2))).toBe(false);
  });

  it('generates the same table for the same seed', () => {
    expect(tablesEqual(makeRealisticTable(500, 30, 9), makeRealisticTable(500, 30, 9))).toBe(true);
  });
});
