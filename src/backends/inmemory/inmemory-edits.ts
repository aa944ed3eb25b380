import { corruptData } from '../../contract/errors.js';
import type { AuditEntry, AuditInput, CellRef, Mark, SessionInfo } from '../../contract/storage-backend.js';
import {
  assertAuditInput,
  assertCells,
  assertMark,
  assertMarks,
  assertMetadataPatch,
  assertTtl,
} from '../../session/validate.js';
import { mergeMetadata } from './inmemory-create.js';
import { assertColumnsExist, readMarks, removeMarks, upsertMarks } from './inmemory-marks.js';
import type { SessionStore } from './inmemory-sessions.js';
import { type SessionState, toSessionInfo } from './inmemory-state.js';

/** Mutations of a session's side data (metadata, audit, marks). None of them changes `version`. */

export async function updateMetadata(
  store: SessionStore,
  id: string,
  patch: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  assertMetadataPatch(patch);
  const { result } = await store.mutate(id, async (state) => {
    const metadata = mergeMetadata(state.metadata, patch);
    return { state: { ...state, metadata }, result: structuredClone(metadata) };
  });
  return result;
}

export async function addAuditEntry(store: SessionStore, id: string, entry: AuditInput): Promise<AuditEntry> {
  assertAuditInput(entry);
  const { result } = await store.mutate(id, async (state, tx) => {
    const { meta, entries } = tx.appendAudit(state.audit, [entry]);
    return { state: { ...state, audit: meta }, result: entries[0]! };
  });
  return result;
}

const marksFile = (store: SessionStore, id: string, state: SessionState): string | null =>
  state.marks.file === null ? null : store.layout.blobPath(id, state.marks.file);

export function markOne(store: SessionStore, id: string, mark: Mark): Promise<void> {
  assertMark(mark);
  return markBatch(store, id, [mark]);
}

/** All-or-nothing: every mark is checked against the current frame's columns before anything is written. */
export async function markBatch(store: SessionStore, id: string, marks: Mark[]): Promise<void> {
  assertMarks(marks);
  await store.mutate(id, async (state, tx) => {
    assertMarks(marks, state.current.rows);
    const table = await store.readFrame(id, state.current.frameId);
    if (table === undefined) throw corruptData(`session ${id}: frame file is missing`);
    assertColumnsExist(marks, new Set(table.schema.fields.map((field) => field.name)));
    if (marks.length === 0) return { state, result: undefined };
    const next = upsertMarks(readMarks(marksFile(store, id, state), id), marks, tx.now);
    return {
      state: { ...state, marks: { file: tx.writeMarks(next), count: next.length } },
      result: undefined,
    };
  });
}

export async function clearMarks(store: SessionStore, id: string, cells?: CellRef[]): Promise<number> {
  if (cells !== undefined) {
    assertCells(cells);
  }
  const { result } = await store.mutate(id, async (state, tx) => {
    const { kept, removed } = removeMarks(readMarks(marksFile(store, id, state), id), cells);
    if (removed === 0) return { state, result: 0 };
    return { state: { ...state, marks: { file: tx.writeMarks(kept), count: kept.length } }, result: removed };
  });
  return result;
}

export async function getMarks(store: SessionStore, id: string) {
  const { state } = await store.open(id, true);
  return readMarks(marksFile(store, id, state), id);
}

/** Changes the session's sliding TTL (when given) and slides its expiry. */
export async function touchSession(
  store: SessionStore,
  id: string,
  ttlSeconds?: number,
): Promise<SessionInfo> {
  assertTtl(ttlSeconds);
  if (ttlSeconds === undefined) {
    const { state, expiresAtMs } = await store.open(id, true);
    return toSessionInfo(state, expiresAtMs);
  }
  const { state, expiresAtMs } = await store.mutate(id, async (current) => ({
    state: current.ttlSeconds === ttlSeconds ? current : { ...current, ttlSeconds },
    result: undefined,
  }));
  return toSessionInfo(state, expiresAtMs);
}
