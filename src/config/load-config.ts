import { StorageError } from '../contract/errors.js';
import { ENV_VARIABLES, envSchema, type ParsedEnv } from './env-schema.js';

export type CompressionCodec = 'snappy' | 'zstd' | 'gzip' | 'lz4' | 'none';
export type SerializationMethod = 'arrow' | 'json';

export interface HostPort {
  host: string;
  port: number;
}

/** Where and how to reach Redis. `password` is the only secret; never log this object whole. */
export interface RedisConfig {
  mode: 'standalone' | 'sentinel' | 'cluster';
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
  /** PEM CA certificates from REDIS_TLS_CA_FILE: Redis connections then trust exactly these (Node's `ca`). */
  tlsCa?: string;
  sentinels: HostPort[];
  sentinelMaster?: string;
  clusterNodes: HostPort[];
  keyPrefix: string;
  maxConnections: number;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** After each write, wait until this many replicas have it (0: do not wait). */
  waitReplicas: number;
  /** How long a write waits for those replicas. */
  waitTimeoutMs: number;
}

export interface FramestoreConfig {
  redisEnabled: boolean;
  storageBackend?: 'redis' | 'inmemory';
  fallbackToMemory: boolean;
  redis: RedisConfig;
  sessionTtlSeconds: number;
  tempTtlSeconds: number;
  serialization: SerializationMethod;
  compression: CompressionCodec;
  maxFrameBytes: number;
  maxVersions: number;
  /** MAX_COLUMNS: columns any input may have, checked before its body is parsed. */
  maxColumns: number;
  /** FRAME_CHUNK_ROWS: rows per column chunk of a stored frame (docs/chunks.md). */
  frameChunkRows: number;
  storageDir: string;
  memoryCacheMaxBytes: number;
  lockTtlMs: number;
  lockRetryCount: number;
  circuitBreakerThreshold: number;
  circuitBreakerCooldownMs: number;
  migrationReadThrough: boolean;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** API_TOKEN: when set, the HTTP API asks for `Authorization: Bearer <token>` (never logged). */
  apiToken?: string;
}

const MB = 1024 * 1024;

/**
 * Validates the environment (§5) and returns the typed config.
 * Throws one CONFIG_INVALID naming every bad variable; values are never echoed (they may be secrets).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): FramestoreConfig {
  // Only our variables, and an empty value means "unset" (the usual .env convention).
  const input: Record<string, string> = {};
  for (const name of ENV_VARIABLES) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') input[name] = value;
  }
  const parsed = envSchema.safeParse(input);
  if (!parsed.success) {
    const problems = new Map<string, string>();
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'environment');
      if (!problems.has(name)) problems.set(name, issue.message);
    }
    const list = [...problems].map(([name, why]) => `${name} (${why})`).join('; ');
    throw new StorageError('CONFIG_INVALID', `invalid configuration: ${list}`, {
      details: { variables: [...problems.keys()] },
    });
  }
  const config = toConfig(parsed.data);
  // A CA file without TLS is a deployment mistake that would otherwise be ignored silently.
  if (config.redis.tlsCa !== undefined && !config.redis.tls) {
    throw new StorageError(
      'CONFIG_INVALID',
      'invalid configuration: REDIS_TLS_CA_FILE (set, but TLS is off: use rediss:// or REDIS_TLS=true)',
      { details: { variables: ['REDIS_TLS_CA_FILE'] } },
    );
  }
  // WAIT blocks its command: the command timeout would cut it off and report a lost connection instead.
  const { waitReplicas, waitTimeoutMs, commandTimeoutMs } = config.redis;
  if (waitReplicas > 0 && waitTimeoutMs >= commandTimeoutMs) {
    throw new StorageError(
      'CONFIG_INVALID',
      'invalid configuration: REDIS_WAIT_TIMEOUT_MS (must be below REDIS_COMMAND_TIMEOUT_MS when REDIS_WAIT_REPLICAS is set)',
      { details: { variables: ['REDIS_WAIT_TIMEOUT_MS'] } },
    );
  }
  return config;
}

function toConfig(env: ParsedEnv): FramestoreConfig {
  return {
    redisEnabled: env.REDIS_ENABLED,
    ...(env.STORAGE_BACKEND ? { storageBackend: env.STORAGE_BACKEND } : {}),
    fallbackToMemory: env.STORAGE_FALLBACK_TO_MEMORY,
    redis: toRedisConfig(env),
    sessionTtlSeconds: env.REDIS_SESSION_TTL_SECONDS,
    tempTtlSeconds: env.TEMP_TTL_SECONDS,
    serialization: env.SERIALIZATION_METHOD as SerializationMethod,
    compression: env.COMPRESSION_ENABLED ? env.COMPRESSION_CODEC : 'none',
    maxFrameBytes: Math.floor(env.MAX_DATAFRAME_SIZE_MB * MB),
    maxVersions: env.MAX_VERSIONS,
    maxColumns: env.MAX_COLUMNS,
    frameChunkRows: env.FRAME_CHUNK_ROWS,
    storageDir: env.STORAGE_DIR,
    memoryCacheMaxBytes: Math.floor(env.MEMORY_CACHE_MAX_MB * MB),
    lockTtlMs: env.LOCK_TTL_MS,
    lockRetryCount: env.LOCK_RETRY_COUNT,
    circuitBreakerThreshold: env.CIRCUIT_BREAKER_THRESHOLD,
    circuitBreakerCooldownMs: env.CIRCUIT_BREAKER_COOLDOWN_MS,
    migrationReadThrough: env.MIGRATION_READ_THROUGH,
    host: env.HOST,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    ...(env.API_TOKEN !== undefined ? { apiToken: env.API_TOKEN } : {}),
  };
}

const parseHostPort = (value: string): HostPort => {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at), port: Number(value.slice(at + 1)) };
};

function toRedisConfig(env: ParsedEnv): RedisConfig {
  const config: RedisConfig = {
    mode: env.REDIS_CLUSTER_NODES ? 'cluster' : env.REDIS_SENTINELS ? 'sentinel' : 'standalone',
    host: env.REDIS_HOST,
    port: env.REDIS_PORT,
    db: env.REDIS_DB,
    tls: env.REDIS_TLS,
    sentinels: (env.REDIS_SENTINELS ?? []).map(parseHostPort),
    clusterNodes: (env.REDIS_CLUSTER_NODES ?? []).map(parseHostPort),
    keyPrefix: env.REDIS_KEY_PREFIX,
    maxConnections: env.REDIS_MAX_CONNECTIONS,
    connectTimeoutMs: env.REDIS_CONNECT_TIMEOUT_MS,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    waitReplicas: env.REDIS_WAIT_REPLICAS,
    waitTimeoutMs: env.REDIS_WAIT_TIMEOUT_MS,
  };
  if (env.REDIS_USERNAME !== undefined) config.username = env.REDIS_USERNAME;
  if (env.REDIS_PASSWORD !== undefined) config.password = env.REDIS_PASSWORD;
  if (env.REDIS_TLS_CA_FILE !== undefined) config.tlsCa = env.REDIS_TLS_CA_FILE.pem;
  if (env.REDIS_SENTINEL_MASTER !== undefined) config.sentinelMaster = env.REDIS_SENTINEL_MASTER;
  // REDIS_URL wins over the parts (§5).
  if (env.REDIS_URL) applyRedisUrl(config, env.REDIS_URL);
  return config;
}

function applyRedisUrl(config: RedisConfig, raw: string): void {
  const url = new URL(raw);
  config.tls = url.protocol === 'rediss:';
  config.host = url.hostname.replace(/^\[|\]$/g, '') || config.host;
  config.port = url.port ? Number(url.port) : 6379;
  if (url.username) config.username = decodeURIComponent(url.username);
  if (url.password) config.password = decodeURIComponent(url.password);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '') config.db = Number(db);
}

/** A printable description of the Redis target: host, port, db, mode — never credentials. */
export function describeRedisTarget(redis: RedisConfig): string {
  if (redis.mode === 'cluster')
    return `cluster ${redis.clusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (redis.mode === 'sentinel')
    return `sentinel ${redis.sentinelMaster ?? 'mymaster'}@${redis.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  return `${redis.tls ? 'rediss' : 'redis'}://${redis.host}:${redis.port}/${redis.db}`;
}
