/**
 * Searches for Arrow bodies that take plain `tableFromIPC` down (heap exhaustion, a hang), each one in a
 * child process with a 256 MB heap so this machine survives. Writes what it finds to fixtures/.
 * Usage: npx tsx tests/fuzz/find-arrow-crashers.ts [seed] [runs]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutate, prng, seedBodies } from './arrow-mutate.js';

const seed = Number(process.argv[2] ?? 20261201);
const runs = Number(process.argv[3] ?? 300);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'fixtures');
mkdirSync(out, { recursive: true });
console.log(`seed ${seed}, ${runs} runs`);

// The child reads the body from stdin and exits 0 (table) or 1 (a thrown error): anything else is a crash.
const child = `
const { tableFromIPC } = require('apache-arrow');
const chunks = []; process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  try { const t = tableFromIPC(Buffer.concat(chunks)); for (const c of t.schema.fields) t.getChild(c.name)?.toArray(); process.exit(0); }
  catch { process.exit(1); }
});`;

const rng = prng(seed);
const bodies = seedBodies();
let found = 0;
for (let run = 0; run < runs; run++) {
  const body = mutate(bodies[run % bodies.length]!, rng);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--max-old-space-size=256', '-e', child], {
    input: body,
    timeout: 10_000,
    encoding: 'utf8',
  });
  const ms = Date.now() - started;
  const crashed = result.status !== 0 && result.status !== 1;
  if (crashed || ms > 3000) {
    const why = result.signal ?? (/heap out of memory/i.test(result.stderr) ? 'oom' : `exit ${result.status}`);
    const name = `mutant-${seed}-${run}.arrow`;
    writeFileSync(join(out, name), body);
    console.log(`${name}: ${body.length} bytes, ${why}, ${ms} ms`);
    found++;
  }
}
console.log(`${found} crashers in ${runs} runs`);
