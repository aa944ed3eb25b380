import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { backendUnavailable, sanitizeRedisError } from '../../src/backends/redis/redis-client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { StorageError } from '../../src/contract/errors.js';
import { capturingLogger, connectBackend, redisEnv, timed } from '../helpers/redis-harness.js';
import { freePort, type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { waitFor } from '../helpers/wait-for.js';

/** Connection behaviour: dead and hung servers fail fast with BACKEND_UNAVAILABLE; passwords never leak. */

const CONNECT_TIMEOUT_MS = 700;
const COMMAND_TIMEOUT_MS = 400;
/** Scheduling slack on a busy 2-core machine. */
const SLACK_MS = 1500;

function expectUnavailable(error: unknown): StorageError {
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).code).toBe('BACKEND_UNAVAILABLE');
  return error as StorageError;
}

/** Every text an error could show: message, stack, causes, and a deep inspect of all own properties. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth += 1) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    parts.push(inspect(current, { depth: 10, showHidden: true }));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('RedisBackend connection', () => {
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  test('a dead port fails with BACKEND_UNAVAILABLE within REDIS_CONNECT_TIMEOUT_MS', async () => {
    const port = await freePort();
    const env = {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    };
    const { ms, error } = await timed(() => RedisBackend.connect(loadConfig(env)));
    const failure = expectUnavailable(error);
    expect(failure.message).toContain(`127.0.0.1:${port}`);
    expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
  });

  test('a SIGSTOPped server fails connect within REDIS_CONNECT_TIMEOUT_MS', async () => {
    await server.kill('SIGSTOP');
    try {
      const env = redisEnv(server, { REDIS_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS) });
      const { ms, error } = await timed(() => RedisBackend.connect(loadConfig(env)));
      expectUnavailable(error);
      expect(ms).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
    } finally {
      await server.kill('SIGCONT');
    }
  });

  test('calls on a server that hangs after connect fail within REDIS_COMMAND_TIMEOUT_MS, then recover', async () => {
    const backend = await connectBackend(server, { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) });
    try {
      const { sessionId } = await backend.createSession(makeSmallTable());
      await server.kill('SIGSTOP');
      try {
        for (const call of [() => backend.getSession(sessionId), () => backend.getDataFrame(sessionId)]) {
          const { ms, error } = await timed(call);
          expectUnavailable(error);
          expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
        }
        const health = await backend.healthCheck();
        expect(health.status).toBe('unhealthy');
        expect(health.redisInfo?.connected).toBe(false);
      } finally {
        await server.kill('SIGCONT');
      }
      await waitFor(async () => (await backend.getSession(sessionId)).version === 1, { timeoutMs: 10_000 });
    } finally {
      await backend.close();
    }
  });

  test('calls on a killed server fail at once (no offline queue) and work again after a restart', async () => {
    const backend = await connectBackend(server, { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) });
    try {
      await server.kill('SIGKILL');
      const { ms, error } = await timed(() => backend.createSession(makeSmallTable()));
      expectUnavailable(error);
      expect(ms).toBeLessThan(COMMAND_TIMEOUT_MS + SLACK_MS);
      await server.restart();
      const info = await waitFor(() => backend.createSession(makeSmallTable()), { timeoutMs: 15_000 });
      expect(info.version).toBe(1);
    } finally {
      await backend.close();
    }
  });

  test('an existing ioredis client is used as given and left open by close()', async () => {
    const client = new Redis({ host: server.host, port: server.port });
    try {
      const backend = await RedisBackend.connect(loadConfig(redisEnv(server)), {
        client,
        sweepIntervalMs: 0,
      });
      const { sessionId } = await backend.createSession(makeSmallTable());
      expect(await backend.sessionExists(sessionId)).toBe(true);
      await backend.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });
});

describe('test helper', () => {
  test('a missing redis-server fails with the install hint (a failing test, never a skip)', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedisServer()).rejects.toThrow('apt-get install -y redis-server');
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('RedisBackend passwords', () => {
  const PASSWORD = 'corr3ct-Horse-Battery';
  const WRONG = 'Wr0ng-Secret-Passw0rd';
  let server: RedisServerHandle;
  beforeAll(async () => {
    server = await startRedisServer({ args: ['--requirepass', PASSWORD] });
  });
  afterAll(async () => {
    await server.stop();
  });

  test('the right password (in REDIS_URL) connects', async () => {
    const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/0`;
    const backend = await RedisBackend.connect(loadConfig({ ...redisEnv(server), REDIS_URL: url }));
    try {
      const health = await backend.healthCheck();
      expect(health.status).toBe('healthy');
      expect(JSON.stringify(health)).not.toContain(PASSWORD);
    } finally {
      await backend.close();
    }
  });

  for (const [label, env] of [
    ['REDIS_URL', (port: number) => ({ REDIS_URL: `redis://user:${WRONG}@127.0.0.1:${port}/0` })],
    [
      'REDIS_PASSWORD',
      (port: number) => ({
        REDIS_URL: '',
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(port),
        REDIS_PASSWORD: WRONG,
      }),
    ],
  ] as const) {
    test(`a wrong password (${label}) is BACKEND_UNAVAILABLE and never appears in the error or logs`, async () => {
      const { logger, lines } = capturingLogger();
      const config = loadConfig({
        ...redisEnv(server),
        ...env(server.port),
        REDIS_CONNECT_TIMEOUT_MS: '1500',
      });
      const { error } = await timed(() => RedisBackend.connect(config, { logger }));
      const failure = expectUnavailable(error);
      expect(failure.message).toMatch(/WRONGPASS|NOAUTH|auth/i);
      expect(everythingIn(failure)).not.toContain(WRONG);
      expect(everythingIn(failure)).not.toContain(encodeURIComponent(WRONG));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(WRONG);
    });
  }

  test('ioredis errors carry AUTH arguments (ioredis #1229, #1713); sanitized errors do not', async () => {
    const client = new Redis({ host: server.host, port: server.port, password: PASSWORD });
    try {
      const raw = await client.call('AUTH', 'someone', WRONG).catch((error: unknown) => error);
      // The hazard is real: the raw error holds the password in `command.args`.
      expect(inspect(raw, { depth: 5 })).toContain(WRONG);
      const clean = sanitizeRedisError(raw, [WRONG]);
      expect(clean.message).toMatch(/WRONGPASS/);
      expect(everythingIn(clean)).not.toContain(WRONG);
      const wrapped = backendUnavailable('redis auth failed', raw, [WRONG]);
      expect(everythingIn(wrapped)).not.toContain(WRONG);
    } finally {
      client.disconnect();
    }
  });
});
