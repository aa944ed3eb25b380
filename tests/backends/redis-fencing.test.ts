import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import type { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import type { SessionInfo } from '../../src/contract/storage-backend.js';
import { expectCode } from '../contract/contract-context.js';
import { connectBackend, rawClient, redisEnv, timed } from '../helpers/redis-harness.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeSmallTable } from '../helpers/tables.js';
import { waitFor } from '../helpers/wait-for.js';

/** Locks and fencing: lease extension, waiting writers, and a holder paused past its lease. */

const LOCK_TTL_MS = 1000;
const REPO_ROOT = path.resolve(__dirname, '../..');

/** The lock child (tests/helpers/redis-lock-child.ts) with its JSON-line events. */
function startChild(env: Record<string, string>, sessionId: string) {
  const proc: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/helpers/redis-lock-child.ts'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, FENCE_ENV: JSON.stringify(env), FENCE_SESSION: sessionId },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const events: { event: string; code?: string }[] = [];
  let stderr = '';
  createInterface({ input: proc.stdout! }).on('line', (line) => events.push(JSON.parse(line)));
  proc.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const event = (name: string) =>
    waitFor(() => events.find((e) => e.event === name || e.event === 'error'), {
      timeoutMs: 60_000,
      message: `child event ${name} (${stderr.slice(-500)})`,
    });
  return { proc, event, send: (line: string) => proc.stdin!.write(`${line}\n`) };
}

describe('RedisBackend locks and fencing', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let env: Record<string, string>;
  let a: RedisBackend;
  let b: RedisBackend;
  beforeAll(async () => {
    server = await startRedisServer();
    raw = rawClient(server);
    env = redisEnv(server, { LOCK_TTL_MS: String(LOCK_TTL_MS), LOCK_RETRY_COUNT: '3' });
    a = await connectBackend(server, env);
    b = await connectBackend(server, env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    raw.disconnect();
    await server.stop();
  });

  test('the lease is extended while fn runs (3 x LOCK_TTL_MS) and exclusivity holds throughout', async () => {
    const { sessionId } = await a.createSession(makeSmallTable(2));
    let done = false;
    const holder = a.withLock(sessionId, async () => {
      const until = Date.now() + 3 * LOCK_TTL_MS;
      while (Date.now() < until) {
        expect(await raw.pttl(a.keys.lock(sessionId))).toBeGreaterThan(0);
        await expectCode(
          () => b.withLock(sessionId, async () => 'stolen', { retryCount: 0 }),
          'LOCK_TIMEOUT',
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await a.updateDataFrame(sessionId, makeSmallTable(3), { operation: 'holder' });
      done = true;
    });
    await holder;
    expect(done).toBe(true);
    expect(await raw.exists(a.keys.lock(sessionId))).toBe(0);
    expect(await b.withLock(sessionId, async () => 'free', { retryCount: 0 })).toBe('free');
  });

  test('a write outside withLock waits for the holder, and times out when it holds too long', async () => {
    const { sessionId } = await a.createSession(makeSmallTable(2));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = a.withLock(sessionId, () => held);
    await waitFor(async () => (await raw.exists(a.keys.lock(sessionId))) === 1);
    // LOCK_RETRY_COUNT=3: about 50+100+200 ms of backoff (well inside the held lease), then LOCK_TIMEOUT.
    const { error } = await timed(() =>
      b.updateDataFrame(sessionId, makeSmallTable(5), { operation: 'late' }),
    );
    expect((error as { code?: string }).code).toBe('LOCK_TIMEOUT');
    expect((await b.getSession(sessionId)).version).toBe(1);
    let released = false;
    const waiting = b
      .updateDataFrame(sessionId, makeSmallTable(6), { operation: 'patient' })
      .then((info) => ({ version: info.version, afterRelease: released }));
    // The write is queued behind the lock: a read on the same connection still sees version 1.
    expect((await b.getSession(sessionId)).version).toBe(1);
    released = true;
    release();
    await holding;
    expect(await waiting).toEqual({ version: 2, afterRelease: true });
  });

  test('a holder whose lock passed to another writer is refused (STALE_WRITE), in process', async () => {
    const { sessionId } = await a.createSession(makeSmallTable(2));
    const outcome = await a.withLock(sessionId, async () => {
      // Simulate a lapsed lease: the key vanishes and b takes the lock and commits.
      await raw.del(a.keys.lock(sessionId));
      await b.withLock(sessionId, () => b.updateDataFrame(sessionId, makeSmallTable(4), { operation: 'b' }), {
        retryCount: 0,
      });
      return timed(() => a.updateDataFrame(sessionId, makeSmallTable(9), { operation: 'a' }));
    });
    expect((outcome.error as { code?: string }).code).toBe('STALE_WRITE');
    const audit = (await a.getAuditLog(sessionId)).map((e) => e.operation);
    expect(audit).toEqual(['upload', 'b']);
  });

  test('a child paused (SIGSTOP) past LOCK_TTL_MS is fenced: STALE_WRITE, history stays linear', async () => {
    const origin = makeSmallTable(3);
    const { sessionId } = await a.createSession(origin);
    const child = startChild(env, sessionId);
    try {
      expect(await child.event('locked')).toMatchObject({ event: 'locked' });
      child.proc.kill('SIGSTOP');
      let committed: SessionInfo | undefined;
      try {
        // The paused child cannot extend its lease; once it lapses the parent gets the lock and commits.
        committed = await a.withLock(
          sessionId,
          () => a.updateDataFrame(sessionId, makeSmallTable(5), { operation: 'parent_write' }),
          { retryCount: 100, retryDelayMs: 20 },
        );
      } finally {
        child.proc.kill('SIGCONT');
      }
      expect(committed?.version).toBe(2);
      child.send('go');
      expect(await child.event('refused')).toMatchObject({ event: 'refused', code: 'STALE_WRITE' });
      const info = await a.getSession(sessionId);
      expect(info).toMatchObject({ version: 2, versionCount: 1, rows: 5 });
      const ops = (await a.getAuditLog(sessionId)).map((e) => e.operation);
      expect(ops).toEqual(['upload', 'parent_write']);
      expect((await a.listVersions(sessionId)).map((v) => v.version)).toEqual([1]);
      assertTablesEqual(await a.getVersion(sessionId, 1), origin);
      assertTablesEqual(await a.getDataFrame(sessionId), makeSmallTable(5));
    } finally {
      if (child.proc.exitCode === null && child.proc.signalCode === null) {
        const exited = new Promise((resolve) => child.proc.once('exit', resolve));
        child.proc.kill('SIGCONT');
        child.proc.kill('SIGKILL');
        await exited;
      }
    }
  }, 90_000);
});
