import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { summarize } from '../lib/measure.js';
import type { BenchRow } from '../lib/report.js';

/**
 * Scale-out (issue 10 item 8; seed 001: 10+ instances, 10k ops/s, p95 < 50 ms): `framestore serve --workers N`
 * against one Redis or a 3-master Cluster, a mixed session workload over HTTP from this process. Each client
 * owns a session and remembers the version of its last acknowledged write; a later read (on whichever worker
 * the connection lands) that shows an older version is a stale cross-worker read. On a 2-core machine the
 * interesting figures are the ratios to N = 1, not the absolute numbers.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX_LOADER = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

type Op = 'get info' | 'get data' | 'put data' | 'post audit' | 'patch metadata';
const MIX: [Op, number][] = [
  ['get info', 0.4],
  ['get data', 0.2],
  ['put data', 0.15],
  ['post audit', 0.15],
  ['patch metadata', 0.1],
];

/** The operation at `u` in [0, 1) of the cumulative mix. */
function pickOp(u: number): Op {
  let left = u;
  for (const [op, share] of MIX) {
    left -= share;
    if (left < 0) return op;
  }
  return 'get info';
}

async function startService(
  workers: number,
  env: Record<string, string>,
): Promise<{ base: string; child: ChildProcess; stop: () => Promise<void> }> {
  const cwd = mkdtempSync(join(tmpdir(), 'framestore-scale-'));
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, MAIN, 'serve', '--port', '0', '--workers', String(workers)],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.resume();
  const deadline = Date.now() + 60_000;
  let base = '';
  while (Date.now() < deadline) {
    const lines = out.split('\n').filter((line) => line.includes('"address":"http'));
    const match = /"address":"(http:\/\/[^"]+)"/.exec(lines[0] ?? '');
    if (match && lines.length >= workers) {
      base = match[1] as string;
      break;
    }
    if (child.exitCode !== null) throw new Error(`serve exited:\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (base === '') {
    child.kill('SIGKILL');
    throw new Error(`serve --workers ${workers} did not start:\n${out}`);
  }
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(cwd, { recursive: true, force: true });
  };
  return { base, child, stop };
}

function csvBody(rows: number, seed: number): string {
  const lines = ['id,amount,city'];
  for (let i = 0; i < rows; i += 1) lines.push(`${i},${((i * 31 + seed) % 1000) / 10},c${(i + seed) % 7}`);
  return `${lines.join('\n')}\n`;
}

interface LoadResult {
  opsPerSec: number;
  latency: Map<Op, number[]>;
  stale: number;
  errors: number;
}

/** `clients` concurrent loops for `seconds`, each on its own session. */
async function runLoad(base: string, clients: number, seconds: number): Promise<LoadResult> {
  // Many connections, so requests spread over the workers (node:cluster balances per connection).
  const dispatcher = new Agent({ connections: clients, pipelining: 1 });
  const call = async (path: string, init: RequestInit & { dispatcher?: Agent } = {}) => {
    const res = await fetch(`${base}${path}`, { ...init, dispatcher } as RequestInit);
    const body = await res.text();
    return { status: res.status, body };
  };
  const latency = new Map<Op, number[]>(MIX.map(([op]) => [op, []]));
  let stale = 0;
  let errors = 0;
  let total = 0;
  const ids: string[] = [];
  for (let c = 0; c < clients; c += 1) {
    const created = await call('/sessions', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csvBody(100, c),
    });
    ids.push((JSON.parse(created.body) as { session_id: string }).session_id);
  }
  const end = Date.now() + seconds * 1000;
  const loop = async (c: number) => {
    const id = ids[c] as string;
    let acknowledged = 0;
    let seed = c;
    while (Date.now() < end) {
      seed += 1;
      const op = pickOp(((seed * 2654435761) % 1000) / 1000);
      const at = performance.now();
      let result: { status: number; body: string };
      if (op === 'get info') result = await call(`/sessions/${id}`);
      else if (op === 'get data') result = await call(`/sessions/${id}/data?format=json&limit=50`);
      else if (op === 'put data')
        result = await call(`/sessions/${id}/data?operation=edit`, {
          method: 'PUT',
          headers: { 'content-type': 'text/csv' },
          body: csvBody(100, seed),
        });
      else if (op === 'post audit')
        result = await call(`/sessions/${id}/audit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ operation: 'note', details: { n: seed } }),
        });
      else
        result = await call(`/sessions/${id}/metadata`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ step: seed }),
        });
      latency.get(op)?.push(performance.now() - at);
      total += 1;
      if (result.status >= 400) {
        errors += 1;
        continue;
      }
      if (op === 'put data') acknowledged = (JSON.parse(result.body) as { version: number }).version;
      if (op === 'get info' && (JSON.parse(result.body) as { version: number }).version < acknowledged)
        stale += 1;
    }
  };
  const started = performance.now();
  await Promise.all(ids.map((_, c) => loop(c)));
  const elapsed = (performance.now() - started) / 1000;
  await dispatcher.close();
  return { opsPerSec: total / elapsed, latency, stale, errors };
}

export async function benchScaleOut(opts: {
  stores: { name: string; env: Record<string, string> }[];
  workers: number[];
  clients: number;
  seconds: number;
}): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const store of opts.stores) {
    let baseline = 0;
    for (const workers of opts.workers) {
      const service = await startService(workers, store.env);
      try {
        const result = await runLoad(service.base, opts.clients, opts.seconds);
        if (workers === opts.workers[0]) baseline = result.opsPerSec;
        const all = [...result.latency.values()].flat();
        const overall = summarize(all);
        const extra: Record<string, number> = {
          ratio_to_1: result.opsPerSec / baseline,
          p50_ms: overall.p50,
          p95_ms: overall.p95,
          p99_ms: [...all].sort((a, b) => a - b)[Math.floor(all.length * 0.99)] ?? 0,
          stale_reads: result.stale,
          errors: result.errors,
        };
        for (const [op, samples] of result.latency) {
          const timing = summarize(samples);
          extra[`${op.replace(' ', '_')}_p95`] = timing.p95;
        }
        rows.push({
          group: `scale-out ${store.name}`,
          name: `serve --workers ${workers}, ${opts.clients} clients, mixed`,
          value: result.opsPerSec,
          unit: 'ops/s',
          target: 'stale = 0',
          met: result.stale === 0 && result.errors === 0,
          extra,
        });
      } finally {
        await service.stop();
      }
    }
  }
  return rows;
}
