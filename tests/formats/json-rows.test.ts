import fc from 'fast-check';
import { isStorageError, type StorageErrorCode } from '../../src/contract/errors.js';
import { MAX_JSON_DEPTH, readJsonRows } from '../../src/formats/index.js';
import { readJsonRows as jsonRowsToTable } from '../../src/formats/json-read.js';
import { tableToJsonRows } from '../../src/formats/json-write.js';

const types = (table: ReturnType<typeof readJsonRows>) =>
  table.schema.fields.map((f) => `${f.name}:${String(f.type)}`);

function expectError(fn: () => unknown, code: StorageErrorCode, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isStorageError(caught, code)).toBe(true);
  expect((caught as Error).message).toMatch(pattern);
}

// In the property test's name so a failure can be replayed: FC_SEED=<seed> npx jest tests/formats/json-rows
const seed = Number(process.env.FC_SEED ?? Date.now() % 2 ** 31);

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('readJsonRows', () => {
  it('infers like before and keeps first-seen key order; missing keys are null', () => {
    const table = readJsonRows('[{"b":1,"a":"x","c":1.5},{"c":2,"d":true,"a":null}]');
    expect(types(table)).toEqual(['b:Int64', 'a:Utf8', 'c:Float64', 'd:Bool']);
    expect(JSON.parse(tableToJsonRows(table))).toEqual([
      { b: 1, a: 'x', c: 1.5, d: null },
      { b: null, a: null, c: 2, d: true },
    ]);
  });

  it('ISO date and timestamp strings become date/timestamp columns; other strings stay text', () => {
    const table = readJsonRows(
      '[{"d":"2024-01-31","t":"1969-12-31T23:59:59.999500Z","s":"31/01/2024","n":"1","e":""},' +
        '{"d":null,"t":"2024-01-31T10:20:30Z","s":"x","n":"2","e":"2024-01-31"}]',
    );
    expect(types(table)).toEqual([
      'd:Date32<DAY>',
      't:Timestamp<MICROSECOND, UTC>',
      's:Utf8',
      'n:Utf8',
      'e:Utf8',
    ]);
    expect([...(table.getChild('t')!.data[0]!.values as BigInt64Array)]).toEqual([-500n, 1706696430000000n]);
    expect(table.getChild('e')!.get(0)).toBe('');
    expect(JSON.parse(tableToJsonRows(table))[0]).toMatchObject({
      d: '2024-01-31',
      t: '1969-12-31T23:59:59.999500Z',
    });
  });

  it('a 5000-deep value is INVALID_INPUT (no stack overflow); 400 levels are accepted', () => {
    expectError(() => readJsonRows(`[{"a":${nested(5000)}}]`), 'INVALID_INPUT', /deeper than 400/);
    expectError(() => readJsonRows(nested(1_000_000)), 'INVALID_INPUT', /deeper than 400/);
    // The outer array and the row object are levels 1 and 2.
    const deepest = readJsonRows(`[{"a":${nested(MAX_JSON_DEPTH - 2)}}]`);
    expect(deepest.getChild('a')!.get(0)).toBe(nested(MAX_JSON_DEPTH - 2));
    expect(() => readJsonRows(`[{"a":"${'['.repeat(5000)}"}]`)).not.toThrow();
  });

  it('100k keys in a row is PAYLOAD_TOO_LARGE before parsing; distinct keys are capped too', () => {
    const wide = `[{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',')}}]`;
    const started = performance.now();
    expectError(() => readJsonRows(wide), 'PAYLOAD_TOO_LARGE', /more than 10000 keys/);
    expect(performance.now() - started).toBeLessThan(1_000);
    const spread = `[${Array.from({ length: 30 }, (_, i) => `{"k${i}":1}`).join(',')}]`;
    expectError(() => readJsonRows(spread, { maxColumns: 20 }), 'PAYLOAD_TOO_LARGE', /20 distinct keys/);
    expect(readJsonRows(spread, { maxColumns: 30 }).numCols).toBe(30);
    expectError(() => readJsonRows(spread, { maxCells: 100 }), 'PAYLOAD_TOO_LARGE', /cells/);
    // Disjoint keys per row: 10k × 10k null cells from a 150 kB body are refused by the default cap.
    const sparse = `[${Array.from({ length: 10_000 }, (_, i) => `{"k${i}":1}`).join(',')}]`;
    expectError(() => readJsonRows(sparse), 'PAYLOAD_TOO_LARGE', /cells/);
  });

  it('__proto__, constructor and prototype are ordinary columns, and absent ones are null', () => {
    const table = readJsonRows('[{"__proto__":{"polluted":1},"constructor":"c"},{"prototype":2}]');
    expect(table.schema.fields.map((f) => f.name)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect([...table.getChild('__proto__')!]).toEqual(['{"polluted":1}', null]);
    expect([...table.getChild('constructor')!]).toEqual(['c', null]);
    expect([...table.getChild('prototype')!]).toEqual([null, 2n]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what is not an array of objects; reads a BOM and Windows-1252 bytes', () => {
    expectError(() => readJsonRows('{"a":1}'), 'INVALID_INPUT', /array of row objects/);
    expectError(() => readJsonRows('[{"a":1},[2]]'), 'INVALID_INPUT', /row 1 is not an object/);
    expectError(() => readJsonRows('[{'), 'INVALID_INPUT', /not valid JSON/);
    expect(jsonRowsToTable(Buffer.from('\uFEFF[{"a":1}]')).numRows).toBe(1);
    const latin = Buffer.from([0x5b, 0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x80, 0x22, 0x7d, 0x5d]);
    expect(jsonRowsToTable(latin).getChild('a')!.get(0)).toBe('é€');
  });

  it('an empty array is a table with no rows and no columns', () => {
    const table = readJsonRows('[]');
    expect(table.numRows).toBe(0);
    expect(table.numCols).toBe(0);
  });

  it(`any JSON value or JSON-like text gives a table or a typed StorageError (seed ${seed})`, () => {
    const rows = fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 3 })), {
      maxLength: 8,
    });
    const text = fc.oneof(
      rows.map((value) => JSON.stringify(value)),
      fc.json({ maxDepth: 4 }),
      fc
        .array(fc.constantFrom('[', ']', '{', '}', '"', ':', ',', '1', 'a', '\\', ' '), { maxLength: 60 })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (body) => {
        try {
          readJsonRows(body);
        } catch (error) {
          if (!isStorageError(error)) throw error;
        }
      }),
      { seed, numRuns: 500 },
    );
  });
});
