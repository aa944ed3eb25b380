import { invalidInput, StorageError } from '../contract/errors.js';
import type { TextSlices } from './cell-slices.js';
import * as slices from './cell-slices.js';

// Bound once: transpiled imports read through a getter on every access (see cell-infer.ts).
const { ESCAPED_QUOTES, newColumnSlices, pushSlice } = slices;

/**
 * The RFC 4180 state machine over UTF-8 bytes. Separators, quotes and line breaks are ASCII and never
 * occur inside a multi-byte UTF-8 sequence, so scanning bytes is exact. Each field goes straight into
 * its column's slices: no row objects, no per-cell strings. Line numbers are 1-based physical lines
 * (the header is line 1); blank lines are skipped.
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Where the scanner stands: the next byte, its physical line, and the last field's first byte. */
export interface CsvCursor {
  pos: number;
  line: number;
  start: number;
}

const parseError = (message: string) => invalidInput(`CSV could not be parsed: ${message}`);

/** Skips blank lines; false at the end of the input. */
function skipBlank(b: Buffer, at: CsvCursor): boolean {
  while (at.pos < b.length) {
    const c = b[at.pos];
    if (c === LF) at.line++;
    else if (c === CR) {
      if (b[at.pos + 1] !== LF) at.line++;
    } else return true;
    at.pos++;
  }
  return false;
}

/**
 * Scans one field at `at.pos`: sets `at.start` to its first byte (past the opening quote when quoted)
 * and returns its end, with ESCAPED_QUOTES when it holds `""`.
 */
function scanField(b: Buffer, at: CsvCursor, delimiter: number, recordLine: number): number {
  const n = b.length;
  let pos = at.pos;
  if (b[pos] !== QUOTE) {
    at.start = pos;
    while (pos < n) {
      const c = b[pos];
      if (c === delimiter || c === LF || c === CR) break;
      pos++;
    }
    at.pos = pos;
    return pos;
  }
  at.start = ++pos;
  let flag = 0;
  for (;;) {
    const q = b.indexOf(QUOTE, pos);
    if (q < 0) throw parseError(`the quoted field starting on line ${recordLine} is never closed`);
    for (let k = pos; k < q; k++) if (b[k] === LF) at.line++;
    if (b[q + 1] === QUOTE) {
      flag = ESCAPED_QUOTES;
      pos = q + 2;
      continue;
    }
    pos = q + 1;
    const next = b[pos];
    if (pos < n && next !== delimiter && next !== LF && next !== CR) {
      throw parseError(`line ${at.line}: unexpected text after the closing quote of a field`);
    }
    at.pos = pos;
    return (q | flag) >>> 0;
  }
}

/** Consumes the separator or line break after a field; true when the record goes on. */
function afterField(b: Buffer, at: CsvCursor, delimiter: number): boolean {
  const c = b[at.pos];
  if (at.pos >= b.length) return false;
  at.pos++;
  if (c === delimiter) return true;
  if (c === CR && b[at.pos] === LF) at.pos++;
  at.line++;
  return false;
}

const tooManyColumns = (maxColumns: number) =>
  new StorageError(
    'PAYLOAD_TOO_LARGE',
    `CSV header has more than ${maxColumns} columns (MAX_COLUMNS); nothing was read past it`,
  );

/** The header record's fields as [start, end] pairs; PAYLOAD_TOO_LARGE past `maxColumns` fields. */
export function scanHeader(
  b: Buffer,
  at: CsvCursor,
  delimiter: number,
  maxColumns: number,
): Array<[number, number]> | undefined {
  if (!skipBlank(b, at)) return undefined;
  const fields: Array<[number, number]> = [];
  const line = at.line;
  do {
    if (fields.length >= maxColumns) throw tooManyColumns(maxColumns);
    const end = scanField(b, at, delimiter, line);
    fields.push([at.start, end]);
  } while (afterField(b, at, delimiter));
  return fields;
}

/** Upper bound on the records left: one per line break, plus one. */
function recordBound(b: Buffer, from: number): number {
  let count = 1;
  for (let k = b.indexOf(LF, from); k >= 0; k = b.indexOf(LF, k + 1)) count++;
  if (count === 1) for (let k = b.indexOf(CR, from); k >= 0; k = b.indexOf(CR, k + 1)) count++;
  return count;
}

/**
 * Every record after the header into `width` columns. A record with another field count is
 * INVALID_INPUT naming its line; more than `maxRows` records is PAYLOAD_TOO_LARGE. The unquoted
 * field and the slice append are written out inline: this loop runs once per byte and once per
 * cell, and function calls dominate it before the JIT has warmed up (the first upload).
 */
export function scanBody(
  b: Buffer,
  at: CsvCursor,
  delimiter: number,
  width: number,
  maxRows: number,
): TextSlices[] {
  const n = b.length;
  const bound = Math.min(recordBound(b, at.pos), Math.floor((n - at.pos) / Math.max(1, width - 1)) + 2);
  const columns = newColumnSlices(b, width, Math.min(bound, maxRows + 1));
  // One table lookup per byte instead of three comparisons.
  const stops = new Uint8Array(256);
  stops[delimiter] = stops[LF] = stops[CR] = 1;
  let rows = 0;
  while (skipBlank(b, at)) {
    const line = at.line;
    let field = 0;
    let pos = at.pos;
    for (;;) {
      let start = pos;
      let end: number;
      if (b[pos] === QUOTE) {
        at.pos = pos;
        end = scanField(b, at, delimiter, line);
        start = at.start;
        pos = at.pos;
      } else {
        while (pos < n && stops[b[pos]!] === 0) pos++;
        end = pos;
      }
      if (field < width) {
        const column = columns[field]!;
        if (column.length === column.starts.length) pushSlice(column, start, end);
        else {
          column.starts[column.length] = start;
          column.ends[column.length++] = end;
        }
      }
      field++;
      if (pos >= n) break;
      const c = b[pos++];
      if (c === delimiter) continue;
      if (c === CR && b[pos] === LF) pos++;
      at.line++;
      break;
    }
    at.pos = pos;
    if (field !== width) throw raggedRow(line, field, width, delimiter);
    if (++rows > maxRows) {
      throw new StorageError('PAYLOAD_TOO_LARGE', `CSV has more than ${maxRows * width} cells`);
    }
  }
  return columns;
}

function raggedRow(line: number, fields: number, width: number, delimiter: number): Error {
  const separator = delimiter === 0x09 ? 'tab' : String.fromCharCode(delimiter);
  return parseError(
    `line ${line} has ${fields} field${fields === 1 ? '' : 's'}, the header has ${width} (separator ${JSON.stringify(separator)})`,
  );
}
