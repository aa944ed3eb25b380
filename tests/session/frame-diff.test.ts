import {
  Dictionary,
  Float64,
  Int32,
  Int64,
  makeData,
  makeVector,
  Table,
  tableFromArrays,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { diffTables } from '../../src/session/frame-diff.js';
import { makeRealisticTable } from '../helpers/tables.js';

const deepCopy = (table: Table): Table =>
  new Table(
    Object.fromEntries(
      table.schema.fields.map((field, i) => [
        field.name,
        vectorFromArray([...table.getChildAt(i)!], field.type),
      ]),
    ),
  );

describe('diffTables', () => {
  const base = makeRealisticTable(300, 10, 3);
  const names = base.schema.fields.map((f) => f.name);

  it('the same table: every column unchanged', () => {
    expect(diffTables(base, base)).toEqual({
      rowsBefore: 300,
      rowsAfter: 300,
      columnsAdded: [],
      columnsRemoved: [],
      columnsChanged: [],
      columnsUnchanged: names,
    });
  });

  it('a deep copy (no shared Data) is still unchanged', () => {
    const copy = deepCopy(base);
    expect(copy.getChildAt(0)!.data[0]).not.toBe(base.getChildAt(0)!.data[0]);
    expect(diffTables(base, copy).columnsChanged).toEqual([]);
  });

  it('names exactly the changed column after setChildAt', () => {
    const k = names.findIndex((n) => base.schema.fields[names.indexOf(n)]!.type instanceof Float64);
    const values = Array.from(base.getChildAt(k)!.toArray() as ArrayLike<number | null>);
    values[123] = (values[123] ?? 0) + 1;
    const after = base.setChildAt(k, vectorFromArray(values, new Float64()));
    const diff = diffTables(base, after);
    expect(diff.columnsChanged).toEqual([names[k]]);
    expect(diff.columnsUnchanged).toEqual(names.filter((_, i) => i !== k));
  });

  it('a null where a value was (and back) is a change', () => {
    const a = tableFromArrays({ x: Int32Array.from([1, 2, 3]) });
    const b = new Table({ x: vectorFromArray([1, null, 3], new Int32()) });
    expect(diffTables(a, b).columnsChanged).toEqual(['x']);
    expect(diffTables(b, a).columnsChanged).toEqual(['x']);
    expect(
      diffTables(b, new Table({ x: vectorFromArray([1, null, 3], new Int32()) })).columnsChanged,
    ).toEqual([]);
  });

  it('a type change with equal-looking values is a change', () => {
    const a = new Table({ x: vectorFromArray([1, 2], new Int32()) });
    const b = new Table({ x: vectorFromArray([1n, 2n], new Int64()) });
    expect(diffTables(a, b).columnsChanged).toEqual(['x']);
  });

  it('added in after order, removed in before order; rows counted', () => {
    const before = tableFromArrays({ a: [1, 2], b: [3, 4], c: [5, 6], d: [7, 8] });
    const after = tableFromArrays({ z: [0, 0], c: [5, 6], y: [0, 0], a: [1, 2] });
    expect(diffTables(before, after)).toEqual({
      rowsBefore: 2,
      rowsAfter: 2,
      columnsAdded: ['z', 'y'],
      columnsRemoved: ['b', 'd'],
      columnsChanged: [],
      columnsUnchanged: ['c', 'a'],
    });
  });

  it('a row-count change changes every common column', () => {
    const after = base.slice(0, 299);
    const diff = diffTables(base, after);
    expect(diff.rowsAfter).toBe(299);
    expect(diff.columnsChanged).toEqual(names);
    expect(diff.columnsUnchanged).toEqual([]);
  });

  it('strings, dictionaries and nested lists compare by value', () => {
    const list = (rows: number[][]) => vectorFromArray(rows.map((r) => Int32Array.from(r)));
    const a = new Table({ s: vectorFromArray(['a', 'b']), l: list([[1], [2, 3]]) });
    const same = new Table({ s: vectorFromArray(['a', 'b']), l: list([[1], [2, 3]]) });
    const other = new Table({ s: vectorFromArray(['a', 'c']), l: list([[1], [2, 4]]) });
    expect(diffTables(a, same).columnsChanged).toEqual([]);
    expect(diffTables(a, other).columnsChanged).toEqual(['s', 'l']);
  });

  it('dictionary columns with differently ordered dictionaries but equal values are unchanged', () => {
    const type = new Dictionary(new Utf8(), new Int32());
    const col = (dict: string[], idx: number[]) =>
      makeVector(
        makeData({
          type,
          length: idx.length,
          data: Int32Array.from(idx),
          dictionary: vectorFromArray(dict, new Utf8()),
        }),
      );
    const a = new Table({ c: col(['x', 'y'], [0, 1, 1]) });
    const b = new Table({ c: col(['y', 'x'], [1, 0, 0]) });
    const c = new Table({ c: col(['y', 'x'], [1, 0, 1]) });
    expect(diffTables(a, b).columnsUnchanged).toEqual(['c']);
    expect(diffTables(a, c).columnsChanged).toEqual(['c']);
  });
});
