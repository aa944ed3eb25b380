import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Table } from 'apache-arrow';
import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import { timeIt, timeVersionAndUndo } from '../lib/measure.js';
import { atMost, type BenchRow } from '../lib/report.js';

/**
 * The embedded store at one table size. Targets (issue 2, 10k×50; versions and undo also at 100k):
 * LRU hit ≤ 0.5 ms, createVersion/undo ≤ 2 ms, updateDataFrame ≤ 20 ms (fsync included).
 */
export async function benchInMemory(table: Table, label: string, iterations: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'framestore-bench-'));
  const group = `inmemory ${label}`;
  const rows: BenchRow[] = [];
  try {
    const backend = await InMemoryBackend.open(loadConfig({ STORAGE_DIR: dir, MAX_VERSIONS: '5' }));
    const cold = await InMemoryBackend.open(loadConfig({ STORAGE_DIR: dir, MEMORY_CACHE_MAX_MB: '0' }));
    try {
      const create = await timeIt(
        () => backend.createSession(table),
        Math.max(3, Math.floor(iterations / 4)),
      );
      rows.push({ group, name: 'createSession', value: create.p50, unit: 'ms p50' });

      const { sessionId } = await backend.createSession(table);
      await backend.getDataFrame(sessionId);
      const hit = await timeIt(() => backend.getDataFrame(sessionId), iterations * 5);
      rows.push(atMost(group, 'getDataFrame (LRU hit)', hit.p50, 'ms p50', 0.5));
      const miss = await timeIt(() => cold.getDataFrame(sessionId), iterations);
      rows.push({ group, name: 'getDataFrame (cold)', value: miss.p50, unit: 'ms p50' });

      const update = await timeIt(
        (i) => backend.updateDataFrame(sessionId, table, { operation: `bench-${i}` }),
        iterations,
      );
      rows.push(atMost(group, 'updateDataFrame', update.p50, 'ms p50', 20));

      const versioned = await timeVersionAndUndo(backend, sessionId, iterations);
      rows.push(atMost(group, 'createVersion', versioned.createVersion.p50, 'ms p50', 2));
      rows.push(atMost(group, 'undoLastChange', versioned.undo.p50, 'ms p50', 2));
    } finally {
      await backend.close();
      await cold.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
