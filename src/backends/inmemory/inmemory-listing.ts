import { isValidId } from '../../contract/ids.js';
import type { ListSessionsOptions } from '../../contract/storage-backend.js';
import { listLimit } from '../../session/validate.js';
import { decodeCursor, encodeCursor } from './inmemory-cursor.js';
import { listNames } from './inmemory-files.js';

/** Ids present as folders, sorted: the stable order of listings and cursors. */
export async function listIds(dir: string): Promise<string[]> {
  return (await listNames(dir)).filter((name) => isValidId(name)).sort();
}

/** One page of ids after the cursor, with the cursor of the next page. */
export async function pageIds<T>(
  dir: string,
  opts: ListSessionsOptions,
  visit: (id: string) => T | undefined,
): Promise<{ items: T[]; cursor?: string }> {
  const after = decodeCursor(opts.cursor);
  const limit = listLimit(opts);
  const ids = await listIds(dir);
  const items: T[] = [];
  let index = after === undefined ? 0 : ids.findIndex((id) => id > after);
  if (index < 0) index = ids.length;
  for (; index < ids.length && items.length < limit; index += 1) {
    const item = visit(ids[index]!);
    if (item !== undefined) items.push(item);
  }
  const last = ids[index - 1];
  return index < ids.length && last !== undefined ? { items, cursor: encodeCursor(last) } : { items };
}

/** How many ids under `dir` pass `live`. */
export async function countLive(dir: string, live: (id: string) => boolean): Promise<number> {
  return (await listIds(dir)).filter(live).length;
}
