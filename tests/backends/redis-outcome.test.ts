import { StorageError } from '../../src/contract/errors.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { mapError } from '../../src/http/error-mapping.js';
import createRedisBackend from '../helpers/redis-factory.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';

/** A failure after a write may have reached Redis says so (outcome: unknown); calls end on time. */
describe('redis: honest outcomes under a frozen server', () => {
  const TIMEOUT_MS = 400;
  let server: RedisServerHandle;
  let backend: StorageBackend;

  beforeAll(async () => {
    server = await startRedisServer();
    backend = await createRedisBackend({
      REDIS_URL: server.url,
      REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS),
      LOG_LEVEL: 'silent',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.kill('SIGCONT').catch(() => undefined);
    await backend?.close();
    await server?.stop();
  });

  async function failure(call: () => Promise<unknown>): Promise<{ error: StorageError; ms: number }> {
    const started = performance.now();
    try {
      await call();
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      return { error, ms: performance.now() - started };
    }
    throw new Error('expected the call to fail');
  }

  test('a write whose commit met a frozen Redis fails within the command timeout and says its outcome is unknown', async () => {
    // Just created here: this process knows the session's state, so the write goes straight to its commit.
    const { sessionId } = await backend.createSession(makeSmallTable(2));
    await server.kill('SIGSTOP');
    try {
      const write = await failure(() => backend.addAuditEntry(sessionId, { operation: 'frozen' }));
      expect(write.error.code).toBe('BACKEND_UNAVAILABLE');
      expect(write.error.details).toMatchObject({ outcome: 'unknown' });
      expect(write.error.message).toMatch(/outcome unknown/);
      expect(write.ms).toBeLessThan(TIMEOUT_MS + 250);
      expect(mapError(write.error, (text) => text).body.error).toMatchObject({
        code: 'BACKEND_UNAVAILABLE',
        outcome: 'unknown',
      });
      const read = await failure(() => backend.getSession(sessionId));
      expect(read.error.code).toBe('BACKEND_UNAVAILABLE');
      expect(read.error.details?.outcome).toBeUndefined();
      expect(read.ms).toBeLessThan(TIMEOUT_MS + 250);
    } finally {
      await server.kill('SIGCONT');
    }
    // The frozen write ran once Redis woke up (it had reached the server): exactly one entry.
    const until = Date.now() + 5_000;
    let notes = 0;
    while (Date.now() < until) {
      try {
        notes = (await backend.getAuditLog(sessionId)).filter((entry) => entry.operation === 'frozen').length;
        if (notes > 0) break;
      } catch {
        // reconnecting
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(notes).toBeLessThanOrEqual(1);
  });

  test('a write that failed before its commit was sent says nothing about an unknown outcome, and never lands', async () => {
    const { sessionId } = await backend.createSession(makeSmallTable(2));
    // Another process knows nothing of the session: its write must load first, and the load meets the freeze.
    const other = await createRedisBackend({
      REDIS_URL: server.url,
      REDIS_COMMAND_TIMEOUT_MS: String(TIMEOUT_MS),
      LOG_LEVEL: 'silent',
    });
    await server.kill('SIGSTOP');
    try {
      const write = await failure(() => other.addAuditEntry(sessionId, { operation: 'never' }));
      expect(write.error.code).toBe('BACKEND_UNAVAILABLE');
      expect(write.error.details?.outcome).toBeUndefined();
      expect(write.ms).toBeLessThan(TIMEOUT_MS + 250);
    } finally {
      await server.kill('SIGCONT');
      await other.close();
    }
    const until = Date.now() + 5_000;
    let log: { operation: string }[] = [];
    while (Date.now() < until) {
      try {
        log = await backend.getAuditLog(sessionId);
        break;
      } catch {
        await new Promise((resolve) => setImmediate(resolve)); // reconnecting
      }
    }
    expect(log.map((entry) => entry.operation)).toEqual(['upload']);
  });
});
