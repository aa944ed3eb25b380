import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get, request } from 'node:http';
import { createInterface } from 'node:readline';
import { summarize } from '../lib/measure.js';
import { atMost, type BenchRow } from '../lib/report.js';
import { realisticCsv } from './download-csv.js';

const MB = 1024 * 1024;
const SERVER = 'bench/scenarios/download-server.ts';
const FORMATS = [
  ['arrow', 'application/vnd.apache.arrow.stream'],
  ['json', 'application/json'],
  ['csv', 'text/csv'],
] as const;

interface Started {
  child: ChildProcess;
  port: number;
}

/** Starts the download server (its own process, --expose-gc) and waits for its `{ port }` line. */
async function startServer(env: Record<string, string>, script: string, warm?: string): Promise<Started> {
  const args = ['--expose-gc', '--import', 'tsx', script, ...(warm ? [warm] : [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`download bench server exited early (${code})`)));
  });
  lines.close();
  return { child, port: (JSON.parse(first) as { port: number }).port };
}

async function stop({ child }: Started): Promise<void> {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** VmRSS / VmHWM of a process in bytes (Linux /proc). */
function procMemory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Resets the kernel's peak-RSS counter so VmHWM afterwards is the peak of what follows. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function upload(port: number, csv: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/sessions?filename=bench.csv',
        headers: { 'content-type': 'text/csv' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () =>
          res.statusCode === 201
            ? resolve((JSON.parse(text) as { session_id: string }).session_id)
            : reject(new Error(`upload failed ${res.statusCode}: ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(csv);
  });
}

/** Downloads into nothing (counting), so the client's memory is not the server's problem. */
function fetchCounting(
  port: number,
  path: string,
  accept: string,
): Promise<{ bytes: number; chunks: number }> {
  return new Promise((resolve, reject) => {
    get({ port, host: '127.0.0.1', path, headers: { accept }, agent: false }, (res) => {
      let bytes = 0;
      let chunks = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        chunks += 1;
      });
      res.on('end', () =>
        res.statusCode === 200 ? resolve({ bytes, chunks }) : reject(new Error(`GET ${res.statusCode}`)),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** Pings /health/live one after another until `done` resolves; returns every latency in ms. */
async function pingLive(port: number, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const latencies: number[] = [];
  while (!finished && latencies.length < 100_000) {
    const started = performance.now();
    await fetchCounting(port, '/health/live', 'application/json');
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/**
 * Peak RSS of the service while it answers one download of a CSV-sized session, per format. The session
 * is uploaded through the API by one server; each format is then measured in a fresh server over the
 * same STORAGE_DIR that already holds the frame in its cache, so the growth is the download's alone.
 * Meanwhile /health/live is pinged back to back: its p99 shows whether the download starves the loop.
 */
export async function benchDownloads(opts: {
  rows: number;
  storageDir: string;
  script?: string;
}): Promise<BenchRow[]> {
  const script = opts.script ?? SERVER;
  const env = { STORAGE_BACKEND: 'inmemory', STORAGE_DIR: opts.storageDir };
  const csv = realisticCsv(opts.rows);
  const seed = await startServer(env, script);
  let sessionId: string;
  try {
    sessionId = await upload(seed.port, csv);
  } finally {
    await stop(seed);
  }
  const group = `download ${opts.rows / 1000}k rows (${(csv.length / MB).toFixed(1)} MB CSV)`;
  const rows: BenchRow[] = [];
  let arrowBytes = 0;
  for (const [format, accept] of FORMATS) {
    const server = await startServer(env, script, sessionId);
    try {
      const pid = server.child.pid!;
      const exactPeak = resetPeak(pid);
      const before = procMemory(pid).rss;
      let sampled = before;
      const sampler = setInterval(() => {
        sampled = Math.max(sampled, procMemory(pid).rss);
      }, 5);
      const started = performance.now();
      const body = fetchCounting(server.port, `/sessions/${sessionId}/data`, accept);
      const live = await pingLive(server.port, body);
      const { bytes, chunks } = await body;
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      const peak = Math.max(sampled, exactPeak ? procMemory(pid).hwm : 0);
      if (format === 'arrow') arrowBytes = bytes;
      const growth = (peak - before) / MB;
      const extra = {
        peak_mb: peak / MB,
        idle_mb: before / MB,
        seconds,
        body_mb: bytes / MB,
        chunks,
        frame_mb: arrowBytes / MB,
        live_p95_ms: summarize(live).p95,
        live_max_ms: Math.max(...live),
      };
      const name = `GET data as ${format}: RSS growth (peak − idle, frame cached)`;
      rows.push(
        format === 'arrow'
          ? { group, name, value: growth, unit: 'MB', extra }
          : { ...atMost(group, name, growth, 'MB', Number(((2 * arrowBytes) / MB).toFixed(1))), extra },
      );
    } finally {
      await stop(server);
    }
  }
  return rows;
}
