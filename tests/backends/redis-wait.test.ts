import { Redis } from 'ioredis';
import { StorageError } from '../../src/contract/errors.js';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import createRedisBackend from '../helpers/redis-factory.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { waitFor } from '../helpers/wait-for.js';

/** REDIS_WAIT_REPLICAS: an acknowledged write is on that many replicas; fewer acknowledgements say so. */
describe('redis: synchronous replication (WAIT)', () => {
  let master: RedisServerHandle;
  const replicas: RedisServerHandle[] = [];
  const opened: StorageBackend[] = [];

  beforeAll(async () => {
    master = await startRedisServer();
    for (let i = 0; i < 2; i += 1)
      replicas.push(await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] }));
    for (const replica of replicas) {
      const client = new Redis({ host: replica.host, port: replica.port, maxRetriesPerRequest: 1 });
      try {
        await waitFor(async () => /master_link_status:up/.test(await client.info('replication')), {
          timeoutMs: 15_000,
          message: 'replica in sync',
        });
      } finally {
        client.disconnect();
      }
    }
  }, 60_000);

  afterAll(async () => {
    for (const backend of opened) await backend.close();
    for (const server of [master, ...replicas]) await server?.stop();
  });

  async function backendWaiting(
    replicasToWait: number,
    timeoutMs = 300,
    prefix = `wait${replicasToWait}:`,
  ): Promise<StorageBackend> {
    const backend = await createRedisBackend({
      REDIS_URL: master.url,
      REDIS_WAIT_REPLICAS: String(replicasToWait),
      REDIS_WAIT_TIMEOUT_MS: String(timeoutMs),
      REDIS_KEY_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    });
    opened.push(backend);
    return backend;
  }

  test('with every replica asked for, each acknowledged write is already on both replicas', async () => {
    const backend = await backendWaiting(2);
    const { sessionId } = await backend.createSession(makeSmallTable(2));
    const readers = replicas.map((r) => new Redis({ host: r.host, port: r.port, maxRetriesPerRequest: 1 }));
    try {
      for (let i = 0; i < 20; i += 1) {
        const entry = await backend.addAuditEntry(sessionId, { operation: `w${i}` });
        for (const reader of readers) {
          // Read straight after the acknowledgement, without waiting: WAIT already made it so.
          const last = await reader.lrange(`wait2:{${sessionId}}:audit`, -1, -1);
          expect(JSON.parse(last[0] ?? '{}')).toMatchObject({ seq: entry.seq, operation: `w${i}` });
        }
      }
    } finally {
      for (const reader of readers) reader.disconnect();
    }
  });

  test('a replica that cannot acknowledge makes the write fail on time, saying it is applied but not replicated', async () => {
    const backend = await backendWaiting(2, 300, 'waithalf:');
    const { sessionId } = await backend.createSession(makeSmallTable(2));
    const replica = replicas[1] as RedisServerHandle;
    await replica.kill('SIGSTOP');
    try {
      const started = performance.now();
      const error = await backend.addAuditEntry(sessionId, { operation: 'half' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      const ms = performance.now() - started;
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).code).toBe('BACKEND_UNAVAILABLE');
      expect((error as StorageError).details).toMatchObject({ outcome: 'unknown', replicas: 1, required: 2 });
      expect((error as StorageError).message).toMatch(/1 of 2 replicas/);
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(2_000);
      // It is applied on the master (and on the replica that did answer).
      const log = await backend.getAuditLog(sessionId);
      expect(log.map((e) => e.operation)).toEqual(['upload', 'half']);
      // Asking for one replica, the same write path succeeds.
      const one = await backendWaiting(1, 300, 'waithalf:');
      await expect(one.addAuditEntry(sessionId, { operation: 'one' })).resolves.toMatchObject({ seq: 3 });
    } finally {
      await replica.kill('SIGCONT');
    }
  });

  test('REDIS_WAIT_TIMEOUT_MS must stay below REDIS_COMMAND_TIMEOUT_MS (WAIT would be cut off first)', async () => {
    await expect(
      createRedisBackend({
        REDIS_URL: master.url,
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: '5000',
        REDIS_COMMAND_TIMEOUT_MS: '5000',
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
