/**
 * Child process of the CSV reader benchmark: reads one CSV file, parses it with readCsv and prints
 * `{ ms, cpuMs, warmMs, rssDeltaBytes, rows }` as JSON. A fresh process per run, so its peak RSS is this
 * parse's and `ms` is a first upload (cold JIT); `warmMs` is a second parse of the same bytes.
 */
import { readFileSync } from 'node:fs';
import { readCsv } from '../../src/formats/csv-read.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: csv-child <file.csv>');
const body = readFileSync(file);
(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage().rss;
const started = performance.now();
const cpu = process.cpuUsage();
const table = readCsv(body);
const ms = performance.now() - started;
// CPU time of this thread's parse: on a machine shared with other work, wall time also counts waiting.
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
// maxRSS is in KiB and covers the whole process, so the delta is an upper bound for the parse.
const peak = process.resourceUsage().maxRSS * 1024;
const again = performance.now();
readCsv(body);
const warmMs = performance.now() - again;
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs, warmMs, rssDeltaBytes: peak - before, rows: table.numRows })}\n`,
);
