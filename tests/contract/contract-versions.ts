import type { Table } from 'apache-arrow';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode } from './contract-context.js';

/** t(k) is a distinct table per k (k + 1 rows). */
const t = (k: number): Table => makeSmallTable(k + 1);

export function versionTests(ctx: ContractContext): void {
  let capped: StorageBackend;
  beforeAll(async () => {
    capped = await ctx.create({ MAX_VERSIONS: '3' });
  });

  /** A session at t(0) with `updates` updates to t(1)..t(updates). */
  async function edited(backend: StorageBackend, updates: number): Promise<string> {
    const { sessionId } = await backend.createSession(t(0));
    for (let k = 1; k <= updates; k += 1) {
      await backend.updateDataFrame(sessionId, t(k), { operation: `edit_${k}` });
    }
    return sessionId;
  }

  test('history is capped at MAX_VERSIONS, oldest dropped first (5 updates -> 3 versions)', async () => {
    const id = await edited(capped, 5);
    const info = await capped.getSession(id);
    expect(info).toMatchObject({ version: 6, versionCount: 3, rows: 6, canUndo: true });
    const versions = await capped.listVersions(id);
    expect(versions.map((v) => v.version)).toEqual([3, 4, 5]);
    expect(versions.map((v) => v.operation)).toEqual(['edit_3', 'edit_4', 'edit_5']);
    expect(versions.map((v) => v.rows)).toEqual([3, 4, 5]);
    for (const v of versions) assertTablesEqual(await capped.getVersion(id, v.version), t(v.version - 1));
    await expectCode(() => capped.getVersion(id, 1), 'VERSION_NOT_FOUND');
    await expectCode(() => capped.getVersion(id, 2), 'VERSION_NOT_FOUND');
    await expectCode(() => capped.restoreVersion(id, 2), 'VERSION_NOT_FOUND');
  });

  test('getVersion accepts the current version number', async () => {
    const id = await edited(ctx.backend, 2);
    assertTablesEqual(await ctx.backend.getVersion(id, 3), t(2));
    await expectCode(() => ctx.backend.getVersion(id, 4), 'VERSION_NOT_FOUND');
  });

  test('version numbers in the history are unique and increasing', async () => {
    const id = await edited(ctx.backend, 3);
    await ctx.backend.createVersion(id, 'checkpoint');
    await ctx.backend.undoLastChange(id);
    await ctx.backend.updateDataFrame(id, t(9), { operation: 'edit_9' });
    const numbers = (await ctx.backend.listVersions(id)).map((v) => v.version);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  test('undo -> redo -> a new change clears redo', async () => {
    const b = ctx.backend;
    const id = await edited(b, 2);
    const undone = await b.undoLastChange(id);
    expect(undone).toMatchObject({ version: 4, rows: 2, canRedo: true, canUndo: true, versionCount: 1 });
    assertTablesEqual(await b.getDataFrame(id), t(1));
    const redone = await b.redo(id);
    expect(redone).toMatchObject({ version: 5, rows: 3, canRedo: false, versionCount: 2 });
    assertTablesEqual(await b.getDataFrame(id), t(2));
    await b.undoLastChange(id);
    expect((await b.getSession(id)).canRedo).toBe(true);
    const changed = await b.updateDataFrame(id, t(7), { operation: 'edit_7' });
    expect(changed.canRedo).toBe(false);
    await expectCode(() => b.redo(id), 'NOTHING_TO_REDO');
    assertTablesEqual(await b.getDataFrame(id), t(7));
  });

  test('undo walks back to the upload, then NOTHING_TO_UNDO; redo walks forward again', async () => {
    const b = ctx.backend;
    const id = await edited(b, 2);
    await b.undoLastChange(id);
    const first = await b.undoLastChange(id);
    expect(first).toMatchObject({ canUndo: false, versionCount: 0, rows: 1 });
    assertTablesEqual(await b.getDataFrame(id), t(0));
    await expectCode(() => b.undoLastChange(id), 'NOTHING_TO_UNDO');
    await b.redo(id);
    await b.redo(id);
    assertTablesEqual(await b.getDataFrame(id), t(2));
    await expectCode(() => b.redo(id), 'NOTHING_TO_REDO');
  });

  test('a new session has nothing to undo or redo', async () => {
    const { sessionId } = await ctx.session();
    await expectCode(() => ctx.backend.undoLastChange(sessionId), 'NOTHING_TO_UNDO');
    await expectCode(() => ctx.backend.redo(sessionId), 'NOTHING_TO_REDO');
    expect((await ctx.backend.getSession(sessionId)).version).toBe(1);
  });

  test('createVersion records the current frame without changing it', async () => {
    const b = ctx.backend;
    const id = await edited(b, 1);
    const info = await b.createVersion(id, 'before cleanup');
    expect(info).toMatchObject({
      version: 2,
      label: 'before cleanup',
      operation: 'snapshot',
      rows: 2,
      columns: 3,
    });
    expect(info.bytes).toBeGreaterThan(0);
    const session = await b.getSession(id);
    expect(session).toMatchObject({ version: 3, versionCount: 2, rows: 2 });
    assertTablesEqual(await b.getDataFrame(id), t(1));
    assertTablesEqual(await b.getVersion(id, 2), t(1));
    expect((await b.listVersions(id)).at(-1)).toMatchObject({ version: 2, label: 'before cleanup' });
    const unlabeled = await b.createVersion(id);
    expect(unlabeled.label).toBeUndefined();
    expect(unlabeled.version).toBe(3);
  });

  test('createVersion keeps redo; an undo after it returns to the same frame', async () => {
    const b = ctx.backend;
    const id = await edited(b, 2);
    await b.undoLastChange(id);
    await b.createVersion(id, 'mark');
    expect((await b.getSession(id)).canRedo).toBe(true);
    await b.undoLastChange(id);
    assertTablesEqual(await b.getDataFrame(id), t(1));
  });

  test('restoreVersion makes an old version current, keeps history linear and clears redo', async () => {
    const b = ctx.backend;
    const id = await edited(b, 3);
    await b.undoLastChange(id);
    const restored = await b.restoreVersion(id, 1);
    expect(restored).toMatchObject({ version: 6, rows: 1, canRedo: false });
    assertTablesEqual(await b.getDataFrame(id), t(0));
    const versions = await b.listVersions(id);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 5]);
    expect(versions.at(-1)).toMatchObject({ operation: 'restore', rows: 3 });
    assertTablesEqual(await b.getVersion(id, 5), t(2));
    await b.undoLastChange(id);
    assertTablesEqual(await b.getDataFrame(id), t(2));
  });

  test('restoreVersion and getVersion refuse unknown and malformed versions', async () => {
    const b = ctx.backend;
    const id = await edited(b, 1);
    await expectCode(() => b.restoreVersion(id, 99), 'VERSION_NOT_FOUND');
    for (const bad of [0, -1, 1.5, Number.NaN, '1' as unknown as number]) {
      await expectCode(() => b.restoreVersion(id, bad), 'INVALID_INPUT');
      await expectCode(() => b.getVersion(id, bad), 'INVALID_INPUT');
    }
    expect((await b.getSession(id)).version).toBe(2);
  });

  test('undo, redo and restore are audited', async () => {
    const b = ctx.backend;
    const id = await edited(b, 2);
    await b.undoLastChange(id);
    await b.redo(id);
    await b.restoreVersion(id, 1);
    const ops = (await b.getAuditLog(id)).map((e) => e.operation);
    expect(ops).toEqual(['upload', 'edit_1', 'edit_2', 'undo', 'redo', 'restore']);
    const undo = (await b.getAuditLog(id))[3];
    expect(undo).toMatchObject({ rowsBefore: 3, rowsAfter: 2 });
  });

  test('versions survive in a new backend instance', async () => {
    const id = await edited(capped, 2);
    await capped.undoLastChange(id);
    const other = await ctx.create({ MAX_VERSIONS: '3' });
    expect(await other.listVersions(id)).toEqual(await capped.listVersions(id));
    await other.redo(id);
    assertTablesEqual(await capped.getDataFrame(id), t(2));
  });

  test('a history entry names the user of its change; undo and redo carry it; restore records its own', async () => {
    const { sessionId: id } = await ctx.session(makeSmallTable(2));
    await ctx.backend.updateDataFrame(id, makeSmallTable(3), { operation: 'trim', user: 'ana' });
    await ctx.backend.createVersion(id, 'checkpoint');
    const [edit, snapshot] = await ctx.backend.listVersions(id);
    expect(edit).toMatchObject({ operation: 'trim', user: 'ana' });
    expect(snapshot?.user).toBeUndefined();
    await ctx.backend.undoLastChange(id, { user: 'bo' });
    await ctx.backend.undoLastChange(id, { user: 'bo' });
    await ctx.backend.redo(id);
    const [carried] = await ctx.backend.listVersions(id);
    expect(carried).toMatchObject({ operation: 'trim', user: 'ana' });
    await ctx.backend.restoreVersion(id, carried!.version, { user: 'cy' });
    expect((await ctx.backend.listVersions(id)).at(-1)).toMatchObject({ operation: 'restore', user: 'cy' });
    const copy = await ctx.backend.exportSession(id);
    expect(copy.history.map((entry) => entry.info.user)).toEqual(
      (await ctx.backend.listVersions(id)).map((info) => info.user),
    );
  });
}
