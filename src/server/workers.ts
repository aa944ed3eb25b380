import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logging/logger.js';

/**
 * `framestore serve --workers N` (node:cluster): the primary only forks and watches; every worker runs the
 * whole service on the shared port (node balances connections round-robin). Workers share nothing in
 * memory: sessions live in the store (Redis, or the embedded store's files and cross-process locks), and
 * every cache holds immutable blobs only, so any worker may serve any request.
 */

/** A worker that dies this many times within a minute is not restarted again (a crash loop, not bad luck). */
const MAX_RESTARTS_PER_MINUTE = 5;

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** Injected for tests; default process.exit. */
  exit?: (code: number) => void;
}

/**
 * Forks the workers, restarts one that crashes (bounded), and on SIGTERM/SIGINT asks every worker to drain
 * (each finishes its in-flight requests) and exits 0 once all have stopped, 1 if one failed to.
 */
export function runPrimary(opts: PrimaryOptions): void {
  const { logger } = opts;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  let failed = false;
  const restarts: number[] = [];

  // Workers that already got the signal themselves (Ctrl-C reaches the whole process group) say so; a second
  // signal would make them exit without draining.
  const draining = new Set<number>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if ((message as { framestore?: string } | null)?.framestore === 'draining') draining.add(worker.id);
    });
    return worker;
  };
  for (let i = 0; i < opts.workers; i += 1) fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0 && signal !== 'SIGTERM') failed = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) exit(failed ? 1 : 0);
      return;
    }
    const now = Date.now();
    while (restarts.length > 0 && (restarts[0] as number) < now - 60_000) restarts.shift();
    if (restarts.length >= MAX_RESTARTS_PER_MINUTE) {
      logger.error({ pid: worker.process.pid, code, signal }, 'worker keeps crashing: not restarting it');
      if (Object.keys(cluster.workers ?? {}).length === 0) exit(1);
      return;
    }
    restarts.push(now);
    logger.warn({ pid: worker.process.pid, code, signal }, 'worker exited: starting another');
    fork();
  });

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGKILL');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal, workers: Object.keys(cluster.workers ?? {}).length }, 'stopping workers');
    if (Object.keys(cluster.workers ?? {}).length === 0) exit(0);
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {}))
        if (worker !== undefined && !draining.has(worker.id)) worker.process.kill('SIGTERM');
    }, 200).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

export const isPrimary = (): boolean => cluster.isPrimary;

/** In a worker: tell the primary when a signal started this worker's drain (see runPrimary). */
export function reportDraining(): void {
  if (!cluster.isWorker) return;
  const tell = () => process.send?.({ framestore: 'draining' });
  process.on('SIGTERM', tell);
  process.on('SIGINT', tell);
}
