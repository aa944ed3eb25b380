import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Table, tableFromIPC } from 'apache-arrow';
import { Piscina } from 'piscina';
import { invalidInput, StorageError } from '../contract/errors.js';
import type { BodyKind, ParseBodyOptions } from './parse-body.js';
import type { ParseReply, ParseTask } from './parse-worker.js';
import { unpackTable } from './table-transfer.js';

export interface ParsePoolOptions {
  /** MAX_DATAFRAME_SIZE_MB in bytes: sizes each worker's heap. */
  maxBytes: number;
  /** Worker threads (default: cores − 1, 1 to 4). */
  threads?: number;
  /** Longest one parse may wait and run before its worker is stopped (default 9 s: with the upload, a hostile request is answered within 10 s). */
  timeoutMs?: number;
  /** Bodies waiting for a worker before new ones are refused with 503 (default 16). */
  maxQueue?: number;
  /** Heap of each worker in MB (default workerHeapMb(maxBytes)). */
  heapMb?: number;
  /** Told about a worker failure outside any task (e.g. one that cannot start); default: ignored. */
  onError?: (error: unknown) => void;
}

const MB = 1024 * 1024;

/**
 * Heap of one worker: parsing a body costs a few times its size (text, cells, then columns), so 4×
 * the body cap plus room for the readers, between 256 MB and 4 GB. A bomb past it kills only its worker.
 */
export const workerHeapMb = (maxBytes: number): number =>
  Math.min(4096, Math.max(256, Math.ceil((4 * maxBytes) / MB) + 128));

/**
 * The worker file next to this module: compiled `.js` in dist, or the `.ts` source under jest/tsx,
 * which the worker then loads through tsx (a devDependency, present wherever sources run). tsx is
 * named by absolute path: a bare `--import tsx` resolves from the working directory.
 */
function workerEntry(): { filename: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./parse-worker.js', import.meta.url));
  if (existsSync(js)) return { filename: js, execArgv: [] };
  const tsx = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return { filename: js.replace(/\.js$/, '.ts'), execArgv: ['--import', join(tsx, 'dist', 'loader.mjs')] };
}

/**
 * Decodes a worker's reply. The IPC was written by our own worker, so it is read without validation; but its
 * table came from the body, and a body can decode to a table whose buffers disagree with its lengths, which
 * apache-arrow writes into a stream it cannot read back: that is the body's fault (INVALID_INPUT).
 */
function unpack(reply: ParseReply): [string, Table][] {
  if (!reply.ok) {
    if (reply.code === 'INTERNAL') throw new Error(`parsing the body failed: ${reply.message}`);
    throw new StorageError(reply.code as StorageError['code'], reply.message);
  }
  return reply.tables.map(([name, ipc]) => {
    if (!(ipc instanceof Uint8Array)) return [name, unpackTable(ipc)];
    try {
      return [name, tableFromIPC(ipc)];
    } catch (error) {
      throw invalidInput(
        'the body decodes to an inconsistent table (buffers shorter than its lengths)',
        error,
      );
    }
  });
}

/**
 * Whether `bytes` spans its whole ArrayBuffer, which can then be transferred without taking anything
 * else along (a view into Node's shared Buffer pool must be copied instead).
 */
function ownBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const { buffer } = bytes;
  return buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength &&
    bytes.byteLength > 0
    ? buffer
    : undefined;
}

/**
 * Parses request bodies in worker threads with a bounded heap and a deadline, so no body can exhaust
 * the service's memory or hold its event loop: a worker that runs out of memory answers 413, one past
 * its deadline is stopped and answers 413, a full queue answers 503.
 */
export class ParsePool {
  private readonly pool: Piscina;
  private readonly timeoutMs: number;
  private readonly heapMb: number;
  /** Tasks running or waiting; counted here because piscina does not bound its queue of abortable tasks. */
  private pending = 0;
  private readonly maxPending: number;

  constructor(opts: ParsePoolOptions) {
    const entry = workerEntry();
    this.heapMb = opts.heapMb ?? workerHeapMb(opts.maxBytes);
    this.timeoutMs = opts.timeoutMs ?? 9000;
    const threads = opts.threads ?? Math.min(4, Math.max(1, availableParallelism() - 1));
    this.maxPending = threads + (opts.maxQueue ?? 16);
    this.pool = new Piscina({
      filename: entry.filename,
      execArgv: entry.execArgv,
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 30_000,
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, stackSizeMb: 8 },
    });
    // Without a listener, an error event (a worker dying between tasks) would end the process.
    this.pool.on('error', (error: unknown) => opts.onError?.(error));
  }

  private async run(
    task: ParseTask,
    timeoutMs = this.timeoutMs,
    handOver = false,
  ): Promise<[string, Table][]> {
    if (this.pending >= this.maxPending)
      throw new StorageError('BACKEND_UNAVAILABLE', 'too many bodies are being parsed; retry shortly');
    this.pending++;
    let reply: ParseReply;
    const moved = handOver ? ownBuffer(task.bytes) : undefined;
    try {
      reply = await this.pool.run(task, {
        signal: AbortSignal.timeout(timeoutMs),
        ...(moved !== undefined ? { transferList: [moved] } : {}),
      });
    } catch (error) {
      throw this.workerFailure(error, timeoutMs);
    } finally {
      this.pending--;
    }
    return unpack(reply);
  }

  private workerFailure(error: unknown, timeoutMs: number): Error {
    const code = (error as { code?: unknown }).code;
    const name = (error as { name?: unknown }).name;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory/i.test(message))
      return new StorageError(
        'PAYLOAD_TOO_LARGE',
        `parsing the body needed more than the ${this.heapMb} MB a parse may use; send a smaller body`,
        { cause: error },
      );
    if (name === 'AbortError' || name === 'TimeoutError')
      return new StorageError(
        'PAYLOAD_TOO_LARGE',
        `parsing the body took over ${timeoutMs / 1000} s and was stopped; send a smaller or simpler body`,
        { cause: error },
      );
    return new StorageError('INVALID_INPUT', `the body could not be parsed: ${message}`, { cause: error });
  }

  /**
   * One table from a body of `kind` (`timeoutMs` overrides the pool's deadline for this body). With
   * `handOver`, a body that is the whole of its ArrayBuffer is moved to the worker, not copied, and is
   * empty (detached) here afterwards: for callers that are done with it, as the HTTP routes are.
   */
  async parseTable(
    kind: BodyKind,
    bytes: Uint8Array,
    options: ParseBodyOptions,
    timeoutMs?: number,
    handOver = false,
  ): Promise<Table> {
    const [first] = await this.run({ kind, bytes, options }, timeoutMs, handOver);
    return first![1];
  }

  /** Every sheet of an .xlsx body, by name, in workbook order (`handOver` as for parseTable). */
  async parseWorkbook(
    bytes: Uint8Array,
    options: ParseBodyOptions,
    handOver = false,
  ): Promise<Record<string, Table>> {
    const sheets: Record<string, Table> = Object.create(null);
    for (const [name, table] of await this.run({ kind: 'workbook', bytes, options }, undefined, handOver))
      sheets[name] = table;
    return sheets;
  }

  /** Stops the workers; tasks still running are failed. Safe to call twice. */
  close(): Promise<void> {
    return this.pool.destroy();
  }
}
