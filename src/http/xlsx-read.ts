import type { Table } from 'apache-arrow';
import type ExcelJS from 'exceljs';
import { invalidInput } from '../contract/errors.js';
import { type CellValue, inferValueColumn } from './cell-inference.js';
import { buildTable, headerNames } from './table-build.js';

/** An exceljs cell value reduced to plain data: formulas give their cached result, rich text its text. */
function plainCell(value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value as CellValue;
  const cell = value as Record<string, unknown>;
  if ('result' in cell || 'formula' in cell || 'sharedFormula' in cell) return plainCell(cell.result);
  if (Array.isArray(cell.richText))
    return cell.richText.map((run: { text?: unknown }) => String(run.text ?? '')).join('');
  if ('hyperlink' in cell && 'text' in cell) return plainCell(cell.text);
  if ('error' in cell) return null; // #N/A, #DIV/0!: a missing value, as spreadsheet tools read them
  return JSON.stringify(value);
}

const isEmptyRow = (row: CellValue[]): boolean => row.every((cell) => cell === null || cell === '');

/** One worksheet → Table, or undefined when the sheet holds no cells. Row 1 is the header. */
function sheetToTable(sheet: ExcelJS.Worksheet): Table | undefined {
  // getSheetValues() is 1-based and sparse: index 0 and gaps are undefined.
  const grid: CellValue[][] = [];
  sheet.getSheetValues().forEach((row, index) => {
    if (index < 1 || !Array.isArray(row)) return;
    grid[index - 1] = row.slice(1).map(plainCell);
  });
  const rows = Array.from(grid, (row) => row ?? []);
  while (rows.length > 0 && isEmptyRow(rows[rows.length - 1]!)) rows.pop();
  const [header, ...body] = rows;
  if (header === undefined) return undefined;
  const width = Math.max(header.length, ...body.map((row) => row.length));
  const dataRows = body.filter((row) => !isEmptyRow(row));
  const names = headerNames(Array.from({ length: width }, (_, i) => header[i] ?? null));
  const columns = names.map((name, index) =>
    inferValueColumn(
      name,
      dataRows.map((row) => row[index] ?? null),
    ),
  );
  return buildTable(columns, dataRows.length);
}

/**
 * An .xlsx workbook → one Table per non-empty sheet, keyed by sheet name in workbook order.
 * Types follow spreadsheet cells: whole numbers int64, other numbers float64, booleans, dates timestamp.
 */
export async function xlsxToTables(bytes: Buffer): Promise<Record<string, Table>> {
  // Loaded on first use: exceljs is the heaviest dependency and most processes never parse a workbook.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.Workbook();
  try {
    // exceljs' typings predate Node's generic Buffer.
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (error) {
    throw invalidInput('request body is not a readable .xlsx workbook', error);
  }
  // No prototype: a sheet may be called "__proto__".
  const tables: Record<string, Table> = Object.create(null);
  for (const sheet of workbook.worksheets) {
    const table = sheetToTable(sheet);
    if (table !== undefined) tables[sheet.name] = table;
  }
  if (Object.keys(tables).length === 0) throw invalidInput('the workbook has no sheet with data');
  return tables;
}
