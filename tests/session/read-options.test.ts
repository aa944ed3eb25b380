import {
  Dictionary,
  Int32,
  makeData,
  makeVector,
  Table,
  tableFromArrays,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { StorageError } from '../../src/contract/errors.js';
import { assertReadOptions, rowRange, sliceTable } from '../../src/session/read-options.js';
import { assertTablesEqual, makeRealisticTable } from '../helpers/tables.js';

const expectInvalid = (fn: () => unknown, message: RegExp): void => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).code).toBe('INVALID_INPUT');
    expect((error as StorageError).message).toMatch(message);
    return;
  }
  throw new Error('expected INVALID_INPUT');
};

describe('assertReadOptions', () => {
  it('accepts nothing, empty and well-formed options', () => {
    expect(() => assertReadOptions(undefined)).not.toThrow();
    expect(() => assertReadOptions({})).not.toThrow();
    expect(() => assertReadOptions({ columns: ['a', 'b'], offset: 0, limit: 0 })).not.toThrow();
    expect(() => assertReadOptions({ offset: Number.MAX_SAFE_INTEGER })).not.toThrow();
  });

  it('rejects bad shapes with INVALID_INPUT', () => {
    expectInvalid(() => assertReadOptions(null), /expected an object/);
    expectInvalid(() => assertReadOptions([1]), /expected an object/);
    expectInvalid(() => assertReadOptions({ offset: -1 }), /offset/);
    expectInvalid(() => assertReadOptions({ offset: 1.5 }), /offset/);
    expectInvalid(() => assertReadOptions({ limit: Number.MAX_SAFE_INTEGER + 1 }), /limit/);
    expectInvalid(() => assertReadOptions({ limit: '3' }), /limit/);
    expectInvalid(() => assertReadOptions({ columns: 'a' }), /columns/);
    expectInvalid(() => assertReadOptions({ columns: [] }), /columns/);
    expectInvalid(() => assertReadOptions({ columns: ['a', 1] }), /string/);
    expectInvalid(() => assertReadOptions({ columns: ['a', 'a'] }), /named twice/);
    expectInvalid(() => assertReadOptions({ rows: 3 }), /unknown option rows/);
  });

  it('rowRange clamps to the frame', () => {
    expect(rowRange(10, undefined)).toEqual([0, 10]);
    expect(rowRange(10, { offset: 3, limit: 4 })).toEqual([3, 7]);
    expect(rowRange(10, { offset: 8, limit: 4 })).toEqual([8, 10]);
    expect(rowRange(10, { offset: 12 })).toEqual([10, 10]);
    expect(rowRange(10, { limit: 0 })).toEqual([0, 0]);
  });
});

describe('sliceTable', () => {
  const table = makeRealisticTable(250, 8, 7);
  const names = table.schema.fields.map((f) => f.name);

  it('no options → the same table', () => {
    expect(sliceTable(table)).toBe(table);
    expect(sliceTable(table, {})).toBe(table);
  });

  it('columns in the asked order, schema fields kept exactly', () => {
    const asked = [names[5]!, names[0]!, names[3]!];
    const out = sliceTable(table, { columns: asked });
    expect(out.schema.fields.map((f) => f.name)).toEqual(asked);
    expect(out.numRows).toBe(250);
    asked.forEach((name, i) => {
      expect(out.schema.fields[i]).toBe(table.schema.fields[names.indexOf(name)]);
    });
  });

  it('rows [offset, offset + limit) equal the same rows of the whole table', () => {
    const out = sliceTable(table, { offset: 100, limit: 50 });
    expect(out.numRows).toBe(50);
    const expected = new Table(table.schema, table.slice(100, 150).batches);
    assertTablesEqual(out, expected);
    for (let k = 0; k < table.numCols; k++) {
      expect(out.getChildAt(k)!.get(0)).toEqual(table.getChildAt(k)!.get(100));
      expect(out.getChildAt(k)!.get(49)).toEqual(table.getChildAt(k)!.get(149));
    }
  });

  it('across batch boundaries', () => {
    const parts = [table.slice(0, 100), table.slice(100, 180), table.slice(180)];
    const multi = new Table(parts.flatMap((p) => p.batches));
    expect(multi.batches.length).toBeGreaterThanOrEqual(3);
    const out = sliceTable(multi, { columns: [names[1]!, names[2]!], offset: 90, limit: 100 });
    const direct = sliceTable(table, { columns: [names[1]!, names[2]!], offset: 90, limit: 100 });
    assertTablesEqual(out, direct);
  });

  it('offset past the end / limit 0 → empty table with the selected schema', () => {
    for (const opts of [{ offset: 250 }, { offset: 10_000, limit: 5 }, { limit: 0 }]) {
      const out = sliceTable(table, { ...opts, columns: [names[2]!] });
      expect(out.numRows).toBe(0);
      expect(out.schema.fields.map((f) => f.name)).toEqual([names[2]]);
      expect(out.schema.fields[0]!.type.toString()).toBe(table.schema.fields[2]!.type.toString());
    }
  });

  it('an unknown column is INVALID_INPUT naming it', () => {
    expectInvalid(() => sliceTable(table, { columns: [names[0]!, 'nope'] }), /unknown column "nope"/);
  });

  it('dictionary columns stay dictionary columns with the same dictionary', () => {
    const dictionary = vectorFromArray(['x', 'y', 'z'], new Utf8());
    const type = new Dictionary(new Utf8(), new Int32());
    const data = makeData({ type, length: 6, data: Int32Array.from([0, 1, 2, 2, 1, 0]), dictionary });
    const t = new Table({
      city: makeVector(data),
      n: tableFromArrays({ n: Int32Array.from([1, 2, 3, 4, 5, 6]) }).getChild('n')!,
    });
    const out = sliceTable(t, { columns: ['city'], offset: 2, limit: 3 });
    expect(out.schema.fields[0]!.type).toBeInstanceOf(Dictionary);
    expect(out.getChild('city')!.toArray()).toEqual(['z', 'z', 'y']);
    expect(out.getChild('city')!.data[0]!.dictionary).toBe(t.getChild('city')!.data[0]!.dictionary);
  });
});
