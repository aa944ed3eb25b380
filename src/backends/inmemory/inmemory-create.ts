import type { Table } from 'apache-arrow';
import { newId } from '../../contract/ids.js';
import type { CreateSessionOptions, SessionInfo } from '../../contract/storage-backend.js';
import { ABSENT_REV } from './inmemory-lock.js';
import type { SessionStore } from './inmemory-sessions.js';
import { type SessionState, toSessionInfo } from './inmemory-state.js';
import { newFileId, type SessionTx } from './inmemory-tx.js';

/** A metadata object without the keys whose value is null (null means "absent" everywhere). */
export function mergeMetadata(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    // defineProperty, not assignment: a `__proto__` key is data, never the object's prototype.
    else if (value !== undefined)
      Object.defineProperty(merged, key, {
        value: structuredClone(value),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return merged;
}

export interface NewSessionFrame {
  /** Puts the frame file in place (write or hard-link) and returns its frame id. */
  place: (tx: SessionTx) => Promise<string>;
  rows: number;
  columns: number;
  bytes: number;
  /** The decoded table, when the caller has it, for the cache. */
  table?: Table;
}

/**
 * Creates a session from one frame: frame + audit log (first entry `upload`) + touch, then the state.json
 * commit. Nobody knows the new id before it returns, but the lock still keeps the sweep off the half-made folder.
 */
export async function createNewSession(
  store: SessionStore,
  frame: NewSessionFrame,
  opts: CreateSessionOptions,
  defaultTtlSeconds: number,
  uploadDetails?: Record<string, unknown>,
): Promise<SessionInfo> {
  const id = newId();
  const ttlSeconds = opts.ttlSeconds ?? defaultTtlSeconds;
  return store.withNewSession(id, async (ctx, tx) => {
    const frameId = await frame.place(tx);
    const auditFile = `audit-${newFileId()}.jsonl`;
    tx.written.push(store.layout.blobPath(id, auditFile));
    const state: SessionState = {
      format: 1,
      sessionId: id,
      ...(opts.filename !== undefined ? { filename: opts.filename } : {}),
      createdAt: tx.now,
      updatedAt: tx.now,
      ttlSeconds,
      version: 1,
      rev: '',
      current: { frameId, rows: frame.rows, columns: frame.columns, bytes: frame.bytes },
      history: [],
      redo: [],
      metadata: mergeMetadata({}, opts.metadata ?? {}),
      audit: { file: auditFile, bytes: 0, count: 0, lastSeq: 0, initialRows: 0 },
      marks: { file: null, count: 0 },
    };
    const details = { ...(opts.filename !== undefined ? { filename: opts.filename } : {}), ...uploadDetails };
    state.audit = tx.appendAudit(state.audit, [
      {
        operation: 'upload',
        rowsAfter: frame.rows,
        ...(Object.keys(details).length > 0 ? { details } : {}),
        ...(opts.user !== undefined ? { user: opts.user } : {}),
      },
    ]).meta;
    const nowMs = Date.parse(tx.now);
    store.commit(ctx, id, undefined, state, { tx, touchAtMs: nowMs, expectedRev: ABSENT_REV });
    await store.syncSessionsDir();
    if (frame.table !== undefined) store.remember(id, frameId, frame.table);
    return toSessionInfo(state, nowMs + ttlSeconds * 1000);
  });
}
