import { RedisBackend } from './src/backends/redis/redis-backend.js';
import { loadConfig } from './src/config/load-config.js';
import { makeRealisticTable } from './tests/helpers/tables.js';
const rows = Number(process.argv[2] ?? 100000);
const b = await RedisBackend.connect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6411/0', REDIS_KEY_PREFIX: `p${Date.now()}:`, LOG_LEVEL: 'silent' }));
const { sessionId } = await b.createSession(makeRealisticTable(rows, 50, 3));
await b.updateDataFrame(sessionId, makeRealisticTable(rows, 50, 4), { operation: 'x' });
const times: Record<string, number[]> = { createVersion: [], undo: [], meta: [] };
for (let i = 0; i < 400; i++) {
  let t = performance.now();
  await b.createVersion(sessionId, `v${i}`);
  times.createVersion!.push(performance.now() - t);
  t = performance.now();
  await b.undoLastChange(sessionId);
  times.undo!.push(performance.now() - t);
  t = performance.now();
  await b.getMetadata(sessionId);
  times.meta!.push(performance.now() - t);
}
for (const [k, v] of Object.entries(times)) { v.sort((a, b) => a - b); console.log(k, v[v.length >> 1]!.toFixed(3)); }
await b.close();
