import type { SessionInfo, StorageBackend } from '../../src/contract/storage-backend.js';
import { makeSmallTable } from '../helpers/tables.js';
import { waitFor } from '../helpers/wait-for.js';
import { type ContractContext, expectCode } from './contract-context.js';

/** The expiry as stored, read without sliding it (exportSession does not slide). */
const storedExpiry = async (backend: StorageBackend, id: string): Promise<number> =>
  Date.parse((await backend.exportSession(id)).expiresAt);

/** Waits (bounded poll) until the clock has moved `ms` past `from`. */
const clockPast = (from: number, ms: number) =>
  waitFor(() => Date.now() >= from + ms, {
    timeoutMs: ms + 5000,
    intervalMs: 5,
    message: `${ms} ms to pass`,
  });

export function ttlTests(ctx: ContractContext): void {
  test('a session expires after its ttl: gone from reads, listings and counts', async () => {
    const b = ctx.backend;
    const info = await ctx.session(makeSmallTable(), { ttlSeconds: 1 });
    await waitFor(async () => !(await b.sessionExists(info.sessionId)), {
      timeoutMs: 10_000,
      intervalMs: 100,
      message: 'the 1 s session to expire',
    });
    await expectCode(() => b.getSession(info.sessionId), 'SESSION_NOT_FOUND');
    await expectCode(() => b.getDataFrame(info.sessionId), 'SESSION_NOT_FOUND');
    await expectCode(
      () => b.updateDataFrame(info.sessionId, makeSmallTable(), { operation: 'x' }),
      'SESSION_NOT_FOUND',
    );
    const listed = await b.listSessions({ limit: 1000 });
    expect(listed.sessions.map((s) => s.sessionId)).not.toContain(info.sessionId);
  });

  test('a shorter ttl moves the expiry earlier at once; a read brings a far expiry back to now + ttl', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session(makeSmallTable(), { ttlSeconds: 3600 });
    await b.touchSession(sessionId, 60);
    expect(Math.abs((await storedExpiry(b, sessionId)) - (Date.now() + 60_000))).toBeLessThan(5_000);
    // An import keeps the snapshot's expiry, however far (here five years).
    const far = Math.floor((Date.now() + 5 * 365 * 86_400_000) / 1000) * 1000;
    const snapshot = await b.exportSession(sessionId);
    await b.importSession({ ...snapshot, expiresAt: new Date(far).toISOString() }, { overwrite: true });
    expect(await storedExpiry(b, sessionId)).toBe(far);
    await b.getSession(sessionId);
    expect(Math.abs((await storedExpiry(b, sessionId)) - (Date.now() + 60_000))).toBeLessThan(5_000);
  });

  test('every read slides the expiry; exists, list and export do not', async () => {
    const b = ctx.backend;
    const { sessionId } = await ctx.session(makeSmallTable(), { ttlSeconds: 600 });
    const reads: [string, () => Promise<unknown>][] = [
      ['getSession', () => b.getSession(sessionId)],
      ['getDataFrame', () => b.getDataFrame(sessionId)],
      ['listVersions', () => b.listVersions(sessionId)],
      ['getVersion', () => b.getVersion(sessionId, 1)],
      ['getMetadata', () => b.getMetadata(sessionId)],
      ['getAuditLog', () => b.getAuditLog(sessionId)],
      ['getInitialRows', () => b.getInitialRows(sessionId)],
      ['getIntentionalMissing', () => b.getIntentionalMissing(sessionId)],
      ['touchSession', () => b.touchSession(sessionId)],
    ];
    for (const [name, read] of reads) {
      const before = await storedExpiry(b, sessionId);
      await clockPast(Date.now(), 60);
      await read();
      const after = await storedExpiry(b, sessionId);
      if (!(after >= before + 40))
        throw new Error(`${name} did not slide the expiry (${before} -> ${after})`);
    }
    const before = await storedExpiry(b, sessionId);
    await clockPast(Date.now(), 100);
    await b.sessionExists(sessionId);
    await b.listSessions({ limit: 1000 });
    expect(Math.abs((await storedExpiry(b, sessionId)) - before)).toBeLessThan(50);
  });

  test('reading keeps a short-ttl session alive past its ttl', async () => {
    const b = ctx.backend;
    const { sessionId, createdAt } = await ctx.session(makeSmallTable(), { ttlSeconds: 2 });
    const start = Date.parse(createdAt);
    // Read every 100 ms for 3 s: without sliding it would expire after 2 s.
    while (Date.now() < start + 3000) {
      await b.getDataFrame(sessionId);
      await clockPast(Date.now(), 100);
    }
    expect(await b.sessionExists(sessionId)).toBe(true);
  });

  test('writes slide the expiry too', async () => {
    const b = ctx.backend;
    const info: SessionInfo = await ctx.session(makeSmallTable(), { ttlSeconds: 600 });
    await clockPast(Date.parse(info.expiresAt) - 600_000, 30);
    const updated = await b.updateDataFrame(info.sessionId, makeSmallTable(4), { operation: 'edit' });
    expect(Date.parse(updated.expiresAt)).toBeGreaterThan(Date.parse(info.expiresAt));
    expect(await storedExpiry(b, info.sessionId)).toBeGreaterThan(Date.parse(info.expiresAt));
  });

  test('a temp upload expires after its ttl', async () => {
    const b = ctx.backend;
    const stored = await b.storeTempSheets({ S: makeSmallTable() }, { ttlSeconds: 1 });
    await waitFor(
      async () => {
        await expectCode(() => b.listTempSheets(stored.uploadId), 'UPLOAD_NOT_FOUND');
        return true;
      },
      { timeoutMs: 10_000, intervalMs: 100, message: 'the 1 s upload to expire' },
    );
    await expectCode(() => b.getTempSheet(stored.uploadId, 'S'), 'UPLOAD_NOT_FOUND');
    await expectCode(() => b.promoteTempSheet(stored.uploadId, 'S'), 'UPLOAD_NOT_FOUND');
  });

  test('cleanupExpired removes expired sessions and uploads and leaves live ones', async () => {
    const b = ctx.backend;
    const live = await ctx.session();
    const doomed = await ctx.session(makeSmallTable(), { ttlSeconds: 1 });
    const upload = await b.storeTempSheets({ S: makeSmallTable() }, { ttlSeconds: 1 });
    const latest = Math.max(Date.parse(doomed.expiresAt), Date.parse(upload.expiresAt));
    await clockPast(latest, 50);
    // Nothing has read them since they expired: the sweep itself removes (and counts) both.
    const removed = await b.cleanupExpired();
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(await b.sessionExists(doomed.sessionId)).toBe(false);
    expect(await b.sessionExists(live.sessionId)).toBe(true);
    await expectCode(() => b.listTempSheets(upload.uploadId), 'UPLOAD_NOT_FOUND');
    const uploads = await b.listTempUploads({ limit: 1000 });
    expect(uploads.uploads.map((u) => u.uploadId)).not.toContain(upload.uploadId);
  });

  test('ttl values are validated', async () => {
    const { sessionId } = await ctx.session();
    for (const bad of [0, -1, 1.5, '10' as unknown as number, Number.NaN]) {
      await expectCode(
        () => ctx.backend.createSession(makeSmallTable(), { ttlSeconds: bad }),
        'INVALID_INPUT',
      );
      await expectCode(() => ctx.backend.touchSession(sessionId, bad), 'INVALID_INPUT');
    }
    expect(await ctx.backend.sessionExists(sessionId)).toBe(true);
  });
}
