import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Cluster } from 'ioredis';
import { InMemoryLayout } from '../backends/inmemory/inmemory-layout.js';
import {
  connectRedisClient,
  createRedisClient,
  type RedisClient,
  secretsOf,
} from '../backends/redis/redis-client.js';
import { RedisKeys } from '../backends/redis/redis-keys.js';
import type { FramestoreConfig } from '../config/load-config.js';
import type { BackendType } from '../contract/storage-backend.js';

/** One physical piece of a session: a file under STORAGE_DIR or a Redis key. */
export interface LayoutEntry {
  name: string;
  bytes: number;
  /** Redis only: the key's type and remaining TTL. */
  type?: string;
  ttlSeconds?: number;
}

export interface SessionLayout {
  kind: 'files' | 'keys';
  /** The folder (files) or the key prefix (keys) everything below starts with. */
  root: string;
  entries: LayoutEntry[];
  /** Redis only: whether the session is listed in the session index. */
  indexed?: boolean;
}

/** Where and how big every stored piece of one session is, read without touching its TTL. */
export function inspectLayout(
  backend: BackendType,
  config: FramestoreConfig,
  id: string,
): Promise<SessionLayout> {
  return backend === 'redis' ? redisLayout(config, id) : fileLayout(config, id);
}

async function fileLayout(config: FramestoreConfig, id: string): Promise<SessionLayout> {
  const layout = new InMemoryLayout(config.storageDir);
  const dir = layout.sessionDir(id);
  const entries: LayoutEntry[] = [];
  for (const dirent of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!dirent.isFile()) continue;
    const full = path.join(dirent.parentPath, dirent.name);
    entries.push({ name: path.relative(dir, full), bytes: (await stat(full)).size });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  return { kind: 'files', root: dir, entries };
}

const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** SCAN (never KEYS) for the session's hash-tagged keys; on a Cluster, on every master. */
async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const found = new Set<string>();
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) found.add(key);
    } while (cursor !== '0');
  }
  return [...found].sort();
}

async function redisLayout(config: FramestoreConfig, id: string): Promise<SessionLayout> {
  const keys = new RedisKeys(config.redis.keyPrefix);
  const base = keys.base(id);
  const client = createRedisClient(config.redis);
  await connectRedisClient(client, config.redis, secretsOf(config.redis));
  try {
    const names = await scanKeys(client, `${globEscape(base)}*`);
    const entries: LayoutEntry[] = [];
    for (const name of names) {
      const [type, pttl, usage] = await Promise.all([
        client.type(name),
        client.pttl(name),
        // SAMPLES 0: every field counted (the frames hash holds hundreds of chunks of different sizes; the
        // default samples five and extrapolates).
        client.call('MEMORY', 'USAGE', name, 'SAMPLES', '0') as Promise<number | null>,
      ]);
      entries.push({
        name: name.slice(base.length),
        bytes: Number(usage ?? 0),
        type,
        ...(pttl >= 0 ? { ttlSeconds: Math.round(pttl / 1000) } : {}),
      });
    }
    const indexed = (await client.zscore(keys.sessionIndex, id)) !== null;
    return { kind: 'keys', root: base, entries, indexed };
  } finally {
    client.disconnect();
  }
}
