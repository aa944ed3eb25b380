import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';
import { describeRedisTarget, type RedisConfig } from '../../config/load-config.js';
import { StorageError } from '../../contract/errors.js';
import type { Logger } from '../../logging/logger.js';

/** A standalone/Sentinel connection or a Cluster: every command we use exists on both. */
export type RedisClient = Redis | Cluster;

const REDACTED = '[redacted]';

/** The secrets that must never leave this module: the password, raw and URL-encoded. */
export function secretsOf(config: RedisConfig): string[] {
  const password = config.password;
  if (password === undefined || password === '') return [];
  return [...new Set([password, encodeURIComponent(password)])].sort((a, b) => b.length - a.length);
}

/** Removes secrets and AUTH arguments from text (Redis echoes `AUTH <password>` in some replies). */
export function redact(text: string, secrets: readonly string[]): string {
  let clean = text;
  for (const secret of secrets) clean = clean.split(secret).join(REDACTED);
  return clean.replace(/\b(AUTH|HELLO\s+\d+\s+AUTH)\s+\S+(\s+\S+)?/gi, `$1 ${REDACTED}`);
}

/**
 * A fresh Error carrying only the redacted message, name, code and stack of an ioredis error.
 * ioredis attaches `command.args` (the AUTH password, ioredis #1229/#1713) and `previousErrors`; neither is copied.
 */
export function sanitizeRedisError(error: unknown, secrets: readonly string[]): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const clean = new Error(redact(source.message, secrets));
  clean.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') (clean as Error & { code?: string }).code = redact(code, secrets);
  clean.stack = redact(source.stack ?? `${source.name}: ${source.message}`, secrets);
  return clean;
}

/** Every Redis failure on a user path becomes BACKEND_UNAVAILABLE with a sanitized cause. */
export function backendUnavailable(what: string, error: unknown, secrets: readonly string[]): StorageError {
  const cause = sanitizeRedisError(error, secrets);
  return new StorageError('BACKEND_UNAVAILABLE', `${what}: ${cause.message}`, { cause });
}

// Capped at 500 ms: a Redis that is back (or a promoted replica) is found within half a second, and the
// manager's breaker probes on the 'ready' that follows (issue 10: writes back within 2 s).
const retryDelay = (times: number): number => Math.min(50 * 2 ** Math.min(times, 4), 500);

/**
 * TLS options for a connection to `host` (the standalone host when omitted). SNI (`servername`) only for a host
 * name: Node warns (RFC 6066) when it is an IP address, and a certificate for an IP is matched by its
 * subjectAltName IP without SNI anyway. Sentinel and Cluster clients share one option set for sockets to many
 * hosts, so they get no fixed servername (the certificate is still checked against each socket's host).
 */
export function tlsOptions(config: RedisConfig, host?: string): ConnectionOptions {
  const target = host ?? (config.mode === 'standalone' ? config.host : undefined);
  return {
    ...(target !== undefined && isIP(target) === 0 ? { servername: target } : {}),
    ...(config.tlsCa !== undefined ? { ca: config.tlsCa } : {}),
  };
}

/** Connection options shared by standalone, Sentinel and Cluster nodes. */
function nodeOptions(config: RedisConfig): RedisOptions {
  return {
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.tls ? { tls: tlsOptions(config) } : {}),
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    // Never park commands while disconnected: a dead Redis must fail calls now, not hang them.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Commands issued in the same tick share one socket write: many concurrent callers, few syscalls.
    enableAutoPipelining: true,
    retryStrategy: retryDelay,
    lazyConnect: true,
    // ioredis keeps a ref'd timer this long after disconnecting a socket that is already gone.
    disconnectTimeout: 500,
    connectionName: 'framestore',
  };
}

/**
 * A short-lived connection to one node (a Sentinel-announced replica, a Sentinel) for the health report: no
 * reconnects, no queueing, connect and each command bounded by `timeoutMs`. Sentinels get no data-user
 * credentials (framestore does not authenticate to Sentinels), only TLS when Redis uses it.
 */
export function createProbeClient(
  config: RedisConfig,
  node: { host: string; port: number; sentinel?: boolean },
  timeoutMs: number,
): Redis {
  const credentials = node.sentinel
    ? {}
    : {
        ...(config.username !== undefined ? { username: config.username } : {}),
        ...(config.password !== undefined ? { password: config.password } : {}),
      };
  return new Redis({
    ...credentials,
    host: node.host,
    port: node.port,
    ...(config.tls ? { tls: tlsOptions(config, node.host) } : {}),
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
    enableReadyCheck: false,
  });
}

/** An unconnected ioredis client for the configured mode (standalone, Sentinel or Cluster). */
export function createRedisClient(config: RedisConfig): RedisClient {
  if (config.mode === 'cluster') {
    const options: ClusterOptions = {
      redisOptions: nodeOptions(config),
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      lazyConnect: true,
      clusterRetryStrategy: retryDelay,
      slotsRefreshTimeout: config.connectTimeoutMs,
      maxRedirections: 16,
    };
    return new Cluster(
      config.clusterNodes.map((node) => ({ host: node.host, port: node.port })),
      options,
    );
  }
  const base = nodeOptions(config);
  if (config.mode === 'sentinel') {
    return new Redis({
      ...base,
      sentinels: config.sentinels.map((node) => ({ host: node.host, port: node.port })),
      name: config.sentinelMaster ?? 'mymaster',
      db: config.db,
      enableTLSForSentinelMode: config.tls,
      sentinelRetryStrategy: retryDelay,
    });
  }
  return new Redis({ ...base, host: config.host, port: config.port, db: config.db });
}

/** Calls `listener` each time the client is connected and ready again (after a reconnect or a Sentinel switch). */
export function onClientReady(client: RedisClient, listener: () => void): () => void {
  client.on('ready', listener);
  return () => void client.off('ready', listener);
}

/** Logs ioredis connection errors once per distinct message, redacted (ioredis prints them otherwise). */
export function attachErrorLogging(client: RedisClient, logger: Logger, secrets: readonly string[]): void {
  let last = '';
  const onError = (error: unknown) => {
    const clean = sanitizeRedisError(error, secrets);
    if (clean.message === last) return;
    last = clean.message;
    logger.warn(
      { err: { message: clean.message, code: (clean as { code?: string }).code } },
      'redis connection error',
    );
  };
  client.on('error', onError);
  if (client instanceof Cluster) client.on('node error', onError);
  client.on('ready', () => {
    last = '';
  });
}

/**
 * Connects and PINGs within REDIS_CONNECT_TIMEOUT_MS. On failure the client is disconnected (no background
 * reconnect loop is left behind) and BACKEND_UNAVAILABLE is thrown, naming the target but never credentials.
 */
export async function connectRedisClient(
  client: RedisClient,
  config: RedisConfig,
  secrets: readonly string[],
  owned = true,
): Promise<void> {
  let lastError: unknown;
  const remember = (error: unknown) => {
    lastError = error;
  };
  client.on('error', remember);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${config.connectTimeoutMs} ms`)),
      config.connectTimeoutMs,
    );
  });
  try {
    await Promise.race([
      (async () => {
        if (client.status === 'wait' || client.status === 'end') await client.connect();
        await client.ping();
      })(),
      deadline,
    ]);
  } catch (error) {
    // A caller-supplied client stays the caller's to close.
    if (owned) client.disconnect();
    const reason = isAuthError(lastError) ? lastError : (lastError ?? error);
    throw backendUnavailable(`redis unreachable at ${describeRedisTarget(config)}`, reason, secrets);
  } finally {
    clearTimeout(timer);
    client.off('error', remember);
  }
}

const isAuthError = (error: unknown): boolean =>
  error instanceof Error && /WRONGPASS|NOAUTH|invalid password|AUTH/i.test(error.message);
