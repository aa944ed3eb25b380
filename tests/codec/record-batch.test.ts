import { Field, Int32, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } from 'apache-arrow';
import { recordBatchOf } from '../../src/codec/record-batch.js';

describe('recordBatchOf (RecordBatch without the quadratic schema check)', () => {
  const ints = vectorFromArray([1, 2, 3], new Int32()).data[0]!;
  const texts = vectorFromArray(['a', null, 'c'], new Utf8()).data[0]!;
  const fields = [new Field('n', new Int32(), true), new Field('s', new Utf8(), true)];

  it('equals the constructor-built batch when every column has the batch length', () => {
    const schema = new Schema(fields);
    const data = makeData({ type: new Struct(fields), length: 3, nullCount: 0, children: [ints, texts] });
    const fast = recordBatchOf(schema, data);
    const built = new RecordBatch(schema, data);
    expect(fast).toBeInstanceOf(RecordBatch);
    expect(fast.schema.fields.map(String)).toEqual(built.schema.fields.map(String));
    expect(fast.toArray().map((row) => row.toJSON())).toEqual(built.toArray().map((row) => row.toJSON()));
  });

  it('falls back to the constructor (which backfills nulls) when a column is short', () => {
    const short = vectorFromArray([7], new Int32()).data[0]!;
    const strict = [new Field('n', new Int32(), false), new Field('s', new Utf8(), true)];
    const data = makeData({ type: new Struct(strict), length: 3, nullCount: 0, children: [short, texts] });
    const batch = recordBatchOf(new Schema(strict), data);
    expect(batch.numRows).toBe(3);
    expect(batch.getChild('n')?.toArray()).toEqual(new Int32Array([7, 0, 0]));
    expect(batch.getChild('n')?.nullCount).toBe(2);
    // The constructor made the short column nullable, as it does.
    expect(batch.schema.fields[0]!.nullable).toBe(true);
  });
});
