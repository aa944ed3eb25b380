import { Table, tableFromArrays } from 'apache-arrow';
import { makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode } from './contract-context.js';

/** Partial reads (§2 ReadOptions) and diffs between frames of a session, the same on every backend. */
export function frameReadTests(ctx: ContractContext): void {
  test('getDataFrame with columns, offset and limit gives exactly that part, columns in the order asked', async () => {
    const { sessionId } = await ctx.session(makeSmallTable(10));
    const part = await ctx.backend.getDataFrame(sessionId, { columns: ['score', 'id'], offset: 2, limit: 3 });
    expect(part.schema.fields.map((f) => f.name)).toEqual(['score', 'id']);
    expect(part.numRows).toBe(3);
    expect(part.getChild('id')?.toArray()).toEqual(Int32Array.from([3, 4, 5]));
    expect(String(part.schema.fields[0]?.type)).toBe('Float64');
    const past = await ctx.backend.getDataFrame(sessionId, { offset: 50, limit: 5 });
    expect(past.numRows).toBe(0);
    expect(past.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'score']);
    const tail = await ctx.backend.getDataFrame(sessionId, { offset: 8 });
    expect(tail.getChild('id')?.toArray()).toEqual(Int32Array.from([9, 10]));
  });

  test('an unknown column or a bad offset is INVALID_INPUT; getVersion takes the same options', async () => {
    const { sessionId } = await ctx.session(makeSmallTable(4));
    await expectCode(() => ctx.backend.getDataFrame(sessionId, { columns: ['nope'] }), 'INVALID_INPUT');
    await expectCode(() => ctx.backend.getDataFrame(sessionId, { offset: -1 }), 'INVALID_INPUT');
    await expectCode(() => ctx.backend.getDataFrame(sessionId, { limit: 1.5 }), 'INVALID_INPUT');
    const { version } = await ctx.backend.getSession(sessionId);
    await ctx.backend.updateDataFrame(sessionId, makeSmallTable(6), { operation: 'grow' });
    const old = await ctx.backend.getVersion(sessionId, version, { columns: ['name'], limit: 2 });
    expect(old.numRows).toBe(2);
    expect(old.getChild('name')?.toArray()).toEqual(['row 1', 'row 2']);
  });

  test('diffVersions names added, removed, changed and unchanged columns and both row counts', async () => {
    const before = tableFromArrays({ id: Int32Array.from([1, 2, 3]), a: ['x', 'y', 'z'], b: [1, 2, 3] });
    const { sessionId } = await ctx.session(before);
    const v1 = (await ctx.backend.getSession(sessionId)).version;
    const after = new Table({
      id: before.getChild('id')!,
      a: tableFromArrays({ a: ['x', 'Y', 'z'] }).getChild('a')!,
      c: tableFromArrays({ c: [true, false, true] }).getChild('c')!,
    });
    await ctx.backend.updateDataFrame(sessionId, after, { operation: 'edit' });
    const diff = await ctx.backend.diffVersions(sessionId, v1, 'current');
    expect(diff).toEqual({
      rowsBefore: 3,
      rowsAfter: 3,
      columnsAdded: ['c'],
      columnsRemoved: ['b'],
      columnsChanged: ['a'],
      columnsUnchanged: ['id'],
    });
    const same = await ctx.backend.diffVersions(sessionId, 'current', 'current');
    expect(same.columnsChanged).toEqual([]);
    expect(same.columnsUnchanged).toEqual(['id', 'a', 'c']);
    await expectCode(() => ctx.backend.diffVersions(sessionId, 999, 'current'), 'VERSION_NOT_FOUND');
    await expectCode(
      () => ctx.backend.diffVersions(sessionId, 'latest' as unknown as number, 'current'),
      'INVALID_INPUT',
    );
  });
}
