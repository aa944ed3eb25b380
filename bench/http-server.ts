/**
 * The HTTP service under test, in its own process so the load generator does not share its event loop.
 * Prints one JSON line `{ port, sessionId }` once it serves a 10k×50 session; exits on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/http/app.js';
import { silentLogger } from '../src/logging/logger.js';
import { createDataManager } from '../src/manager/create-data-manager.js';
import { makeRealisticTable } from '../tests/helpers/tables.js';

const manager = await createDataManager({ env: process.env, logger: silentLogger });
const server = createApp(manager).listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const { sessionId } = await manager.createSession(
  makeRealisticTable(Number(process.env.BENCH_ROWS ?? 10_000)),
);
await manager.getDataFrame(sessionId);
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, sessionId })}\n`);
process.on('SIGTERM', () => {
  server.close(() => {
    void manager.close().then(() => process.exit(0));
  });
});
