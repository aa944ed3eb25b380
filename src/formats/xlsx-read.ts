import { createInflateRaw } from 'node:zlib';
import type { Table } from 'apache-arrow';
import type ExcelJS from 'exceljs';
import { invalidInput, StorageError } from '../contract/errors.js';
import { headerNames } from './cell-names.js';
import { buildTable } from './cell-table.js';
import { type CellValue, inferValueColumn } from './cell-values.js';

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

/** exceljs keeps ~350 bytes of heap per loaded cell (measured, exceljs 4.4): one cell per 256 bytes of cap. */
const BYTES_PER_CELL = 256;

/** The most cells a workbook may hold under a byte cap: one per 256 bytes (2,048,000 at the default 500 MB). */
export const maxWorkbookCells = (maxBytes: number): number =>
  Math.max(1, Math.floor(maxBytes / BYTES_PER_CELL));

/** What a workbook may unpack to before exceljs sees it. */
export interface XlsxLimits {
  /** Cap on the sum of the unpacked sizes of all zip entries (the request body cap). */
  maxBytes: number;
  /** Cap on cells (`<c>` elements) across the workbook (default maxWorkbookCells(maxBytes)). */
  maxCells?: number;
}

const SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  end64: 0x06064b50,
  locator64: 0x07064b50,
};
const signature = (value: number): Buffer => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
};
// jszip (inside exceljs) reads 32-bit fields as signed ints and 64-bit ones through 32-bit shifts, so a
// value from 2^31 up would mean something else to it than to us: refuse rather than disagree.
const MAX_FIELD = 0x7fffffff;

interface ZipEntry {
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  dataStart: number;
}

const malformed = (detail: string): StorageError =>
  invalidInput(`request body is not a readable .xlsx workbook: ${detail}`);

/** A little-endian unsigned field, refusing reads past the end and values jszip would misread. */
function field(bytes: Buffer, offset: number, size: 2 | 4 | 8): number {
  if (offset < 0 || offset + size > bytes.length) throw malformed('zip structure runs past the end');
  if (size === 2) return bytes.readUInt16LE(offset);
  if (size === 4) return bytes.readUInt32LE(offset);
  const value = bytes.readBigUInt64LE(offset);
  if (value > BigInt(MAX_FIELD)) throw malformed('zip64 field over 2 GiB');
  return Number(value);
}

/** The directory bounds from the end record(s), located exactly as jszip locates them (last signature wins). */
function directoryBounds(bytes: Buffer): { count: number; size: number; offset: number } {
  const end = bytes.lastIndexOf(signature(SIG.end));
  if (end < 0) throw malformed('no zip end of central directory');
  const disks = [field(bytes, end + 4, 2), field(bytes, end + 6, 2), field(bytes, end + 8, 2)];
  let count = field(bytes, end + 10, 2);
  let size = field(bytes, end + 12, 4);
  let offset = field(bytes, end + 16, 4);
  if (end + 22 + field(bytes, end + 20, 2) > bytes.length) throw malformed('zip comment runs past the end');
  const zip64 = [...disks, count].includes(0xffff) || size === 0xffffffff || offset === 0xffffffff;
  let expectedEnd = 0;
  if (zip64) {
    const locator = bytes.lastIndexOf(signature(SIG.locator64));
    if (locator < 0 || field(bytes, locator + 16, 4) > 1) throw malformed('no usable zip64 locator');
    const record = field(bytes, locator + 8, 8);
    if (field(bytes, record, 4) !== SIG.end64) throw malformed('no zip64 end of central directory');
    if (field(bytes, record + 16, 4) !== 0 || field(bytes, record + 20, 4) !== 0)
      throw malformed('multi-disk zip');
    count = field(bytes, record + 32, 8);
    size = field(bytes, record + 40, 8);
    offset = field(bytes, record + 48, 8);
    expectedEnd = 20 + 12 + field(bytes, record + 4, 8);
  } else if (disks[0] !== 0 || disks[1] !== 0) {
    throw malformed('multi-disk zip');
  }
  if (size > MAX_FIELD || offset > MAX_FIELD) throw malformed('zip directory over 2 GiB');
  // jszip treats any gap before the end record as prepended data and shifts every offset: refuse it.
  if (offset + size + expectedEnd !== end) throw malformed('zip directory offsets do not add up');
  return { count, size, offset };
}

/** The central directory entries, read as jszip reads them: from the start offset while signatures match. */
function centralDirectory(bytes: Buffer): ZipEntry[] {
  const bounds = directoryBounds(bytes);
  const entries: ZipEntry[] = [];
  let at = bounds.offset;
  while (at + 4 <= bytes.length && bytes.readUInt32LE(at) === SIG.central) {
    if ((field(bytes, at + 8, 2) & 1) !== 0) throw malformed('encrypted zip entry');
    let compressedSize = field(bytes, at + 20, 4);
    let uncompressedSize = field(bytes, at + 24, 4);
    let local = field(bytes, at + 42, 4);
    const nameLength = field(bytes, at + 28, 2);
    const extraLength = field(bytes, at + 30, 2);
    const zip64 = zip64Extra(bytes, at + 46 + nameLength, extraLength);
    if (zip64 !== undefined) {
      let cursor = 0;
      const next = (): number => {
        cursor += 8;
        return field(zip64, cursor - 8, 8);
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next();
      if (compressedSize === 0xffffffff) compressedSize = next();
      if (local === 0xffffffff) local = next();
    }
    if (Math.max(compressedSize, uncompressedSize, local) > MAX_FIELD)
      throw malformed('zip entry over 2 GiB');
    if (field(bytes, local, 4) !== SIG.local) throw malformed('zip entry without its local header');
    const dataStart = local + 30 + field(bytes, local + 26, 2) + field(bytes, local + 28, 2);
    if (dataStart + compressedSize > bytes.length) throw malformed('zip entry runs past the end');
    entries.push({ method: field(bytes, at + 10, 2), compressedSize, uncompressedSize, dataStart });
    at += 46 + nameLength + extraLength + field(bytes, at + 32, 2);
  }
  if (at !== bounds.offset + bounds.size || entries.length !== bounds.count)
    throw malformed('zip central directory does not match its end record');
  return entries;
}

/** The value of an entry's zip64 extra field (id 1), walked as jszip walks it (the last one wins). */
function zip64Extra(bytes: Buffer, start: number, length: number): Buffer | undefined {
  let found: Buffer | undefined;
  for (let at = start; at + 4 < start + length; ) {
    const size = field(bytes, at + 2, 2);
    if (at + 4 + size > bytes.length) throw malformed('zip extra field runs past the end');
    if (field(bytes, at, 2) === 1) found = bytes.subarray(at + 4, at + 4 + size);
    at += 4 + size;
  }
  return found;
}

/** Counts cell tags (`<c` then a space, `>` or `/`) in a byte stream fed in chunks; throws 413 past `max`. */
export class CellCounter {
  count = 0;
  private tail = Buffer.alloc(0);
  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    // Tags that start in the last two bytes of the stream so far end in this chunk.
    const seam = Buffer.concat([this.tail, chunk.subarray(0, 2)]);
    this.count += CellCounter.tags(seam, this.tail.length);
    this.count += CellCounter.tags(chunk, chunk.length);
    this.tail = Buffer.concat([this.tail, chunk.subarray(-2)]).subarray(-2);
    if (this.count > this.max)
      throw new StorageError('PAYLOAD_TOO_LARGE', `the workbook has over ${this.max} cells`);
  }

  /** Whole tags in `bytes` starting before `startBefore`. */
  private static tags(bytes: Buffer, startBefore: number): number {
    let found = 0;
    for (let at = bytes.indexOf('<c'); at >= 0 && at < startBefore; at = bytes.indexOf('<c', at + 2)) {
      const next = bytes[at + 2];
      if (next === 0x20 || next === 0x3e || next === 0x2f || next === 0x09 || next === 0x0a || next === 0x0d)
        found++;
    }
    return found;
  }
}

/** Unpacks one entry without keeping it, checking its real size against the declared one. */
async function scanEntry(bytes: Buffer, entry: ZipEntry, cells: CellCounter): Promise<void> {
  const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.uncompressedSize) throw malformed('stored entry with two sizes');
    cells.push(data);
    return;
  }
  if (entry.method !== 8) throw malformed(`zip compression method ${entry.method} is not supported`);
  const inflater = createInflateRaw({ chunkSize: 64 * 1024 });
  inflater.end(data);
  let unpacked = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      unpacked += chunk.length;
      if (unpacked > entry.uncompressedSize) break; // a lying directory: stop unpacking now
      cells.push(chunk);
    }
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw invalidInput('request body is not a readable .xlsx workbook: corrupt deflate data', error);
  }
  if (unpacked !== entry.uncompressedSize)
    throw malformed('a zip entry unpacks to another size than declared');
}

/**
 * Refuses a workbook (413) that unpacks to more than `maxBytes` or holds more than `maxCells` cells, before
 * exceljs unpacks it all in memory. Declared sizes are checked first, then every entry is streamed once to
 * prove them: jszip only compares real and declared sizes after it has inflated everything.
 */
export async function checkWorkbookSize(bytes: Buffer, limits: XlsxLimits): Promise<void> {
  const entries = centralDirectory(bytes);
  const declared = entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  if (declared > limits.maxBytes)
    throw new StorageError(
      'PAYLOAD_TOO_LARGE',
      `the workbook unpacks to ${declared} bytes, over the ${limits.maxBytes}-byte limit`,
    );
  const cells = new CellCounter(limits.maxCells ?? maxWorkbookCells(limits.maxBytes));
  for (const entry of entries) await scanEntry(bytes, entry, cells);
}

/**
 * An .xlsx workbook → one Table per non-empty sheet, keyed by sheet name in workbook order.
 * Types follow spreadsheet cells: whole numbers int64, other numbers float64, booleans, dates timestamp.
 * Refused with PAYLOAD_TOO_LARGE past `limits` (see checkWorkbookSize), INVALID_INPUT when not a workbook.
 */
export async function xlsxToTables(bytes: Buffer, limits: XlsxLimits): Promise<Record<string, Table>> {
  await checkWorkbookSize(bytes, limits);
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
