/**
 * Child process of the chunk RSS bench (a fresh process, so the parent's tables do not count): one Redis
 * session at `rows` × 50, `cycles` one-column update + get cycles with the default cache; prints JSON.
 * Usage: node --import tsx chunk-rss-child.ts <redis-url> <rows> <cycles>
 */
import { vectorFromArray } from 'apache-arrow';
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import { makeRealisticTable } from '../../tests/helpers/tables.js';

const [url = '', rowsArg = '10000', cyclesArg = '1000'] = process.argv.slice(2);
const rows = Number(rowsArg);
const cycles = Number(cyclesArg);
const backend = await RedisBackend.connect(
  loadConfig({ REDIS_URL: url, REDIS_KEY_PREFIX: 'benchrss:', LOG_LEVEL: 'silent' }),
);
const { sessionId } = await backend.createSession(makeRealisticTable(rows, 50, 9));
const start = process.memoryUsage().rss;
const samples: number[] = [];
for (let i = 0; i < cycles; i += 1) {
  const current = await backend.getDataFrame(sessionId);
  const values = Float64Array.from({ length: rows }, (_, r) => ((r + i) * 31) % 1009);
  await backend.updateDataFrame(sessionId, current.setChildAt(0, vectorFromArray(values)), {
    operation: 'step',
  });
  if ((i + 1) % Math.max(1, Math.floor(cycles / 20)) === 0) samples.push(process.memoryUsage().rss);
}
const stats = await backend.getStats();
await backend.deleteSession(sessionId);
await backend.close();
process.stdout.write(
  `${JSON.stringify({ start, samples, cacheHits: stats.cache?.hits ?? 0, cacheMisses: stats.cache?.misses ?? 0 })}\n`,
);
