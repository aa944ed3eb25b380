import {
  Bool,
  Int32,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { tableToCsv, tableToCsvChunks } from '../../src/formats/csv-write.js';
import { tableToJsonChunks, tableToJsonRows } from '../../src/formats/json-write.js';

/** A table of `rows` rows split into record batches of the given sizes. */
function batchedTable(sizes: number[]): Table {
  let start = 0;
  const batches = sizes.map((size) => {
    const ids = Array.from({ length: size }, (_, i) => start + i);
    start += size;
    return new RecordBatch({
      id: vectorFromArray(ids, new Int32()).data[0]!,
      name: vectorFromArray(
        ids.map((id) => (id % 3 === 0 ? null : `n${id}`)),
        new Utf8(),
      ).data[0]!,
      odd: vectorFromArray(
        ids.map((id) => id % 2 === 1),
        new Bool(),
      ).data[0]!,
    });
  });
  return new Table(batches);
}

const expectedRow = (id: number) => ({ id, name: id % 3 === 0 ? null : `n${id}`, odd: id % 2 === 1 });

describe('JSON/CSV writers walk batches and slices', () => {
  it('reads every row of a multi-batch table in order (batches of uneven size, one empty)', () => {
    const table = batchedTable([3, 0, 5, 1]);
    expect(table.batches.length).toBeGreaterThan(1);
    const rows = JSON.parse(tableToJsonRows(table));
    expect(rows).toEqual(Array.from({ length: 9 }, (_, id) => expectedRow(id)));
    expect(tableToCsv(table).split('\n').slice(0, 3)).toEqual(['id,name,odd', '0,,false', '1,n1,true']);
  });

  it('honours slice offsets (validity and boolean bits start mid-byte)', () => {
    const table = batchedTable([20]).slice(5, 16);
    const rows = JSON.parse(tableToJsonRows(table));
    expect(rows).toEqual(Array.from({ length: 11 }, (_, k) => expectedRow(k + 5)));
  });

  it('yields pieces of about the asked size whose concatenation is the whole text', () => {
    const table = batchedTable([400, 600]);
    for (const [chunks, whole] of [
      [tableToJsonChunks(table, 500), tableToJsonRows(table)],
      [tableToCsvChunks(table, 500), tableToCsv(table)],
    ] as const) {
      const pieces = [...chunks];
      expect(pieces.length).toBeGreaterThan(10);
      for (const piece of pieces.slice(0, -1)) expect(piece.length).toBeGreaterThanOrEqual(500);
      expect(pieces.join('')).toBe(whole);
    }
  });

  it('empty tables: JSON [] and a CSV header line', () => {
    const table = batchedTable([0]);
    expect(tableToJsonRows(table)).toBe('[]');
    expect(tableToCsv(table)).toBe('id,name,odd\n');
    expect(tableToJsonRows(new Table())).toBe('[]');
  });

  it('a table with rows but no columns still has its rows', () => {
    const schema = new Schema([]);
    const batch = new RecordBatch(schema, makeData({ type: new Struct([]), length: 2, children: [] }));
    expect(tableToJsonRows(new Table(schema, [batch]))).toBe('[{},{}]');
  });
});
