import type { BackendType } from '../../src/contract/storage-backend.js';
import type { DataManager } from '../../src/manager/data-manager.js';
import { makeSmallTable } from '../helpers/tables.js';

/**
 * The writer of the failover tests: each write creates a session and says which store served it
 * ('failed' when refused with BACKEND_UNAVAILABLE); acknowledged ids are kept to be looked for afterwards.
 */
export function acknowledgedWriter(manager: DataManager) {
  const lastServed: { backend?: BackendType } = {};
  manager.addObserver({
    onOperation: (event) => {
      if (event.operation === 'createSession' && event.error === undefined)
        lastServed.backend = event.backend;
    },
  });
  const state = { acknowledged: [] as string[], refused: 0, longestMs: 0 };
  /** One write: where it was served, and the new session's id when it was acknowledged. */
  const writeOne = async (): Promise<{ where: BackendType | 'failed'; id?: string }> => {
    lastServed.backend = undefined;
    const at = performance.now();
    try {
      const { sessionId } = await manager.createSession(makeSmallTable(2));
      state.acknowledged.push(sessionId);
      return { where: lastServed.backend ?? 'failed', id: sessionId };
    } catch (error) {
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      state.refused += 1;
      return { where: 'failed' };
    } finally {
      state.longestMs = Math.max(state.longestMs, performance.now() - at);
    }
  };
  const write = async (): Promise<BackendType | 'failed'> => (await writeOne()).where;
  return { write, writeOne, state };
}
