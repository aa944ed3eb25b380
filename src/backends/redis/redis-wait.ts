import { Cluster } from 'ioredis';
import { StorageError } from '../../contract/errors.js';
import type { RedisClient } from './redis-client.js';
import { slotOf } from './redis-keys.js';

/** The settings of synchronous replication (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS). */
export interface WaitSettings {
  replicas: number;
  timeoutMs: number;
}

/** The hash tag of a key (`{…}`), which decides its Cluster slot. */
function tagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** The connection that served a write to `key`: the client itself, or on Cluster the master of its slot. */
function connectionFor(client: RedisClient, key: string): { call(...args: string[]): Promise<unknown> } {
  if (!(client instanceof Cluster)) return client;
  const master = client.slots[slotOf(tagOf(key))]?.[0];
  const node = client.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === master);
  if (node === undefined)
    throw new StorageError('BACKEND_UNAVAILABLE', 'no Redis Cluster master for the slot');
  return node;
}

/**
 * After a write: WAIT until `replicas` replicas have it (every earlier write of that connection too), at most
 * `timeoutMs`. Fewer acknowledgements mean the write is on the master but could be lost with it: the call
 * fails with that said plainly (outcome unknown: it is applied now, and may not survive a failover).
 */
export async function waitForReplicas(client: RedisClient, key: string, wait: WaitSettings): Promise<void> {
  if (wait.replicas <= 0) return;
  const acked = Number(
    await connectionFor(client, key).call('WAIT', String(wait.replicas), String(wait.timeoutMs)),
  );
  if (acked >= wait.replicas) return;
  throw new StorageError(
    'BACKEND_UNAVAILABLE',
    `the write reached the Redis master but only ${acked} of ${wait.replicas} replicas acknowledged it within ` +
      `${wait.timeoutMs} ms; it may be lost if the master fails (outcome unknown)`,
    { details: { outcome: 'unknown', replicas: acked, required: wait.replicas } },
  );
}
