import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import { uniquePrefix } from '../helpers/redis-harness.js';
import { type RedisSentinelHandle, startSentinel } from '../helpers/redis-sentinel.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeRealisticTable } from '../helpers/tables.js';

/** REDIS_SENTINELS + REDIS_SENTINEL_MASTER: the backend finds the master through Sentinel. */
describe('RedisBackend through Sentinel', () => {
  let master: RedisServerHandle;
  let sentinel: RedisSentinelHandle;
  beforeAll(async () => {
    master = await startRedisServer();
    sentinel = await startSentinel(master, 'framestore-master');
  });
  afterAll(async () => {
    await sentinel?.stop();
    await master?.stop();
  });

  test('connects via Sentinel and serves the contract operations', async () => {
    const config = loadConfig({
      REDIS_SENTINELS: sentinel.sentinelsEnv,
      REDIS_SENTINEL_MASTER: sentinel.masterName,
      REDIS_KEY_PREFIX: uniquePrefix('sentinel'),
    });
    expect(config.redis.mode).toBe('sentinel');
    const backend = await RedisBackend.connect(config, { sweepIntervalMs: 0 });
    try {
      const table = makeRealisticTable(100, 8);
      const info = await backend.createSession(table);
      await backend.updateDataFrame(info.sessionId, table.slice(0, 50), { operation: 'half' });
      await backend.undoLastChange(info.sessionId);
      assertTablesEqual(await backend.getDataFrame(info.sessionId), table);
      const health = await backend.healthCheck();
      expect(health.status).toBe('healthy');
      expect(health.redisInfo?.mode).toBe('sentinel');
    } finally {
      await backend.close();
    }
  });
});
