import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One line of the results table. `value` is what the target is compared against. */
export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  target?: string;
  /** true/false when a target applies, undefined otherwise. */
  met?: boolean;
  extra?: Record<string, number | string>;
}

const fmt = (value: number): string =>
  Number.isFinite(value)
    ? Math.abs(value) >= 100
      ? value.toFixed(0)
      : value.toFixed(value < 1 ? 3 : 2)
    : 'n/a';

export function printTable(rows: BenchRow[]): string {
  const header = ['group', 'measure', 'value', 'unit', 'target', 'met', 'details'];
  const lines = rows.map((row) => [
    row.group,
    row.name,
    fmt(row.value),
    row.unit,
    row.target ?? '',
    row.met === undefined ? '' : row.met ? 'yes' : 'NO',
    Object.entries(row.extra ?? {})
      .map(([key, value]) => `${key}=${typeof value === 'number' ? fmt(value) : value}`)
      .join(' '),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...lines.map((line) => (line[i] ?? '').length)),
  );
  const render = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const out = [
    render(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.map(render),
  ].join('\n');
  process.stdout.write(`${out}\n`);
  return out;
}

export function writeResults(
  dir: string,
  name: string,
  rows: BenchRow[],
  meta: Record<string, unknown>,
): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  writeFileSync(join(dir, `${name}-latest.json`), `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  return file;
}

/** A row with a "≤ target" check. */
export function atMost(
  group: string,
  name: string,
  value: number,
  unit: string,
  limit: number,
  extra?: BenchRow['extra'],
): BenchRow {
  return {
    group,
    name,
    value,
    unit,
    target: `<= ${limit}`,
    met: value <= limit,
    ...(extra ? { extra } : {}),
  };
}

/** A row with a "≥ target" check. */
export function atLeast(group: string, name: string, value: number, unit: string, limit: number): BenchRow {
  return { group, name, value, unit, target: `>= ${limit}`, met: value >= limit };
}
