import type {
  SessionSnapshot,
  StorageBackend,
  TempUploadSnapshot,
} from '../../src/contract/storage-backend.js';
import { blobsOf } from '../../src/session/chunks/manifest.js';
import { currentBlobs } from '../helpers/blobs.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode } from './contract-context.js';

/** A session with history, redo, a labelled version, marks, metadata and extra audit entries. */
async function richSession(b: StorageBackend): Promise<string> {
  const { sessionId } = await b.createSession(makeRealisticTable(50, 6), {
    filename: 'rich.csv',
    metadata: { owner: 'ana', settings: { delimiter: ';' } },
    ttlSeconds: 1800,
  });
  for (let k = 1; k <= 3; k += 1) {
    await b.updateDataFrame(sessionId, makeRealisticTable(50 + k, 6, k), {
      operation: `step_${k}`,
      user: 'ana',
    });
  }
  await b.createVersion(sessionId, 'checkpoint');
  await b.undoLastChange(sessionId);
  await b.markIntentionalMissingBatch(sessionId, [
    { row: 0, column: 'amount_0', reason: 'sensor off' },
    { row: 3, column: 'quantity_1' },
  ]);
  await b.addAuditEntry(sessionId, { operation: 'note', details: { text: 'looked fine' } });
  return sessionId;
}

/** Everything observable about a session, for before/after comparisons. */
async function observe(b: StorageBackend, id: string) {
  const info = await b.getSession(id);
  const versions = await b.listVersions(id);
  return {
    info: { ...info, expiresAt: undefined },
    versions,
    tables: await Promise.all(versions.map((v) => b.getVersion(id, v.version))),
    current: await b.getDataFrame(id),
    audit: await b.getAuditLog(id),
    marks: await b.getIntentionalMissing(id),
    metadata: await b.getMetadata(id),
    initialRows: await b.getInitialRows(id),
  };
}

function expectSame(a: Awaited<ReturnType<typeof observe>>, b: Awaited<ReturnType<typeof observe>>): void {
  expect(b.info).toEqual(a.info);
  expect(b.versions).toEqual(a.versions);
  for (const [i, table] of a.tables.entries()) assertTablesEqual(b.tables[i]!, table);
  assertTablesEqual(b.current, a.current);
  expect(b.audit).toEqual(a.audit);
  expect(b.marks).toEqual(a.marks);
  expect(b.metadata).toEqual(a.metadata);
  expect(b.initialRows).toBe(a.initialRows);
}

/** The blobs a snapshot's current frame is stored in (the frame itself, or its chunks). */

/** The snapshot with one byte of its current frame changed (at `from` bytes before the end, or at `from`). */
function corrupted(snapshot: SessionSnapshot, at: number): SessionSnapshot {
  const blob = currentBlobs(snapshot)[0]!;
  const frame = Buffer.from(snapshot.frames[blob]!);
  const index = at < 0 ? frame.length + at : at;
  frame[index] = (frame[index]! + 1) % 256;
  return { ...snapshot, frames: { ...snapshot.frames, [blob]: frame } };
}

export function transferTests(ctx: ContractContext): void {
  test('exportSession -> deleteSession -> importSession restores everything', async () => {
    const b = ctx.backend;
    const id = await richSession(b);
    const before = await observe(b, id);
    const snapshot = await b.exportSession(id);
    expect(snapshot).toMatchObject({
      formatVersion: 1,
      sessionId: id,
      version: before.info.version,
      ttlSeconds: 1800,
    });
    expect(snapshot.history).toHaveLength(before.versions.length);
    expect(snapshot.redo).toHaveLength(1);
    expect(snapshot.audit).toEqual(before.audit);
    for (const frame of [{ frameId: snapshot.currentFrameId }, ...snapshot.history]) {
      expect(blobsOf(frame).length).toBeGreaterThan(0);
    }
    for (const blob of [...currentBlobs(snapshot), ...snapshot.history.flatMap((h) => blobsOf(h))]) {
      expect(snapshot.frames[blob]).toBeInstanceOf(Uint8Array);
    }
    expect(await b.deleteSession(id)).toBe(true);
    const imported = await b.importSession(snapshot);
    expect(imported.sessionId).toBe(id);
    expect(Math.abs(Date.parse(imported.expiresAt) - Date.parse(snapshot.expiresAt))).toBeLessThan(2000);
    const after = await observe(b, id);
    expectSame(before, after);
    // The redo stack came along: redo gives back the undone frame, and the audit log continues its seq.
    await b.redo(id);
    assertTablesEqual(await b.getDataFrame(id), makeRealisticTable(53, 6, 3));
    const log = await b.getAuditLog(id);
    expect(log.at(-1)).toMatchObject({ operation: 'redo', seq: before.audit.at(-1)!.seq + 1 });
  });

  test('a snapshot imports into another backend instance over the same storage', async () => {
    const id = await richSession(ctx.backend);
    const before = await observe(ctx.backend, id);
    const snapshot = await ctx.backend.exportSession(id);
    await ctx.backend.deleteSession(id);
    const other = await ctx.create();
    await other.importSession(snapshot);
    expectSame(before, await observe(other, id));
  });

  test('import over an existing session is STALE_WRITE unless overwrite', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session(makeSmallTable(3));
    const snapshot = await b.exportSession(sessionId);
    await b.updateDataFrame(sessionId, makeSmallTable(8), { operation: 'edit' });
    await expectCode(() => b.importSession(snapshot), 'STALE_WRITE');
    expect((await b.getSession(sessionId)).version).toBe(2);
    const replaced = await b.importSession(snapshot, { overwrite: true });
    expect(replaced.version).toBe(1);
    assertTablesEqual(await b.getDataFrame(sessionId), makeSmallTable(3));
    expect(await b.listVersions(sessionId)).toEqual([]);
    expect(await b.getAuditLog(sessionId)).toHaveLength(1);
  });

  test('a snapshot with a corrupted frame (header or payload checksum) is CORRUPT_DATA and writes nothing', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session(makeRealisticTable(30, 5));
    const snapshot = await b.exportSession(sessionId);
    await b.deleteSession(sessionId);
    await expectCode(() => b.importSession(corrupted(snapshot, 0)), 'CORRUPT_DATA');
    await expectCode(() => b.importSession(corrupted(snapshot, -5)), 'CORRUPT_DATA');
    expect(await b.sessionExists(sessionId)).toBe(false);
  });

  test('malformed snapshots are INVALID_INPUT', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session();
    const good = await b.exportSession(sessionId);
    await b.deleteSession(sessionId);
    const bads: unknown[] = [
      null,
      { ...good, sessionId: '../../etc' },
      { ...good, formatVersion: 2 },
      { ...good, currentFrameId: 'missing', currentManifest: undefined },
      // a manifest naming a chunk the snapshot does not hold, and a chunk whose bytes are not what its id names
      ...(good.currentManifest
        ? [
            { ...good, frames: {} },
            {
              ...good,
              frames: Object.fromEntries(
                Object.entries(good.frames).map(([id, bytes]) => [
                  id,
                  good.frames[currentBlobs(good).at(-1)!] ?? bytes,
                ]),
              ),
            },
          ]
        : []),
      { ...good, version: 0 },
      { ...good, frames: 'nope' },
    ];
    for (const bad of bads) await expectCode(() => b.importSession(bad as SessionSnapshot), 'INVALID_INPUT');
    expect(await b.sessionExists(sessionId)).toBe(false);
  });

  test('temp uploads export and import with their sheets and expiry', async () => {
    const b = ctx.backend;
    const sheets = { A: makeSmallTable(2), B: makeRealisticTable(10, 4) };
    const stored = await b.storeTempSheets(sheets, { filename: 'book.xlsx' });
    const snapshot = await b.exportTempUpload(stored.uploadId);
    expect(snapshot).toMatchObject({ formatVersion: 1, uploadId: stored.uploadId, filename: 'book.xlsx' });
    await expectCode(() => b.importTempUpload(snapshot), 'STALE_WRITE');
    expect(await b.deleteTemp(stored.uploadId)).toBe(true);
    const imported = await b.importTempUpload(snapshot);
    expect({ ...imported, expiresAt: '' }).toEqual({ ...stored, expiresAt: '' });
    expect(Math.abs(Date.parse(imported.expiresAt) - Date.parse(stored.expiresAt))).toBeLessThan(2000);
    for (const [name, table] of Object.entries(sheets)) {
      assertTablesEqual(await b.getTempSheet(stored.uploadId, name), table);
    }
    const again = await b.importTempUpload(snapshot, { overwrite: true });
    expect(again.sheets).toEqual(stored.sheets);
    await expectCode(
      () => b.importTempUpload({ ...snapshot, uploadId: 'bad/id' } as typeof snapshot),
      'INVALID_INPUT',
    );
  });

  test('a snapshot whose expiry has passed imports as expired: a session or upload is not brought back', async () => {
    const b = ctx.backend;
    const past = new Date(Date.now() - 60_000).toISOString();
    const { sessionId } = await b.createSession(makeSmallTable(2));
    const session = await b.exportSession(sessionId);
    expect(await b.deleteSession(sessionId)).toBe(true);
    await b.importSession({ ...session, expiresAt: past });
    expect(await b.sessionExists(sessionId)).toBe(false);
    await expectCode(() => b.getSession(sessionId), 'SESSION_NOT_FOUND');
    const stored = await b.storeTempSheets({ A: makeSmallTable(2) });
    const upload = await b.exportTempUpload(stored.uploadId);
    expect(await b.deleteTemp(stored.uploadId)).toBe(true);
    await b.importTempUpload({ ...upload, expiresAt: past });
    await expectCode(() => b.listTempSheets(stored.uploadId), 'UPLOAD_NOT_FOUND');
    expect((await b.listTempUploads()).uploads.map((u) => u.uploadId)).not.toContain(stored.uploadId);
  });

  test('a malformed upload snapshot is INVALID_INPUT (a damaged frame CORRUPT_DATA) on every store and writes nothing', async () => {
    const b = ctx.backend;
    const stored = await b.storeTempSheets({ A: makeSmallTable(2), B: makeSmallTable(3) });
    const good = await b.exportTempUpload(stored.uploadId);
    expect(await b.deleteTemp(stored.uploadId)).toBe(true);
    const [first, second] = good.sheets as [(typeof good.sheets)[0], (typeof good.sheets)[0]];
    const flipped = Buffer.from(first.frame);
    flipped[flipped.length - 3] = ((flipped[flipped.length - 3] ?? 0) + 1) % 256;
    const bads: unknown[] = [
      null,
      { ...good, formatVersion: 2 },
      { ...good, sheets: [] },
      { ...good, sheets: 'nope' },
      { ...good, sheets: [first, { ...second, info: { ...second.info, name: first.info.name } }] },
      { ...good, sheets: [{ ...first, info: { ...first.info, name: '' } }] },
      { ...good, sheets: [{ ...first, frame: 'bytes' }] },
      { ...good, sheets: [{ ...first, info: { ...first.info, rows: -1 } }] },
      { ...good, ttlSeconds: 0 },
      { ...good, ttlSeconds: 1.5 },
      { ...good, createdAt: 'yesterday' },
      { ...good, expiresAt: 'soon' },
      { ...good, filename: 42 },
    ];
    for (const bad of bads) {
      await expectCode(() => b.importTempUpload(bad as TempUploadSnapshot), 'INVALID_INPUT');
      await expectCode(() => b.listTempSheets(good.uploadId), 'UPLOAD_NOT_FOUND');
    }
    // A damaged frame is CORRUPT_DATA, as in a session snapshot.
    await expectCode(
      () => b.importTempUpload({ ...good, sheets: [{ ...first, frame: flipped }, second] }),
      'CORRUPT_DATA',
    );
    await expectCode(() => b.listTempSheets(good.uploadId), 'UPLOAD_NOT_FOUND');
    // The same snapshot, well formed, imports.
    expect((await b.importTempUpload(good)).sheets.map((sheet) => sheet.name)).toEqual(['A', 'B']);
  });
}
