import type { AuditEntry, AuditQuery, SessionInfo, VersionInfo } from '../../contract/storage-backend.js';
import { assertAuditQuery } from '../../session/validate.js';
import { readAudit } from './inmemory-audit.js';
import type { SessionStore } from './inmemory-sessions.js';
import { toSessionInfo } from './inmemory-state.js';

/** Session reads (each slides the TTL, except sessionExists) and delete. */

export async function getSession(store: SessionStore, id: string): Promise<SessionInfo> {
  const { state, expiresAtMs } = await store.open(id, true);
  return toSessionInfo(state, expiresAtMs);
}

/** Does not slide the TTL (so polling it cannot keep a session alive); removes a session found expired. */
export async function sessionExists(store: SessionStore, id: string): Promise<boolean> {
  const state = store.load(id);
  if (state === undefined) return false;
  if (store.expiresAtMs(id, state) > Date.now()) return true;
  await store.expire(id);
  return false;
}

/** true when a present session was deleted; an expired one is removed too but reports false. */
export function deleteSession(store: SessionStore, id: string): Promise<boolean> {
  return store.locks.run(
    store.layout.lockTarget('session', id),
    async () => {
      let present: boolean;
      try {
        const state = store.load(id);
        present = state !== undefined && store.expiresAtMs(id, state) > Date.now();
      } catch {
        present = true; // a corrupt session is still there; deleting it is how a user gets rid of it
      }
      return (await store.removeFiles(id)) && present;
    },
    { leaf: true },
  );
}

export async function listVersions(store: SessionStore, id: string): Promise<VersionInfo[]> {
  const { state } = await store.open(id, true);
  return state.history.map((entry) => ({ ...entry.info }));
}

export async function getMetadata(store: SessionStore, id: string): Promise<Record<string, unknown>> {
  return structuredClone((await store.open(id, true)).state.metadata);
}

export async function getAuditLog(store: SessionStore, id: string, query: AuditQuery): Promise<AuditEntry[]> {
  assertAuditQuery(query);
  const { state } = await store.open(id, true);
  const all = readAudit(store.layout.blobPath(id, state.audit.file), state.audit, id);
  const offset = query.offset ?? 0;
  return all.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
}

export async function getInitialRows(store: SessionStore, id: string): Promise<number> {
  return (await store.open(id, true)).state.audit.initialRows;
}
