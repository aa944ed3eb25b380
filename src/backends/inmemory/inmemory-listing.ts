import { isValidId } from '../../contract/ids.js';
import type { ListSessionsOptions } from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import type { LoadedSession } from '../../session/store.js';
import { listLimit } from '../../session/validate.js';
import { decodeCursor, encodeCursor } from './inmemory-cursor.js';
import { listNames } from './inmemory-files.js';
import type { SessionState } from './inmemory-state.js';
import type { DiskSessionStore } from './inmemory-store.js';

/** Ids present as folders, sorted: the stable order of listings and cursors. */
export async function listIds(dir: string): Promise<string[]> {
  return (await listNames(dir)).filter((name) => isValidId(name)).sort();
}

/**
 * One page of live entries after the cursor, with a cursor only while another live entry remains (one is
 * looked ahead for; skipped ids — expired or unreadable — never make an empty next page).
 */
export async function pageIds<T>(
  dir: string,
  opts: ListSessionsOptions,
  visit: (id: string) => T | undefined,
): Promise<{ items: T[]; cursor?: string }> {
  const after = decodeCursor(opts.cursor);
  const limit = listLimit(opts);
  const ids = await listIds(dir);
  const items: T[] = [];
  let lastId: string | undefined;
  let index = after === undefined ? 0 : ids.findIndex((id) => id > after);
  if (index < 0) index = ids.length;
  for (; index < ids.length; index += 1) {
    const id = ids[index] as string;
    const item = visit(id);
    if (item === undefined) continue;
    if (items.length === limit) return { items, cursor: encodeCursor(lastId as string) };
    items.push(item);
    lastId = id;
  }
  return { items };
}

/** A live session's state for listings, or undefined (missing, expired, or unreadable: skipped). */
export function liveState(store: DiskSessionStore, id: string, logger: Logger): SessionState | undefined {
  try {
    const state = store.loadState(id);
    return state !== undefined && store.expiresAtMs(id, state) > Date.now() ? state : undefined;
  } catch (error) {
    logger.warn({ err: error, sessionId: id }, 'skipping an unreadable session');
    return undefined;
  }
}

export async function listLiveSessions(
  store: DiskSessionStore,
  opts: ListSessionsOptions,
  logger: Logger,
): Promise<{ sessions: LoadedSession[]; cursor?: string }> {
  const page = await pageIds(store.layout.sessionsDir, opts, (id) => {
    const state = liveState(store, id, logger);
    return state === undefined ? undefined : store.track(state, store.expiresAtMs(id, state));
  });
  return page.cursor === undefined ? { sessions: page.items } : { sessions: page.items, cursor: page.cursor };
}

export async function countLiveSessions(store: DiskSessionStore, logger: Logger): Promise<number> {
  return (await listIds(store.layout.sessionsDir)).filter((id) => liveState(store, id, logger) !== undefined)
    .length;
}
