import { invalidInput } from '../../contract/errors.js';
import type { AuditInput } from '../../contract/storage-backend.js';
import { assertAuditInput, assertMetadataPatch } from '../../session/validate.js';

/** Turning validated input into the strings the Lua scripts take (the checks live in session/validate.ts). */

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
  assertMetadataPatch(patch);
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

/**
 * The JSON text of an audit entry without its leading '{'; the Lua script prepends seq (and rows it knows).
 * Fields are written in AuditEntry order so stored entries read back the same.
 */
export function auditTail(entry: AuditInput & { at: string }): string {
  assertAuditInput(entry);
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
