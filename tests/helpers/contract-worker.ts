/**
 * A child process of the contract suite: builds a backend through the harness's factory module over the same
 * storage and appends rows to a ledger session, under withLock. Talks JSON lines: stdout events, stdin commands.
 * Run with `node --import tsx tests/helpers/contract-worker.ts`; configured by CONTRACT_WORKER_* variables.
 */
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { appendToLedger } from '../contract/contract-ledger.js';

type Factory = (env: Record<string, string>) => Promise<StorageBackend>;

const setting = (name: string): string => {
  const value = process.env[`CONTRACT_WORKER_${name}`];
  if (value === undefined) throw new Error(`CONTRACT_WORKER_${name} is not set`);
  return value;
};

const send = (event: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, ...extra })}\n`);
};

// stdin lines, queued so a command sent before we wait for it is not lost.
const pending: string[] = [];
const waiters: ((line: string) => void)[] = [];
createInterface({ input: process.stdin }).on('line', (line) => {
  const waiter = waiters.shift();
  if (waiter) waiter(line);
  else pending.push(line);
});
const nextLine = (): Promise<string> => {
  const line = pending.shift();
  return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => waiters.push(resolve));
};

const LOCK = { retryCount: 500, retryDelayMs: 10 };

async function appendOnce(backend: StorageBackend, id: string, writer: string, step: number): Promise<void> {
  const table = await backend.getDataFrame(id);
  await backend.updateDataFrame(id, appendToLedger(table, writer, step), {
    operation: 'append',
    user: writer,
  });
}

async function main(): Promise<void> {
  const factory = (await import(pathToFileURL(setting('FACTORY')).href)).default as Factory;
  const backend = await factory(JSON.parse(setting('ENV')) as Record<string, string>);
  const id = setting('SESSION');
  const writer = setting('NAME');
  const mode = setting('MODE');
  send('ready');
  if (mode === 'append') {
    await nextLine();
    const steps = Number(setting('K'));
    for (let step = 1; step <= steps; step += 1) {
      await backend.withLock(id, () => appendOnce(backend, id, writer, step), LOCK);
    }
    send('done');
  } else if (mode === 'hold') {
    await backend.withLock(
      id,
      async () => {
        send('locked');
        await nextLine();
        try {
          await appendOnce(backend, id, writer, 1);
          send('wrote');
        } catch (error) {
          send('refused', { code: (error as { code?: string }).code ?? 'unknown' });
        }
      },
      LOCK,
    );
  } else if (mode === 'loop') {
    // Runs until killed: the crash test kills it at a random point of a write.
    for (let step = 1; ; step += 1) {
      await backend.withLock(id, () => appendOnce(backend, id, writer, step), LOCK);
      if (step === 1) send('started');
    }
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await backend.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    send('error', { code: (error as { code?: string }).code ?? 'unknown', message: String(error) });
    process.exit(1);
  },
);
