import { readCsv, readJsonRows, readXlsx, tableToCsv, tableToJsonRows } from '../../src/index.js';
import { threeSheetWorkbook } from '../http/xlsx-fixtures.js';

/** Library users parse and print files with the package's own readers, no HTTP app needed. */
test('readCsv / readJsonRows / readXlsx and the writers are public', async () => {
  const csv = readCsv(Buffer.from('id;name\n1;Ana\n2;Bo\n'));
  expect(csv.schema.fields.map((field) => `${field.name}:${field.type}`)).toEqual(['id:Int64', 'name:Utf8']);
  expect(tableToCsv(csv)).toBe('id,name\n1,Ana\n2,Bo\n');
  const json = readJsonRows(Buffer.from('[{"a":1},{"a":2}]'));
  expect(tableToJsonRows(json)).toBe('[{"a":1},{"a":2}]');
  const sheets = await readXlsx(await threeSheetWorkbook(), { maxBytes: 8 * 1024 * 1024 });
  expect(Object.keys(sheets)).toEqual(['Sales 2024', 'Personas', 'Notes']);
});
