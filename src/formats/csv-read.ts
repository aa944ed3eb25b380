import { isUtf8 } from 'node:buffer';
import { type Data, makeVector, type Table } from 'apache-arrow';
import { invalidInput, StorageError } from '../contract/errors.js';
import { inferTextData } from './cell-infer.js';
import { headerNames } from './cell-names.js';
import { END_MASK } from './cell-slices.js';
import { assembleTable } from './cell-table.js';
import { resolveDelimiter, sniffDelimiter } from './csv-delimiter.js';
import { type CsvCursor, scanBody, scanHeader } from './csv-scan.js';

/** MAX_COLUMNS when the caller gives none: wide enough for real sheets, far below what freezes a parse. */
export const DEFAULT_MAX_COLUMNS = 10_000;

export interface CsvReadOptions {
  /** `,` `;` tab `|` or comma, semicolon, tab, pipe; sniffed from the first records when absent. */
  delimiter?: string;
  /** Refuse (PAYLOAD_TOO_LARGE) a header wider than this, before the body is read. Default DEFAULT_MAX_COLUMNS. */
  maxColumns?: number;
  /** Refuse (PAYLOAD_TOO_LARGE) more than this many cells (rows × columns). Default: no cap. */
  maxCells?: number;
}

// Windows-1252 differs from Latin-1 only in 0x80–0x9F; Node's decoder (without full ICU) reads those as
// C1 controls, so they are mapped here (0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined and stay as they are).
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what spreadsheet "Save as CSV" often writes). */
export function decodeText(bytes: Uint8Array): string {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = isUtf8(view) ? view.toString('utf8') : decodeWindows1252(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The input as UTF-8 bytes: valid UTF-8 is used in place, anything else is read as Windows-1252. */
function utf8Bytes(input: Uint8Array | string): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  const view = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return isUtf8(view) ? view : Buffer.from(decodeWindows1252(input), 'utf8');
}

function fieldText(b: Buffer, start: number, end: number): string {
  const text = b.toString('utf8', start, end & END_MASK);
  return end > END_MASK ? text.replaceAll('""', '"') : text;
}

/**
 * CSV → Table, column by column. The first record is the header (names and order kept; blanks become
 * `column_<n>`, repeats `name.1`…); every record must have as many fields as the header (else
 * INVALID_INPUT naming the line). Types are inferred per column (docs/formats.md).
 */
export function readCsv(input: Uint8Array | string, options: CsvReadOptions = {}): Table {
  const maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
  const b = utf8Bytes(input);
  if (b.length > END_MASK) throw new StorageError('PAYLOAD_TOO_LARGE', 'CSV is larger than 2 GiB');
  const hasBom = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
  const at: CsvCursor = { pos: hasBom ? 3 : 0, line: 1, start: 0 };
  const delimiter =
    options.delimiter === undefined
      ? sniffDelimiter(b, at.pos, maxColumns)
      : resolveDelimiter(options.delimiter);
  const code = delimiter.charCodeAt(0);
  const header = scanHeader(b, at, code, maxColumns);
  if (header === undefined) throw invalidInput('CSV is empty: expected a header row');
  const names = headerNames(header.map(([start, end]) => fieldText(b, start, end)));
  const maxRows = Math.floor((options.maxCells ?? Number.MAX_SAFE_INTEGER) / names.length);
  const columns = scanBody(b, at, code, names.length, maxRows);
  const rows = columns[0]?.length ?? 0;
  const data: Data[] = columns.map((column) => inferTextData(column));
  return assembleTable(
    names,
    data.map((d) => makeVector(d)),
    rows,
  );
}
