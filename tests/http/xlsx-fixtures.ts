import ExcelJS from 'exceljs';

/** A 3-sheet workbook built with exceljs: typed cells, a formula, rich text, an error cell, an empty sheet. */
export async function threeSheetWorkbook(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sales = workbook.addWorksheet('Sales 2024');
  sales.addRow(['region', 'units', 'price', 'shipped', 'date']);
  sales.addRow(['North', 10, 2.5, true, new Date(Date.UTC(2024, 0, 15))]);
  sales.addRow(['South', 7, 3, false, new Date(Date.UTC(2024, 1, 1))]);
  sales.addRow(['East', null, 4.25, true, null]);
  sales.getCell('B4').value = { formula: 'B2+B3', result: 17 };

  const people = workbook.addWorksheet('Personas');
  people.addRow(['nombre', 'edad', '', 'nota']);
  people.addRow([{ richText: [{ text: 'Ana ' }, { text: 'García' }] }, 34, 'x', { error: '#N/A' }]);
  people.addRow(['Björn', 51, 'y', 'ok']);

  const notes = workbook.addWorksheet('Notes');
  notes.addRow(['id', 'text']);
  for (let i = 1; i <= 5; i++) notes.addRow([i, `note ${i}`]);

  workbook.addWorksheet('Empty');
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A multipart/form-data body with one file part, as a browser form would send it. */
export function multipartBody(
  file: Buffer,
  filename: string,
  boundary = '----framestoreTestBoundary7MA4YWxkTrZu0gW',
): { body: Buffer; contentType: string } {
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, file, tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
