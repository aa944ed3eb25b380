import type { Table } from 'apache-arrow';
import { StorageError } from '../../contract/errors.js';
import type { ChangeInput, SessionInfo, VersionInfo } from '../../contract/storage-backend.js';
import { assertActorOptions, assertVersionNumber, normalizeLabel } from '../../session/validate.js';
import {
  applyCreateVersion,
  applyRedo,
  applyRestore,
  applyUndo,
  applyUpdate,
  findVersionFrame,
  versionNotFound,
} from './inmemory-history.js';
import type { SessionStore } from './inmemory-sessions.js';
import { type SessionState, toSessionInfo } from './inmemory-state.js';
import type { SessionTx } from './inmemory-tx.js';

/** The frame-changing operations: each is one locked read-modify-write that moves references. */

/** Writes the new frame, pushes the old one into history, clears redo and appends the audit entry. */
export async function updateFrame(
  store: SessionStore,
  maxVersions: number,
  id: string,
  table: Table,
  bytes: Uint8Array,
  change: ChangeInput,
): Promise<SessionInfo> {
  const { state, result, expiresAtMs } = await store.mutate(id, async (current, tx) => {
    if (change.expectedVersion !== undefined && change.expectedVersion !== current.version) {
      throw new StorageError(
        'STALE_WRITE',
        `session ${id} is at version ${current.version}, the change expected ${change.expectedVersion}`,
      );
    }
    const frameId = await tx.writeFrame(bytes);
    const frame = { frameId, rows: table.numRows, columns: table.numCols, bytes: bytes.byteLength };
    const next = applyUpdate(current, frame, change.operation, maxVersions, tx.now);
    next.audit = tx.appendAudit(current.audit, [
      {
        operation: change.operation,
        ...(change.details !== undefined ? { details: change.details } : {}),
        ...(change.user !== undefined ? { user: change.user } : {}),
        rowsBefore: current.current.rows,
        rowsAfter: table.numRows,
      },
    ]).meta;
    return { state: next, result: frameId };
  });
  store.remember(id, result, table);
  return toSessionInfo(state, expiresAtMs);
}

export async function createVersion(
  store: SessionStore,
  maxVersions: number,
  id: string,
  label: string | undefined,
): Promise<VersionInfo> {
  const name = normalizeLabel(label);
  const { result } = await store.mutate(id, async (current, tx) => {
    const { state, info } = applyCreateVersion(current, name, maxVersions, tx.now);
    return { state, result: info };
  });
  return result;
}

/** Undo, redo or restore: a state transition plus its audit entry (none when nothing changed). */
async function moveCurrent(
  store: SessionStore,
  id: string,
  operation: 'undo' | 'redo' | 'restore',
  transition: (state: SessionState, tx: SessionTx) => SessionState,
  opts: { user?: string },
  details?: Record<string, unknown>,
): Promise<SessionInfo> {
  assertActorOptions(opts);
  const { state, expiresAtMs } = await store.mutate(id, async (current, tx) => {
    const next = transition(current, tx);
    if (next === current) return { state: current, result: undefined };
    next.audit = tx.appendAudit(current.audit, [
      {
        operation,
        ...(details !== undefined ? { details } : {}),
        ...(opts.user !== undefined ? { user: opts.user } : {}),
        rowsBefore: current.current.rows,
        rowsAfter: next.current.rows,
      },
    ]).meta;
    return { state: next, result: undefined };
  });
  return toSessionInfo(state, expiresAtMs);
}

export const undo = (
  store: SessionStore,
  maxVersions: number,
  id: string,
  opts: { user?: string } = {},
): Promise<SessionInfo> =>
  moveCurrent(store, id, 'undo', (state, tx) => applyUndo(state, maxVersions, tx.now), opts);

export const redo = (
  store: SessionStore,
  maxVersions: number,
  id: string,
  opts: { user?: string } = {},
): Promise<SessionInfo> =>
  moveCurrent(store, id, 'redo', (state, tx) => applyRedo(state, maxVersions, tx.now), opts);

export function restore(
  store: SessionStore,
  maxVersions: number,
  id: string,
  version: number,
  opts: { user?: string } = {},
): Promise<SessionInfo> {
  assertVersionNumber(version);
  const transition = (state: SessionState, tx: SessionTx) =>
    applyRestore(state, version, maxVersions, tx.now);
  return moveCurrent(store, id, 'restore', transition, opts, { version });
}

/** The table of a version the session holds (current, history or redo). */
export function getVersion(store: SessionStore, id: string, version: number): Promise<Table> {
  assertVersionNumber(version);
  return store.readLive(id, (state) => {
    const frame = findVersionFrame(state, version);
    if (frame === undefined) throw versionNotFound(version);
    return frame.frameId;
  });
}
