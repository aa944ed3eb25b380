import { Int32, Table, vectorFromArray } from 'apache-arrow';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode } from './contract-context.js';

/**
 * One semantics (§2a): every case where the two stores once disagreed, each with the decision of
 * docs/semantics.md. Every backend runs these unchanged.
 */

const t = (k: number): Table => makeSmallTable(k + 1);

export function semanticsTests(ctx: ContractContext): void {
  let capped: StorageBackend;
  beforeAll(async () => {
    capped = await ctx.create({ MAX_VERSIONS: '3' });
  });

  async function edited(backend: StorageBackend, updates: number): Promise<string> {
    const { sessionId } = await backend.createSession(t(0), { filename: 'f.csv' });
    for (let k = 1; k <= updates; k += 1) {
      await backend.updateDataFrame(sessionId, t(k), { operation: `edit_${k}` });
    }
    return sessionId;
  }

  test('restoreVersion of the current version changes nothing', async () => {
    const b = ctx.backend;
    const id = await edited(b, 2);
    await b.undoLastChange(id);
    const before = await b.getSession(id);
    const audit = await b.getAuditLog(id);
    const history = await b.listVersions(id);
    const after = await b.restoreVersion(id, before.version);
    expect(after).toMatchObject({
      version: before.version,
      versionCount: before.versionCount,
      canRedo: true,
    });
    expect(await b.listVersions(id)).toEqual(history);
    expect(await b.getAuditLog(id)).toEqual(audit);
    assertTablesEqual(await b.getDataFrame(id), t(1));
  });

  test('undo -> redo moves history entries unchanged: they keep operation and label', async () => {
    const b = ctx.backend;
    const id = await edited(b, 1);
    await b.createVersion(id, 'checkpoint');
    await b.updateDataFrame(id, t(2), { operation: 'edit_2' });
    const before = (await b.listVersions(id)).map(({ operation, label, rows }) => ({
      operation,
      label,
      rows,
    }));
    await b.undoLastChange(id);
    await b.undoLastChange(id);
    await b.redo(id);
    await b.redo(id);
    const after = (await b.listVersions(id)).map(({ operation, label, rows }) => ({
      operation,
      label,
      rows,
    }));
    expect(after).toEqual(before);
    expect(after.map((entry) => entry.operation)).toEqual(['edit_1', 'snapshot', 'edit_2']);
  });

  test('getVersion and restoreVersion accept a redo entry', async () => {
    const b = ctx.backend;
    const id = await edited(b, 2);
    const top = await b.getSession(id);
    const undone = await b.undoLastChange(id);
    assertTablesEqual(await b.getVersion(id, top.version), t(2));
    const restored = await b.restoreVersion(id, top.version);
    expect(restored).toMatchObject({ version: undone.version + 1, canRedo: false });
    assertTablesEqual(await b.getDataFrame(id), t(2));
    expect((await b.listVersions(id)).at(-1)?.operation).toBe('restore');
  });

  test('the redo stack is capped at MAX_VERSIONS like the history', async () => {
    const id = await edited(capped, 3);
    // createVersion keeps redo, so alternating it with undo could grow redo without a cap.
    for (let k = 0; k < 5; k += 1) {
      await capped.createVersion(id, `c${k}`);
      await capped.undoLastChange(id);
    }
    let redos = 0;
    while ((await capped.getSession(id)).canRedo && redos < 20) {
      await capped.redo(id);
      redos += 1;
    }
    expect(redos).toBeLessThanOrEqual(3);
  });

  test('the upload audit entry names the file; undo, redo and restore record their user', async () => {
    const b = ctx.backend;
    const id = await edited(b, 2);
    await b.undoLastChange(id, { user: 'ana' });
    await b.redo(id, { user: 'bo' });
    const oldest = (await b.listVersions(id))[0]!.version;
    await b.restoreVersion(id, oldest, { user: 'cy' });
    const log = await b.getAuditLog(id);
    expect(log[0]).toMatchObject({
      seq: 1,
      operation: 'upload',
      details: { filename: 'f.csv' },
      rowsAfter: 1,
    });
    expect(log.slice(3).map(({ operation, user, details }) => ({ operation, user, details }))).toEqual([
      { operation: 'undo', user: 'ana', details: undefined },
      { operation: 'redo', user: 'bo', details: undefined },
      { operation: 'restore', user: 'cy', details: { version: oldest } },
    ]);
  });

  test('an empty label is no label', async () => {
    const b = ctx.backend;
    const id = await edited(b, 0);
    const info = await b.createVersion(id, '');
    expect(info).not.toHaveProperty('label');
    expect((await b.listVersions(id))[0]).not.toHaveProperty('label');
  });

  test('input limits are the same numbers everywhere', async () => {
    const b = ctx.backend;
    const id = await edited(b, 0);
    const long = (n: number) => 'x'.repeat(n);
    await expectCode(() => b.createVersion(id, long(201)), 'INVALID_INPUT');
    await b.createVersion(id, long(200));
    await expectCode(() => b.addAuditEntry(id, { operation: 'op', user: long(201) }), 'INVALID_INPUT');
    await b.addAuditEntry(id, { operation: 'op', user: long(200) });
    await expectCode(
      () => b.updateDataFrame(id, t(1), { operation: 'op', user: long(201) }),
      'INVALID_INPUT',
    );
    await expectCode(() => b.createSession(t(0), { ttlSeconds: 1e9 }), 'INVALID_INPUT');
    await expectCode(() => b.touchSession(id, 315_360_001), 'INVALID_INPUT');
    await expectCode(() => b.storeTempSheets({ 'bad\uD800': t(0) }), 'INVALID_INPUT');
    await expectCode(() => b.withLock(id, async () => 1, { ttlMs: 5 }), 'INVALID_INPUT');
    await expectCode(() => b.withLock(id, async () => 1, { ttlMs: 600_001 }), 'INVALID_INPUT');
    expect(await b.withLock(id, async () => 1, { ttlMs: 100 })).toBe(1);
    await expectCode(() => b.undoLastChange(id, { user: long(201) }), 'INVALID_INPUT');
    let deep: Record<string, unknown> = {};
    for (let depth = 0; depth < 100; depth += 1) deep = { inner: deep };
    await expectCode(() => b.updateMetadata(id, deep), 'INVALID_INPUT');
  });

  test('a mark must name a cell of the current frame', async () => {
    const b = ctx.backend;
    const id = await edited(b, 1); // 2 rows
    await expectCode(() => b.markIntentionalMissing(id, { row: 2, column: 'id' }), 'INVALID_INPUT');
    await expectCode(() => b.markIntentionalMissing(id, { row: 1e9, column: 'id' }), 'INVALID_INPUT');
    await b.markIntentionalMissing(id, { row: 1, column: 'id' });
    expect((await b.getIntentionalMissing(id)).map(({ row }) => row)).toEqual([1]);
  });

  test('metadata keys like __proto__ are ordinary keys', async () => {
    const b = ctx.backend;
    const id = await edited(b, 0);
    const patch = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": "c", "plain": 2}');
    const merged = await b.updateMetadata(id, patch);
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'constructor', 'plain']);
    const stored = await b.getMetadata(id);
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('an imported snapshot whose audit seq goes backwards is refused, writing nothing', async () => {
    const b = ctx.backend;
    const id = await edited(b, 1);
    const snapshot = await b.exportSession(id);
    await b.deleteSession(id);
    const bad = { ...snapshot, audit: [...snapshot.audit].reverse() };
    await expectCode(() => b.importSession(bad), 'INVALID_INPUT');
    expect(await b.sessionExists(id)).toBe(false);
  });

  test('an empty table built from empty vectors is stored like any other', async () => {
    const b = ctx.backend;
    const info = await b.createSession(new Table({ a: vectorFromArray([], new Int32()) }));
    expect(info).toMatchObject({ rows: 0, columns: 1, version: 1 });
    expect((await b.getDataFrame(info.sessionId)).schema.fields.map((field) => field.name)).toEqual(['a']);
  });

  test('concurrent audit appends and metadata reads: every entry lands once with its own seq', async () => {
    const b = ctx.backend;
    const id = await edited(b, 0);
    await b.updateMetadata(id, { step: 1 });
    const [entries, reads] = await Promise.all([
      Promise.all(
        Array.from({ length: 40 }, (_, i) => b.addAuditEntry(id, { operation: 'note', details: { i } })),
      ),
      Promise.all(Array.from({ length: 20 }, () => b.getMetadata(id))),
    ]);
    const seqs = entries.map((entry) => entry.seq);
    expect(new Set(seqs).size).toBe(40);
    expect(entries.map((entry) => entry.details)).toEqual(Array.from({ length: 40 }, (_, i) => ({ i })));
    const log = await b.getAuditLog(id);
    expect(
      log
        .filter((entry) => entry.operation === 'note')
        .map((entry) => entry.seq)
        .sort((x, y) => x - y),
    ).toEqual([...seqs].sort((x, y) => x - y));
    for (const read of reads) expect(read).toEqual({ step: 1 });
    reads[0]!.step = 99; // each caller owns its answer
    expect(reads[1]).toEqual({ step: 1 });
  });
}
