import { isStorageError } from '../../src/contract/errors.js';
import { tableToJsonRows } from '../../src/formats/json-write.js';
import { xlsxToTables } from '../../src/formats/xlsx-read.js';
import { readMultipartFile } from '../../src/http/multipart-read.js';
import { multipartBody, threeSheetWorkbook } from './xlsx-fixtures.js';

describe('xlsx → tables', () => {
  it('reads every non-empty sheet with spreadsheet types', async () => {
    const tables = await xlsxToTables(await threeSheetWorkbook(), { maxBytes: 1_000_000 });
    expect(Object.keys(tables)).toEqual(['Sales 2024', 'Personas', 'Notes']);
    const sales = tables['Sales 2024']!;
    expect(sales.schema.fields.map((f) => `${f.name}:${String(f.type)}`)).toEqual([
      'region:Utf8',
      'units:Int64',
      'price:Float64',
      'shipped:Bool',
      'date:Timestamp<MILLISECOND>',
    ]);
    expect(JSON.parse(tableToJsonRows(sales))).toEqual([
      { region: 'North', units: 10, price: 2.5, shipped: true, date: '2024-01-15T00:00:00.000' },
      { region: 'South', units: 7, price: 3, shipped: false, date: '2024-02-01T00:00:00.000' },
      { region: 'East', units: 17, price: 4.25, shipped: true, date: null },
    ]);
    expect(JSON.parse(tableToJsonRows(tables.Personas!))).toEqual([
      { nombre: 'Ana García', edad: 34, column_3: 'x', nota: null },
      { nombre: 'Björn', edad: 51, column_3: 'y', nota: 'ok' },
    ]);
    expect(tables.Notes!.numRows).toBe(5);
  });

  it('refuses bytes that are not a workbook', async () => {
    const failure = await xlsxToTables(Buffer.from('not a zip'), { maxBytes: 1_000_000 }).catch(
      (error: unknown) => error,
    );
    expect(isStorageError(failure, 'INVALID_INPUT')).toBe(true);
  });
});

describe('multipart/form-data', () => {
  it('extracts the file part byte for byte, with its UTF-8 file name', async () => {
    const file = Buffer.from('PK\u0003\u0004 binary \r\n--not-a-boundary \u0000\u00ff');
    const { body, contentType } = multipartBody(file, 'ventas ñ.xlsx');
    const part = await readMultipartFile(body, contentType);
    expect(part.filename).toBe('ventas ñ.xlsx');
    expect(part.data.equals(file)).toBe(true);
  });

  it('refuses a body that does not follow its boundary or has no boundary', async () => {
    const { body, contentType } = multipartBody(Buffer.from('x'), 'a.xlsx');
    const wrong = await readMultipartFile(body, 'multipart/form-data; boundary=other').catch(
      (e: unknown) => e,
    );
    expect(isStorageError(wrong, 'INVALID_INPUT')).toBe(true);
    const cut = await readMultipartFile(body.subarray(0, body.length - 30), contentType).catch(
      (e: unknown) => e,
    );
    expect(isStorageError(cut, 'INVALID_INPUT')).toBe(true);
    const none = await readMultipartFile(body, 'multipart/form-data').catch((e: unknown) => e);
    expect(isStorageError(none, 'INVALID_INPUT')).toBe(true);
  });
});
