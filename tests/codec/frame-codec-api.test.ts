import { crc32 } from 'node:zlib';
import { Table } from 'apache-arrow';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameCodec,
  frameCodecFromConfig,
  tableMemoryBytes,
} from '../../src/codec/frame-codec.js';
import { writeFrameHeader } from '../../src/codec/frame-header.js';
import { loadConfig } from '../../src/config/load-config.js';
import { isStorageError, type StorageErrorCode } from '../../src/contract/errors.js';
import { assertTablesEqual, makeRealisticTable, makeSmallTable } from '../helpers/tables.js';
import { jsonSupportedColumns, jsonUnsupportedColumns, tableOf } from './type-fixtures.js';

const MAX = 16 * 1024 * 1024;

function errorCode(fn: () => unknown): StorageErrorCode | string {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return isStorageError(error) ? error.code : `not a StorageError: ${String(error)}`;
  }
}

/** A correctly framed, uncompressed JSON payload (so only the document itself is wrong). */
function jsonFrame(document: unknown): Buffer {
  const payload = Buffer.from(typeof document === 'string' ? document : JSON.stringify(document));
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, {
    serialization: 'json',
    compression: 'none',
    uncompressedLength: payload.length,
    payloadLength: payload.length,
    checksum: crc32(payload),
  });
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

describe('encodeFrame input checks', () => {
  const opts = { serialization: 'arrow', compression: 'snappy', maxFrameBytes: MAX } as const;

  it('rejects anything that is not an Arrow Table with INVALID_INPUT', () => {
    const table = makeSmallTable();
    for (const bad of [null, undefined, {}, [], 'table', 42, table.batches[0], table.getChildAt(0)]) {
      expect(errorCode(() => encodeFrame(bad as unknown as Table, opts))).toBe('INVALID_INPUT');
    }
  });

  it('rejects unknown codec or serialization options with INVALID_INPUT', () => {
    const table = makeSmallTable();
    expect(errorCode(() => encodeFrame(table, { ...opts, compression: 'brotli' as never }))).toBe(
      'INVALID_INPUT',
    );
    expect(errorCode(() => encodeFrame(table, { ...opts, serialization: 'pickle' as never }))).toBe(
      'INVALID_INPUT',
    );
    expect(errorCode(() => new FrameCodec({ ...opts, compression: 'brotli' as never }))).toBe(
      'INVALID_INPUT',
    );
    expect(errorCode(() => new FrameCodec({ ...opts, serialization: 'pickle' as never }))).toBe(
      'INVALID_INPUT',
    );
  });

  it('refuses a table whose serialized size exceeds maxFrameBytes, accepts one exactly at it', () => {
    const table = makeRealisticTable(2_000, 20);
    for (const serialization of ['arrow', 'json'] as const) {
      const exact =
        encodeFrame(table, { ...opts, serialization, compression: 'none' }).length - FRAME_HEADER_BYTES;
      const limited = { ...opts, serialization, maxFrameBytes: exact - 1 };
      expect(errorCode(() => encodeFrame(table, limited))).toBe('PAYLOAD_TOO_LARGE');
      const frame = encodeFrame(table, { ...limited, maxFrameBytes: exact });
      assertTablesEqual(table, decodeFrame(frame, { maxFrameBytes: exact }));
    }
  });
});

describe('json serialization limits', () => {
  it('refuses types it cannot carry with INVALID_INPUT, while arrow carries them', () => {
    const json = { serialization: 'json', compression: 'none', maxFrameBytes: MAX } as const;
    for (const [name, data] of Object.entries(jsonUnsupportedColumns())) {
      const table = tableOf({ [name]: data });
      expect(errorCode(() => encodeFrame(table, json))).toBe('INVALID_INPUT');
      expect(() => encodeFrame(table, json)).toThrow(new RegExp(`"${name}".*SERIALIZATION_METHOD=json`));
      assertTablesEqual(table, decodeFrame(encodeFrame(table, { ...json, serialization: 'arrow' }), json));
    }
  });

  it('writes a readable document with exact raw values', () => {
    const columns = jsonSupportedColumns();
    const table = tableOf(
      { int64: columns.int64!, ts_ns: columns.ts_ns!, float64: columns.float64! },
      { a: 'b' },
    );
    const frame = encodeFrame(table, { serialization: 'json', compression: 'none', maxFrameBytes: MAX });
    const document = JSON.parse(frame.subarray(FRAME_HEADER_BYTES).toString('utf8'));
    expect(document.schema.metadata).toEqual({ a: 'b' });
    expect(document.schema.fields[1].type).toEqual({ type: 'timestamp', unit: 3, timezone: null });
    expect(document.columns[0]).toEqual([
      '-9223372036854775808',
      '9223372036854775807',
      null,
      '9007199254740993',
      -1,
    ]);
    expect(document.columns[1][1]).toBe('1700000000123456789');
    expect(document.columns[2]).toEqual([0.1, '-0', null, '-Infinity', 1e-310]);
  });

  it('treats a malformed JSON document as CORRUPT_DATA', () => {
    const good = JSON.parse(
      encodeFrame(makeSmallTable(2), { serialization: 'json', compression: 'none', maxFrameBytes: MAX })
        .subarray(FRAME_HEADER_BYTES)
        .toString(),
    );
    expect(decodeFrame(jsonFrame(good), { maxFrameBytes: MAX }).numRows).toBe(2);
    const field = (type: unknown) => ({ ...good, schema: { fields: [{ name: 'x', nullable: true, type }] } });
    const bad: unknown[] = [
      '{"truncated": ',
      '[1, 2, 3]',
      'null',
      { ...good, format: 'other' },
      { ...good, version: 2 },
      { ...good, rows: 3 },
      { ...good, columns: good.columns.slice(1) },
      { ...good, schema: { fields: [{ name: 1 }] } },
      { ...field({ type: 'mystery' }), columns: [[1, 2]] },
      { ...field({ type: 'int', bitWidth: 8, signed: true }), columns: [[1, 300]] },
      { ...field({ type: 'int', bitWidth: 64, signed: false }), columns: [['1', '-1']] },
      { ...field({ type: 'int', bitWidth: 64, signed: true }), columns: [['1', 'x']] },
      { ...field({ type: 'int', bitWidth: 32, signed: true }), columns: [[1.5, 2]] },
      { ...field({ type: 'float', precision: 2 }), columns: [['Nope', 2]] },
      { ...field({ type: 'float', precision: 2 }), columns: [['constructor', 2]] },
      { ...good, schema: { ...good.schema, metadata: { a: 1 } } },
      { ...field({ type: 'utf8' }), columns: [[1, 'a']] },
      { ...field({ type: 'bool' }), columns: [[true, 'yes']] },
      { ...field({ type: 'struct', children: [] }), columns: [[[1], null]] },
      {
        ...field({
          type: 'dictionary',
          id: 0,
          ordered: false,
          indices: { type: 'utf8' },
          value: { type: 'utf8' },
        }),
        columns: [['a', 'b']],
      },
    ];
    for (const document of bad) {
      expect([document, errorCode(() => decodeFrame(jsonFrame(document), { maxFrameBytes: MAX }))]).toEqual([
        document,
        'CORRUPT_DATA',
      ]);
    }
  });
});

describe('FrameCodec and config', () => {
  it('binds the options from config and decodes frames of any codec', () => {
    const codec = frameCodecFromConfig(loadConfig({ COMPRESSION_CODEC: 'zstd', MAX_DATAFRAME_SIZE_MB: '1' }));
    expect(codec.options).toEqual({
      serialization: 'arrow',
      compression: 'zstd',
      maxFrameBytes: 1024 * 1024,
    });
    expect(Object.isFrozen(codec.options)).toBe(true);
    const table = makeRealisticTable(100, 12);
    assertTablesEqual(table, codec.decode(codec.encode(table)));
    const gzipFrame = encodeFrame(table, { serialization: 'json', compression: 'gzip', maxFrameBytes: MAX });
    assertTablesEqual(table, codec.decode(gzipFrame));
    const disabled = frameCodecFromConfig(loadConfig({ COMPRESSION_ENABLED: 'false' }));
    expect(disabled.options.compression).toBe('none');
  });
});

describe('tableMemoryBytes', () => {
  it('sums the buffers of a table and counts shared dictionaries once', () => {
    expect(tableMemoryBytes(new Table())).toBe(0);
    const small = tableMemoryBytes(makeRealisticTable(1_000, 10));
    const large = tableMemoryBytes(makeRealisticTable(10_000, 10));
    expect(small).toBeGreaterThan(1_000 * 10 * 2);
    expect(large / small).toBeGreaterThan(8);
    expect(large / small).toBeLessThan(12);
    const table = makeRealisticTable(1_000, 10);
    const twice = table.concat(table);
    expect(tableMemoryBytes(twice)).toBeLessThan(2 * tableMemoryBytes(table));
  });

  it('gives a similar size for a decoded table', () => {
    const table = makeRealisticTable(5_000, 20);
    const decoded = decodeFrame(
      encodeFrame(table, { serialization: 'arrow', compression: 'lz4', maxFrameBytes: MAX }),
      {
        maxFrameBytes: MAX,
      },
    );
    const ratio = tableMemoryBytes(decoded) / tableMemoryBytes(table);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.3);
  });
});
