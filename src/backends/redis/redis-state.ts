import type { AuditEntry, MarkedCell } from '../../contract/storage-backend.js';
import { byCell } from '../../session/annotations.js';
import type { FrameManifest } from '../../session/chunks/manifest.js';

/** A frame entry as the state hash keeps it (see redis-lua-prelude.ts). */
export interface FrameEntry {
  f: string;
  n: number;
  r: number;
  c: number;
  b: number;
  v?: number;
  op?: string;
  /** user of the change (VersionInfo.user) */
  u?: string;
  label?: string;
  at?: string;
  /** a chunked frame's manifest: now kept in the state field `m:<f>`; inline only in older states (read, never written) */
  m?: FrameManifest;
}

const text = (value: unknown): string =>
  Buffer.isBuffer(value) ? value.toString('utf8') : String(value ?? '');

/** cjson writes an empty list as {}. */
export function parseEntryList(raw: string | undefined): FrameEntry[] {
  if (raw === undefined || raw === '' || raw === '{}') return [];
  const list = JSON.parse(raw) as unknown;
  return Array.isArray(list) ? (list as FrameEntry[]) : [];
}

/** Audit entries come back from Lua with `seq` first; rebuild them in a stable key order. */
export function parseAuditEntry(raw: unknown): AuditEntry {
  const value = JSON.parse(text(raw)) as AuditEntry;
  return {
    seq: value.seq,
    at: value.at,
    operation: value.operation,
    ...(value.details !== undefined ? { details: value.details } : {}),
    ...(value.user !== undefined ? { user: value.user } : {}),
    ...(value.rowsBefore !== undefined ? { rowsBefore: value.rowsBefore } : {}),
    ...(value.rowsAfter !== undefined ? { rowsAfter: value.rowsAfter } : {}),
  };
}

/** HGETALL of the marks hash (`<row>:<column>` → { reason?, markedAt }) → cells sorted by row, then column. */
export function parseMarks(flat: unknown[]): MarkedCell[] {
  const cells: MarkedCell[] = [];
  for (let index = 0; index + 1 < flat.length; index += 2) {
    const field = text(flat[index]);
    const split = field.indexOf(':');
    const value = JSON.parse(text(flat[index + 1])) as { reason?: string; markedAt: string };
    cells.push({
      row: Number(field.slice(0, split)),
      column: field.slice(split + 1),
      ...(value.reason !== undefined ? { reason: value.reason } : {}),
      markedAt: value.markedAt,
    });
  }
  return cells.sort(byCell);
}

/** The metadata hash (field → JSON) as an object; `__proto__` is a key like any other, never a prototype. */
export function parseMetadata(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(pairs(flat)))
    Object.defineProperty(out, key, {
      value: JSON.parse(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** A flat [field, value, …] reply → object of strings. */
export function pairs(flat: unknown[]): Record<string, string> {
  // No prototype: a field named `__proto__` is stored as an ordinary key.
  const out: Record<string, string> = Object.create(null);
  for (let index = 0; index + 1 < flat.length; index += 2) out[text(flat[index])] = text(flat[index + 1]);
  return out;
}

export { text as replyText };
