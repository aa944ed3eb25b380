/**
 * Child process of find-arrow-crashers.ts: reads one Arrow body from stdin with tableFromIPC (after
 * validateArrowIpc with `--validated`) and touches every column. Exit 0: a table; 1: a thrown error.
 */
import { tableFromIPC } from 'apache-arrow';
import { validateArrowIpc } from '../../src/codec/arrow-validate.js';

const chunks: Buffer[] = [];
process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
process.stdin.on('end', () => {
  const started = performance.now();
  // The parent reads the parse time from stdout (startup time is not the body's fault).
  process.on('exit', () => process.stdout.write(String(Math.round(performance.now() - started))));
  try {
    const body = Buffer.concat(chunks);
    if (process.argv.includes('--validated'))
      validateArrowIpc(body, { maxColumns: 10_000, maxBytes: 500 * 1024 * 1024 });
    const table = tableFromIPC(body);
    for (const field of table.schema.fields) table.getChild(field.name)?.toArray();
    process.exit(0);
  } catch {
    process.exit(1);
  }
});
