import { Table } from 'apache-arrow';
import { invalidInput } from '../../contract/errors.js';
import type { AuditInput, CellRef, ChangeInput, Mark } from '../../contract/storage-backend.js';

/** Input checks done before any I/O; every failure is INVALID_INPUT. */

export function checkTable(table: unknown, what = 'table'): asserts table is Table {
  if (!(table instanceof Table)) throw invalidInput(`${what} must be an Apache Arrow Table`);
}

export function checkTtl(ttlSeconds: unknown): number | undefined {
  if (ttlSeconds === undefined) return undefined;
  if (
    typeof ttlSeconds !== 'number' ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < 1 ||
    ttlSeconds > 2 ** 31
  ) {
    throw invalidInput('ttlSeconds must be a positive integer');
  }
  return ttlSeconds;
}

export function checkPlainObject(value: unknown, what: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidInput(`${what} must be a plain object`);
  }
}

/** Operations name what happened (e.g. `fill_missing`): non-blank, at most 200 characters. */
const isOperation = (value: unknown): value is string =>
  typeof value === 'string' && value.trim() !== '' && value.length <= 200;

/** JSON text of a value, INVALID_INPUT when it cannot be represented (BigInt, cycles). */
export function toJson(value: unknown, what: string): string {
  try {
    const json = JSON.stringify(value);
    if (json === undefined) throw new Error('not representable');
    return json;
  } catch (error) {
    throw invalidInput(`${what} must be JSON-serializable`, error);
  }
}

/** Metadata as field/JSON pairs; `null` marks a deletion ('' value), undefined entries are skipped. */
export function metadataPairs(patch: Record<string, unknown>, allowDelete: boolean): string[] {
  checkPlainObject(patch, 'metadata');
  const out: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) {
      if (allowDelete) out.push(key, '');
      continue;
    }
    out.push(key, toJson(value, `metadata.${key}`));
  }
  return out;
}

export function checkChange(change: ChangeInput): void {
  checkPlainObject(change, 'change');
  if (!isOperation(change.operation))
    throw invalidInput('change.operation must be a non-blank string of ≤ 200 chars');
  if (change.user !== undefined && typeof change.user !== 'string')
    throw invalidInput('change.user must be a string');
  if (change.details !== undefined) checkPlainObject(change.details, 'change.details');
  if (
    change.expectedVersion !== undefined &&
    (!Number.isInteger(change.expectedVersion) || change.expectedVersion < 1)
  ) {
    throw invalidInput('change.expectedVersion must be a positive integer');
  }
}

/**
 * The JSON text of an audit entry without its leading '{'; the Lua script prepends seq (and rows it knows).
 * Fields are written in AuditEntry order so stored entries read back the same.
 */
export function auditTail(entry: AuditInput & { at: string }): string {
  checkPlainObject(entry, 'audit entry');
  if (!isOperation(entry.operation))
    throw invalidInput('audit operation must be a non-blank string of ≤ 200 chars');
  if (entry.user !== undefined && typeof entry.user !== 'string')
    throw invalidInput('audit user must be a string');
  if (entry.details !== undefined) checkPlainObject(entry.details, 'audit details');
  for (const key of ['rowsBefore', 'rowsAfter'] as const) {
    const rows = entry[key];
    if (rows !== undefined && (!Number.isInteger(rows) || rows < 0)) {
      throw invalidInput(`audit ${key} must be a non-negative integer`);
    }
  }
  const body = {
    at: entry.at,
    operation: entry.operation,
    ...(entry.details !== undefined ? { details: entry.details } : {}),
    ...(entry.user !== undefined ? { user: entry.user } : {}),
    ...(entry.rowsBefore !== undefined ? { rowsBefore: entry.rowsBefore } : {}),
    ...(entry.rowsAfter !== undefined ? { rowsAfter: entry.rowsAfter } : {}),
  };
  return toJson(body, 'audit entry').slice(1);
}

export function checkVersionNumber(version: unknown): number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw invalidInput('version must be a positive integer');
  }
  return version;
}

export function checkCell(cell: CellRef, what: string): void {
  if (cell === null || typeof cell !== 'object') throw invalidInput(`${what} must be an object`);
  if (typeof cell.row !== 'number' || !Number.isInteger(cell.row) || cell.row < 0) {
    throw invalidInput(`${what}.row must be an integer ≥ 0`);
  }
  if (typeof cell.column !== 'string' || cell.column === '') {
    throw invalidInput(`${what}.column must be a non-empty string`);
  }
}

export function checkMark(mark: Mark, what: string): void {
  checkCell(mark, what);
  if (mark.reason !== undefined && typeof mark.reason !== 'string') {
    throw invalidInput(`${what}.reason must be a string`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Sheet names: non-empty, ≤ 128 characters, no control characters or path separators. */
export function checkSheetName(name: unknown): asserts name is string {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > 128 ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
    /[\u0000-\u001f\u007f/\\]/.test(name) ||
    LONE_SURROGATE.test(name)
  ) {
    throw invalidInput('sheet names must be 1-128 characters without control characters or path separators');
  }
}

/** listSessions paging: limit defaults to 100, at most 1000. */
export function checkLimit(limit: unknown): number {
  if (limit === undefined) return 100;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw invalidInput('limit must be an integer between 1 and 1000');
  }
  return limit;
}

export function checkFilename(filename: unknown): string | undefined {
  if (filename === undefined) return undefined;
  if (typeof filename !== 'string' || filename.length > 1024) {
    throw invalidInput('filename must be a string of at most 1024 characters');
  }
  return filename;
}
