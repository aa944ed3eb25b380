import {
  Table as ArrowTable,
  DateUnit,
  RecordBatch,
  type Table,
  TimeUnit,
  DataType as Types,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { isStorageError, type StorageErrorCode } from '../../src/contract/errors.js';
import { headerNames } from '../../src/formats/cell-names.js';
import { readCsv } from '../../src/formats/index.js';
import { createSessionQuery } from '../../src/http/validation.js';

const types = (table: Table) => table.schema.fields.map((f) => `${f.name}:${String(f.type)}`);
const names = (table: Table) => table.schema.fields.map((f) => f.name);
const raw = (table: Table, column: string) => [...(table.getChild(column)!.data[0]!.values as BigInt64Array)];

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

describe('readCsv: delimiters', () => {
  it.each([
    [',', 'a,b,c\n1,x;y|z,2.5\n2,y,\n', 'x;y|z'],
    [';', 'a;b;c\n1;x,y;2.5\n2;y;\n', 'x,y'],
    ['\t', 'a\tb\tc\n1\tx;y,z\t2.5\n2\ty\t\n', 'x;y,z'],
    ['|', 'a|b|c\n1|x,y\t|2.5\n2|y|\n', 'x,y\t'],
  ])('sniffs %j from the first records', (_delimiter, text, cell) => {
    const table = readCsv(text);
    expect(names(table)).toEqual(['a', 'b', 'c']);
    expect(types(table)).toEqual(['a:Int64', 'b:Utf8', 'c:Float64']);
    expect([...table.getChild('b')!]).toEqual([cell, 'y']);
  });

  it('reads European decimals with ; and keeps the comma numbers as text', () => {
    const table = readCsv('name;price\nfoo;1,5\nbar;2\n');
    expect(types(table)).toEqual(['name:Utf8', 'price:Utf8']);
    expect([...table.getChild('price')!]).toEqual(['1,5', '2']);
  });

  it('ignores separators inside quotes when sniffing', () => {
    expect(names(readCsv('"a;b";c\n"1;2";3\n'))).toEqual(['a;b', 'c']);
  });

  it('a one-column file reads as one column', () => {
    const table = readCsv('only\n1\n2\n');
    expect(types(table)).toEqual(['only:Int64']);
  });

  it.each([
    ['comma', ','],
    ['semicolon', ';'],
    ['tab', '\t'],
    ['pipe', '|'],
    ['SEMICOLON', ';'],
  ])('accepts the name %s for %j', (name, char) => {
    const table = readCsv(`a${char}b\n1${char}2\n`, { delimiter: name });
    expect(names(table)).toEqual(['a', 'b']);
    expect(readCsv(`a${char}b\n1${char}2\n`, { delimiter: char }).numRows).toBe(1);
  });

  it('an explicit delimiter wins over sniffing; an unknown one is refused', () => {
    expect(names(readCsv('a;b\n1;2\n', { delimiter: ',' }))).toEqual(['a;b']);
    expectError(() => readCsv('a\n', { delimiter: 'colon' }), 'INVALID_INPUT', /unknown CSV delimiter/);
  });

  it('?delimiter= validation takes characters and names', () => {
    expect(createSessionQuery.parse({ delimiter: 'semicolon' }).delimiter).toBe(';');
    expect(createSessionQuery.parse({ delimiter: '\t' }).delimiter).toBe('\t');
    expect(createSessionQuery.safeParse({ delimiter: ':' }).success).toBe(false);
  });
});

describe('readCsv: RFC 4180 and encodings', () => {
  it('quoted fields keep separators, line breaks and doubled quotes', () => {
    const table = readCsv('id,text\n1,"a,b"\n2,"line\nbreak"\n3,"say ""hi"""\n4,""\n');
    expect([...table.getChild('text')!]).toEqual(['a,b', 'line\nbreak', 'say "hi"', null]);
    expect(table.getChild('id')!.length).toBe(4);
  });

  it('BOM, CRLF, a last line without a break, blank lines skipped', () => {
    const table = readCsv('\uFEFFa,b\r\n1,x\r\n\r\n2,y');
    expect(names(table)).toEqual(['a', 'b']);
    expect([...table.getChild('b')!]).toEqual(['x', 'y']);
    expect([...readCsv(Buffer.from('\uFEFFa\r\n"q\r\nr"\r\n')).getChild('a')!]).toEqual(['q\r\nr']);
  });

  it('falls back to Windows-1252 when the bytes are not UTF-8, and reads UTF-8 as such', () => {
    const latin = Buffer.from([0x63, 0x0a, 0x4d, 0xe1, 0x6c, 0x61, 0x67, 0x61, 0x0a, 0x80, 0x0a]);
    expect([...readCsv(latin).getChild('c')!]).toEqual(['Málaga', '€']);
    expect([...readCsv(Buffer.from('c\nSão Paulo\n東京\n')).getChild('c')!]).toEqual(['São Paulo', '東京']);
  });

  it('a ragged row is INVALID_INPUT naming its line (header = line 1) and both field counts', () => {
    expectError(
      () => readCsv('a,b\n1,2\n"x\ny",2\n3\n'),
      'INVALID_INPUT',
      /line 5 has 1 field, the header has 2/,
    );
    expectError(
      () => readCsv('a;b\n1;2;3\n', { delimiter: ';' }),
      'INVALID_INPUT',
      /line 2 has 3 fields.*";"/,
    );
  });

  it('an unclosed quote and text after a closing quote name their line', () => {
    expectError(() => readCsv('a,b\n1,2\n3,"open\n'), 'INVALID_INPUT', /starting on line 3 is never closed/);
    expectError(
      () => readCsv('a\n"x"y\n'),
      'INVALID_INPUT',
      /line 2: unexpected text after the closing quote/,
    );
  });

  it('empty input and header-only input', () => {
    expectError(() => readCsv(''), 'INVALID_INPUT', /empty/);
    expectError(() => readCsv('\n\r\n'), 'INVALID_INPUT', /empty/);
    const headerOnly = readCsv('x,y');
    expect(headerOnly.numRows).toBe(0);
    expect(types(headerOnly)).toEqual(['x:Utf8', 'y:Utf8']);
  });
});

describe('readCsv: header limits are linear and checked first', () => {
  it('20k and 50k duplicate names get unique suffixes fast', () => {
    for (const count of [20_000, 50_000]) {
      const header = Array.from({ length: count }, () => 'dup');
      const started = performance.now();
      const renamed = headerNames(header);
      const renameMs = performance.now() - started;
      expect(new Set(renamed).size).toBe(count);
      expect(renamed.slice(0, 3)).toEqual(['dup', 'dup.1', 'dup.2']);
      expect(renamed.at(-1)).toBe(`dup.${count - 1}`);
      // Generous bounds for a shared CI machine: the quadratic version took 16 s at 20k.
      expect(renameMs).toBeLessThan(500);
      const whole = performance.now();
      const table = readCsv(`${header.join(',')}\n${header.join(',')}\n`, { maxColumns: 100_000 });
      expect(performance.now() - whole).toBeLessThan(10_000);
      expect(names(table)).toEqual(renamed);
    }
  });

  it('the wide-table batch equals one built by the RecordBatch constructor', () => {
    const table = readCsv('a,b,c\n1,x,\n2,,2.5\n');
    const rebuilt = new RecordBatch(table.schema, table.batches[0]!.data);
    expect(rebuilt.schema.fields.map(String)).toEqual(table.schema.fields.map(String));
    expect(rebuilt.data.children).toEqual(table.batches[0]!.data.children);
    expect(tableToIPC(new ArrowTable(rebuilt))).toEqual(tableToIPC(table));
    expect(
      tableFromIPC(tableToIPC(table))
        .toArray()
        .map((row) => row.toJSON()),
    ).toEqual([
      { a: 1n, b: 'x', c: null },
      { a: 2n, b: null, c: 2.5 },
    ]);
  });

  it('renaming never collides with a real name that looks like a suffix', () => {
    expect(names(readCsv('a,a.1,a,a,,\n1,2,3,4,5,6\n'))).toEqual([
      'a',
      'a.1',
      'a.2',
      'a.3',
      'column_5',
      'column_6',
    ]);
  });

  it('100k columns with maxColumns 10000 is PAYLOAD_TOO_LARGE before the body is read', () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    const body = `${header}\n${'1,'.repeat(99_999)}1\n`.repeat(20);
    const started = performance.now();
    expectError(() => readCsv(body, { maxColumns: 10_000 }), 'PAYLOAD_TOO_LARGE', /more than 10000 columns/);
    expect(performance.now() - started).toBeLessThan(1_000);
    expectError(() => readCsv('a,b,c\n1,2,3\n', { maxColumns: 2 }), 'PAYLOAD_TOO_LARGE', /MAX_COLUMNS/);
    expect(readCsv('a,b\n1,2\n', { maxColumns: 2 }).numCols).toBe(2);
  });

  it('maxCells caps rows × columns', () => {
    expectError(() => readCsv('a,b\n1,2\n3,4\n', { maxCells: 3 }), 'PAYLOAD_TOO_LARGE', /cells/);
    expect(readCsv('a,b\n1,2\n3,4\n', { maxCells: 4 }).numRows).toBe(2);
  });
});

describe('readCsv: type inference', () => {
  it('int64, float64, bool, utf8 as before; integers beyond int64 and leading zeros stay text', () => {
    const table = readCsv(
      'i,f,b,s,z,big\n1,1.5,TRUE,x,007,99999999999999999999\n-9223372036854775808,-2e3,false,,01,1\n',
    );
    expect(types(table)).toEqual(['i:Int64', 'f:Float64', 'b:Bool', 's:Utf8', 'z:Utf8', 'big:Utf8']);
    expect(raw(table, 'i')).toEqual([1n, -9223372036854775808n]);
    expect([...table.getChild('f')!]).toEqual([1.5, -2000]);
    expect([...table.getChild('b')!]).toEqual([true, false]);
  });

  it('floats read exactly like Number() does', () => {
    const cells = [
      '0.1',
      '-0.3',
      '123456789012345',
      '1234567890.12345',
      '0.000001',
      '1.',
      '.5',
      '12345678901234567',
      '3.14159265358979323846',
      '1e-7',
      '+2.5',
    ];
    const table = readCsv(`f\n${cells.join('\n')}\n`);
    expect(types(table)).toEqual(['f:Float64']);
    expect([...table.getChild('f')!]).toEqual(cells.map(Number));
  });

  it('near-numbers stay text; int64 bounds are exact', () => {
    for (const cell of [
      '1e',
      'e5',
      '+',
      '-',
      '.',
      '1.2.3',
      '--1',
      '1_000',
      ' 1',
      '1 ',
      '0x10',
      'NaN',
      'inf',
      '1,5',
      '00.5',
    ]) {
      expect(types(readCsv(`n\n1.5\n"${cell}"\n`))).toEqual(['n:Utf8']);
    }
    expect(types(readCsv('n\n9223372036854775808\n'))).toEqual(['n:Utf8']);
    expect(types(readCsv('n\n-9223372036854775809\n'))).toEqual(['n:Utf8']);
    expect(raw(readCsv('n\n9223372036854775807\n-9223372036854775808\n-0\n'), 'n')).toEqual([
      9223372036854775807n,
      -9223372036854775808n,
      0n,
    ]);
    expect([...readCsv('n\n92233720368547758070.5\n-1E+3\n').getChild('n')!]).toEqual([
      Number('92233720368547758070.5'),
      -1000,
    ]);
  });

  it('ISO dates → DateDay, including leap days and dates before 1970', () => {
    const table = readCsv('d,n\n2024-01-31,1\n1969-12-31,2\n1900-02-28,3\n2000-02-29,4\n,5\n0001-01-01,6\n');
    const field = table.schema.fields[0]!;
    expect(Types.isDate(field.type) && field.type.unit === DateUnit.DAY).toBe(true);
    const days = [...(table.getChild('d')!.data[0]!.values as Int32Array)];
    expect(days.filter((_, i) => i !== 4)).toEqual([19753, -1, -25509, 11016, -719162]);
    expect(days[2]).toBe(Date.UTC(1900, 1, 28) / 86_400_000);
    expect(table.getChild('d')!.get(4)).toBeNull();
  });

  it('other date formats and impossible dates stay text', () => {
    for (const cell of ['31/01/2024', '2024-1-31', '2023-02-29', '2024-13-01', '20240131', '2024-01-31x']) {
      expect(types(readCsv(`d\n2024-01-31\n${cell}\n`))).toEqual(['d:Utf8']);
    }
  });

  it('ISO timestamps → µs Timestamp, exact before 1970, T or space', () => {
    const table = readCsv(
      't\n1969-12-31 23:59:59.999500\n2024-01-31T10:20:30\n1970-01-01T00:00\n2024-01-31\n',
    );
    const type = table.schema.fields[0]!.type;
    expect(String(type)).toBe('Timestamp<MICROSECOND>');
    expect(raw(table, 't')).toEqual([-500n, 1706696430000000n, 0n, 1706659200000000n]);
  });

  it('nanoseconds when a cell has more than 6 fraction digits; offsets become UTC', () => {
    const table = readCsv(
      't\n1969-12-31T23:59:59.000000001Z\n2024-01-31T10:20:30.123456789+02:00\n1900-01-01T00:00:00-0130\n',
    );
    const type = table.schema.fields[0]!.type;
    expect(Types.isTimestamp(type) && type.unit === TimeUnit.NANOSECOND && type.timezone === 'UTC').toBe(
      true,
    );
    expect(raw(table, 't')).toEqual([-999999999n, 1706689230123456789n, -2208983400000000000n]);
  });

  it('far dates stay exact in µs and fall back to text when nanoseconds cannot hold them', () => {
    expect(raw(readCsv('t\n9999-12-31T23:59:59.999999\n'), 't')).toEqual([253402300799999999n]);
    expect(raw(readCsv('t\n0001-01-01T00:00:00.000001\n'), 't')).toEqual([-62135596799999999n]);
    expect(types(readCsv('t\n2300-01-01T00:00:00.000000001\n'))).toEqual(['t:Utf8']);
  });

  it('naive and zoned timestamps in one column stay text, as do malformed ones', () => {
    expect(types(readCsv('t\n2024-01-31T10:20:30\n2024-01-31T10:20:30Z\n'))).toEqual(['t:Utf8']);
    for (const cell of [
      '2024-01-31T24:00:00',
      '2024-01-31T10:60',
      '2024-01-31T10:20:30.',
      '2024-01-31T10:20:30.1234567890',
      '2024-01-31T10:20:30+25:00',
    ]) {
      expect(types(readCsv(`t\n${cell}\n`))).toEqual(['t:Utf8']);
    }
  });
});
