import { Table } from 'apache-arrow';
import { invalidInput } from '../../contract/errors.js';
import type {
  AuditInput,
  AuditQuery,
  CellRef,
  ChangeInput,
  CreateSessionOptions,
  ListSessionsOptions,
  Mark,
} from '../../contract/storage-backend.js';

/** Argument checks: every one throws INVALID_INPUT before anything is read or written. */

export const MAX_OPERATION_LENGTH = 200;
export const MAX_SHEET_NAME_LENGTH = 128;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

export function assertTable(value: unknown, what = 'frame'): asserts value is Table {
  if (!(value instanceof Table)) throw invalidInput(`${what} must be an Apache Arrow Table`);
}

export function assertOperation(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_OPERATION_LENGTH) {
    throw invalidInput(`operation must be a non-empty string of at most ${MAX_OPERATION_LENGTH} characters`);
  }
}

function assertOptionalString(value: unknown, name: string, max = 1024): void {
  if (value !== undefined && (typeof value !== 'string' || value.length > max)) {
    throw invalidInput(`${name} must be a string of at most ${max} characters`);
  }
}

/** Must survive JSON: no functions' silent loss matters less than cycles and BigInts, which would throw later. */
function assertJsonObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw invalidInput(`${name} must be a plain object`);
  try {
    JSON.stringify(value);
  } catch (error) {
    throw invalidInput(`${name} must be JSON-serializable`, error);
  }
}

export function assertChange(change: unknown): asserts change is ChangeInput {
  if (!isPlainObject(change)) throw invalidInput('change must be an object with an operation');
  assertOperation(change.operation);
  if (change.details !== undefined) assertJsonObject(change.details, 'details');
  assertOptionalString(change.user, 'user', MAX_OPERATION_LENGTH);
  const expected = change.expectedVersion;
  if (expected !== undefined && (!isCount(expected) || expected < 1)) {
    throw invalidInput('expectedVersion must be a positive integer');
  }
}

export function assertTtl(value: unknown): asserts value is number | undefined {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TTL_SECONDS) {
    throw invalidInput(`ttlSeconds must be an integer between 1 and ${MAX_TTL_SECONDS}`);
  }
}

export function assertCreateOptions(opts: unknown): asserts opts is CreateSessionOptions {
  if (!isPlainObject(opts)) throw invalidInput('options must be an object');
  assertOptionalString(opts.filename, 'filename');
  assertOptionalString(opts.user, 'user', MAX_OPERATION_LENGTH);
  if (opts.metadata !== undefined) assertJsonObject(opts.metadata, 'metadata');
  assertTtl(opts.ttlSeconds);
}

export function assertStoreOptions(opts: unknown): void {
  if (!isPlainObject(opts)) throw invalidInput('options must be an object');
  assertOptionalString(opts.filename, 'filename');
  assertTtl(opts.ttlSeconds);
}

export function assertMetadataPatch(patch: unknown): asserts patch is Record<string, unknown> {
  assertJsonObject(patch, 'metadata patch');
}

export function assertAuditInput(entry: unknown): asserts entry is AuditInput {
  if (!isPlainObject(entry)) throw invalidInput('audit entry must be an object');
  assertOperation(entry.operation);
  if (entry.details !== undefined) assertJsonObject(entry.details, 'details');
  assertOptionalString(entry.user, 'user', MAX_OPERATION_LENGTH);
  for (const name of ['rowsBefore', 'rowsAfter'] as const) {
    if (entry[name] !== undefined && !isCount(entry[name]))
      throw invalidInput(`${name} must be an integer >= 0`);
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

export function assertListOptions(opts: unknown): asserts opts is ListSessionsOptions {
  if (!isPlainObject(opts)) throw invalidInput('list options must be an object');
  if (opts.cursor !== undefined && typeof opts.cursor !== 'string')
    throw invalidInput('cursor must be a string');
  const limit = opts.limit;
  if (limit !== undefined && (!isCount(limit) || limit < 1 || limit > MAX_LIST_LIMIT)) {
    throw invalidInput(`limit must be an integer between 1 and ${MAX_LIST_LIMIT}`);
  }
}

export function assertVersionNumber(value: unknown): asserts value is number {
  if (!isCount(value) || value < 1) throw invalidInput('version must be a positive integer');
}

export function assertLabel(value: unknown): asserts value is string | undefined {
  assertOptionalString(value, 'label', MAX_OPERATION_LENGTH);
}

export function assertCell(cell: unknown): asserts cell is CellRef {
  if (!isPlainObject(cell)) throw invalidInput('a cell must be an object { row, column }');
  if (!isCount(cell.row)) throw invalidInput('row must be an integer >= 0');
  if (typeof cell.column !== 'string' || cell.column === '')
    throw invalidInput('column must be a non-empty string');
}

export function assertMark(mark: unknown): asserts mark is Mark {
  assertCell(mark);
  assertOptionalString((mark as unknown as Record<string, unknown>).reason, 'reason');
}

/** Sheet names come from user files: they are labels, never paths. */
export function assertSheetName(name: unknown): asserts name is string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > MAX_SHEET_NAME_LENGTH ||
    /[/\\]/.test(name) ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    /[\u0000-\u001f\u007f]/.test(name)
  ) {
    throw invalidInput(
      `sheet names must be 1-${MAX_SHEET_NAME_LENGTH} characters without path separators or control characters`,
    );
  }
}

/** Opaque listing cursor: the last id of the previous page, base64url-wrapped. */
export const encodeCursor = (lastId: string): string => Buffer.from(`c1:${lastId}`).toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('c1:')) throw invalidInput('malformed cursor');
  return decoded.slice(3);
}
