import type { AuditInput } from '../../src/contract/storage-backend.js';
import { makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode } from './contract-context.js';

export function auditTests(ctx: ContractContext): void {
  test('metadata starts empty and updateMetadata merges shallowly; null deletes a key', async () => {
    const { sessionId } = await ctx.session();
    expect(await ctx.backend.getMetadata(sessionId)).toEqual({});
    const first = await ctx.backend.updateMetadata(sessionId, { a: 1, nested: { x: 1 }, gone: true });
    expect(first).toEqual({ a: 1, nested: { x: 1 }, gone: true });
    const second = await ctx.backend.updateMetadata(sessionId, { nested: { y: 2 }, gone: null, b: 'two' });
    expect(second).toEqual({ a: 1, nested: { y: 2 }, b: 'two' });
    expect(await ctx.backend.getMetadata(sessionId)).toEqual(second);
  });

  test('metadata changes do not change the session version', async () => {
    const { sessionId } = await ctx.session();
    await ctx.backend.updateMetadata(sessionId, { a: 1 });
    expect((await ctx.backend.getSession(sessionId)).version).toBe(1);
  });

  test('bad metadata patches are INVALID_INPUT and change nothing', async () => {
    const { sessionId } = await ctx.session(makeSmallTable(), { metadata: { keep: 1 } });
    const bads = [null, [1, 2], 'text', 5] as unknown as Record<string, unknown>[];
    for (const bad of bads)
      await expectCode(() => ctx.backend.updateMetadata(sessionId, bad), 'INVALID_INPUT');
    expect(await ctx.backend.getMetadata(sessionId)).toEqual({ keep: 1 });
  });

  test('createSession records the upload as audit entry 1; getInitialRows returns its rows', async () => {
    const { sessionId } = await ctx.session(makeSmallTable(4), { user: 'ana' });
    const log = await ctx.backend.getAuditLog(sessionId);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ seq: 1, operation: 'upload', rowsAfter: 4, user: 'ana' });
    expect(Number.isNaN(Date.parse(log[0]!.at))).toBe(false);
    await ctx.backend.updateDataFrame(sessionId, makeSmallTable(9), { operation: 'append' });
    expect(await ctx.backend.getInitialRows(sessionId)).toBe(4);
  });

  test('addAuditEntry appends with increasing seq and keeps every field', async () => {
    const { sessionId } = await ctx.session();
    const entry: AuditInput = {
      operation: 'drop_duplicates',
      details: { subset: ['id'], removed: 2 },
      user: 'ben',
      rowsBefore: 3,
      rowsAfter: 1,
    };
    const added = await ctx.backend.addAuditEntry(sessionId, entry);
    expect(added).toMatchObject({ seq: 2, ...entry });
    expect(Number.isNaN(Date.parse(added.at))).toBe(false);
    const minimal = await ctx.backend.addAuditEntry(sessionId, { operation: 'note' });
    expect(minimal.seq).toBe(3);
    expect(minimal.details).toBeUndefined();
    expect(minimal.user).toBeUndefined();
    const log = await ctx.backend.getAuditLog(sessionId);
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(log[1]).toEqual(added);
    expect((await ctx.backend.getSession(sessionId)).version).toBe(1);
  });

  test('getAuditLog pages with offset and limit, oldest first', async () => {
    const { sessionId } = await ctx.session();
    for (let i = 0; i < 6; i += 1) await ctx.backend.addAuditEntry(sessionId, { operation: `op_${i}` });
    const page = await ctx.backend.getAuditLog(sessionId, { offset: 2, limit: 3 });
    expect(page.map((e) => e.operation)).toEqual(['op_1', 'op_2', 'op_3']);
    expect(await ctx.backend.getAuditLog(sessionId, { offset: 50 })).toEqual([]);
    expect((await ctx.backend.getAuditLog(sessionId, { limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
    await expectCode(() => ctx.backend.getAuditLog(sessionId, { offset: -1 }), 'INVALID_INPUT');
    await expectCode(() => ctx.backend.getAuditLog(sessionId, { limit: 0 }), 'INVALID_INPUT');
  });

  test('seq stays strictly increasing across updates, undo, redo and notes', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session();
    await b.updateDataFrame(sessionId, makeSmallTable(5), { operation: 'edit' });
    await b.addAuditEntry(sessionId, { operation: 'note' });
    await b.undoLastChange(sessionId);
    await b.redo(sessionId);
    const seqs = (await b.getAuditLog(sessionId)).map((e) => e.seq);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  test('bad audit entries are INVALID_INPUT and append nothing', async () => {
    const { sessionId } = await ctx.session();
    const bads = [
      {},
      { operation: '' },
      { operation: 'x'.repeat(201) },
      { operation: 7 },
      { operation: 'ok', rowsBefore: -1 },
      { operation: 'ok', rowsAfter: 1.5 },
      { operation: 'ok', details: [1] },
      null,
    ] as unknown as AuditInput[];
    for (const bad of bads)
      await expectCode(() => ctx.backend.addAuditEntry(sessionId, bad), 'INVALID_INPUT');
    expect(await ctx.backend.getAuditLog(sessionId)).toHaveLength(1);
  });

  test('SessionInfo.lastUser is the user of the newest audit entry that names one', async () => {
    const { sessionId, lastUser } = await ctx.session(makeSmallTable(2), { user: 'ana' });
    expect(lastUser).toBe('ana');
    await ctx.backend.addAuditEntry(sessionId, { operation: 'note' });
    expect((await ctx.backend.getSession(sessionId)).lastUser).toBe('ana');
    await ctx.backend.updateDataFrame(sessionId, makeSmallTable(3), { operation: 'edit', user: 'bo' });
    expect((await ctx.backend.getSession(sessionId)).lastUser).toBe('bo');
    await ctx.backend.undoLastChange(sessionId, { user: 'cy' });
    const listed = (await ctx.backend.listSessions({ limit: 1000 })).sessions.find(
      (s) => s.sessionId === sessionId,
    );
    expect(listed?.lastUser).toBe('cy');
    const { sessionId: anonymous } = await ctx.session(makeSmallTable(1));
    expect((await ctx.backend.getSession(anonymous)).lastUser).toBeUndefined();
    const copy = await ctx.backend.exportSession(sessionId);
    await ctx.backend.deleteSession(sessionId);
    expect((await ctx.backend.importSession(copy)).lastUser).toBe('cy');
  });
}
