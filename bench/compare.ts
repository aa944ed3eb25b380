/**
 * `npm run bench:compare -- --base <rev> [--only inmemory,redis] [--rounds 3]` — the same bench sections of
 * another revision and of this tree, run alternately in one invocation (base first in odd rounds, this tree
 * first in even ones), so that "now vs before" ratios come from one run on one machine state. Prints, per
 * row, the median of each side and the median of the per-round ratios (now / base, each round's pair
 * measured back to back), and writes bench/results/compare-<time>.json (+ compare-latest.json).
 *
 * The base revision is checked out into a temporary git worktree that borrows this tree's node_modules
 * (so its dependencies must still be installed here), and removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BenchRow, writeResults } from './lib/report.js';

/** One bench run may take this long before it is stopped (the whole compare is bounded by rounds × 2). */
const RUN_TIMEOUT_MS = 30 * 60 * 1000;

interface Args {
  base: string;
  only: string;
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string): string | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const base = value('--base');
  if (base === undefined)
    throw new Error('usage: npm run bench:compare -- --base <rev> [--only a,b] [--rounds N]');
  const rounds = Number(value('--rounds') ?? 3);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) throw new Error('--rounds must be 1-10');
  return { base, only: value('--only') ?? 'inmemory,redis', rounds };
}

function git(args: string[], cwd: string): string {
  const out = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${out.stderr.trim()}`);
  return out.stdout.trim();
}

/** Runs `bench/run.ts --only <sections>` in `tree` and returns the rows it wrote. */
function runBench(tree: string, only: string, log: (line: string) => void): BenchRow[] {
  const latest = join(tree, 'bench', 'results', 'bench-latest.json');
  rmSync(latest, { force: true });
  const started = performance.now();
  const out = spawnSync(join(tree, 'node_modules', '.bin', 'tsx'), ['bench/run.ts', '--only', only], {
    cwd: tree,
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0 || !existsSync(latest)) {
    throw new Error(`bench in ${tree} failed (exit ${out.status}):\n${out.stderr.slice(-2000)}`);
  }
  log(
    `  ${tree === process.cwd() ? 'now ' : 'base'} done in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  return (JSON.parse(readFileSync(latest, 'utf8')) as { rows: BenchRow[] }).rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const fmt = (value: number): string =>
  Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(Math.abs(value) < 1 ? 3 : 2);

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`[compare] ${line}\n`);
  const repo = process.cwd();
  const rev = git(['rev-parse', '--verify', `${args.base}^{commit}`], repo);
  const worktree = mkdtempSync(join(tmpdir(), 'framestore-bench-base-'));
  rmSync(worktree, { recursive: true });
  git(['worktree', 'add', '--detach', worktree, rev], repo);
  try {
    symlinkSync(resolve(repo, 'node_modules'), join(worktree, 'node_modules'), 'dir');
    const runs: { base: BenchRow[]; now: BenchRow[] }[] = [];
    for (let round = 1; round <= args.rounds; round += 1) {
      log(`round ${round}/${args.rounds} (${round % 2 === 1 ? 'base first' : 'now first'})`);
      const pair: { base?: BenchRow[]; now?: BenchRow[] } = {};
      for (const side of round % 2 === 1 ? (['base', 'now'] as const) : (['now', 'base'] as const)) {
        pair[side] = runBench(side === 'base' ? worktree : repo, args.only, log);
      }
      runs.push({ base: pair.base ?? [], now: pair.now ?? [] });
    }
    const key = (row: BenchRow) => `${row.group}\u0000${row.name}`;
    const rows: BenchRow[] = [];
    const lines: string[] = [
      `| group | measure | unit | base ${rev.slice(0, 7)} (median) | now (median) | now / base by round | median ratio |`,
      '|---|---|---|---|---|---|---|',
    ];
    for (const row of runs[0]?.now ?? []) {
      const base: number[] = [];
      const now: number[] = [];
      const ratios: number[] = [];
      for (const run of runs) {
        const b = run.base.find((other) => key(other) === key(row))?.value;
        const n = run.now.find((other) => key(other) === key(row))?.value;
        if (b === undefined || n === undefined || !Number.isFinite(b) || !Number.isFinite(n) || b === 0)
          continue;
        base.push(b);
        now.push(n);
        ratios.push(n / b);
      }
      if (ratios.length === 0) continue;
      const ratio = median(ratios);
      rows.push({
        group: row.group,
        name: row.name,
        value: ratio,
        unit: 'now/base',
        extra: { base: median(base), now: median(now), unit: row.unit, rounds: ratios.map(fmt).join(' ') },
      });
      lines.push(
        `| ${row.group} | ${row.name} | ${row.unit} | ${fmt(median(base))} | ${fmt(median(now))} | ${ratios.map(fmt).join(' · ')} | ${fmt(ratio)} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    const file = writeResults(join(repo, 'bench', 'results'), 'compare', rows, {
      base: rev,
      now: git(['rev-parse', 'HEAD'], repo),
      only: args.only,
      rounds: args.rounds,
      date: new Date().toISOString(),
    });
    log(`written ${file}`);
  } finally {
    git(['worktree', 'remove', '--force', worktree], repo);
  }
}

main();
