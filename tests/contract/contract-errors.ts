import type { Table } from 'apache-arrow';
import type { ChangeInput, StorageBackend } from '../../src/contract/storage-backend.js';
import { snapshotBlobs } from '../helpers/blobs.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { type ContractContext, expectCode, UNKNOWN_ID } from './contract-context.js';

/** Ids that must be refused before any I/O. */
const MALFORMED_IDS: unknown[] = [
  '../../etc',
  '',
  'a/b',
  `${'x'.repeat(22)}/`,
  '..',
  `../${'A'.repeat(19)}`,
  'x'.repeat(21),
  'x'.repeat(23),
  'é'.repeat(22),
  `${'A'.repeat(21)}\u0000`,
  `${'A'.repeat(20)}{}`,
  ' AAAAAAAAAAAAAAAAAAAAA',
  123,
  null,
  undefined,
  {},
  ['AAAAAAAAAAAAAAAAAAAAAA'],
];

/** Every method that takes a session or upload id, called with `id`. */
function idCalls(b: StorageBackend, id: string): [string, () => Promise<unknown>][] {
  const t = makeSmallTable();
  return [
    ['getSession', () => b.getSession(id)],
    ['sessionExists', () => b.sessionExists(id)],
    ['deleteSession', () => b.deleteSession(id)],
    ['getDataFrame', () => b.getDataFrame(id)],
    ['updateDataFrame', () => b.updateDataFrame(id, t, { operation: 'x' })],
    ['touchSession', () => b.touchSession(id)],
    ['createVersion', () => b.createVersion(id)],
    ['listVersions', () => b.listVersions(id)],
    ['getVersion', () => b.getVersion(id, 1)],
    ['undoLastChange', () => b.undoLastChange(id)],
    ['redo', () => b.redo(id)],
    ['restoreVersion', () => b.restoreVersion(id, 1)],
    ['getMetadata', () => b.getMetadata(id)],
    ['updateMetadata', () => b.updateMetadata(id, { a: 1 })],
    ['addAuditEntry', () => b.addAuditEntry(id, { operation: 'x' })],
    ['getAuditLog', () => b.getAuditLog(id)],
    ['getInitialRows', () => b.getInitialRows(id)],
    ['markIntentionalMissing', () => b.markIntentionalMissing(id, { row: 0, column: 'id' })],
    ['markIntentionalMissingBatch', () => b.markIntentionalMissingBatch(id, [{ row: 0, column: 'id' }])],
    ['getIntentionalMissing', () => b.getIntentionalMissing(id)],
    ['clearIntentionalMissing', () => b.clearIntentionalMissing(id)],
    ['withLock', () => b.withLock(id, async () => 1)],
    ['exportSession', () => b.exportSession(id)],
    ['listTempSheets', () => b.listTempSheets(id)],
    ['getTempSheet', () => b.getTempSheet(id, 'S')],
    ['deleteTemp', () => b.deleteTemp(id)],
    ['promoteTempSheet', () => b.promoteTempSheet(id, 'S')],
    ['exportTempUpload', () => b.exportTempUpload(id)],
  ];
}

/** Current version, frame and audit length: what an invalid call must leave untouched. */
async function fingerprint(
  b: StorageBackend,
  id: string,
): Promise<{ version: number; audit: number; table: Table }> {
  return {
    version: (await b.getSession(id)).version,
    audit: (await b.getAuditLog(id)).length,
    table: await b.getDataFrame(id),
  };
}

export function errorTests(ctx: ContractContext): void {
  test('malformed ids are INVALID_INPUT for every method that takes an id', async () => {
    for (const bad of MALFORMED_IDS) {
      for (const [name, call] of idCalls(ctx.backend, bad as string)) {
        await expectCode(call, 'INVALID_INPUT').catch((error: Error) => {
          throw new Error(`${name}(${JSON.stringify(bad)}): ${error.message}`);
        });
      }
    }
  });

  test('invalid frames and changes are INVALID_INPUT and leave the session untouched', async () => {
    const original = makeSmallTable(3);
    const { sessionId } = await ctx.session(original);
    const before = await fingerprint(ctx.backend, sessionId);
    const notTables = [
      null,
      undefined,
      {},
      [{ a: 1 }],
      'csv,text',
      { schema: {}, numRows: 1 },
    ] as unknown as Table[];
    for (const bad of notTables) {
      await expectCode(
        () => ctx.backend.updateDataFrame(sessionId, bad, { operation: 'x' }),
        'INVALID_INPUT',
      );
    }
    const badChanges = [
      undefined,
      {},
      { operation: '' },
      { operation: '   ' },
      { operation: 'x'.repeat(201) },
      { operation: 42 },
      { operation: 'ok', details: 'text' },
      { operation: 'ok', expectedVersion: 0 },
      { operation: 'ok', user: 5 },
    ] as unknown as ChangeInput[];
    for (const bad of badChanges) {
      await expectCode(() => ctx.backend.updateDataFrame(sessionId, makeSmallTable(9), bad), 'INVALID_INPUT');
    }
    const after = await fingerprint(ctx.backend, sessionId);
    expect(after.version).toBe(before.version);
    expect(after.audit).toBe(before.audit);
    assertTablesEqual(after.table, original);
    expect(await ctx.backend.listVersions(sessionId)).toEqual([]);
  });

  test('createSession refuses non-tables and bad options', async () => {
    const before = await ctx.backend.countSessions();
    await expectCode(() => ctx.backend.createSession({} as unknown as Table), 'INVALID_INPUT');
    await expectCode(() => ctx.backend.createSession(null as unknown as Table), 'INVALID_INPUT');
    const t = makeSmallTable();
    await expectCode(
      () => ctx.backend.createSession(t, { filename: 5 as unknown as string }),
      'INVALID_INPUT',
    );
    await expectCode(
      () => ctx.backend.createSession(t, { metadata: [] as unknown as Record<string, unknown> }),
      'INVALID_INPUT',
    );
    expect(await ctx.backend.countSessions()).toBe(before);
  });

  test('frames over MAX_DATAFRAME_SIZE_MB are PAYLOAD_TOO_LARGE before anything is written', async () => {
    const small = await ctx.create({ MAX_DATAFRAME_SIZE_MB: '0.05' });
    const big = makeRealisticTable(2000, 20);
    const before = await small.countSessions();
    await expectCode(() => small.createSession(big), 'PAYLOAD_TOO_LARGE');
    expect(await small.countSessions()).toBe(before);
    const { sessionId } = await small.createSession(makeSmallTable(3));
    const fp = await fingerprint(small, sessionId);
    await expectCode(() => small.updateDataFrame(sessionId, big, { operation: 'grow' }), 'PAYLOAD_TOO_LARGE');
    const after = await fingerprint(small, sessionId);
    expect(after.version).toBe(fp.version);
    expect(after.audit).toBe(fp.audit);
    assertTablesEqual(after.table, makeSmallTable(3));
    await expectCode(() => small.storeTempSheets({ Big: big }), 'PAYLOAD_TOO_LARGE');
  });

  test('a closed backend is BACKEND_UNAVAILABLE; close is idempotent', async () => {
    const { sessionId } = await ctx.session();
    const doomed = await ctx.create();
    expect(await doomed.sessionExists(sessionId)).toBe(true);
    await doomed.close();
    await doomed.close();
    await expectCode(() => doomed.getSession(sessionId), 'BACKEND_UNAVAILABLE');
    await expectCode(() => doomed.getDataFrame(sessionId), 'BACKEND_UNAVAILABLE');
    await expectCode(() => doomed.createSession(makeSmallTable()), 'BACKEND_UNAVAILABLE');
    await expectCode(() => doomed.withLock(sessionId, async () => 1), 'BACKEND_UNAVAILABLE');
    await expectCode(() => doomed.listSessions(), 'BACKEND_UNAVAILABLE');
    await expectCode(() => doomed.getTempSheet(UNKNOWN_ID, 'S'), 'BACKEND_UNAVAILABLE');
    expect(await ctx.backend.sessionExists(sessionId)).toBe(true);
  });

  test('getStats counts live sessions and uploads and the stored bytes of the blobs they name, on every store', async () => {
    // A store of its own (another folder, another key prefix), so other tests' sessions do not count.
    const dir =
      ctx.harness.env().STORAGE_DIR === undefined ? undefined : await makeTempDir('framestore-stats-');
    const own = await ctx.create(
      dir === undefined ? { REDIS_KEY_PREFIX: `stats${Date.now().toString(36)}:` } : { STORAGE_DIR: dir },
    );
    try {
      expect(await own.getStats()).toMatchObject({ sessions: 0, tempUploads: 0, bytesStored: 0 });
      const table = makeRealisticTable(40, 4);
      const { sessionId } = await own.createSession(table);
      // One changed column: the new version shares the other columns' chunks, which count once.
      const edited = table.setChildAt(0, makeRealisticTable(40, 4, 9).getChildAt(0)!);
      await own.updateDataFrame(sessionId, edited, { operation: 'edit' });
      const upload = await own.storeTempSheets({ A: makeSmallTable(3), B: makeSmallTable(5) });
      const snapshot = await own.exportSession(sessionId);
      const sessionBytes = snapshotBlobs(snapshot).reduce(
        (sum, blob) => sum + snapshot.frames[blob]!.length,
        0,
      );
      const sheetBytes = upload.sheets.reduce((sum, sheet) => sum + sheet.bytes, 0);
      expect(await own.getStats()).toMatchObject({
        backendType: own.backendType,
        sessions: 1,
        tempUploads: 1,
        bytesStored: sessionBytes + sheetBytes,
      });
      expect(await own.deleteTemp(upload.uploadId)).toBe(true);
      expect(await own.getStats()).toMatchObject({ sessions: 1, tempUploads: 0, bytesStored: sessionBytes });
    } finally {
      if (dir !== undefined) await removeTempDir(dir);
    }
  });

  test('healthCheck and getStats describe a working backend', async () => {
    await ctx.session();
    const health = await ctx.backend.healthCheck();
    expect(health.status).toBe('healthy');
    expect(health.backendType).toBe(ctx.backend.backendType);
    expect(health.activeSessions).toBeGreaterThan(0);
    expect(typeof health.latencyMs).toBe('number');
    for (const check of Object.values(health.checks))
      expect(['healthy', 'degraded', 'unhealthy']).toContain(check.status);
    const stats = await ctx.backend.getStats();
    expect(stats.backendType).toBe(ctx.backend.backendType);
    expect(stats.sessions).toBeGreaterThan(0);
    expect(stats.bytesStored).toBeGreaterThan(0);
    expect(typeof stats.tempUploads).toBe('number');
  });
}
