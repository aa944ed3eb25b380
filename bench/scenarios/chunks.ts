import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Table, vectorFromArray } from 'apache-arrow';
import { Redis } from 'ioredis';
import { InMemoryBackend } from '../../src/backends/inmemory/inmemory-backend.js';
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { encodeFrame } from '../../src/codec/frame-codec.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { SessionSnapshot, StorageBackend } from '../../src/contract/storage-backend.js';
import { snapshotBlobs } from '../../tests/helpers/blobs.js';
import { makeRealisticTable } from '../../tests/helpers/tables.js';
import { summarize, timeIt } from '../lib/measure.js';
import { atMost, type BenchRow } from '../lib/report.js';

/**
 * Column-chunk frames (issue 9, docs/chunks.md), on one backend at one table size, all ratios from one run:
 * a one-column step against a full-table update, bytes written per step, stored bytes after 10 steps, a read
 * of chunked frames against the same table stored whole (the earlier format), and a cold partial read.
 */

type Open = (overrides?: Record<string, string>, cacheBytes?: number) => Promise<StorageBackend>;

/**
 * `table` with its first (float64) column recomputed from itself: a typical cleaning step (scale, round,
 * fill) whose result is as hard to compress as the input.
 */
function oneColumnStep(table: Table, seed: number): Table {
  const column = table.getChildAt(0)?.toArray() as Float64Array;
  const factor = 1 + (seed % 97) / 1000;
  const values = Float64Array.from(column, (value) => (Number.isFinite(value) ? value * factor : seed));
  return table.setChildAt(0, vectorFromArray(values));
}

/** The table stored whole, as before chunks: a snapshot whose current frame is one blob, imported. */
function wholeFrameSnapshot(snapshot: SessionSnapshot, bytes: Uint8Array): SessionSnapshot {
  const { currentManifest: _m, ...rest } = snapshot;
  return { ...rest, currentFrameId: 'wholeframe', history: [], redo: [], frames: { wholeframe: bytes } };
}

const storedBytes = (snapshot: SessionSnapshot): number =>
  snapshotBlobs(snapshot).reduce((sum, blob) => sum + (snapshot.frames[blob]?.byteLength ?? 0), 0);

export async function benchChunks(
  backendName: 'inmemory' | 'redis',
  open: Open,
  measureWritten: (() => Promise<number>) | undefined,
  base: Table,
  fullRuns: number,
  label: string,
  iterations: number,
): Promise<BenchRow[]> {
  const group = `chunks ${backendName} ${label}`;
  const rows: BenchRow[] = [];
  const backend = await open({ MAX_VERSIONS: '5' });
  const cold = await open({}, 0);
  try {
    const { sessionId } = await backend.createSession(base);
    // Full-table updates: every column new each time (a table never stored before), built outside the timing.
    const fullSamples: number[] = [];
    for (let k = 0; k < fullRuns; k += 1) {
      const next = makeRealisticTable(base.numRows, 50, 500 + k);
      const at = performance.now();
      await backend.updateDataFrame(sessionId, next, { operation: 'full' });
      fullSamples.push(performance.now() - at);
    }
    const full = summarize(fullSamples.slice(1));
    // One-column steps: the table is read and changed outside the timing; updateDataFrame is timed.
    const oneSamples: number[] = [];
    const getSamples: number[] = [];
    for (let i = 0; i < iterations + 2; i += 1) {
      let at = performance.now();
      const current = await backend.getDataFrame(sessionId);
      getSamples.push(performance.now() - at);
      const next = oneColumnStep(current, 1000 + i);
      at = performance.now();
      await backend.updateDataFrame(sessionId, next, { operation: 'round' });
      oneSamples.push(performance.now() - at);
    }
    const one = summarize(oneSamples.slice(2));
    const get = summarize(getSamples.slice(2));
    rows.push({ group, name: 'full-table update', value: full.p50, unit: 'ms p50' });
    rows.push({ group, name: 'one-column update', value: one.p50, unit: 'ms p50' });
    rows.push({ group, name: 'getDataFrame after own update (cache)', value: get.p50, unit: 'ms p50' });
    rows.push(atMost(group, 'one-column update / full-table update', one.p50 / full.p50, 'ratio', 0.1));

    // Stored bytes after 10 one-column steps with MAX_VERSIONS=5, against one frame.
    const fresh = await backend.createSession(base);
    const oneFrame = fresh.bytes;
    let written = 0;
    for (let step = 0; step < 10; step += 1) {
      const before = measureWritten ? await measureWritten() : 0;
      const next = oneColumnStep(await backend.getDataFrame(fresh.sessionId), step);
      await backend.updateDataFrame(fresh.sessionId, next, { operation: `s${step}` });
      if (measureWritten) written += (await measureWritten()) - before;
    }
    if (measureWritten) {
      rows.push(atMost(group, 'bytes written per one-column step', written / 10 / 1e6, 'MB', 1));
    }
    const snapshot = await backend.exportSession(fresh.sessionId);
    const stored = storedBytes(snapshot);
    rows.push(
      atMost(group, 'stored after 10 one-column steps / one frame', stored / oneFrame, 'ratio', 1.3, {
        stored_mb: stored / 1e6,
        frame_mb: oneFrame / 1e6,
        versions: snapshot.history.length,
      }),
    );

    // Uncached full read: chunked against the same table stored whole (the earlier format).
    const wholeBytes = encodeFrame(base, {
      serialization: 'arrow',
      compression: 'snappy',
      maxFrameBytes: Number.MAX_SAFE_INTEGER,
    });
    const chunkedSnap = await backend.exportSession(sessionId);
    const legacy = wholeFrameSnapshot(chunkedSnap, wholeBytes);
    legacy.sessionId = (await backend.createSession(base)).sessionId;
    await backend.importSession(legacy, { overwrite: true });
    const chunkedSession = (await backend.createSession(base)).sessionId;
    const reads = Math.max(3, Math.floor(iterations / 2));
    const chunkedRead = await timeIt(() => cold.getDataFrame(chunkedSession), reads, 1);
    const wholeRead = await timeIt(() => cold.getDataFrame(legacy.sessionId), reads, 1);
    rows.push({ group, name: 'uncached full read, chunked', value: chunkedRead.p50, unit: 'ms p50' });
    rows.push({
      group,
      name: 'uncached full read, whole frame (before)',
      value: wholeRead.p50,
      unit: 'ms p50',
    });
    rows.push(
      atMost(group, 'uncached full read chunked / whole', chunkedRead.p50 / wholeRead.p50, 'ratio', 1),
    );
    const names = base.schema.fields.map((f) => f.name);
    const columns = [names[3] as string, names[17] as string, names[40] as string];
    const partial = await timeIt(
      (i) =>
        cold.getDataFrame(chunkedSession, { columns, offset: (i * 977) % (base.numRows - 100), limit: 100 }),
      reads * 2,
      1,
    );
    rows.push({ group, name: 'cold partial read 3 columns × 100 rows', value: partial.p50, unit: 'ms p50' });
    rows.push(
      atMost(group, 'cold partial read / cold full read', partial.p50 / chunkedRead.p50, 'ratio', 0.05),
    );
  } finally {
    await cold.close();
    await backend.close();
  }
  return rows;
}

/** RSS over `cycles` update + get cycles (one-column steps) with the default cache, in a fresh process. */
export function benchChunkRss(redisUrl: string, rows: number, label: string, cycles: number): BenchRow[] {
  const child = join(dirname(fileURLToPath(import.meta.url)), 'chunk-rss-child.ts');
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', child, redisUrl, String(rows), String(cycles)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  const result = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    start: number;
    samples: number[];
    cacheHits: number;
    cacheMisses: number;
  };
  const group = `chunks rss ${label}`;
  const peak = Math.max(...result.samples);
  const half = result.samples.slice(Math.floor(result.samples.length / 2));
  return [
    atMost(group, `RSS peak over ${cycles} update+get cycles`, peak / 1e6, 'MB', 300, {
      start_mb: result.start / 1e6,
      end_mb: (result.samples.at(-1) ?? 0) / 1e6,
    }),
    {
      group,
      name: 'RSS change over the second half (steady: about 0)',
      value: ((half.at(-1) ?? 0) - (half[0] ?? 0)) / 1e6,
      unit: 'MB',
      extra: { cache_hits: result.cacheHits, cache_misses: result.cacheMisses },
    },
  ];
}

export function chunkBackends(redisUrl: string | undefined, storageDir: string) {
  const openInMemory: Open = async (overrides = {}, cacheBytes) =>
    InMemoryBackend.open(
      loadConfig({
        STORAGE_DIR: storageDir,
        LOG_LEVEL: 'silent',
        ...overrides,
        ...(cacheBytes === 0 ? { MEMORY_CACHE_MAX_MB: '0' } : {}),
      }),
    );
  const openRedis: Open | undefined =
    redisUrl === undefined
      ? undefined
      : (overrides = {}, cacheBytes) =>
          RedisBackend.connect(
            loadConfig({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: 'benchchunks:', ...overrides }),
            cacheBytes === undefined ? {} : { cacheBytes },
          );
  const raw = redisUrl === undefined ? undefined : new Redis(redisUrl);
  const redisWritten = async (): Promise<number> => {
    const info = (await raw?.info('stats')) ?? '';
    return Number(/total_net_input_bytes:(\d+)/.exec(info)?.[1] ?? 0);
  };
  return { openInMemory, openRedis, redisWritten, close: () => raw?.quit() };
}
