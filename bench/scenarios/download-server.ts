/**
 * The service for the download bench, alone in its process so its RSS is only its own.
 * Usage: download-server.ts [sessionId] — with an id, loads that frame into the cache first, collects
 * garbage (run with --expose-gc) and only then prints `{ port, rss }`, so the bench starts from a
 * settled server holding the frame. Exits on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';

const manager = await createDataManager({ env: process.env, logger: silentLogger });
const server = createApp(manager).listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const warm = process.argv[2];
if (warm !== undefined) await manager.getDataFrame(warm);
(globalThis as { gc?: () => void }).gc?.();
const port = (server.address() as AddressInfo).port;
process.stdout.write(`${JSON.stringify({ port, rss: process.memoryUsage().rss })}\n`);
process.on('SIGTERM', () => {
  server.close(() => {
    void manager.close().then(() => process.exit(0));
  });
});
