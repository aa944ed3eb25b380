import {
  Field,
  Int32,
  makeData,
  Null,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromArrays,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import { validateArrowIpc } from '../../src/codec/arrow-validate.js';
import { StorageError } from '../../src/contract/errors.js';
import {
  withBatchLength,
  withDictionaryLength,
  withFieldCount,
  withMetadataLength,
} from '../fuzz/arrow-craft.js';
import { seedBodies, seedTables } from '../fuzz/arrow-mutate.js';

const LIMITS = { maxColumns: 100, maxBytes: 10 * 1024 * 1024 };

function refusal(bytes: Uint8Array, limits = LIMITS): { code: string; message: string } {
  try {
    validateArrowIpc(bytes, limits);
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    return { code: error.code, message: error.message };
  }
  return { code: 'accepted', message: '' };
}

const flat = () => seedTables()[0]!;
const withDictionary = () => seedTables()[1]!;

describe('validateArrowIpc', () => {
  it('accepts every seed body, stream and file format, and apache-arrow reads them', () => {
    for (const body of seedBodies()) {
      expect(refusal(body).code).toBe('accepted');
      expect(tableFromIPC(body).numCols).toBeGreaterThan(0);
    }
  });

  it('accepts a null-typed column (no body bytes) and an empty table with its schema', () => {
    const nulls = new Table({ n: vectorFromArray([null, null, null], new Null()) });
    expect(refusal(tableToIPC(nulls, 'stream')).code).toBe('accepted');
    const empty = tableFromArrays({ a: Int32Array.from([]) });
    expect(refusal(tableToIPC(empty, 'stream')).code).toBe('accepted');
  });

  it('refuses a message that claims more metadata than was received', () => {
    const bad = refusal(withMetadataLength(tableToIPC(flat(), 'stream'), 1_000_000));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toMatch(/claims 1000000 bytes of metadata/);
  });

  it('refuses batch lengths of 1e9 and 1e12 rows over a few bytes of body with 413', () => {
    for (const rows of [1e9, 1e12]) {
      const bad = refusal(withBatchLength(tableToIPC(flat(), 'stream'), rows));
      expect(bad.code).toBe('PAYLOAD_TOO_LARGE');
      expect(bad.message).toContain(String(rows));
    }
  });

  it('refuses a batch whose rows its buffers cannot hold, under the row cap', () => {
    const bad = refusal(withBatchLength(tableToIPC(flat(), 'stream'), 10_000));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toMatch(/needs \d+ bytes .* the buffer has \d+/);
  });

  it('refuses a dictionary claiming 1e9 entries', () => {
    const bad = refusal(withDictionaryLength(tableToIPC(withDictionary(), 'stream'), 1e9));
    expect(bad.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a fields vector claiming a million fields before reading any of them', () => {
    const bad = refusal(withFieldCount(tableToIPC(flat(), 'stream'), 1_000_000));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toMatch(/claims 1000000 elements/);
  });

  it('counts nested fields against MAX_COLUMNS', () => {
    const children = Array.from({ length: 8 }, (_, i) => new Field(`c${i}`, new Int32(), true));
    const type = new Struct(children);
    const data = makeData({
      type,
      length: 1,
      children: children.map(() => makeData({ type: new Int32(), length: 1, data: Int32Array.from([1]) })),
    });
    const schema = new Schema([new Field('s', type, true)]);
    const table = new Table([
      new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, children: [data] })),
    ]);
    const body = tableToIPC(table, 'stream');
    expect(refusal(body, { ...LIMITS, maxColumns: 9 }).code).toBe('accepted');
    expect(refusal(body, { ...LIMITS, maxColumns: 8 }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a real 100k-field schema in well under a second', () => {
    // The schema alone (no rows): building 100k real columns takes apache-arrow minutes.
    const fields = Array.from({ length: 100_000 }, (_, i) => new Field(`c${i}`, new Int32(), true));
    const body = tableToIPC(new Table(new Schema(fields)), 'stream');
    const started = performance.now();
    expect(refusal(body, { maxColumns: 10_000, maxBytes: 500 * 1024 * 1024 }).code).toBe('PAYLOAD_TOO_LARGE');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses truncated bodies, bodies over the byte cap, and a file without its footer', () => {
    const body = tableToIPC(flat(), 'stream');
    for (const cut of [1, 7, 12, body.length - 9])
      expect(refusal(body.subarray(0, cut)).code).toBe('INVALID_INPUT');
    expect(refusal(body, { ...LIMITS, maxBytes: body.length - 1 }).code).toBe('PAYLOAD_TOO_LARGE');
    const file = tableToIPC(flat(), 'file');
    expect(refusal(file.subarray(0, file.length - 12)).code).toBe('INVALID_INPUT');
  });
});
