import fs from 'node:fs';
import path from 'node:path';
import { Cluster, Redis } from 'ioredis';

/**
 * What the contract suite may look at below the API, the same way for every backend: the frame blobs
 * physically stored for a session (files under frames/, or fields of the `:frames` hash), and a way to damage one.
 */
export interface StorageInspector {
  /** Blob ids stored for the session (a blob kept in several parts counts once), sorted. */
  blobs(sessionId: string): Promise<string[]>;
  /** Flips one byte inside a stored blob. */
  corrupt(sessionId: string, blobId: string): Promise<void>;
  close(): Promise<void>;
}

function diskInspector(storageDir: string): StorageInspector {
  const framesDir = (id: string) => path.join(storageDir, 'sessions', id, 'frames');
  return {
    blobs: async (id) => {
      if (!fs.existsSync(framesDir(id))) return [];
      return fs
        .readdirSync(framesDir(id))
        .filter((name) => name.endsWith('.fsf'))
        .map((name) => name.slice(0, -'.fsf'.length))
        .sort();
    },
    corrupt: async (id, blob) => {
      const file = path.join(framesDir(id), `${blob}.fsf`);
      const bytes = fs.readFileSync(file);
      const at = bytes.length - 3;
      bytes[at] = ((bytes[at] ?? 0) + 1) % 256;
      fs.writeFileSync(file, bytes);
    },
    close: async () => undefined,
  };
}

/** The harness's own server: never a default address (the machine's own Redis on 6379 is not ours). */
function requiredUrl(env: Record<string, string>): string {
  if (env.REDIS_URL === undefined) throw new Error('storage inspector: the harness env has no REDIS_URL');
  return env.REDIS_URL;
}

function redisInspector(env: Record<string, string>): StorageInspector {
  const prefix = env.REDIS_KEY_PREFIX ?? 'framestore:';
  const nodes = (env.REDIS_CLUSTER_NODES ?? '').split(',').filter(Boolean);
  const client: Redis | Cluster =
    nodes.length > 0
      ? new Cluster(nodes.map((node) => ({ host: node.split(':')[0], port: Number(node.split(':')[1]) })))
      : new Redis(requiredUrl(env), {
          ...(env.REDIS_TLS_CA_FILE ? { tls: { ca: fs.readFileSync(env.REDIS_TLS_CA_FILE) } } : {}),
        });
  // A Cluster's node list is its startup list until the first slot refresh, which closes those
  // connections: scanning before 'ready' races it ("Connection is closed").
  const ready =
    client.status === 'ready'
      ? Promise.resolve()
      : new Promise<void>((resolve) => client.once('ready', () => resolve()));
  // Every blob of a session is a field of its frames hash (`<blob>` or `<blob>:<part>`).
  const framesKey = (id: string) => `${prefix}{${id}}:frames`;
  const fieldsOf = async (id: string): Promise<string[]> => {
    await ready;
    return client.hkeys(framesKey(id));
  };
  const blobOf = (field: string): string => field.split(':')[0] as string;
  return {
    blobs: async (id) => [...new Set((await fieldsOf(id)).map(blobOf))].sort(),
    corrupt: async (id, blob) => {
      const field = (await fieldsOf(id)).find((candidate) => blobOf(candidate) === blob);
      if (field === undefined) throw new Error(`no field for blob ${blob}`);
      const bytes = await client.hgetBuffer(framesKey(id), field);
      if (bytes === null) throw new Error(`blob ${blob} vanished`);
      const at = bytes.length - 3;
      bytes[at] = ((bytes[at] ?? 0) + 1) % 256;
      await client.hset(framesKey(id), field, bytes);
    },
    close: async () => {
      await client.quit().catch(() => undefined);
    },
  };
}

/** The inspector for a harness's storage, chosen by its env. */
export function storageInspector(env: Record<string, string>): StorageInspector {
  if (env.REDIS_URL !== undefined || env.REDIS_CLUSTER_NODES !== undefined) return redisInspector(env);
  if (env.STORAGE_DIR === undefined)
    throw new Error('storage inspector: neither STORAGE_DIR nor Redis in env');
  return diskInspector(env.STORAGE_DIR);
}
