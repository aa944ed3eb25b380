import { Cluster, type Redis } from 'ioredis';
import type { RedisConfig } from '../../config/load-config.js';
import type { RedisNodeInfo } from '../../contract/storage-backend.js';
import { createProbeClient } from './redis-client.js';

/**
 * `redis_info.nodes`: every node behind the backend with role, status, memory and replication lag. Each node
 * is asked in parallel and bounded by NODE_TIMEOUT_MS, so one dead or frozen node costs the health check at
 * most that long (Sentinel: one more bound for asking the Sentinels who the replicas are).
 */
export const NODE_TIMEOUT_MS = 1000;

type Info = Record<string, string>;

/** Parses INFO text into key → value. */
export function parseInfo(text: string): Info {
  const out: Info = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) out[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return out;
}

/** Rejects when `promise` has not settled within `ms`; `onTimeout` cleans up (e.g. drops a probe socket). */
function bounded<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** INFO replication + memory of one node (two sections: `INFO a b` needs Redis 7). */
async function nodeInfo(node: Redis): Promise<Info> {
  const [replication, memory] = await Promise.all([node.info('replication'), node.info('memory')]);
  return { ...parseInfo(replication), ...parseInfo(memory) };
}

/** INFO of `node` within the bound, or undefined (the node is then `down`). */
const infoOrDown = (node: Redis, onTimeout?: () => void): Promise<Info | undefined> =>
  bounded(nodeInfo(node), NODE_TIMEOUT_MS, onTimeout).catch(() => undefined);

/** A node reached through a short-lived probe connection (closed whatever happens). */
async function probeInfo(config: RedisConfig, address: string): Promise<Info | undefined> {
  const { host, port } = splitAddress(address);
  const probe = createProbeClient(config, { host, port }, NODE_TIMEOUT_MS);
  probe.on('error', () => undefined); // the failure is the answer: `down`
  try {
    return await infoOrDown(probe, () => probe.disconnect());
  } finally {
    probe.disconnect();
  }
}

const splitAddress = (address: string): { host: string; port: number } => {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
};

/** `host:port` of a replica → its lag in ms, from a master's `slaveN:ip=…,port=…,state=…,offset=…,lag=…` lines. */
export function replicaLags(master: Info): Map<string, number | undefined> {
  const lags = new Map<string, number | undefined>();
  for (const [key, value] of Object.entries(master)) {
    if (!/^slave\d+$/.test(key)) continue;
    const fields = Object.fromEntries(value.split(',').map((kv) => kv.split('=') as [string, string]));
    if (fields.ip === undefined || fields.port === undefined) continue;
    const lag = Number(fields.lag);
    lags.set(`${fields.ip}:${fields.port}`, Number.isFinite(lag) ? lag * 1000 : undefined);
  }
  return lags;
}

function describeNode(
  address: string,
  info: Info | undefined,
  knownRole: RedisNodeInfo['role'],
  lags: Map<string, number | undefined>,
): RedisNodeInfo {
  const role = info?.role === 'master' ? 'master' : info?.role === 'slave' ? 'replica' : knownRole;
  const used = Number(info?.used_memory);
  const lag = role === 'replica' ? lags.get(address) : undefined;
  return {
    address,
    role,
    status: info === undefined ? 'down' : 'ok',
    ...(info !== undefined && Number.isFinite(used) ? { used_memory_bytes: used } : {}),
    ...(info !== undefined && lag !== undefined ? { replication_lag_ms: lag } : {}),
  };
}

function mergeLags(infos: (Info | undefined)[]): Map<string, number | undefined> {
  const lags = new Map<string, number | undefined>();
  for (const info of infos)
    if (info?.role === 'master') for (const [address, lag] of replicaLags(info)) lags.set(address, lag);
  return lags;
}

const addressOf = (node: Redis): string => `${node.options.host}:${node.options.port}`;

/** The remote end of the client's socket: the master it actually talks to (Sentinel mode). */
function connectedAddress(client: Redis): string | undefined {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  if (stream?.remoteAddress === undefined || stream.remotePort === undefined) return undefined;
  return `${stream.remoteAddress.replace(/^::ffff:/, '')}:${stream.remotePort}`;
}

/** Cluster: CLUSTER NODES of any master that answers is the membership (failed nodes stay listed there). */
async function clusterNodes(client: Cluster, config: RedisConfig): Promise<RedisNodeInfo[]> {
  const pool = new Map(client.nodes('all').map((node) => [addressOf(node), node]));
  const topology = await Promise.any(
    client
      .nodes('master')
      .map((node) => bounded(node.call('CLUSTER', 'NODES') as Promise<string>, NODE_TIMEOUT_MS)),
  ).catch(() => '');
  const roles = new Map<string, RedisNodeInfo['role']>();
  for (const line of topology.split('\n')) {
    const [, endpoint, flags] = line.split(' ');
    if (endpoint === undefined || flags === undefined || flags.includes('noaddr')) continue;
    roles.set(endpoint.split('@')[0] ?? endpoint, flags.split(',').includes('master') ? 'master' : 'replica');
  }
  for (const node of client.nodes('slave'))
    if (!roles.has(addressOf(node))) roles.set(addressOf(node), 'replica');
  for (const node of client.nodes('master'))
    if (!roles.has(addressOf(node))) roles.set(addressOf(node), 'master');
  const addresses = [...roles.keys()].sort();
  const infos = await Promise.all(
    addresses.map((address) => {
      const pooled = pool.get(address);
      return pooled !== undefined ? infoOrDown(pooled) : probeInfo(config, address);
    }),
  );
  const lags = mergeLags(infos);
  return addresses.map((address, i) => describeNode(address, infos[i], roles.get(address) ?? 'master', lags));
}

/** Sentinel's view of the master `name`: its address and every replica it knows (down ones included). */
async function sentinelView(
  config: RedisConfig,
): Promise<{ master?: string; replicas: string[] } | undefined> {
  const name = config.sentinelMaster ?? 'mymaster';
  const ask = async (sentinel: { host: string; port: number }) => {
    const probe = createProbeClient(config, { ...sentinel, sentinel: true }, NODE_TIMEOUT_MS);
    probe.on('error', () => undefined);
    try {
      const [master, replicas] = await bounded(
        Promise.all([
          probe.call('SENTINEL', 'get-master-addr-by-name', name) as Promise<string[] | null>,
          probe.call('SENTINEL', 'replicas', name) as Promise<string[][]>,
        ]),
        NODE_TIMEOUT_MS,
        () => probe.disconnect(),
      );
      const addresses = replicas.map((flat) => {
        const fields = new Map<string, string>();
        for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), String(flat[i + 1]));
        return `${fields.get('ip')}:${fields.get('port')}`;
      });
      return {
        ...(master?.length === 2 ? { master: `${master[0]}:${master[1]}` } : {}),
        replicas: addresses,
      };
    } finally {
      probe.disconnect();
    }
  };
  return Promise.any(config.sentinels.map(ask)).catch(() => undefined);
}

/** Sentinel: the master the client is connected to, and the replicas from the Sentinels and the master's INFO. */
async function sentinelNodes(client: Redis, config: RedisConfig): Promise<RedisNodeInfo[]> {
  const [masterInfo, view] = await Promise.all([infoOrDown(client), sentinelView(config)]);
  const master = connectedAddress(client) ?? view?.master ?? 'unknown';
  const lags = mergeLags([masterInfo]);
  const replicas = [...new Set([...(view?.replicas ?? []), ...lags.keys()])]
    .filter((a) => a !== master)
    .sort();
  const infos = await Promise.all(replicas.map((address) => probeInfo(config, address)));
  return [
    describeNode(master, masterInfo, 'master', lags),
    ...replicas.map((address, i) => describeNode(address, infos[i], 'replica', lags)),
  ];
}

/** Every node behind `client` for the configured mode; never rejects (an unreachable node is `down`). */
export async function listRedisNodes(client: Redis | Cluster, config: RedisConfig): Promise<RedisNodeInfo[]> {
  if (client instanceof Cluster) return clusterNodes(client, config);
  if (config.mode === 'sentinel') return sentinelNodes(client, config);
  const info = await infoOrDown(client);
  return [describeNode(`${config.host}:${config.port}`, info, 'master', new Map())];
}
