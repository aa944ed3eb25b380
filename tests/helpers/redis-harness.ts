import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { RedisBackend, type RedisBackendOptions } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Logger } from '../../src/logging/logger.js';
import type { RedisServerHandle } from './redis-server.js';

/** Helpers for Redis-specific tests: backends on a test server, raw inspection, captured logs. */

let prefixCounter = 0;

/** A key prefix no other test in this process uses. */
export function uniquePrefix(label: string): string {
  prefixCounter += 1;
  return `${label}${process.pid}x${prefixCounter}:`;
}

/** The env a test backend is built from (URL of the test server, a unique prefix, no logs). */
export function redisEnv(
  server: RedisServerHandle,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return { REDIS_URL: server.url, REDIS_KEY_PREFIX: uniquePrefix('t'), LOG_LEVEL: 'silent', ...overrides };
}

export function connectBackend(
  server: RedisServerHandle,
  overrides: Record<string, string> = {},
  opts: RedisBackendOptions = {},
): Promise<RedisBackend> {
  return RedisBackend.connect(loadConfig(redisEnv(server, overrides)), { sweepIntervalMs: 0, ...opts });
}

/** A plain client for looking at (and tampering with) keys directly. */
export function rawClient(server: RedisServerHandle, extra: { password?: string } = {}): Redis {
  return new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1, ...extra });
}

/** Every key of one session or upload (SCAN is fine in tests; the backend never scans the keyspace). */
export async function keysOf(client: Redis, prefix: string, id: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}{${id}}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found.sort();
}

/** Calls per command since the last CONFIG RESETSTAT (from INFO commandstats). */
export async function commandCalls(client: Redis): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls[match[1] as string] = Number(match[2]);
  return calls;
}

/** A pino logger whose every line is kept (to prove secrets never reach logs). */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

/** Milliseconds `fn` took to settle, and its error (if any). */
export async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  try {
    await fn();
    return { ms: performance.now() - started, error: undefined };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}
