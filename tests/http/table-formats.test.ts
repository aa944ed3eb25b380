import {
  DateDay,
  Dictionary,
  Float64,
  Int32,
  Int64,
  TimestampMillisecond,
  Uint64,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { isStorageError } from '../../src/contract/errors.js';
import { assembleTable } from '../../src/formats/cell-table.js';
import { readCsv as csvToTable } from '../../src/formats/csv-read.js';
import { tableToCsv } from '../../src/formats/csv-write.js';
import { readJsonRows as jsonRowsToTable } from '../../src/formats/json-read.js';
import { tableToJsonRows } from '../../src/formats/json-write.js';

const csv = (text: string, delimiter?: string) =>
  csvToTable(Buffer.from(text), delimiter === undefined ? {} : { delimiter });
const types = (table: ReturnType<typeof csv>) =>
  table.schema.fields.map((f) => `${f.name}:${String(f.type)}`);

function expectInvalid(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isStorageError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected INVALID_INPUT');
}

describe('CSV in: type inference', () => {
  it('infers int64, float64, bool and utf8, empty cells are null, names and order kept', () => {
    const table = csv('2019,name,price,ok,zip\n1,a,1.5,true,007\n-2,,2,FALSE,01234\n,c,,,90210\n');
    expect(types(table)).toEqual(['2019:Int64', 'name:Utf8', 'price:Float64', 'ok:Bool', 'zip:Utf8']);
    expect(table.getChild('2019')!.toArray()).toEqual(new BigInt64Array([1n, -2n, 0n]));
    expect(table.getChild('2019')!.get(2)).toBeNull();
    expect(table.getChild('name')!.get(1)).toBeNull();
    expect([...table.getChild('price')!]).toEqual([1.5, 2, null]);
    expect([...table.getChild('ok')!]).toEqual([true, false, null]);
    // Leading zeros are identifiers, not numbers.
    expect([...table.getChild('zip')!]).toEqual(['007', '01234', '90210']);
  });

  it('keeps integers beyond int64 as text instead of rounding them', () => {
    const table = csv('big\n1\n99999999999999999999\n');
    expect(types(table)).toEqual(['big:Utf8']);
    expect(table.getChild('big')!.get(1)).toBe('99999999999999999999');
    expect(csv('n\n9223372036854775807\n').getChild('n')!.get(0)).toBe(9223372036854775807n);
  });

  it('handles a BOM, quotes, CRLF, other delimiters, blank and repeated headers, header-only files', () => {
    const table = csv('\uFEFFa;"b;c";\r\n1;"x;y";z\r\n', ';');
    expect(table.schema.fields.map((f) => f.name)).toEqual(['a', 'b;c', 'column_3']);
    expect(table.getChild('b;c')!.get(0)).toBe('x;y');
    expect(csv('a,a,a\n1,2,3\n').schema.fields.map((f) => f.name)).toEqual(['a', 'a.1', 'a.2']);
    const empty = csv('x,y\n');
    expect(empty.numRows).toBe(0);
    expect(types(empty)).toEqual(['x:Utf8', 'y:Utf8']);
  });

  it('reads Windows-1252 when the bytes are not UTF-8', () => {
    const bytes = Buffer.from([
      0x63, 0x69, 0x75, 0x64, 0x61, 0x64, 0x0a, 0x4d, 0xe1, 0x6c, 0x61, 0x67, 0x61, 0x0a,
    ]);
    expect(csvToTable(bytes).getChild('ciudad')!.get(0)).toBe('Málaga');
  });

  it('refuses ragged rows and empty input with INVALID_INPUT', () => {
    expectInvalid(() => csv('a,b\n1,2\n3\n'), /CSV could not be parsed/);
    expectInvalid(() => csv(''), /empty/);
    expectInvalid(() => csv('a,"b\n1,2\n'), /CSV could not be parsed/);
  });
});

describe('JSON rows in and out', () => {
  it('round-trips records with column order, nulls and inferred types', () => {
    const body = '[{"10":1,"b":"x","c":1.5,"d":true},{"b":null,"c":2,"10":3,"d":false,"e":{"k":[1]}}]';
    const table = jsonRowsToTable(Buffer.from(body));
    // JSON.parse moves integer-like keys first; missing keys are null.
    expect(types(table)).toEqual(['10:Int64', 'b:Utf8', 'c:Float64', 'd:Bool', 'e:Utf8']);
    expect(table.getChild('e')!.get(0)).toBeNull();
    expect(table.getChild('e')!.get(1)).toBe('{"k":[1]}');
    expect(JSON.parse(tableToJsonRows(table))).toEqual([
      { 10: 1, b: 'x', c: 1.5, d: true, e: null },
      { 10: 3, b: null, c: 2, d: false, e: '{"k":[1]}' },
    ]);
  });

  it('writes keys in column order even when names look like integers', () => {
    const table = csv('z,2,1\na,1,2\n');
    expect(tableToJsonRows(table)).toBe('[{"z":"a","2":1,"1":2}]');
  });

  it('refuses what is not an array of objects', () => {
    expectInvalid(() => jsonRowsToTable(Buffer.from('{"a":1}')), /array of row objects/);
    expectInvalid(() => jsonRowsToTable(Buffer.from('[1]')), /row 0 is not an object/);
    expectInvalid(() => jsonRowsToTable(Buffer.from('[{')), /not valid JSON/);
  });
});

describe('cell formatting for JSON and CSV', () => {
  const table = assembleTable(
    ['i64', 'u64', 'ts', 'day', 'f', 'dict', 'i32', 's'],
    [
      vectorFromArray([2n ** 53n + 1n, 7n, null], new Int64()),
      vectorFromArray([2n ** 64n - 1n, 1n, 2n], new Uint64()),
      vectorFromArray([Date.UTC(2024, 0, 2, 3, 4, 5, 6), 0, null], new TimestampMillisecond()),
      vectorFromArray([new Date(Date.UTC(2024, 1, 29)), null, null], new DateDay()),
      vectorFromArray([Number.NaN, Number.POSITIVE_INFINITY, 0.25], new Float64()),
      vectorFromArray(['red', 'blue', 'red'], new Dictionary(new Utf8(), new Int32())),
      vectorFromArray([1, null, -3], new Int32()),
      vectorFromArray(['a,"b"', 'line\nbreak', ''], new Utf8()),
    ],
    3,
  );

  it('JSON: a column with an unsafe 64-bit int is strings, naive timestamps without Z, NaN/Infinity strings', () => {
    const rows = JSON.parse(tableToJsonRows(table)) as Record<string, unknown>[];
    expect(rows[0]).toEqual({
      i64: '9007199254740993',
      u64: '18446744073709551615',
      ts: '2024-01-02T03:04:05.006',
      day: '2024-02-29',
      f: 'NaN',
      dict: 'red',
      i32: 1,
      s: 'a,"b"',
    });
    expect(rows[1]).toMatchObject({
      i64: '7',
      u64: '1',
      ts: '1970-01-01T00:00:00.000',
      f: 'Infinity',
      i32: null,
    });
    expect(rows[2]).toMatchObject({ i64: null, ts: null, f: 0.25, dict: 'red', s: '' });
  });

  it('CSV: header, RFC 4180 quoting, null as empty field', () => {
    const text = tableToCsv(table);
    const [header, first] = text.split('\n');
    expect(header).toBe('i64,u64,ts,day,f,dict,i32,s');
    expect(first).toBe(
      '9007199254740993,18446744073709551615,2024-01-02T03:04:05.006,2024-02-29,NaN,red,1,"a,""b"""',
    );
    expect(text).toContain('"line\nbreak"');
  });

  it('CSV out → CSV in keeps values for inferable types', () => {
    const source = csv('id,amount,ok,name\n1,2.5,true,x\n2,,false,\n');
    const again = csvToTable(Buffer.from(tableToCsv(source)));
    expect(types(again)).toEqual(types(source));
    expect(tableToJsonRows(again)).toBe(tableToJsonRows(source));
  });
});
