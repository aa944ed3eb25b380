import { StorageError } from '../contract/errors.js';
import type { VersionInfo } from '../contract/storage-backend.js';
import type { FrameRef, SessionRecord, StoredVersion } from './store.js';

/**
 * Version semantics (docs/semantics.md) as pure state transitions. They only move frame references, so their
 * cost does not depend on the size of the frames. Each returns the next state with `version` + 1.
 */

/** The current frame as a history/redo entry, numbered with the version at which it was current. */
function currentAsEntry(
  state: SessionRecord,
  now: string,
  operation: string | undefined,
  label: string | undefined,
  user?: string,
): StoredVersion {
  const { frameId, rows, columns, bytes, manifest } = state.current;
  const info: VersionInfo = {
    version: state.version,
    ...(label !== undefined ? { label } : {}),
    ...(operation !== undefined ? { operation } : {}),
    ...(user !== undefined ? { user } : {}),
    createdAt: now,
    rows,
    columns,
    bytes,
  };
  return { info, frameId, ...(manifest !== undefined ? { manifest } : {}) };
}

const entryAsFrame = (entry: StoredVersion): FrameRef => ({
  frameId: entry.frameId,
  rows: entry.info.rows,
  columns: entry.info.columns,
  bytes: entry.info.bytes,
  ...(entry.manifest !== undefined ? { manifest: entry.manifest } : {}),
});

/** Oldest entries fall off first. */
const capped = (entries: StoredVersion[], maxVersions: number): StoredVersion[] =>
  entries.length > maxVersions ? entries.slice(entries.length - maxVersions) : entries;

/** A new current frame; the previous one becomes a version; redo is cleared. */
export function applyUpdate(
  state: SessionRecord,
  frame: FrameRef,
  operation: string,
  maxVersions: number,
  now: string,
  user?: string,
): SessionRecord {
  const history = capped(
    [...state.history, currentAsEntry(state, now, operation, undefined, user)],
    maxVersions,
  );
  return { ...state, version: state.version + 1, current: frame, history, redo: [] };
}

/** Records the current frame as a named version without changing it; redo is kept. */
export function applyCreateVersion(
  state: SessionRecord,
  label: string | undefined,
  maxVersions: number,
  now: string,
): { state: SessionRecord; info: VersionInfo } {
  const entry = currentAsEntry(state, now, 'snapshot', label);
  const history = capped([...state.history, entry], maxVersions);
  const redo = capped(state.redo, maxVersions);
  return { state: { ...state, version: state.version + 1, history, redo }, info: entry.info };
}

/**
 * An entry's operation and label describe the change from its frame to the next one. Undo moves that
 * description onto the redo stack (with the frame it led to); redo moves it back (docs/semantics.md).
 */
export function applyUndo(state: SessionRecord, maxVersions: number, now: string): SessionRecord {
  const previous = state.history.at(-1);
  if (previous === undefined)
    throw new StorageError('NOTHING_TO_UNDO', 'there is no earlier version to undo to');
  const leaving = currentAsEntry(
    state,
    now,
    previous.info.operation,
    previous.info.label,
    previous.info.user,
  );
  return {
    ...state,
    version: state.version + 1,
    current: entryAsFrame(previous),
    history: state.history.slice(0, -1),
    redo: capped([...state.redo, leaving], maxVersions),
  };
}

export function applyRedo(state: SessionRecord, maxVersions: number, now: string): SessionRecord {
  const next = state.redo.at(-1);
  if (next === undefined) throw new StorageError('NOTHING_TO_REDO', 'there is no undone change to redo');
  const leaving = currentAsEntry(state, now, next.info.operation, next.info.label, next.info.user);
  return {
    ...state,
    version: state.version + 1,
    current: entryAsFrame(next),
    history: capped([...state.history, leaving], maxVersions),
    redo: state.redo.slice(0, -1),
  };
}

/** The frame a version number names: the current one, a history entry or a redo entry. */
export function findVersionFrame(state: SessionRecord, version: number): FrameRef | undefined {
  if (version === state.version) return state.current;
  const entry =
    state.history.find((candidate) => candidate.info.version === version) ??
    state.redo.find((candidate) => candidate.info.version === version);
  return entry === undefined ? undefined : entryAsFrame(entry);
}

export const versionNotFound = (version: number): StorageError =>
  new StorageError('VERSION_NOT_FOUND', `version ${version} does not exist (or fell off the history)`);

/**
 * Makes a held version current again; the current frame becomes a version and redo is cleared. Restoring
 * the current version returns the state unchanged (nothing to record).
 */
export function applyRestore(
  state: SessionRecord,
  version: number,
  maxVersions: number,
  now: string,
  user?: string,
): SessionRecord {
  const target = findVersionFrame(state, version);
  if (target === undefined) throw versionNotFound(version);
  if (version === state.version) return state;
  return {
    ...state,
    version: state.version + 1,
    current: target,
    history: capped([...state.history, currentAsEntry(state, now, 'restore', undefined, user)], maxVersions),
    redo: [],
  };
}
