import { Table } from 'apache-arrow';
import { invalidInput } from '../contract/errors.js';
import type {
  AuditInput,
  AuditQuery,
  CellRef,
  ChangeInput,
  CreateSessionOptions,
  ListSessionsOptions,
  Mark,
  VersionRef,
} from '../contract/storage-backend.js';
import * as limits from './limits.js';

/**
 * Argument checks shared by every backend: each throws INVALID_INPUT before anything is read or written, with
 * the limits of limits.ts, so the same call is refused (or accepted) everywhere.
 */

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Every string a user stores must be well-formed UTF-16 (no lone surrogate): such a string has no UTF-8 form,
 * so a store would have to refuse it or change it (a Redis script cannot even decode it). One rule instead.
 */
function assertWellFormed(value: string, what: string): void {
  if (LONE_SURROGATE.test(value))
    throw invalidInput(`${what} must be well-formed text (it has a lone surrogate)`);
}

export function assertTable(value: unknown, what = 'frame'): asserts value is Table {
  if (!(value instanceof Table)) throw invalidInput(`${what} must be an Apache Arrow Table`);
}

export function assertOperation(value: unknown, what = 'operation'): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > limits.MAX_OPERATION_LENGTH) {
    throw invalidInput(
      `${what} must be a non-blank string of at most ${limits.MAX_OPERATION_LENGTH} characters`,
    );
  }
  assertWellFormed(value, what);
}

function assertOptionalString(value: unknown, name: string, max: number): void {
  if (value !== undefined && (typeof value !== 'string' || value.length > max)) {
    throw invalidInput(`${name} must be a string of at most ${max} characters`);
  }
  if (value !== undefined) assertWellFormed(value as string, name);
}

/**
 * A plain object that survives JSON: depth-bounded (checked iteratively, so a deep or cyclic value is refused
 * without recursion), no BigInt, no cycles, every key and string value well-formed text.
 */
export function assertJsonObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidInput(`${name} must be a plain object`);
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node === 'string') assertWellFormed(node, `a string in ${name}`);
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limits.MAX_JSON_DEPTH)
      throw invalidInput(`${name} is nested deeper than ${limits.MAX_JSON_DEPTH} levels`);
    for (const [key, child] of Object.entries(node)) {
      assertWellFormed(key, `a key in ${name}`);
      stack.push([child, depth + 1]);
    }
  }
  try {
    JSON.stringify(value);
  } catch (error) {
    throw invalidInput(`${name} must be JSON-serializable`, error);
  }
}

/** Every string (keys too) in a value read from a snapshot is well-formed text; bytes are skipped. */
export function assertWellFormedStrings(value: unknown, name: string): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') assertWellFormed(node, `a string in ${name}`);
    if (typeof node !== 'object' || node === null || node instanceof Uint8Array) continue;
    for (const [key, child] of Object.entries(node)) {
      assertWellFormed(key, `a key in ${name}`);
      stack.push(child);
    }
  }
}

export function assertUser(value: unknown, what = 'user'): asserts value is string | undefined {
  assertOptionalString(value, what, limits.MAX_USER_LENGTH);
}

export function assertFilename(value: unknown): asserts value is string | undefined {
  assertOptionalString(value, 'filename', limits.MAX_FILENAME_LENGTH);
}

export function assertChange(change: unknown): asserts change is ChangeInput {
  if (!isPlainObject(change)) throw invalidInput('change must be an object with an operation');
  assertOperation(change.operation, 'change.operation');
  if (change.details !== undefined) assertJsonObject(change.details, 'change.details');
  assertUser(change.user, 'change.user');
  const expected = change.expectedVersion;
  if (expected !== undefined && (!isCount(expected) || expected < 1)) {
    throw invalidInput('change.expectedVersion must be a positive integer');
  }
}

/** `{ user? }` of undo, redo and restore. */
export function assertActorOptions(opts: unknown): asserts opts is { user?: string } {
  if (!isPlainObject(opts)) throw invalidInput('options must be an object');
  assertUser(opts.user);
}

export function assertTtl(value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > limits.MAX_TTL_SECONDS) {
    throw invalidInput(`ttlSeconds must be an integer between 1 and ${limits.MAX_TTL_SECONDS}`);
  }
}

export function assertCreateOptions(opts: unknown): asserts opts is CreateSessionOptions {
  if (!isPlainObject(opts)) throw invalidInput('options must be an object');
  assertFilename(opts.filename);
  assertUser(opts.user);
  if (opts.metadata !== undefined) assertJsonObject(opts.metadata, 'metadata');
  assertTtl(opts.ttlSeconds);
}

export function assertStoreOptions(opts: unknown): void {
  if (!isPlainObject(opts)) throw invalidInput('options must be an object');
  assertFilename(opts.filename);
  assertTtl(opts.ttlSeconds);
}

/** The sheets of a temp upload: at least one, each a table under a valid sheet name. */
export function assertUploadSheets(sheets: unknown): asserts sheets is Record<string, Table> {
  if (!isPlainObject(sheets) || Object.keys(sheets).length === 0) {
    throw invalidInput('sheets must be an object with at least one named table');
  }
  for (const [name, table] of Object.entries(sheets)) {
    assertSheetName(name);
    assertTable(table, `sheet ${JSON.stringify(name)}`);
  }
}

export function assertMetadataPatch(patch: unknown): asserts patch is Record<string, unknown> {
  assertJsonObject(patch, 'metadata patch');
}

export function assertAuditInput(entry: unknown): asserts entry is AuditInput {
  if (!isPlainObject(entry)) throw invalidInput('audit entry must be an object');
  assertOperation(entry.operation, 'audit operation');
  if (entry.details !== undefined) assertJsonObject(entry.details, 'audit details');
  assertUser(entry.user, 'audit user');
  for (const name of ['rowsBefore', 'rowsAfter'] as const) {
    if (entry[name] !== undefined && !isCount(entry[name]))
      throw invalidInput(`audit ${name} must be an integer >= 0`);
  }
}

export function assertAuditQuery(query: unknown): asserts query is AuditQuery {
  if (!isPlainObject(query)) throw invalidInput('audit query must be an object');
  if (query.offset !== undefined && !isCount(query.offset))
    throw invalidInput('offset must be an integer >= 0');
  if (query.limit !== undefined && (!isCount(query.limit) || query.limit < 1)) {
    throw invalidInput('limit must be a positive integer');
  }
}

/** Listing options; returns the page size (default 100, at most 1,000). */
export function listLimit(opts: unknown): number {
  if (!isPlainObject(opts)) throw invalidInput('list options must be an object');
  // A cursor is what a previous page returned, never empty: '' is as malformed as any other made-up value.
  if (opts.cursor !== undefined && (typeof opts.cursor !== 'string' || opts.cursor === ''))
    throw invalidInput('malformed cursor');
  const limit = (opts as ListSessionsOptions).limit;
  if (limit === undefined) return limits.DEFAULT_LIST_LIMIT;
  if (!isCount(limit) || limit < 1 || limit > limits.MAX_LIST_LIMIT) {
    throw invalidInput(`limit must be an integer between 1 and ${limits.MAX_LIST_LIMIT}`);
  }
  return limit;
}

export function assertVersionNumber(value: unknown): asserts value is number {
  if (!isCount(value) || value < 1) throw invalidInput('version must be a positive integer');
}

/** A version label; `''` and undefined both mean "no label". */
export function normalizeLabel(value: unknown): string | undefined {
  assertOptionalString(value, 'label', limits.MAX_LABEL_LENGTH);
  return value === '' ? undefined : (value as string | undefined);
}

/** A cell of a frame with `rows` rows (rows unknown: only the shape is checked). */
export function assertCell(cell: unknown, what = 'cell', rows?: number): asserts cell is CellRef {
  if (!isPlainObject(cell)) throw invalidInput(`${what} must be an object { row, column }`);
  if (!isCount(cell.row)) throw invalidInput(`${what}.row must be an integer >= 0`);
  if (rows !== undefined && cell.row >= rows)
    throw invalidInput(`${what}.row ${cell.row} is outside the frame (${rows} rows)`);
  if (
    typeof cell.column !== 'string' ||
    cell.column === '' ||
    cell.column.length > limits.MAX_COLUMN_NAME_LENGTH
  )
    throw invalidInput(`${what}.column must be a string of 1-${limits.MAX_COLUMN_NAME_LENGTH} characters`);
  assertWellFormed(cell.column, `${what}.column`);
}

export function assertMark(mark: unknown, what = 'mark', rows?: number): asserts mark is Mark {
  assertCell(mark, what, rows);
  assertOptionalString(
    (mark as unknown as Record<string, unknown>).reason,
    `${what}.reason`,
    limits.MAX_REASON_LENGTH,
  );
}

export function assertMarks(marks: unknown, rows?: number): asserts marks is Mark[] {
  if (!Array.isArray(marks)) throw invalidInput('marks must be an array');
  if (marks.length > limits.MAX_MARKS_PER_BATCH)
    throw invalidInput(`at most ${limits.MAX_MARKS_PER_BATCH} marks per batch`);
  marks.forEach((mark, index) => {
    assertMark(mark, `marks[${index}]`, rows);
  });
}

export function assertCells(cells: unknown): asserts cells is CellRef[] {
  if (!Array.isArray(cells)) throw invalidInput('cells must be an array');
  if (cells.length > limits.MAX_MARKS_PER_BATCH)
    throw invalidInput(`at most ${limits.MAX_MARKS_PER_BATCH} cells per call`);
  cells.forEach((cell, index) => {
    assertCell(cell, `cells[${index}]`);
  });
}

/** Sheet names come from user files: they are labels, never paths, and must survive UTF-8. */
export function assertSheetName(name: unknown): asserts name is string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > limits.MAX_SHEET_NAME_LENGTH ||
    /[/\\]/.test(name) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    /[\u0000-\u001f\u007f]/.test(name) ||
    LONE_SURROGATE.test(name)
  ) {
    throw invalidInput(
      `sheet names must be 1-${limits.MAX_SHEET_NAME_LENGTH} characters of well-formed text without path separators or control characters`,
    );
  }
}

/** A version number or 'current' (diffs). */
export function assertVersionRef(ref: unknown, what: string): asserts ref is VersionRef {
  if (ref === 'current') return;
  if (typeof ref !== 'number') throw invalidInput(`${what} must be a version number or 'current'`);
  assertVersionNumber(ref);
}
