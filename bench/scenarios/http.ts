import { type ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { summarize } from '../lib/measure.js';
import { atLeast, atMost, type BenchRow } from '../lib/report.js';

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function fetchBody(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { accept: 'application/vnd.apache.arrow.stream' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve(bytes));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Starts bench/http-server.ts in a child process and waits for its `{ port, sessionId }` line. */
async function startServer(
  env: Record<string, string>,
  script = 'bench/http-server.ts',
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number; sessionId: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`bench http server exited early (${code})`)));
  });
  lines.close();
  const { port, sessionId } = JSON.parse(first) as { port: number; sessionId: string };
  return { child, port, sessionId };
}

/** What this machine serves before framestore does any work: bare express 5 and bare node:http, 20 conn. */
export async function benchHttpBaselines(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of ['express', 'node'] as const) {
    const { child, port } = await startServer({}, 'bench/http-baseline-server.ts', [kind]);
    try {
      const result = await run({ url: `http://127.0.0.1:${port}/health`, connections: 20, duration: 5 });
      const name = kind === 'express' ? 'reference: bare express 5 JSON route' : 'reference: bare node:http';
      rows.push({ group: 'http reference', name, value: result.requests.average, unit: 'req/s' });
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  return rows;
}

/**
 * The HTTP service on one backend, server and load generator in separate processes (autocannon):
 * /health/storage throughput and the latency of an Arrow download of a 10k×50 session.
 */
export async function benchHttp(
  env: Record<string, string>,
  backend: 'redis' | 'inmemory',
  label: string,
): Promise<BenchRow[]> {
  const group = `http ${label}`;
  const { child, port, sessionId } = await startServer(env);
  const base = `http://127.0.0.1:${port}`;
  try {
    const health = await run({ url: `${base}/health/storage`, connections: 20, duration: 5 });
    const healthValue = health.requests.average;
    const rows: BenchRow[] = [
      backend === 'redis'
        ? atLeast(group, 'GET /health/storage, 20 conn', healthValue, 'req/s', 5000)
        : { group, name: 'GET /health/storage, 20 conn', value: healthValue, unit: 'req/s' },
    ];
    const download = await run({
      url: `${base}/sessions/${sessionId}/data`,
      headers: { accept: 'application/vnd.apache.arrow.stream' },
      connections: 1,
      duration: 5,
    });
    // autocannon parses every body in JavaScript, which dominates for a 3.6 MB response; a plain client
    // (node:http, one connection, sequential) shows what an application sees.
    rows.push({
      group,
      name: 'GET /sessions/:id/data (Arrow, autocannon 1 conn)',
      value: download.latency.p50,
      unit: 'ms p50',
    });
    const samples: number[] = [];
    for (let i = 0; i < 40; i += 1) {
      const started = performance.now();
      await fetchBody(`${base}/sessions/${sessionId}/data`);
      if (i >= 5) samples.push(performance.now() - started);
    }
    rows.push(
      atMost(group, 'GET /sessions/:id/data (Arrow, node:http client)', summarize(samples).p50, 'ms p50', 15),
    );
    return rows;
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}
