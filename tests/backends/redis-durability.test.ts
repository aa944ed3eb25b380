import type { Redis } from 'ioredis';
import type { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { isStorageError } from '../../src/contract/errors.js';
import { connectBackend, rawClient } from '../helpers/redis-harness.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Durability with `appendonly yes` + `appendfsync always`: every acknowledged write survives `kill -9`, and
 * a session caught mid-write is whole or absent (Lua scripts land in the AOF as one transaction).
 */

const SESSIONS = 4;
const UPDATES = 5;

interface Expected {
  id: string;
  version: number;
  rows: number;
  audit: string[];
  marks: number;
  metadata: Record<string, unknown>;
}

describe('RedisBackend durability', () => {
  let server: RedisServerHandle;
  let raw: Redis;
  let backend: RedisBackend;
  beforeAll(async () => {
    server = await startRedisServer({ appendonly: true });
    raw = rawClient(server);
    // Small chunks so that in-flight writes also include multi-chunk frames.
    backend = await connectBackend(
      server,
      { REDIS_COMMAND_TIMEOUT_MS: '2000' },
      { chunkBytes: 8 * 1024, cacheBytes: 0 },
    );
  });
  afterAll(async () => {
    await backend.close();
    raw.disconnect();
    await server.stop();
  });

  /** Asserts that a session is whole: state, every frame, every version, audit and marks readable. */
  async function expectWhole(id: string): Promise<void> {
    const info = await backend.getSession(id);
    const table = await backend.getDataFrame(id);
    expect(table.numRows).toBe(info.rows);
    for (const version of await backend.listVersions(id)) {
      expect((await backend.getVersion(id, version.version)).numRows).toBe(version.rows);
    }
    const audit = await backend.getAuditLog(id);
    expect(audit.map((e) => e.seq)).toEqual(audit.map((_, i) => i + 1));
    await backend.getIntentionalMissing(id);
  }

  test('acknowledged updates, marks and audit entries survive kill -9; in-flight sessions are whole or absent', async () => {
    const expected: Expected[] = [];
    for (let s = 0; s < SESSIONS; s += 1) {
      const info = await backend.createSession(makeSmallTable(2), { metadata: { s } });
      const entry: Expected = {
        id: info.sessionId,
        version: 1,
        rows: 2,
        audit: ['upload'],
        marks: 0,
        metadata: { s },
      };
      for (let k = 1; k <= UPDATES; k += 1) {
        const next = await backend.updateDataFrame(entry.id, makeSmallTable(2 + k), {
          operation: `edit_${k}`,
        });
        entry.version = next.version;
        entry.rows = next.rows;
        entry.audit.push(`edit_${k}`);
        await backend.addAuditEntry(entry.id, { operation: `note_${k}` });
        entry.audit.push(`note_${k}`);
        await backend.markIntentionalMissing(entry.id, { row: k, column: 'score', reason: `r${k}` });
        entry.marks += 1;
      }
      await backend.updateMetadata(entry.id, { done: true });
      entry.metadata = { s, done: true };
      expected.push(entry);
    }

    // Writers still running when the server dies: their last call may or may not have been applied.
    let stop = false;
    const inFlight = new Set<string>();
    const writer = async (seed: number) => {
      for (let i = 0; !stop; i += 1) {
        try {
          const info = await backend.createSession(makeRealisticTable(300 + i, 12, seed + i));
          inFlight.add(info.sessionId);
          await backend.updateDataFrame(info.sessionId, makeRealisticTable(310 + i, 12, seed), {
            operation: 'w',
          });
          await backend.createVersion(info.sessionId, 'cp');
          await backend.undoLastChange(info.sessionId);
        } catch (error) {
          if (!isStorageError(error, 'BACKEND_UNAVAILABLE')) throw error;
          return;
        }
      }
    };
    const writers = [writer(100), writer(200)];
    await waitFor(() => inFlight.size >= 3, { timeoutMs: 30_000 });
    await server.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);

    await server.restart();
    await waitFor(() => backend.countSessions(), { timeoutMs: 20_000, message: 'redis back after restart' });

    for (const entry of expected) {
      const info = await backend.getSession(entry.id);
      expect(info).toMatchObject({ version: entry.version, rows: entry.rows, versionCount: 5 });
      assertTablesEqual(await backend.getDataFrame(entry.id), makeSmallTable(entry.rows));
      expect((await backend.getAuditLog(entry.id)).map((e) => e.operation)).toEqual(entry.audit);
      expect(await backend.getIntentionalMissing(entry.id)).toHaveLength(entry.marks);
      expect(await backend.getMetadata(entry.id)).toEqual(entry.metadata);
      await expectWhole(entry.id);
    }

    // Every session that exists after the crash is whole — including any the writers created unacknowledged.
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await backend.listSessions({ limit: 100, ...(cursor ? { cursor } : {}) });
      listed.push(...page.sessions.map((s) => s.sessionId));
      cursor = page.cursor;
    } while (cursor);
    for (const id of inFlight) expect(listed).toContain(id);
    for (const id of listed) await expectWhole(id);
    expect(listed.length).toBeGreaterThanOrEqual(SESSIONS + inFlight.size);
  }, 120_000);
});
