import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import createRedisBackend from '../helpers/redis-factory.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';

/**
 * §2a: a write whose reply is lost (the connection resets after Redis ran it; ioredis resends it on
 * reconnect) is applied once, and the caller gets the first outcome.
 */
describe('redis: a write whose reply was lost is applied once', () => {
  let server: RedisServerHandle;
  let proxy: FaultProxy;
  let backend: StorageBackend;

  beforeAll(async () => {
    server = await startRedisServer();
    proxy = await startFaultProxy(server.port);
    backend = await createRedisBackend({ REDIS_URL: proxy.url, LOG_LEVEL: 'silent' });
  }, 60_000);

  afterAll(async () => {
    await backend?.close();
    await proxy?.close();
    await server?.stop();
  });

  /** Runs `call` while the proxy swallows the reply to the first request containing `marker`. */
  async function withLostReply<T>(marker: string, call: () => Promise<T>): Promise<T> {
    const swallowed = proxy.swallowNextReply((request) => request.includes(marker));
    const result = await call();
    await swallowed; // the fault really happened
    return result;
  }

  async function editedSession(): Promise<string> {
    const { sessionId } = await backend.createSession(makeSmallTable(1));
    await backend.updateDataFrame(sessionId, makeSmallTable(2), { operation: 'first' });
    await backend.updateDataFrame(sessionId, makeSmallTable(3), { operation: 'second' });
    return sessionId;
  }

  test('an update: one audit entry, version + 1, and expectedVersion is not answered STALE_WRITE', async () => {
    const id = await editedSession();
    const before = await backend.getSession(id);
    const info = await withLostReply('"operation":"lost_update"', () =>
      backend.updateDataFrame(id, makeSmallTable(4), {
        operation: 'lost_update',
        expectedVersion: before.version,
      }),
    );
    expect(info.version).toBe(before.version + 1);
    expect((await backend.getSession(id)).version).toBe(before.version + 1);
    const log = await backend.getAuditLog(id);
    expect(log.filter((entry) => entry.operation === 'lost_update')).toHaveLength(1);
  });

  test('an undo goes back one step, not two', async () => {
    const id = await editedSession();
    const info = await withLostReply('"operation":"undo"', () => backend.undoLastChange(id));
    expect(info.rows).toBe(2);
    expect((await backend.getDataFrame(id)).numRows).toBe(2);
    expect((await backend.getAuditLog(id)).filter((e) => e.operation === 'undo')).toHaveLength(1);
  });

  test('an audit entry is appended once', async () => {
    const id = await editedSession();
    const entry = await withLostReply('"operation":"lost_note"', () =>
      backend.addAuditEntry(id, { operation: 'lost_note' }),
    );
    const log = await backend.getAuditLog(id);
    expect(log.filter((e) => e.operation === 'lost_note')).toEqual([entry]);
  });

  test('a create makes one session and returns it', async () => {
    const before = await backend.countSessions();
    const info = await withLostReply('"operation":"upload"', () =>
      backend.createSession(makeSmallTable(5), { filename: 'lost.csv' }),
    );
    expect((await backend.getSession(info.sessionId)).rows).toBe(5);
    expect(await backend.countSessions()).toBe(before + 1);
  });

  test('a temp upload is stored once and its resent put is not answered STALE_WRITE', async () => {
    const before = (await backend.listTempUploads()).uploads.length;
    const info = await withLostReply('lost-book.xlsx', () =>
      backend.storeTempSheets({ A: makeSmallTable(3) }, { filename: 'lost-book.xlsx' }),
    );
    expect((await backend.listTempSheets(info.uploadId)).sheets).toEqual(info.sheets);
    expect((await backend.getTempSheet(info.uploadId, 'A')).numRows).toBe(3);
    expect((await backend.listTempUploads()).uploads).toHaveLength(before + 1);
  });
});
