import { invalidInput } from '../contract/errors.js';
import type { AuditEntry, AuditInput, CellRef, Mark, MarkedCell } from '../contract/storage-backend.js';
import type { SessionRecord } from './store.js';

/** Metadata, audit and marks as pure rules over plain values (docs/semantics.md). */

/**
 * A deep copy of a JSON value (metadata, details: checked to be plain JSON on the way in). structuredClone
 * costs several times more for the small objects every getMetadata hands out. `__proto__` stays a data key.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copy = cloneJson((value as Record<string, unknown>)[key]);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}

/** A shallow merge; a null value deletes the key. `__proto__` is data, never the object's prototype. */
export function mergeMetadata(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined)
      Object.defineProperty(merged, key, {
        value: cloneJson(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return merged;
}

export function toAuditEntry(seq: number, at: string, input: AuditInput): AuditEntry {
  return {
    seq,
    at,
    operation: input.operation,
    ...(input.details !== undefined ? { details: input.details } : {}),
    ...(input.user !== undefined ? { user: input.user } : {}),
    ...(input.rowsBefore !== undefined ? { rowsBefore: input.rowsBefore } : {}),
    ...(input.rowsAfter !== undefined ? { rowsAfter: input.rowsAfter } : {}),
  };
}

/** Numbers new entries after the record's last one; returns them with the audit counters that count them. */
export function appendAudit(
  audit: SessionRecord['audit'],
  inputs: AuditInput[],
  at: string,
): { audit: SessionRecord['audit']; entries: AuditEntry[] } {
  const entries = inputs.map((input, index) => toAuditEntry(audit.lastSeq + index + 1, at, input));
  return { audit: countAudit(audit, entries), entries };
}

/** The counters after already-numbered entries (imports keep their numbers). */
export function countAudit(audit: SessionRecord['audit'], entries: AuditEntry[]): SessionRecord['audit'] {
  const first = entries[0];
  const last = entries.at(-1);
  if (first === undefined || last === undefined) return audit;
  // The row count at upload is the first `upload` entry's, recorded when the log starts with it.
  const initialRows =
    audit.count === 0 && first.operation === 'upload' ? (first.rowsAfter ?? 0) : audit.initialRows;
  const lastUser =
    entries.findLast((entry) => entry.user !== undefined && entry.user !== '')?.user ?? audit.lastUser;
  return {
    count: audit.count + entries.length,
    lastSeq: last.seq,
    initialRows,
    ...(lastUser !== undefined ? { lastUser } : {}),
  };
}

/** A page of the log (oldest first). */
export function auditPage(entries: AuditEntry[], offset = 0, limit?: number): AuditEntry[] {
  return entries.slice(offset, limit === undefined ? undefined : offset + limit);
}

const cellKey = (cell: CellRef): string => `${cell.row}\u0000${cell.column}`;

export const byCell = (a: MarkedCell, b: MarkedCell): number =>
  a.row - b.row || (a.column < b.column ? -1 : a.column > b.column ? 1 : 0);

/** Every mark must name a column of the current frame; checked for the whole batch before anything changes. */
export function assertColumnsExist(marks: Mark[], columns: ReadonlySet<string>): void {
  for (const mark of marks) {
    if (!columns.has(mark.column)) throw invalidInput(`column ${JSON.stringify(mark.column)} does not exist`);
  }
}

/** Adds marks; marking a cell again replaces its reason and time. Sorted by row, then column. */
export function upsertMarks(existing: MarkedCell[], marks: Mark[], markedAt: string): MarkedCell[] {
  const byKey = new Map(existing.map((mark) => [cellKey(mark), mark]));
  for (const mark of marks) {
    byKey.set(cellKey(mark), {
      row: mark.row,
      column: mark.column,
      ...(mark.reason !== undefined ? { reason: mark.reason } : {}),
      markedAt,
    });
  }
  return [...byKey.values()].sort(byCell);
}

/** Removes the given cells (all when omitted); unknown cells are ignored. */
export function removeMarks(
  existing: MarkedCell[],
  cells?: CellRef[],
): { kept: MarkedCell[]; removed: number } {
  if (cells === undefined) return { kept: [], removed: existing.length };
  const doomed = new Set(cells.map(cellKey));
  const kept = existing.filter((mark) => !doomed.has(cellKey(mark)));
  return { kept, removed: existing.length - kept.length };
}
