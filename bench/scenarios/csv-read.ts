import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from '../lib/report.js';
import { makeCsvFixture } from './csv-fixture.js';

interface ChildResult {
  ms: number;
  cpuMs: number;
  warmMs: number;
  rssDeltaBytes: number;
  rows: number;
}

const child = join(import.meta.dirname, 'csv-child.ts');

function parseOnce(file: string): ChildResult {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', child, file], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildResult;
}

/**
 * readCsv time and peak RSS (above the loaded body) for CSVs of the given row counts; each run in a
 * fresh process, the median of `runs`. Targets (issue 11): 200k rows / 15 MB ≤ 1 s, RSS ≤ 4 × body.
 */
export async function benchCsvRead(rowCounts: number[], runs: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'framestore-csv-bench-'));
  const rows: BenchRow[] = [];
  try {
    for (const count of rowCounts) {
      const body = makeCsvFixture(count);
      const file = join(dir, `rows-${count}.csv`);
      writeFileSync(file, body);
      const results = Array.from({ length: runs }, () => parseOnce(file)).sort((a, b) => a.ms - b.ms);
      const median = results[Math.floor(results.length / 2)]!;
      const mb = body.length / 1024 ** 2;
      const label = `${count / 1000}k rows, ${mb.toFixed(1)} MB`;
      const timed = count === 200_000;
      rows.push({
        group: 'csv read',
        name: `${label}: parse (first, cold)`,
        value: median.ms,
        unit: 'ms',
        ...(timed ? { target: '≤ 1000', met: median.ms <= 1000 } : {}),
        extra: {
          mb_per_s: mb / (median.ms / 1000),
          cpu_ms: median.cpuMs,
          warm_ms: median.warmMs,
          rows: median.rows,
        },
      });
      const ratio = median.rssDeltaBytes / body.length;
      rows.push({
        group: 'csv read',
        name: `${label}: peak RSS above body`,
        value: ratio,
        unit: '× body',
        ...(timed ? { target: '≤ 4', met: ratio <= 4 } : {}),
        extra: { mb: median.rssDeltaBytes / 1024 ** 2 },
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
