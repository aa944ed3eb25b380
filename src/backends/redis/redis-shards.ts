import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-client.js';
import { slotOf } from './redis-keys.js';

/**
 * Which Cluster master serves a session or upload (its id is the hash tag of every key it has), and a PING
 * to that master: what the manager's per-shard gates need. Outside Cluster there are no shards.
 */

/** `host:port` of the master of the id's slot, as the client's slot map says now; undefined outside Cluster. */
export function shardOf(client: RedisClient, id: string): string | undefined {
  if (!(client instanceof Cluster)) return undefined;
  return client.slots[slotOf(id)]?.[0];
}

/**
 * PINGs the master `shard` within `timeoutMs`. A shard that is no longer a master (its slots moved to a
 * promoted replica) resolves: calls for those slots go to the new master, nothing is left to wait for.
 */
export async function pingShard(client: RedisClient, shard: string, timeoutMs: number): Promise<void> {
  if (!(client instanceof Cluster)) return;
  const node = client.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === shard);
  if (node === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`shard ${shard} did not answer PING`)), timeoutMs);
  });
  try {
    await Promise.race([node.ping(), timeout]);
  } catch (error) {
    // The client learns of a promotion only from a refresh of its slot map (MOVED replies, or a timer every
    // few seconds), and no call reaches a shut shard's slots to get a MOVED: ask now, so the next probe
    // sees the promoted master instead of waiting for the timer.
    client.refreshSlotsCache();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
