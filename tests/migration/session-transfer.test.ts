import fs from 'node:fs/promises';
import path from 'node:path';
import type { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { newId } from '../../src/contract/ids.js';
import { transferSession } from '../../src/transfer/session-transfer.js';
import { transferTempUpload } from '../../src/transfer/upload-transfer.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { makeRichSession, openLocal, sameUpload, sessionDiff } from './migration-fixtures.js';

/** The transfer primitive between two independent local stores (the Redis pairs run in migrate.test.ts). */
describe('transferSession', () => {
  let dirA: string;
  let dirB: string;
  let a: InMemoryBackend;
  let b: InMemoryBackend;

  beforeEach(async () => {
    dirA = await makeTempDir('fs-transfer-a-');
    dirB = await makeTempDir('fs-transfer-b-');
    a = await openLocal(dirA);
    b = await openLocal(dirB);
  });

  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await Promise.all([removeTempDir(dirA), removeTempDir(dirB)]);
  });

  test('copies everything, verifies, and a second run is identical and writes nothing', async () => {
    const id = await makeRichSession(a, makeSmallTable(6), 'copy');
    const first = await transferSession(a, b, id);
    expect(first).toMatchObject({ id, outcome: 'moved', sourceDeleted: false, dryRun: false });
    expect(first.bytes).toBeGreaterThan(0);
    expect(await sessionDiff(a, b, id)).toEqual([]);
    const info = await b.getSession(id);
    expect(info.canUndo && info.canRedo).toBe(true);
    assertTablesEqual(await b.getDataFrame(id), await a.getDataFrame(id));

    const before = await b.exportSession(id);
    const second = await transferSession(a, b, id);
    expect(second).toMatchObject({ outcome: 'identical', bytes: 0 });
    const after = await b.exportSession(id);
    // Nothing rewritten: same state, same stored frame files.
    expect({ ...after, expiresAt: '' }).toEqual({ ...before, expiresAt: '' });
    expect(await a.sessionExists(id)).toBe(true);
  });

  test('dry run reports the move and writes nothing', async () => {
    const id = await makeRichSession(a, makeSmallTable(4), 'dry');
    const result = await transferSession(a, b, id, { dryRun: true, deleteSource: true });
    expect(result).toMatchObject({ outcome: 'moved', dryRun: true, sourceDeleted: false });
    expect(result.bytes).toBeGreaterThan(0);
    expect(await b.sessionExists(id)).toBe(false);
    expect(await a.sessionExists(id)).toBe(true);
  });

  test('deleteSource removes the source only after the verified copy', async () => {
    const id = await makeRichSession(a, makeSmallTable(4), 'move');
    const snapshot = await a.exportSession(id);
    const result = await transferSession(a, b, id, { deleteSource: true });
    expect(result).toMatchObject({ outcome: 'moved', sourceDeleted: true });
    expect(await a.sessionExists(id)).toBe(false);
    expect((await b.exportSession(id)).audit).toEqual(snapshot.audit);
  });

  test('an older target copy is brought up to date; a newer one is never rolled back', async () => {
    const id = await makeRichSession(a, makeSmallTable(5), 'ages');
    await transferSession(a, b, id);
    await a.updateDataFrame(id, makeSmallTable(2), { operation: 'later_edit' });
    expect((await transferSession(a, b, id)).outcome).toBe('moved');
    expect(await sessionDiff(a, b, id)).toEqual([]);

    await b.updateDataFrame(id, makeSmallTable(1), { operation: 'edit_in_target' });
    const target = await b.exportSession(id);
    expect((await transferSession(a, b, id, { deleteSource: true })).outcome).toBe('target-newer');
    expect((await b.exportSession(id)).version).toBe(target.version);
    // The target holds everything the source had and more, so deleting the source loses nothing.
    expect(await a.sessionExists(id)).toBe(false);
  });

  test('diverged copies: reported and untouched by default, merged on request with neither side lost', async () => {
    const id = await makeRichSession(a, makeSmallTable(5), 'fork');
    await transferSession(a, b, id);
    const localEdit = makeSmallTable(9);
    await a.updateDataFrame(id, localEdit, { operation: 'edit_in_a', user: 'carol' });
    await b.updateDataFrame(id, makeSmallTable(7), { operation: 'edit_in_b' });
    const targetBefore = await b.exportSession(id);

    expect((await transferSession(a, b, id, { deleteSource: true })).outcome).toBe('conflict');
    expect((await b.exportSession(id)).version).toBe(targetBefore.version);
    expect(await a.sessionExists(id)).toBe(true);

    const merged = await transferSession(a, b, id, { conflict: 'merge', deleteSource: true });
    expect(merged).toMatchObject({ outcome: 'merged', sourceDeleted: true });
    assertTablesEqual(await b.getDataFrame(id), makeSmallTable(7));
    const versions = await b.listVersions(id);
    const attached = versions.at(-1)!;
    expect(attached.operation).toBe('conflict');
    expect(attached.label).toContain('inmemory');
    assertTablesEqual(await b.getVersion(id, attached.version), localEdit);
    const audit = await b.getAuditLog(id);
    const conflict = audit.at(-1)!;
    expect(conflict.operation).toBe('conflict');
    expect(conflict.details).toMatchObject({ source: 'inmemory', attachedVersion: attached.version });
    const since = (conflict.details as { otherAuditSinceDivergence: { operation: string }[] })
      .otherAuditSinceDivergence;
    expect(since.map((entry) => entry.operation)).toEqual(['edit_in_a']);
    expect(audit.slice(0, -1)).toEqual(targetBefore.audit);
    // One undo brings the other side's frame back.
    await b.undoLastChange(id);
    assertTablesEqual(await b.getDataFrame(id), localEdit);
  });

  test('a missing source is skipped; a damaged source frame is CORRUPT_DATA and nothing is written', async () => {
    expect((await transferSession(a, b, newId())).outcome).toBe('skipped-missing');

    const id = await makeRichSession(a, makeSmallTable(5), 'damaged');
    const framesDir = path.join(dirA, 'sessions', id, 'frames');
    const [first] = await fs.readdir(framesDir);
    const file = path.join(framesDir, first!);
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await fs.writeFile(file, bytes);
    await expect(transferSession(a, b, id, { deleteSource: true })).rejects.toMatchObject({
      code: 'CORRUPT_DATA',
    });
    expect(await b.sessionExists(id)).toBe(false);
  });

  test('rejects a malformed id before any I/O', async () => {
    await expect(transferSession(a, b, '../etc')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('transferTempUpload', () => {
  test('moves a multi-sheet upload, then finds it identical; deleteSource removes the source', async () => {
    const dirA = await makeTempDir('fs-upload-a-');
    const dirB = await makeTempDir('fs-upload-b-');
    const a = await openLocal(dirA);
    const b = await openLocal(dirB);
    try {
      const { uploadId } = await a.storeTempSheets(
        { one: makeSmallTable(2), two: makeSmallTable(3) },
        { filename: 'x.xlsx' },
      );
      expect((await transferTempUpload(a, b, uploadId)).outcome).toBe('moved');
      expect(await sameUpload(a, b, uploadId)).toBe(true);
      expect((await b.listTempSheets(uploadId)).filename).toBe('x.xlsx');
      const again = await transferTempUpload(a, b, uploadId, { deleteSource: true });
      expect(again).toMatchObject({ outcome: 'identical', sourceDeleted: true });
      await expect(a.listTempSheets(uploadId)).rejects.toMatchObject({ code: 'UPLOAD_NOT_FOUND' });
      assertTablesEqual(await b.getTempSheet(uploadId, 'two'), makeSmallTable(3));
      expect((await transferTempUpload(a, b, uploadId)).outcome).toBe('skipped-missing');
    } finally {
      await Promise.all([a.close(), b.close()]);
      await Promise.all([removeTempDir(dirA), removeTempDir(dirB)]);
    }
  });
});
