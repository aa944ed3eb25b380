/**
 * Child process for the TLS test: a fresh Node process (Node emits its RFC 6066 servername warning once per
 * process, and Jest's sandbox cannot see process warnings), which connects a RedisBackend, writes, reads, asks
 * for health and closes. Prints one JSON line `{ warnings, status, rows }`.
 * Run: node --import tsx tests/helpers/redis-tls-child.ts  (env: TLS_CHILD_ENV = JSON env)
 */
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';
import { makeRealisticTable } from './tables.js';

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

async function main(): Promise<void> {
  const env = JSON.parse(process.env.TLS_CHILD_ENV ?? '{}') as Record<string, string>;
  const backend = await RedisBackend.connect(loadConfig(env), { sweepIntervalMs: 0 });
  try {
    const info = await backend.createSession(makeRealisticTable(20, 3));
    const rows = (await backend.getDataFrame(info.sessionId)).numRows;
    const health = await backend.healthCheck();
    await backend.deleteSession(info.sessionId);
    // Warnings are emitted on the next tick after the socket call that caused them.
    await new Promise((resolve) => setImmediate(resolve));
    process.stdout.write(`${JSON.stringify({ warnings, status: health.status, rows })}\n`);
  } finally {
    await backend.close();
  }
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  process.exitCode = 1;
});
