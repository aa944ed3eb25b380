import { ABSENT_REV, assertFenced, type LockContext } from './inmemory-lock.js';
import type { DiskSessionStore } from './inmemory-store.js';

/** Deleting sessions on disk: by a user's call, or because they expired. */

const leaf = { leaf: true };

/** Inside withLock the holder's own delete is not someone else's write: it may create the session again. */
export async function dropFiles(store: DiskSessionStore, lock: LockContext, id: string): Promise<boolean> {
  const removed = await store.removeFiles(id);
  if (lock.rev !== undefined) lock.rev = ABSENT_REV;
  return removed;
}

/** true when a present session was deleted; an expired one is removed too but reports false. */
export function removeSession(store: DiskSessionStore, id: string): Promise<boolean> {
  return store.locks.run(
    store.layout.lockTarget('session', id),
    async (lock) => {
      let present: boolean;
      try {
        const state = store.loadState(id);
        present = state !== undefined && store.expiresAtMs(id, state) > Date.now();
      } catch {
        present = true; // a corrupt session is still there; deleting it is how a user gets rid of it
      }
      assertFenced(lock, store.currentRev(id));
      return (await dropFiles(store, lock, id)) && present;
    },
    leaf,
  );
}

/** Removes a session found expired (rechecked under the lock: a concurrent access may have slid it). */
export async function expireSession(store: DiskSessionStore, id: string): Promise<boolean> {
  try {
    return await store.locks.run(
      store.layout.lockTarget('session', id),
      async (lock) => {
        const state = store.loadState(id);
        if (state !== undefined && store.expiresAtMs(id, state) > Date.now()) return false;
        return dropFiles(store, lock, id);
      },
      { leaf: true, retryCount: 0 },
    );
  } catch (error) {
    // Best effort without waiting: a busy session is left for the next access or sweep.
    if ((error as { code?: string }).code !== 'LOCK_TIMEOUT') {
      store.settings.logger.warn({ err: error, sessionId: id }, 'could not remove an expired session');
    }
    return false;
  }
}
