import KeyvRedis, { Keyv } from '@keyv/redis';
import type { Table } from 'apache-arrow';
import { Redis } from 'ioredis';
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { encodeFrame } from '../../src/codec/frame-codec.js';
import { loadConfig } from '../../src/config/load-config.js';
import { throughput, timeIt, timeVersionAndUndo } from '../lib/measure.js';
import { atLeast, atMost, type BenchRow } from '../lib/report.js';

/** Rows as plain objects, the way a naive cache stores a table (BigInt made JSON-safe). */
function tableToJsonRows(table: Table): Record<string, unknown>[] {
  return table.toArray().map((row) => {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row.toJSON())) {
      plain[key] = typeof value === 'bigint' ? Number(value) : value;
    }
    return plain;
  });
}

/**
 * RedisBackend at one table size, with two references measured in the same run:
 * the floor (raw SET/GET of the same stored bytes) and the naive peer (keyv + @keyv/redis, JSON rows).
 */
export async function benchRedis(
  redisUrl: string,
  table: Table,
  label: string,
  iterations: number,
  withPeers: boolean,
): Promise<BenchRow[]> {
  const group = `redis ${label}`;
  const rows: BenchRow[] = [];
  const config = loadConfig({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `bench${label.replace(/\W/g, '')}:` });
  const backend = await RedisBackend.connect(config);
  // Same store, no decoded-table cache: every read fetches and decodes the frame (a new worker's first read).
  const uncached = await RedisBackend.connect(config, { cacheBytes: 0 });
  const raw = new Redis(redisUrl);
  try {
    const { sessionId } = await backend.createSession(table);
    const get = await timeIt(() => uncached.getDataFrame(sessionId), iterations);
    rows.push(atMost(group, 'getDataFrame (fetch + decode)', get.p50, 'ms p50', 10));
    const hit = await timeIt(() => backend.getDataFrame(sessionId), iterations);
    rows.push(atMost(group, 'getDataFrame (decoded-table cache hit)', hit.p50, 'ms p50', 10));
    const update = await timeIt(
      (i) => backend.updateDataFrame(sessionId, table, { operation: `b${i}` }),
      iterations,
    );
    rows.push(atMost(group, 'updateDataFrame', update.p50, 'ms p50', 14));

    const versioned = await timeVersionAndUndo(backend, sessionId, iterations);
    rows.push(atMost(group, 'createVersion', versioned.createVersion.p50, 'ms p50', 2));
    rows.push(atMost(group, 'undoLastChange', versioned.undo.p50, 'ms p50', 1));

    if (!withPeers) return rows;

    const stored = encodeFrame(table, {
      serialization: 'arrow',
      compression: 'snappy',
      maxFrameBytes: 2 ** 31,
    });
    const floorSet = await timeIt(() => raw.set('bench:floor', stored), iterations);
    const floorGet = await timeIt(() => raw.getBuffer('bench:floor'), iterations);
    rows.push({
      group,
      name: 'floor: raw SET of stored bytes',
      value: floorSet.p50,
      unit: 'ms p50',
      extra: { bytes: stored.byteLength },
    });
    rows.push({ group, name: 'floor: raw GET of stored bytes', value: floorGet.p50, unit: 'ms p50' });

    const keyv = new Keyv({ store: new KeyvRedis(redisUrl), namespace: 'benchpeer' });
    try {
      const jsonRows = tableToJsonRows(table);
      const peerIterations = Math.max(3, Math.floor(iterations / 3));
      const peerSet = await timeIt(() => keyv.set('peer', tableToJsonRows(table)), peerIterations);
      const peerGet = await timeIt(() => keyv.get('peer'), peerIterations);
      rows.push({
        group,
        name: 'keyv+JSON store',
        value: peerSet.p50,
        unit: 'ms p50',
        extra: { rows: jsonRows.length },
      });
      rows.push({ group, name: 'keyv+JSON load', value: peerGet.p50, unit: 'ms p50' });
      rows.push(atLeast(group, 'store speed-up vs keyv+JSON', peerSet.p50 / update.p50, 'x', 15));
      rows.push(atLeast(group, 'load speed-up vs keyv+JSON', peerGet.p50 / get.p50, 'x', 15));
    } finally {
      await keyv.disconnect();
    }

    const small = await backend.createSession(table.slice(0, 10));
    const metadataOps = await throughput(() => backend.getMetadata(small.sessionId), 20_000, 50);
    rows.push(atLeast(group, 'getMetadata, 50 concurrent', metadataOps.opsPerSec, 'ops/s', 50_000));
    const auditOps = await throughput(
      (i) => backend.addAuditEntry(small.sessionId, { operation: 'bench', details: { i } }),
      20_000,
      50,
    );
    rows.push(atLeast(group, 'addAuditEntry, 50 concurrent', auditOps.opsPerSec, 'ops/s', 40_000));
    // The floor beside them: plain commands at the same concurrency on an auto-pipelined client.
    const pipelined = new Redis(redisUrl, { enableAutoPipelining: true });
    try {
      await pipelined.hset('bench:floor:hash', 'a', '1');
      const hgetall = await throughput(() => pipelined.hgetall('bench:floor:hash'), 20_000, 50);
      rows.push({
        group,
        name: 'floor: plain HGETALL, 50 concurrent',
        value: hgetall.opsPerSec,
        unit: 'ops/s',
      });
      const rpush = await throughput((i) => pipelined.rpush('bench:floor:list', String(i)), 20_000, 50);
      rows.push({ group, name: 'floor: plain RPUSH, 50 concurrent', value: rpush.opsPerSec, unit: 'ops/s' });
    } finally {
      pipelined.disconnect();
    }
    return rows;
  } finally {
    raw.disconnect();
    await uncached.close();
    await backend.close();
  }
}
