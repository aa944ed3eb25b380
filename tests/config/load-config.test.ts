import { ENV_VARIABLES } from '../../src/config/env-schema.js';
import { describeRedisTarget, loadConfig } from '../../src/config/load-config.js';
import { StorageError } from '../../src/contract/errors.js';

function configError(env: Record<string, string>): StorageError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof StorageError) return error;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('loadConfig', () => {
  it('gives the §5 defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      redisEnabled: false,
      fallbackToMemory: true,
      sessionTtlSeconds: 3600,
      tempTtlSeconds: 900,
      serialization: 'arrow',
      compression: 'snappy',
      maxFrameBytes: 500 * 1024 * 1024,
      maxVersions: 5,
      maxColumns: 10_000,
      storageDir: './data',
      memoryCacheMaxBytes: 512 * 1024 * 1024,
      lockTtlMs: 10_000,
      lockRetryCount: 10,
      circuitBreakerThreshold: 5,
      circuitBreakerCooldownMs: 30_000,
      migrationReadThrough: true,
      host: '127.0.0.1',
      port: 8000,
      logLevel: 'info',
    });
    expect(config.storageBackend).toBeUndefined();
    expect(config.redis).toMatchObject({
      mode: 'standalone',
      host: 'localhost',
      port: 6379,
      db: 0,
      tls: false,
      keyPrefix: 'framestore:',
      maxConnections: 50,
      connectTimeoutMs: 5000,
      commandTimeoutMs: 5000,
    });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['0', false],
    ['NO', false],
  ])('reads the loose boolean %s as %s', (raw, expected) => {
    expect(loadConfig({ REDIS_ENABLED: raw }).redisEnabled).toBe(expected);
  });

  it('accepts pyarrow as an alias of arrow', () => {
    expect(loadConfig({ SERIALIZATION_METHOD: 'pyarrow' }).serialization).toBe('arrow');
    expect(loadConfig({ SERIALIZATION_METHOD: 'json' }).serialization).toBe('json');
  });

  it('turns compression off when COMPRESSION_ENABLED=false', () => {
    expect(loadConfig({ COMPRESSION_ENABLED: 'false', COMPRESSION_CODEC: 'zstd' }).compression).toBe('none');
    expect(loadConfig({ COMPRESSION_CODEC: 'lz4' }).compression).toBe('lz4');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ REDIS_PORT: '', STORAGE_BACKEND: '  ' }).redis.port).toBe(6379);
  });

  it('names every bad variable in one CONFIG_INVALID', () => {
    const error = configError({
      REDIS_ENABLED: 'maybe',
      REDIS_PORT: '70000',
      MAX_VERSIONS: '0',
      STORAGE_BACKEND: 'postgres',
      COMPRESSION_CODEC: 'brotli',
    });
    expect(error.code).toBe('CONFIG_INVALID');
    for (const name of [
      'REDIS_ENABLED',
      'REDIS_PORT',
      'MAX_VERSIONS',
      'STORAGE_BACKEND',
      'COMPRESSION_CODEC',
    ]) {
      expect(error.message).toContain(name);
    }
    expect(error.details?.variables).toHaveLength(5);
  });

  it('lets REDIS_URL win over the parts and never echoes its password', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://alice:s3cr%40t@cache.internal:6380/2',
      REDIS_HOST: 'other',
      REDIS_PORT: '1234',
    });
    expect(config.redis).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      db: 2,
      tls: true,
      username: 'alice',
      password: 's3cr@t',
    });
    expect(describeRedisTarget(config.redis)).toBe('rediss://cache.internal:6380/2');

    const error = configError({ REDIS_URL: 'http://bob:hunter2@x:1/0', REDIS_DB: 'x' });
    expect(error.message).toContain('REDIS_URL');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses a REDIS_URL with a bad database or broken percent-encoding as CONFIG_INVALID', () => {
    expect(configError({ REDIS_URL: 'redis://h:6379/16' }).message).toContain('REDIS_URL');
    expect(configError({ REDIS_URL: 'redis://h:6379/abc' }).message).toContain('REDIS_URL');
    const broken = configError({ REDIS_URL: 'redis://:%ZZsecret@h:6379/0' });
    expect(broken.message).toContain('REDIS_URL');
    expect(broken.message).not.toContain('secret');
  });

  it('parses sentinel and cluster node lists', () => {
    const sentinel = loadConfig({
      REDIS_SENTINELS: '127.0.0.1:26379, 127.0.0.1:26380',
      REDIS_SENTINEL_MASTER: 'm',
    });
    expect(sentinel.redis.mode).toBe('sentinel');
    expect(sentinel.redis.sentinels).toEqual([
      { host: '127.0.0.1', port: 26379 },
      { host: '127.0.0.1', port: 26380 },
    ]);
    const cluster = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' });
    expect(cluster.redis.mode).toBe('cluster');
    expect(configError({ REDIS_CLUSTER_NODES: 'nonsense' }).message).toContain('REDIS_CLUSTER_NODES');
  });

  it('covers every variable of contract §5', () => {
    const contract = `REDIS_ENABLED STORAGE_BACKEND STORAGE_FALLBACK_TO_MEMORY REDIS_URL REDIS_HOST REDIS_PORT
      REDIS_DB REDIS_USERNAME REDIS_PASSWORD REDIS_TLS REDIS_SENTINELS REDIS_SENTINEL_MASTER REDIS_CLUSTER_NODES
      REDIS_KEY_PREFIX REDIS_MAX_CONNECTIONS REDIS_CONNECT_TIMEOUT_MS REDIS_COMMAND_TIMEOUT_MS
      REDIS_SESSION_TTL_SECONDS TEMP_TTL_SECONDS SERIALIZATION_METHOD COMPRESSION_ENABLED COMPRESSION_CODEC
      MAX_DATAFRAME_SIZE_MB MAX_VERSIONS MAX_COLUMNS STORAGE_DIR MEMORY_CACHE_MAX_MB LOCK_TTL_MS LOCK_RETRY_COUNT
      CIRCUIT_BREAKER_THRESHOLD CIRCUIT_BREAKER_COOLDOWN_MS MIGRATION_READ_THROUGH HOST PORT LOG_LEVEL
      API_TOKEN REDIS_WAIT_REPLICAS REDIS_WAIT_TIMEOUT_MS FRAME_CHUNK_ROWS`;
    // Beyond §5, only these project additions.
    const additions = ['REDIS_TLS_CA_FILE'];
    expect([...ENV_VARIABLES].sort()).toEqual(
      [...contract.split(/\s+/).filter(Boolean), ...additions].sort(),
    );
  });
});
