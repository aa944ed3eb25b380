import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { StorageError } from '../../src/contract/errors.js';
import { ParsePool } from '../../src/formats/parse-pool.js';
import { failure as replyFor } from '../../src/formats/parse-worker.js';
import { seedTables } from '../fuzz/arrow-mutate.js';

const MB = 1024 * 1024;
const OPTIONS = { maxColumns: 1000, maxBytes: 64 * MB };

/** A CSV of `rows` rows × 8 columns: big enough to cost a worker real memory and time. */
const bigCsv = (rows: number): Uint8Array => {
  const lines = ['a,b,c,d,e,f,g,h'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${i * 1.5},text ${i},x,${i % 7},true,2024-01-02,${-i}`);
  return new TextEncoder().encode(lines.join('\n'));
};

async function failure(promise: Promise<unknown>): Promise<StorageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StorageError)) throw new Error(`expected a StorageError, got ${String(error)}`);
  return error;
}

describe('parse worker replies', () => {
  it('keeps StorageError codes and blames the body for V8 limits it hits', () => {
    expect(replyFor(new StorageError('INVALID_INPUT', 'bad'))).toEqual({
      ok: false,
      code: 'INVALID_INPUT',
      message: 'bad',
    });
    expect(replyFor(new RangeError('Maximum call stack size exceeded'))).toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(replyFor(new RangeError('Array buffer allocation failed'))).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(replyFor(new RangeError('Invalid typed array length: 1e12'))).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(replyFor(new TypeError('x is undefined'))).toMatchObject({ code: 'INTERNAL' });
  });
});

describe('ParsePool', () => {
  const pools: ParsePool[] = [];
  const pool = (opts: Partial<ConstructorParameters<typeof ParsePool>[0]> = {}) => {
    const created = new ParsePool({ maxBytes: OPTIONS.maxBytes, threads: 1, ...opts });
    pools.push(created);
    return created;
  };
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('parses CSV, JSON rows and Arrow bodies in a worker into the same tables', async () => {
    const parser = pool();
    const csv = await parser.parseTable('csv', new TextEncoder().encode('a,b\n1,x\n2,y\n'), OPTIONS);
    expect(csv.numRows).toBe(2);
    expect(csv.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
    const json = await parser.parseTable(
      'json',
      new TextEncoder().encode('[{"a":1},{"a":2,"b":"z"}]'),
      OPTIONS,
    );
    expect(json.numRows).toBe(2);
    expect(json.getChild('b')?.toArray()).toEqual([null, 'z']);
    for (const table of seedTables()) {
      const back = await parser.parseTable('arrow', tableToIPC(table, 'stream'), OPTIONS);
      expect(tableToIPC(back, 'stream')).toEqual(
        tableToIPC(tableFromIPC(tableToIPC(table, 'stream')), 'stream'),
      );
    }
  });

  it('brings a reader error back as the same StorageError', async () => {
    const error = await failure(pool().parseTable('arrow', new Uint8Array([1, 2, 3, 4, 5]), OPTIONS));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/Arrow IPC/);
  });

  it('answers 413 when a worker runs out of heap, and keeps serving', async () => {
    const parser = pool({ heapMb: 24 });
    // JSON rows become JS objects on the worker's heap (the CSV reader works in typed arrays, off-heap).
    const rows = Array.from({ length: 300_000 }, (_, i) => `{"a":${i},"b":"text ${i}","c":${i * 1.5}}`);
    const error = await failure(
      parser.parseTable('json', new TextEncoder().encode(`[${rows.join(',')}]`), OPTIONS),
    );
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/24 MB/);
    const after = await parser.parseTable('csv', new TextEncoder().encode('a\n1\n'), OPTIONS);
    expect(after.numRows).toBe(1);
  });

  it('stops a parse past its deadline with 413', async () => {
    const parser = pool({ timeoutMs: 200 });
    // A started worker first, so the deadline measures the parse and not the thread's start-up.
    await parser.parseTable('csv', new TextEncoder().encode('a\n1\n'), OPTIONS, 30_000);
    const error = await failure(parser.parseTable('csv', bigCsv(1_000_000), OPTIONS));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/took over 0.2 s/);
  });

  it('refuses bodies past a full queue with 503', async () => {
    const parser = pool({ maxQueue: 1, timeoutMs: 20_000 });
    await parser.parseTable('csv', new TextEncoder().encode('a\n1\n'), OPTIONS);
    const body = bigCsv(50_000);
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => parser.parseTable('csv', body, OPTIONS)),
    );
    const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as StorageError).code));
    // One running, one waiting; the other two are refused at once.
    expect(codes.sort()).toEqual(['BACKEND_UNAVAILABLE', 'BACKEND_UNAVAILABLE', 'ok', 'ok']);
  });
});
