/** Timing helpers for benchmarks: medians of many samples, never a single run. */

export interface Timing {
  samples: number;
  p50: number;
  p95: number;
  min: number;
  mean: number;
}

export function summarize(samplesMs: number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    samples: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    min: sorted[0] ?? Number.NaN,
    mean: total / sorted.length,
  };
}

/** Runs `fn` `warmup` times unmeasured, then `iterations` times measured (sequentially). */
export async function timeIt(
  fn: (iteration: number) => unknown | Promise<unknown>,
  iterations: number,
  warmup = Math.min(5, iterations),
): Promise<Timing> {
  for (let i = 0; i < warmup; i += 1) await fn(i);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now();
    await fn(i);
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

/** Operations per second with `concurrency` callers sharing `total` calls. */
export async function throughput(
  fn: (i: number) => Promise<unknown>,
  total: number,
  concurrency: number,
): Promise<{ opsPerSec: number; total: number; seconds: number }> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const i = next;
      next += 1;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { opsPerSec: total / seconds, total, seconds };
}

/** Alternates createVersion and undo (each undo pops the version just made) and times both separately. */
export async function timeVersionAndUndo(
  backend: {
    createVersion(id: string, label?: string): Promise<unknown>;
    undoLastChange(id: string): Promise<unknown>;
  },
  sessionId: string,
  iterations: number,
): Promise<{ createVersion: Timing; undo: Timing }> {
  const versionSamples: number[] = [];
  const undoSamples: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    let started = performance.now();
    await backend.createVersion(sessionId, `v${i}`);
    versionSamples.push(performance.now() - started);
    started = performance.now();
    await backend.undoLastChange(sessionId);
    undoSamples.push(performance.now() - started);
  }
  return { createVersion: summarize(versionSamples), undo: summarize(undoSamples) };
}
