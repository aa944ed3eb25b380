import { isValidId } from '../../src/contract/ids.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { type ContractContext, expectCode, msFromNow, UNKNOWN_ID } from './contract-context.js';

const DEFAULT_TTL_MS = 3600 * 1000;

export function sessionTests(ctx: ContractContext): void {
  test('createSession returns the SessionInfo of a new session at version 1', async () => {
    const info = await ctx.session(makeSmallTable(3), { filename: 'people.csv' });
    expect(isValidId(info.sessionId)).toBe(true);
    expect(info).toMatchObject({ filename: 'people.csv', rows: 3, columns: 3, version: 1, versionCount: 0 });
    expect(info).toMatchObject({ canUndo: false, canRedo: false });
    expect(info.bytes).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(info.createdAt))).toBe(false);
    expect(info.updatedAt).toBe(info.createdAt);
    expect(Math.abs(msFromNow(info.expiresAt) - DEFAULT_TTL_MS)).toBeLessThan(60_000);
  });

  test('a session without a filename has none', async () => {
    const info = await ctx.session();
    expect(info.filename).toBeUndefined();
    expect((await ctx.backend.getSession(info.sessionId)).filename).toBeUndefined();
  });

  test('getDataFrame returns exactly the stored table (schema, types, nulls)', async () => {
    const table = makeRealisticTable(1000, 50, 7);
    const info = await ctx.session(table);
    assertTablesEqual(await ctx.backend.getDataFrame(info.sessionId), table);
    const fresh = await ctx.create();
    assertTablesEqual(await fresh.getDataFrame(info.sessionId), table);
  });

  test('an empty (0-row) table round-trips', async () => {
    const table = makeSmallTable(0);
    const info = await ctx.session(table);
    expect(info.rows).toBe(0);
    assertTablesEqual(await ctx.backend.getDataFrame(info.sessionId), table);
  });

  test('getSession, sessionExists and deleteSession', async () => {
    const info = await ctx.session();
    const got = await ctx.backend.getSession(info.sessionId);
    expect({ ...got, expiresAt: '' }).toEqual({ ...info, expiresAt: '' });
    expect(await ctx.backend.sessionExists(info.sessionId)).toBe(true);
    expect(await ctx.backend.deleteSession(info.sessionId)).toBe(true);
    expect(await ctx.backend.sessionExists(info.sessionId)).toBe(false);
    expect(await ctx.backend.deleteSession(info.sessionId)).toBe(false);
    await expectCode(() => ctx.backend.getSession(info.sessionId), 'SESSION_NOT_FOUND');
    await expectCode(() => ctx.backend.getDataFrame(info.sessionId), 'SESSION_NOT_FOUND');
  });

  test('every session method reports SESSION_NOT_FOUND for an unknown id', async () => {
    const b = ctx.backend;
    const id = UNKNOWN_ID;
    expect(await b.sessionExists(id)).toBe(false);
    expect(await b.deleteSession(id)).toBe(false);
    const calls: [string, () => Promise<unknown>][] = [
      ['getSession', () => b.getSession(id)],
      ['getDataFrame', () => b.getDataFrame(id)],
      ['updateDataFrame', () => b.updateDataFrame(id, makeSmallTable(), { operation: 'edit' })],
      ['touchSession', () => b.touchSession(id)],
      ['createVersion', () => b.createVersion(id)],
      ['listVersions', () => b.listVersions(id)],
      ['getVersion', () => b.getVersion(id, 1)],
      ['undoLastChange', () => b.undoLastChange(id)],
      ['redo', () => b.redo(id)],
      ['restoreVersion', () => b.restoreVersion(id, 1)],
      ['getMetadata', () => b.getMetadata(id)],
      ['updateMetadata', () => b.updateMetadata(id, { a: 1 })],
      ['addAuditEntry', () => b.addAuditEntry(id, { operation: 'note' })],
      ['getAuditLog', () => b.getAuditLog(id)],
      ['getInitialRows', () => b.getInitialRows(id)],
      ['markIntentionalMissing', () => b.markIntentionalMissing(id, { row: 0, column: 'id' })],
      ['markIntentionalMissingBatch', () => b.markIntentionalMissingBatch(id, [{ row: 0, column: 'id' }])],
      ['getIntentionalMissing', () => b.getIntentionalMissing(id)],
      ['clearIntentionalMissing', () => b.clearIntentionalMissing(id)],
      ['exportSession', () => b.exportSession(id)],
    ];
    for (const [name, call] of calls) {
      const error = await expectCode(call, 'SESSION_NOT_FOUND').catch((e: Error) => {
        throw new Error(`${name}: ${e.message}`);
      });
      expect(error.code).toBe('SESSION_NOT_FOUND');
    }
    expect(await b.sessionExists(id)).toBe(false);
  });

  test('updateDataFrame replaces the frame, keeps the old one as a version, and audits the change', async () => {
    const before = makeSmallTable(3);
    const after = makeSmallTable(5);
    const info = await ctx.session(before);
    const next = await ctx.backend.updateDataFrame(info.sessionId, after, {
      operation: 'fill_missing',
      details: { column: 'score' },
      user: 'ana',
    });
    expect(next).toMatchObject({ version: 2, rows: 5, versionCount: 1, canUndo: true, canRedo: false });
    expect(Date.parse(next.updatedAt)).toBeGreaterThanOrEqual(Date.parse(info.updatedAt));
    assertTablesEqual(await ctx.backend.getDataFrame(info.sessionId), after);
    const versions = await ctx.backend.listVersions(info.sessionId);
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ version: 1, operation: 'fill_missing', rows: 3, columns: 3 });
    assertTablesEqual(await ctx.backend.getVersion(info.sessionId, 1), before);
    const audit = await ctx.backend.getAuditLog(info.sessionId);
    expect(audit.at(-1)).toMatchObject({
      operation: 'fill_missing',
      details: { column: 'score' },
      user: 'ana',
      rowsBefore: 3,
      rowsAfter: 5,
    });
  });

  test('updateDataFrame with expectedVersion succeeds at that version and is STALE_WRITE otherwise', async () => {
    const info = await ctx.session(makeSmallTable(2));
    const ok = await ctx.backend.updateDataFrame(info.sessionId, makeSmallTable(4), {
      operation: 'edit',
      expectedVersion: 1,
    });
    expect(ok.version).toBe(2);
    await expectCode(
      () =>
        ctx.backend.updateDataFrame(info.sessionId, makeSmallTable(6), {
          operation: 'edit',
          expectedVersion: 1,
        }),
      'STALE_WRITE',
    );
    const now = await ctx.backend.getSession(info.sessionId);
    expect(now.version).toBe(2);
    assertTablesEqual(await ctx.backend.getDataFrame(info.sessionId), makeSmallTable(4));
  });

  test('listSessions pages through every session with an opaque cursor', async () => {
    const mine = new Set<string>();
    for (let i = 0; i < 5; i += 1) mine.add((await ctx.session()).sessionId);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ctx.backend.listSessions({ limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
      expect(page.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...page.sessions.map((s) => s.sessionId));
      cursor = page.cursor;
      pages += 1;
    } while (cursor !== undefined && pages < 1000);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of mine) expect(seen).toContain(id);
    const all = await ctx.backend.listSessions({ limit: 1000 });
    const listed = all.sessions.find((s) => mine.has(s.sessionId));
    expect(listed).toMatchObject({ version: 1, rows: 3 });
  });

  test('listSessions defaults and limit bounds', async () => {
    await ctx.session();
    const page = await ctx.backend.listSessions();
    expect(page.sessions.length).toBeGreaterThan(0);
    expect(page.sessions.length).toBeLessThanOrEqual(100);
    await expectCode(() => ctx.backend.listSessions({ limit: 0 }), 'INVALID_INPUT');
    await expectCode(() => ctx.backend.listSessions({ limit: 1001 }), 'INVALID_INPUT');
    await expectCode(() => ctx.backend.listSessions({ limit: 1.5 }), 'INVALID_INPUT');
  });

  test('countSessions counts live sessions', async () => {
    const before = await ctx.backend.countSessions();
    const a = await ctx.session();
    await ctx.session();
    expect(await ctx.backend.countSessions()).toBe(before + 2);
    await ctx.backend.deleteSession(a.sessionId);
    expect(await ctx.backend.countSessions()).toBe(before + 1);
  });

  test('createSession stores metadata and a per-session ttl', async () => {
    const info = await ctx.session(makeSmallTable(), {
      metadata: { source: 'crm', tags: ['a'] },
      ttlSeconds: 120,
    });
    expect(await ctx.backend.getMetadata(info.sessionId)).toEqual({ source: 'crm', tags: ['a'] });
    expect(Math.abs(msFromNow(info.expiresAt) - 120_000)).toBeLessThan(10_000);
  });

  test('touchSession slides the expiry and can change the ttl', async () => {
    const info = await ctx.session(makeSmallTable(), { ttlSeconds: 60 });
    const touched = await ctx.backend.touchSession(info.sessionId);
    expect(Date.parse(touched.expiresAt)).toBeGreaterThanOrEqual(Date.parse(info.expiresAt));
    const longer = await ctx.backend.touchSession(info.sessionId, 7200);
    expect(Math.abs(msFromNow(longer.expiresAt) - 7_200_000)).toBeLessThan(10_000);
    const later = await ctx.backend.getSession(info.sessionId);
    expect(Math.abs(msFromNow(later.expiresAt) - 7_200_000)).toBeLessThan(10_000);
    expect(later.version).toBe(1);
  });

  test('a new backend instance over the same storage sees the session as left', async () => {
    const info = await ctx.session(makeSmallTable(4), { filename: 'x.csv', metadata: { k: 'v' } });
    await ctx.backend.updateDataFrame(info.sessionId, makeSmallTable(6), { operation: 'edit' });
    const other = await ctx.create();
    const seen = await other.getSession(info.sessionId);
    expect(seen).toMatchObject({ version: 2, rows: 6, versionCount: 1, filename: 'x.csv' });
    assertTablesEqual(await other.getDataFrame(info.sessionId), makeSmallTable(6));
    expect(await other.getMetadata(info.sessionId)).toEqual({ k: 'v' });
  });
}
