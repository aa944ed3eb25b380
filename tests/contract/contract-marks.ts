import type { CellRef, Mark } from '../../src/contract/storage-backend.js';
import { makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode } from './contract-context.js';

/** Marks in a stable order for comparisons (backends may return any order). */
const sorted = <T extends CellRef>(marks: T[]): T[] =>
  [...marks].sort((a, b) => a.row - b.row || a.column.localeCompare(b.column));

export function markTests(ctx: ContractContext): void {
  test('marks one cell and reads it back with its reason and time', async () => {
    const { sessionId } = await ctx.session();
    await ctx.backend.markIntentionalMissing(sessionId, { row: 1, column: 'score', reason: 'not measured' });
    const marks = await ctx.backend.getIntentionalMissing(sessionId);
    expect(marks).toHaveLength(1);
    expect(marks[0]).toMatchObject({ row: 1, column: 'score', reason: 'not measured' });
    expect(Number.isNaN(Date.parse(marks[0]!.markedAt))).toBe(false);
  });

  test('a batch adds every mark; re-marking a cell replaces it', async () => {
    const { sessionId } = await ctx.session();
    await ctx.backend.markIntentionalMissingBatch(sessionId, [
      { row: 0, column: 'name' },
      { row: 2, column: 'score', reason: 'first' },
    ]);
    await ctx.backend.markIntentionalMissing(sessionId, { row: 2, column: 'score', reason: 'second' });
    const marks = sorted(await ctx.backend.getIntentionalMissing(sessionId));
    expect(marks.map(({ row, column, reason }) => ({ row, column, reason }))).toEqual([
      { row: 0, column: 'name', reason: undefined },
      { row: 2, column: 'score', reason: 'second' },
    ]);
  });

  test('a batch with one bad mark stores none of it', async () => {
    const { sessionId } = await ctx.session();
    await ctx.backend.markIntentionalMissing(sessionId, { row: 0, column: 'id' });
    const batches: Mark[][] = [
      [
        { row: 1, column: 'name' },
        { row: 1, column: 'no_such_column' },
      ],
      [
        { row: 1, column: 'name' },
        { row: -1, column: 'name' },
      ],
      [
        { row: 1, column: 'name' },
        { row: 0.5, column: 'name' },
      ],
      [
        { row: 1, column: 'name' },
        { row: 1, column: '' },
      ],
      [{ row: 1, column: 'name' }, null as unknown as Mark],
    ];
    for (const batch of batches) {
      await expectCode(() => ctx.backend.markIntentionalMissingBatch(sessionId, batch), 'INVALID_INPUT');
    }
    await expectCode(
      () => ctx.backend.markIntentionalMissing(sessionId, { row: 0, column: 'missing_col' }),
      'INVALID_INPUT',
    );
    await expectCode(
      () => ctx.backend.markIntentionalMissingBatch(sessionId, 'x' as unknown as Mark[]),
      'INVALID_INPUT',
    );
    const marks = await ctx.backend.getIntentionalMissing(sessionId);
    expect(marks.map(({ row, column }) => ({ row, column }))).toEqual([{ row: 0, column: 'id' }]);
  });

  test('clearIntentionalMissing removes some or all and returns how many', async () => {
    const { sessionId } = await ctx.session(makeSmallTable(5));
    const all = [0, 1, 2, 3].map((row) => ({ row, column: 'score' }));
    await ctx.backend.markIntentionalMissingBatch(sessionId, all);
    const removed = await ctx.backend.clearIntentionalMissing(sessionId, [
      { row: 1, column: 'score' },
      { row: 4, column: 'score' },
    ]);
    expect(removed).toBe(1);
    expect(sorted(await ctx.backend.getIntentionalMissing(sessionId)).map((m) => m.row)).toEqual([0, 2, 3]);
    expect(await ctx.backend.clearIntentionalMissing(sessionId)).toBe(3);
    expect(await ctx.backend.getIntentionalMissing(sessionId)).toEqual([]);
    expect(await ctx.backend.clearIntentionalMissing(sessionId)).toBe(0);
    await expectCode(
      () => ctx.backend.clearIntentionalMissing(sessionId, [{ row: -2, column: 'score' }]),
      'INVALID_INPUT',
    );
  });

  test('marks do not change the version and survive an update', async () => {
    const { sessionId } = await ctx.session();
    await ctx.backend.markIntentionalMissing(sessionId, { row: 0, column: 'score' });
    expect((await ctx.backend.getSession(sessionId)).version).toBe(1);
    await ctx.backend.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'edit' });
    expect(await ctx.backend.getIntentionalMissing(sessionId)).toHaveLength(1);
  });
}
