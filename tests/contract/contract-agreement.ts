import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';
import { type ContractContext, expectCode } from './contract-context.js';
import { deferred } from './contract-locks.js';

/**
 * Cases where a differential run (the same random calls on the embedded store and on Redis, results compared)
 * found the stores disagreeing, each with the decision of docs/semantics.md. Every backend runs these.
 */
export function agreementTests(ctx: ContractContext): void {
  const bad = 'x\uD800'; // a lone surrogate: no UTF-8 form

  test('every string a user stores must be well-formed text: INVALID_INPUT, and nothing changes', async () => {
    const b = ctx.backend;
    const table = makeSmallTable(3);
    await expectCode(() => b.createSession(table, { filename: bad }), 'INVALID_INPUT');
    await expectCode(() => b.createSession(table, { metadata: { [bad]: 1 } }), 'INVALID_INPUT');
    await expectCode(() => b.createSession(table, { user: bad }), 'INVALID_INPUT');
    const { sessionId: id } = await b.createSession(table, { metadata: { kept: 1 }, filename: 'ok 😀.csv' });
    await expectCode(() => b.updateMetadata(id, { [bad]: 1 }), 'INVALID_INPUT');
    await expectCode(() => b.updateMetadata(id, { k: ['fine', { deep: bad }] }), 'INVALID_INPUT');
    await expectCode(() => b.updateDataFrame(id, table, { operation: 'op', user: bad }), 'INVALID_INPUT');
    await expectCode(() => b.updateDataFrame(id, table, { operation: bad }), 'INVALID_INPUT');
    await expectCode(
      () => b.addAuditEntry(id, { operation: 'note', details: { why: bad } }),
      'INVALID_INPUT',
    );
    await expectCode(() => b.createVersion(id, bad), 'INVALID_INPUT');
    await expectCode(
      () => b.markIntentionalMissing(id, { row: 0, column: 'id', reason: bad }),
      'INVALID_INPUT',
    );
    await expectCode(() => b.storeTempSheets({ A: table }, { filename: bad }), 'INVALID_INPUT');
    const snapshot = await b.exportSession(id);
    const audit = snapshot.audit.map((entry) => ({ ...entry, user: bad }));
    await expectCode(() => b.importSession({ ...snapshot, audit }, { overwrite: true }), 'INVALID_INPUT');
    await expectCode(
      () => b.importSession({ ...snapshot, metadata: { [bad]: 1 } }, { overwrite: true }),
      'INVALID_INPUT',
    );
    // Nothing of that reached the session; a surrogate pair (a well-formed astral character) is fine.
    expect(await b.getMetadata(id)).toEqual({ kept: 1 });
    expect(await b.getSession(id)).toMatchObject({ version: 1, filename: 'ok 😀.csv' });
    expect((await b.getAuditLog(id)).map((entry) => entry.operation)).toEqual(['upload']);
    expect(await b.getIntentionalMissing(id)).toEqual([]);
  });

  test('an empty filename is no filename: on sessions, uploads, and the session promoted from a sheet', async () => {
    const b = ctx.backend;
    const other = await ctx.create();
    const info = await b.createSession(makeSmallTable(2), { filename: '' });
    expect(info).not.toHaveProperty('filename');
    expect(await other.getSession(info.sessionId)).not.toHaveProperty('filename');
    expect(await b.exportSession(info.sessionId)).not.toHaveProperty('filename');
    const upload = await b.storeTempSheets({ A: makeSmallTable(2) }, { filename: '' });
    expect(upload).not.toHaveProperty('filename');
    expect(await other.listTempSheets(upload.uploadId)).not.toHaveProperty('filename');
    const promoted = await b.promoteTempSheet(upload.uploadId, 'A', { filename: '' });
    expect(promoted.filename).toBe('A');
  });

  test('an empty cursor is malformed on both listings', async () => {
    await expectCode(() => ctx.backend.listSessions({ cursor: '' }), 'INVALID_INPUT');
    await expectCode(() => ctx.backend.listTempUploads({ cursor: '' }), 'INVALID_INPUT');
  });

  test('a made-up cursor is malformed on both listings, whatever store it imitates', async () => {
    const forged = [
      'c1:../x',
      'c1:',
      'c1:not an id',
      '[0,""]',
      '[-5,"zz"]',
      '[1e300,"x"]',
      '{}',
      'garbage',
    ].map((text) => Buffer.from(text).toString('base64url'));
    for (const cursor of [...forged, '%%%']) {
      await expectCode(() => ctx.backend.listSessions({ cursor }), 'INVALID_INPUT');
      await expectCode(() => ctx.backend.listTempUploads({ cursor }), 'INVALID_INPUT');
    }
  });

  test('a change refused by a session rule still counts as an access: the expiry slides as for a read', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session(makeSmallTable(2), { ttlSeconds: 600 });
    const stored = async () => Date.parse((await b.exportSession(sessionId)).expiresAt);
    const refusals: [string, () => Promise<unknown>][] = [
      ['undo with nothing to undo', () => b.undoLastChange(sessionId)],
      [
        'a stale expectedVersion',
        () => b.updateDataFrame(sessionId, makeSmallTable(3), { operation: 'x', expectedVersion: 99 }),
      ],
      ['a mark outside the frame', () => b.markIntentionalMissing(sessionId, { row: 9, column: 'id' })],
    ];
    for (const [name, refused] of refusals) {
      const before = await stored();
      const at = Date.now();
      await waitFor(() => Date.now() >= at + 60, { intervalMs: 5 });
      await expect(refused()).rejects.toThrow();
      const after = await stored();
      if (!(after >= before + 40))
        throw new Error(`${name} did not slide the expiry (${before} -> ${after})`);
    }
  });

  test('withLock options are checked before anything runs, in a nested withLock too', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session();
    let ran = 0;
    const fn = async () => {
      ran += 1;
    };
    for (const opts of [null, [], 'x']) {
      await expectCode(() => b.withLock(sessionId, fn, opts as never), 'INVALID_INPUT');
    }
    await expectCode(
      () => b.withLock(sessionId, () => b.withLock(sessionId, fn, { ttlMs: 1 })),
      'INVALID_INPUT',
    );
    expect(ran).toBe(0);
  });

  test('imported marks are served like any others: sorted by cell; a cell listed twice is INVALID_INPUT', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session(makeSmallTable(3));
    await b.markIntentionalMissingBatch(sessionId, [
      { row: 2, column: 'id' },
      { row: 0, column: 'name', reason: 'r' },
      { row: 0, column: 'id' },
    ]);
    const snapshot = await b.exportSession(sessionId);
    const shuffled = [...snapshot.marks].reverse();
    await b.importSession({ ...snapshot, marks: shuffled }, { overwrite: true });
    expect(await b.getIntentionalMissing(sessionId)).toEqual(snapshot.marks);
    const twice = [...snapshot.marks, { ...snapshot.marks[0]!, reason: 'again' }];
    await expectCode(
      () => b.importSession({ ...snapshot, marks: twice }, { overwrite: true }),
      'INVALID_INPUT',
    );
    expect(await b.getIntentionalMissing(sessionId)).toEqual(snapshot.marks);
  });

  test('inside withLock the holder may delete a session and import it again; the lock is free afterwards', async () => {
    const b = ctx.backend;
    const other = await ctx.create();
    for (const overwrite of [false, true]) {
      const { sessionId } = await ctx.session(makeSmallTable(2));
      const snapshot = await b.exportSession(sessionId);
      await b.withLock(sessionId, async () => {
        expect(await b.deleteSession(sessionId)).toBe(true);
        await b.importSession(snapshot, { overwrite });
      });
      expect((await b.getSession(sessionId)).rows).toBe(2);
      expect(await other.withLock(sessionId, async () => 'free', { retryCount: 0 })).toBe('free');
    }
  });

  test('a listing gives a cursor only while another live entry remains', async () => {
    // A namespace of its own (another folder, another key prefix): only these entries are listed.
    const dir =
      ctx.harness.env().STORAGE_DIR === undefined ? undefined : await makeTempDir('framestore-pages-');
    const own: StorageBackend = await ctx.create(
      dir === undefined ? { REDIS_KEY_PREFIX: `pages${Date.now().toString(36)}:` } : { STORAGE_DIR: dir },
    );
    try {
      const short = await Promise.all(
        [1, 2, 3].map(() => own.createSession(makeSmallTable(1), { ttlSeconds: 1 })),
      );
      const uploads = await Promise.all(
        [1, 2, 3].map(() => own.storeTempSheets({ A: makeSmallTable(1) }, { ttlSeconds: 1 })),
      );
      await own.createSession(makeSmallTable(1));
      await own.createSession(makeSmallTable(1));
      await own.storeTempSheets({ A: makeSmallTable(1) });
      await waitFor(async () => !(await own.sessionExists(short[2]!.sessionId)), {
        timeoutMs: 10_000,
        intervalMs: 50,
        message: 'the 1 s sessions to expire',
      });
      await waitFor(async () => (await own.listTempUploads()).uploads.length === 1, {
        timeoutMs: 10_000,
        intervalMs: 50,
        message: 'the 1 s uploads to expire',
      });
      expect(uploads).toHaveLength(3);
      for (const limit of [1, 2]) {
        const sessions = await own.listSessions({ limit });
        expect(sessions.sessions).toHaveLength(limit);
        expect(sessions.cursor !== undefined).toBe(limit === 1);
        if (sessions.cursor !== undefined) {
          const next = await own.listSessions({ limit, cursor: sessions.cursor });
          expect(next.sessions).toHaveLength(1);
          expect(next.cursor).toBeUndefined();
        }
      }
      const page = await own.listTempUploads({ limit: 1 });
      expect(page.uploads).toHaveLength(1);
      expect(page.cursor).toBeUndefined();
    } finally {
      if (dir !== undefined) await removeTempDir(dir);
    }
  });

  test('a write that waits for a lock held elsewhere gives up with the same error as withLock', async () => {
    const b = ctx.backend;
    const other = await ctx.create({ LOCK_RETRY_COUNT: '1' });
    const { sessionId } = await ctx.session();
    const entered = deferred();
    const held = deferred();
    const holder = b.withLock(sessionId, async () => {
      entered.resolve();
      await held.promise;
    });
    await entered.promise;
    try {
      const error = await expectCode(
        () => other.addAuditEntry(sessionId, { operation: 'note' }),
        'LOCK_TIMEOUT',
      );
      expect(error.message).toBe(
        `session ${sessionId} is locked by another writer; gave up after 2 attempts`,
      );
      expect(error.details).toEqual({ attempts: 2 });
    } finally {
      held.resolve();
      await holder;
    }
  });

  test('importing over a live session without overwrite says how to replace it', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session();
    const snapshot = await b.exportSession(sessionId);
    const stale = await expectCode(() => b.importSession(snapshot), 'STALE_WRITE');
    expect(stale.message).toBe(`session ${sessionId} already exists; pass overwrite to replace it`);
    const upload = await b.storeTempSheets({ A: makeSmallTable(1) });
    const uploadSnapshot = await b.exportTempUpload(upload.uploadId);
    const again = await expectCode(() => b.importTempUpload(uploadSnapshot), 'STALE_WRITE');
    expect(again.message).toBe(`upload ${upload.uploadId} already exists; pass overwrite to replace it`);
  });
}
