import { corruptData } from '../../contract/errors.js';
import type { AuditEntry, AuditInput } from '../../contract/storage-backend.js';
import { appendAtSync, readPrefixSync } from './inmemory-files.js';
import type { SessionState } from './inmemory-state.js';

/**
 * The audit log is an append-only JSON-lines file; the state records how many of its bytes are committed.
 * An append writes past the committed length (cutting any tail a crashed writer left) and becomes visible
 * only when the state that counts it is committed, so the log and the frames change in one step.
 */

export type AuditMeta = SessionState['audit'];

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

/** Appends entries (not yet committed) and returns them with the metadata the next state must carry. */
export function appendAudit(
  file: string,
  meta: AuditMeta,
  inputs: AuditInput[],
  at: string,
): { meta: AuditMeta; entries: AuditEntry[] } {
  const entries = inputs.map((input, index) => toAuditEntry(meta.lastSeq + index + 1, at, input));
  return { meta: writeAuditEntries(file, meta, entries), entries };
}

/** Writes already-numbered entries after the committed prefix. */
export function writeAuditEntries(file: string, meta: AuditMeta, entries: AuditEntry[]): AuditMeta {
  if (entries.length === 0) return meta;
  const lines = Buffer.from(entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''), 'utf8');
  const bytes = appendAtSync(file, meta.bytes, lines);
  const last = entries[entries.length - 1]!;
  const first = entries[0]!;
  const initialRows =
    meta.count === 0 && first.operation === 'upload' ? (first.rowsAfter ?? 0) : meta.initialRows;
  return { ...meta, bytes, count: meta.count + entries.length, lastSeq: last.seq, initialRows };
}

/** The committed entries, oldest first. */
export function readAudit(file: string, meta: AuditMeta, sessionId: string): AuditEntry[] {
  if (meta.count === 0) return [];
  const prefix = readPrefixSync(file, meta.bytes);
  if (prefix === undefined || prefix.length !== meta.bytes) {
    throw corruptData(`session ${sessionId}: audit log is shorter than committed`);
  }
  const lines = prefix.toString('utf8').split('\n');
  lines.pop();
  if (lines.length !== meta.count) throw corruptData(`session ${sessionId}: audit log entry count mismatch`);
  try {
    return lines.map((line) => JSON.parse(line) as AuditEntry);
  } catch (error) {
    throw corruptData(`session ${sessionId}: audit log is not valid JSON lines`, error);
  }
}
