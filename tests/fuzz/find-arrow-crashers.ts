/**
 * Searches for Arrow bodies that take plain `tableFromIPC` down (heap exhaustion, a hang), each one in a
 * child process with a 256 MB heap so this machine survives. Writes what it finds to fixtures/.
 * Usage: npx tsx tests/fuzz/find-arrow-crashers.ts [seed] [runs] [--validated]
 * (`--validated` runs validateArrowIpc first: then nothing may crash, and nothing is written.)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutate, prng, seedBodies } from './arrow-mutate.js';

const seed = Number(process.argv[2] ?? 20261201);
const runs = Number(process.argv[3] ?? 300);
const validated = process.argv.includes('--validated');
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'fixtures');
mkdirSync(out, { recursive: true });
console.log(`seed ${seed}, ${runs} runs`);

const childArgs = ['--max-old-space-size=256', '--import', 'tsx', join(here, 'arrow-read-child.ts')];
if (validated) childArgs.push('--validated');

const rng = prng(seed);
const bodies = seedBodies();
let found = 0;
for (let run = 0; run < runs; run++) {
  const body = mutate(bodies[run % bodies.length]!, rng);
  const started = Date.now();
  const result = spawnSync(process.execPath, childArgs, {
    input: body,
    timeout: 10_000,
    encoding: 'utf8',
  });
  const ms = result.status === 0 || result.status === 1 ? Number(result.stdout) : Date.now() - started;
  const crashed = result.status !== 0 && result.status !== 1;
  if (crashed || ms > 2000) {
    const why =
      result.signal ?? (/heap out of memory/i.test(result.stderr) ? 'oom' : `exit ${result.status}`);
    const name = `mutant-${seed}-${run}.arrow`;
    if (!validated) writeFileSync(join(out, name), body);
    console.log(`${name}: ${body.length} bytes, ${why}, ${ms} ms`);
    found++;
  }
}
console.log(`${found} crashers in ${runs} runs`);
