import path from 'node:path';
import { StorageError } from '../../src/contract/errors.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.js';
import { makeSmallTable } from '../helpers/tables.js';
import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';
import { testEnv } from '../migration/migration-fixtures.js';

jest.setTimeout(60_000);

/**
 * Faults between the service and a real Redis, through the fault proxy: a half-open link (black hole) and a
 * storm of connection resets, under a writer. Each write is an audit entry on one session, so the log counts
 * exactly what was applied: every acknowledged write is there (none lost), and nothing beyond the acknowledged
 * plus the ones whose outcome was reported unknown (none applied twice). No call outlives the command timeout
 * by more than 250 ms.
 */
const COMMAND_TIMEOUT_MS = 500;
const FAULT_MS = 2000;

let root: string;
let server: RedisServerHandle;
let proxy: FaultProxy;
let manager: DataManager;

beforeAll(async () => {
  root = await makeTempDir('fs-proxy-faults-');
  server = await startRedisServer();
  proxy = await startFaultProxy(server.port);
  manager = await createDataManager({
    env: {
      ...testEnv(path.join(root, 'manager')),
      LOG_LEVEL: process.env.FS_LOG ?? 'silent',
      REDIS_ENABLED: 'true',
      REDIS_URL: proxy.url,
      STORAGE_FALLBACK_TO_MEMORY: 'false',
      REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
    },
  });
}, 60_000);
afterAll(async () => {
  await manager?.close();
  await proxy?.close();
  await server?.stop();
  await removeTempDir(root);
});

interface Tally {
  acknowledged: number;
  unknown: number;
  refused: number;
  longestMs: number;
  /** ms from the end of the fault to the first acknowledged write after it. */
  recoveryMs?: number;
}

/** Writes audit entries `label` one after another while `fault` runs, then until one lands after it. */
async function writeThrough(id: string, label: string, fault: () => Promise<void>): Promise<Tally> {
  const tally: Tally = { acknowledged: 0, unknown: 0, refused: 0, longestMs: 0 };
  let faultOverAt: number | undefined;
  const faultDone = fault().then(() => {
    faultOverAt = performance.now();
  });
  const deadline = performance.now() + FAULT_MS + 20_000;
  while (performance.now() < deadline) {
    const at = performance.now();
    try {
      await manager.addAuditEntry(id, { operation: label });
      tally.acknowledged += 1;
      if (faultOverAt !== undefined) {
        tally.recoveryMs = performance.now() - faultOverAt;
        break;
      }
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      expect(error.code).toBe('BACKEND_UNAVAILABLE');
      if (error.details?.outcome === 'unknown') tally.unknown += 1;
      else tally.refused += 1;
      // An open circuit answers at once: do not spin on it.
      await new Promise((resolve) => setTimeout(resolve, 5));
    } finally {
      tally.longestMs = Math.max(tally.longestMs, performance.now() - at);
    }
  }
  await faultDone;
  return tally;
}

async function applied(id: string, label: string): Promise<number> {
  await waitFor(async () => manager.getCircuitState() === 'closed', {
    timeoutMs: 10_000,
    message: 'circuit closed',
  });
  return (await manager.getAuditLog(id)).filter((entry) => entry.operation === label).length;
}

function report(name: string, tally: Tally, entries: number): void {
  console.log(
    `${name}: ${tally.acknowledged} acknowledged, ${entries - tally.acknowledged} unknown-outcome writes applied ` +
      `(of ${tally.unknown}), ${tally.refused} refused, lost ${Math.max(0, tally.acknowledged - entries)}; ` +
      `recovery ${tally.recoveryMs?.toFixed(0)} ms after the fault; longest call ${tally.longestMs.toFixed(0)} ms`,
  );
}

test('a half-open link (black hole for 2 s, the old connection never answers again): calls end on time, acknowledged writes all land once, writes resume at once after', async () => {
  const { sessionId } = await manager.createSession(makeSmallTable(2));
  const tally = await writeThrough(sessionId, 'half-open', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200));
    proxy.setBlackhole(true);
    await new Promise((resolve) => setTimeout(resolve, FAULT_MS));
    proxy.setBlackhole(false);
  });
  const entries = await applied(sessionId, 'half-open');
  report('half-open', tally, entries);
  expect(tally.unknown + tally.refused).toBeGreaterThan(0); // the fault was felt
  expect(entries).toBeGreaterThanOrEqual(tally.acknowledged);
  expect(entries).toBeLessThanOrEqual(tally.acknowledged + tally.unknown);
  expect(tally.longestMs).toBeLessThanOrEqual(COMMAND_TIMEOUT_MS + 250);
  expect(tally.recoveryMs).toBeDefined();
  expect(tally.recoveryMs!).toBeLessThanOrEqual(2000);
});

test('a reset storm (every connection reset every 50 ms for 2 s): nothing lost, nothing applied twice, writes resume after', async () => {
  const { sessionId } = await manager.createSession(makeSmallTable(2));
  const tally = await writeThrough(sessionId, 'storm', async () => {
    const end = performance.now() + FAULT_MS;
    while (performance.now() < end) {
      proxy.resetAll();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  const entries = await applied(sessionId, 'storm');
  report('reset storm', tally, entries);
  expect(entries).toBeGreaterThanOrEqual(tally.acknowledged);
  expect(entries).toBeLessThanOrEqual(tally.acknowledged + tally.unknown);
  expect(tally.longestMs).toBeLessThanOrEqual(COMMAND_TIMEOUT_MS + 250);
  expect(tally.recoveryMs).toBeDefined();
  expect(tally.recoveryMs!).toBeLessThanOrEqual(2000);
});
