/**
 * Child process for the Redis fencing test: takes the session lock, reads the frame, reports `locked`, then
 * waits for `go` on stdin (the parent SIGSTOPs it meanwhile) and tries its write. Reports JSON lines.
 * Run: node --import tsx tests/helpers/redis-lock-child.ts  (env: FENCE_ENV = JSON env, FENCE_SESSION = id)
 */
import { createInterface } from 'node:readline';
import { RedisBackend } from '../../src/backends/redis/redis-backend.js';
import { loadConfig } from '../../src/config/load-config.js';

const send = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...extra })}\n`);
};

async function main(): Promise<void> {
  const env = JSON.parse(process.env.FENCE_ENV ?? '{}') as Record<string, string>;
  const id = process.env.FENCE_SESSION ?? '';
  const backend = await RedisBackend.connect(loadConfig(env), { sweepIntervalMs: 0 });
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  await backend.withLock(id, async () => {
    const table = await backend.getDataFrame(id);
    send('locked', { rows: table.numRows });
    await lines.next();
    try {
      // Any change will do: the first row only.
      await backend.updateDataFrame(id, table.slice(0, 1), { operation: 'child_write', user: 'child' });
      send('wrote');
    } catch (error) {
      send('refused', { code: (error as { code?: string }).code ?? 'unknown' });
    }
  });
  await backend.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    send('error', { message: String(error) });
    process.exit(1);
  },
);
