import type { FrameDiff, VersionRef } from '../contract/frame-reads.js';
import type {
  AuditEntry,
  MarkedCell,
  SessionInfo,
  SheetInfo,
  TempUploadInfo,
  VersionInfo,
} from '../contract/storage-backend.js';

/**
 * The snake_case JSON shapes of the API (§6). Converted field by field at the edge, never by a
 * generic key rewrite: metadata and audit `details` are user data and keep their keys as given.
 */

export interface SessionJson {
  session_id: string;
  filename?: string;
  created_at: string;
  updated_at: string;
  expires_at: string;
  rows: number;
  columns: number;
  bytes: number;
  version: number;
  version_count: number;
  can_undo: boolean;
  can_redo: boolean;
  last_user?: string;
}

export function sessionJson(info: SessionInfo): SessionJson {
  return {
    session_id: info.sessionId,
    ...(info.filename !== undefined ? { filename: info.filename } : {}),
    created_at: info.createdAt,
    updated_at: info.updatedAt,
    expires_at: info.expiresAt,
    rows: info.rows,
    columns: info.columns,
    bytes: info.bytes,
    version: info.version,
    version_count: info.versionCount,
    can_undo: info.canUndo,
    can_redo: info.canRedo,
    ...(info.lastUser !== undefined ? { last_user: info.lastUser } : {}),
  };
}

export function versionJson(info: VersionInfo): Record<string, unknown> {
  return {
    version: info.version,
    ...(info.label !== undefined ? { label: info.label } : {}),
    ...(info.operation !== undefined ? { operation: info.operation } : {}),
    ...(info.user !== undefined ? { user: info.user } : {}),
    created_at: info.createdAt,
    rows: info.rows,
    columns: info.columns,
    bytes: info.bytes,
  };
}

export function auditJson(entry: AuditEntry): Record<string, unknown> {
  return {
    seq: entry.seq,
    at: entry.at,
    operation: entry.operation,
    ...(entry.details !== undefined ? { details: entry.details } : {}),
    ...(entry.user !== undefined ? { user: entry.user } : {}),
    ...(entry.rowsBefore !== undefined ? { rows_before: entry.rowsBefore } : {}),
    ...(entry.rowsAfter !== undefined ? { rows_after: entry.rowsAfter } : {}),
  };
}

export function markJson(mark: MarkedCell): Record<string, unknown> {
  return {
    row: mark.row,
    column: mark.column,
    ...(mark.reason !== undefined ? { reason: mark.reason } : {}),
    marked_at: mark.markedAt,
  };
}

export function sheetJson(sheet: SheetInfo): Record<string, unknown> {
  return { name: sheet.name, rows: sheet.rows, columns: sheet.columns, bytes: sheet.bytes };
}

export function uploadJson(upload: TempUploadInfo): Record<string, unknown> {
  return {
    upload_id: upload.uploadId,
    ...(upload.filename !== undefined ? { filename: upload.filename } : {}),
    created_at: upload.createdAt,
    expires_at: upload.expiresAt,
    sheets: upload.sheets.map(sheetJson),
  };
}

/** A FrameDiff with the two frames it compares (`from` resolved when the query left it out). */
export function diffJson(from: VersionRef, to: VersionRef, diff: FrameDiff): Record<string, unknown> {
  return {
    from,
    to,
    rows_before: diff.rowsBefore,
    rows_after: diff.rowsAfter,
    columns_added: diff.columnsAdded,
    columns_removed: diff.columnsRemoved,
    columns_changed: diff.columnsChanged,
    columns_unchanged: diff.columnsUnchanged,
  };
}
