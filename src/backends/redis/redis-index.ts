import { Cluster } from 'ioredis';
import { invalidInput } from '../../contract/errors.js';
import { isValidId } from '../../contract/ids.js';
import type { ListSessionsOptions } from '../../contract/storage-backend.js';
import { listLimit } from '../../session/validate.js';
import type { RedisContext } from './redis-context.js';

/**
 * The advisory indexes of session and upload ids: sorted sets scored by creation time, under the key prefix
 * but outside any session's hash tag (another Cluster slot), so scripts cannot update them atomically with a
 * session. Hence: ids are added before a session is written and removed after it is deleted; whoever finds
 * an id whose keys are gone (listing, counting, cleanup) removes it. Listing never uses KEYS or SCAN.
 */

export async function addToIndex(
  ctx: RedisContext,
  index: string,
  id: string,
  score = Date.now(),
): Promise<void> {
  await ctx.command('index add', () => ctx.client.zadd(index, 'NX', score, id));
}

/** Best effort: a leftover id is dropped by the next listing or sweep. */
export async function removeFromIndex(ctx: RedisContext, index: string, id: string): Promise<void> {
  await ctx.client.zrem(index, id).catch(() => undefined);
}

interface Position {
  score: number;
  id: string;
}

function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.score, position.id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [score, id] = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8')) as [
      unknown,
      unknown,
    ];
    // Only what encodeCursor made (a creation time and an id): a made-up position is refused, not guessed at.
    if (Number.isSafeInteger(score) && (score as number) >= 0 && isValidId(id))
      return { score: score as number, id };
  } catch {
    // reported below
  }
  throw invalidInput('malformed cursor');
}

const after = (a: Position, b: Position | undefined): boolean =>
  b === undefined || a.score > b.score || (a.score === b.score && a.id > b.id);

/**
 * One page of live entries in creation order. `load` returns undefined for an id whose keys are gone;
 * such ids are removed from the index on the way.
 */
export async function pageIndex<T>(
  ctx: RedisContext,
  index: string,
  opts: ListSessionsOptions,
  load: (ids: string[]) => Promise<(T | undefined)[]>,
): Promise<{ items: T[]; cursor?: string }> {
  const limit = listLimit(opts);
  const start = decodeCursor(opts.cursor);
  const items: { item: T; position: Position }[] = [];
  let offset = 0;
  // One extra live item tells whether another page exists.
  while (items.length <= limit) {
    const batch = Math.min(1000, limit + 1 - items.length + 16);
    const raw = await ctx.command('index read', () =>
      ctx.client.zrangebyscore(index, start?.score ?? '-inf', '+inf', 'WITHSCORES', 'LIMIT', offset, batch),
    );
    const fetched = raw.length / 2;
    const positions: Position[] = [];
    const junk: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const position = { id: raw[i] as string, score: Number(raw[i + 1]) };
      if (!isValidId(position.id)) junk.push(position.id);
      else if (after(position, start)) positions.push(position);
    }
    const loaded = await load(positions.map((p) => p.id));
    positions.forEach((position, i) => {
      const item = loaded[i];
      if (item === undefined) junk.push(position.id);
      else if (items.length <= limit) items.push({ item, position });
    });
    // Removed ids were inside this batch: the next one starts that much earlier.
    const removed =
      junk.length > 0 ? await ctx.command('index clean', () => ctx.client.zrem(index, ...junk)) : 0;
    offset += fetched - removed;
    if (fetched < batch) break;
  }
  const page = items.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((entry) => entry.item),
    ...(items.length > limit && last ? { cursor: encodeCursor(last.position) } : {}),
  };
}

/**
 * Walks a whole index (ZSCAN, which tolerates concurrent changes), checks each id's main key and removes the
 * dead ones. Returns live and removed counts.
 */
export async function sweepIndex(
  ctx: RedisContext,
  index: string,
  keyOf: (id: string) => string,
): Promise<{ live: number; removed: number }> {
  const seen = new Set<string>();
  let live = 0;
  let removed = 0;
  let cursor = '0';
  do {
    const [next, raw] = await ctx.command('index scan', () => ctx.client.zscan(index, cursor, 'COUNT', 1000));
    cursor = next;
    const ids: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const id = raw[i] as string;
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
    const exists = await ctx.command('index check', () =>
      Promise.all(ids.map((id) => (isValidId(id) ? ctx.client.exists(keyOf(id)) : Promise.resolve(0)))),
    );
    const dead = ids.filter((_, i) => exists[i] === 0);
    live += ids.length - dead.length;
    if (dead.length > 0) {
      removed += await ctx.command('index clean', () => ctx.client.zrem(index, ...dead));
    }
  } while (cursor !== '0');
  return { live, removed };
}

/**
 * Fallback for a lost index (e.g. the index key was deleted or evicted): SCANs every (master) node for
 * state/upload keys under the prefix and re-adds their ids. Never used by listing; returns ids added.
 */
export async function rebuildIndex(
  ctx: RedisContext,
  index: string,
  suffix: 'state' | 'upload',
): Promise<number> {
  const { client, keys } = ctx;
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const pattern = `${keys.prefix}{*}:${suffix}`;
  let added = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await ctx.command('index rebuild', () =>
        node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000),
      );
      cursor = next;
      const ids = batch
        .map((key) => key.slice(keys.prefix.length + 1, key.length - suffix.length - 2))
        .filter((id) => isValidId(id));
      for (const id of ids) {
        added += await ctx.command('index rebuild', () => client.zadd(index, 'NX', Date.now(), id));
      }
    } while (cursor !== '0');
  }
  return added;
}
