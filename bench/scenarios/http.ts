import type { AddressInfo } from 'node:net';
import type { Table } from 'apache-arrow';
import { tableToIPC } from 'apache-arrow';
import autocannon from 'autocannon';
import { createApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createDataManager } from '../../src/manager/create-data-manager.js';
import { atLeast, atMost, type BenchRow } from '../lib/report.js';

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** The HTTP service on one backend: /health/storage throughput and Arrow download latency (autocannon). */
export async function benchHttp(
  env: Record<string, string>,
  table: Table,
  label: string,
): Promise<BenchRow[]> {
  const group = `http ${label}`;
  const manager = await createDataManager({ env, logger: silentLogger });
  const server = createApp(manager).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const rows: BenchRow[] = [];
  try {
    const created = await fetch(`${base}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.apache.arrow.stream' },
      body: tableToIPC(table, 'stream'),
    });
    const { session_id: sessionId } = (await created.json()) as { session_id: string };

    const health = await run({ url: `${base}/health/storage`, connections: 20, duration: 5, workers: 1 });
    const healthRow: BenchRow =
      manager.getBackendType() === 'redis'
        ? atLeast(group, 'GET /health/storage', health.requests.average, 'req/s', 5000)
        : { group, name: 'GET /health/storage', value: health.requests.average, unit: 'req/s' };
    rows.push(healthRow);

    const download = await run({
      url: `${base}/sessions/${sessionId}/data`,
      headers: { accept: 'application/vnd.apache.arrow.stream' },
      connections: 1,
      duration: 5,
      workers: 1,
    });
    rows.push(atMost(group, 'GET /sessions/:id/data (Arrow, 1 conn)', download.latency.p50, 'ms p50', 15));
    return rows;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await manager.close();
  }
}
