import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { type RedisServerHandle, startRedisServer } from './redis-server.js';
import { waitFor } from './wait-for.js';

/** A throwaway Redis Cluster of N masters (and optional replicas) on loopback ports, for tests. */
export interface RedisClusterHandle {
  readonly nodes: { host: '127.0.0.1'; port: number }[];
  /** Every server, masters and replicas (to kill one). */
  readonly servers: RedisServerHandle[];
  /** Value for REDIS_CLUSTER_NODES. */
  readonly nodesEnv: string;
  stop(): Promise<void>;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port p such that p and its cluster bus port p + 10000 are both free (never 6379). */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port) || port === 6379) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}: ${output.slice(-2000)}`)),
    );
  });
}

export interface ClusterOptions {
  /** Replicas per master (default 0). */
  replicas?: number;
  /** `cluster-node-timeout` in ms (default 5000). */
  nodeTimeoutMs?: number;
}

/**
 * Starts `masters` × (1 + replicas) cluster-enabled servers, joins them with `redis-cli --cluster create`, and
 * waits for state ok on every node and, with replicas, for every replica's link to its master.
 */
export async function startCluster(masters = 3, opts: ClusterOptions = {}): Promise<RedisClusterHandle> {
  const servers: RedisServerHandle[] = [];
  const taken = new Set<number>();
  const replicas = opts.replicas ?? 0;
  try {
    for (let i = 0; i < masters * (1 + replicas); i += 1) {
      const port = await clusterPort(taken);
      taken.add(port);
      servers.push(
        await startRedisServer({
          port,
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            String(opts.nodeTimeoutMs ?? 5000),
          ],
        }),
      );
    }
    await run('redis-cli', [
      '--cluster',
      'create',
      ...servers.map((s) => `127.0.0.1:${s.port}`),
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    for (const server of servers) {
      const client = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
      try {
        await waitFor(async () => /cluster_state:ok/.test(String(await client.call('CLUSTER', 'INFO'))), {
          timeoutMs: 20_000,
          intervalMs: 100,
          message: `cluster state ok on ${server.port}`,
        });
        await waitFor(
          async () => {
            const info = await client.info('replication');
            return !/role:slave/.test(info) || /master_link_status:up/.test(info);
          },
          { timeoutMs: 20_000, intervalMs: 100, message: `replica ${server.port} in sync` },
        );
      } finally {
        client.disconnect();
      }
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  const nodes = servers.map((s) => ({ host: '127.0.0.1' as const, port: s.port }));
  return {
    nodes,
    servers,
    nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(','),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
