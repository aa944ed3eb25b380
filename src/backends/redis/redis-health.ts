import { Cluster, type Redis } from 'ioredis';
import type {
  HealthCheckResult,
  HealthReport,
  HealthStatus,
  RedisInfo,
} from '../../contract/storage-backend.js';
import { sanitizeRedisError } from './redis-client.js';
import type { RedisContext } from './redis-context.js';
import { listRedisNodes, parseInfo } from './redis-health-nodes.js';

export { parseInfo };

/**
 * Above this PING round trip Redis is `degraded` (slow but working); it is `unhealthy` only when PING gets no
 * answer within REDIS_COMMAND_TIMEOUT_MS (or fails).
 */
export const HIGH_LATENCY_MS = 250;

/**
 * Every key we write carries a TTL, so volatile-* policies can evict live sessions just like allkeys-*:
 * only noeviction keeps them (writes then fail loudly instead of sessions vanishing).
 */
export const policyCanEvict = (policy: string): boolean => policy !== 'noeviction';

interface NodeFacts {
  version: string;
  usedMemory: number;
  policy: string;
  persistence: string;
}

async function nodeFacts(node: Redis): Promise<NodeFacts> {
  // Both at once: on a slow link the health check costs one round trip, not two.
  const [text, save] = await Promise.all([
    node.info(),
    (node.config('GET', 'save') as Promise<string[]>).catch(() => undefined),
  ]);
  const info = parseInfo(text);
  // CONFIG is often disabled on managed Redis; then go by whether a snapshot was ever taken.
  const rdb =
    save !== undefined
      ? (save[1] ?? '').trim() !== ''
      : Number(info.rdb_last_save_time ?? 0) > 0 && info.rdb_saves !== '0';
  const aof = info.aof_enabled === '1';
  return {
    version: info.redis_version ?? 'unknown',
    usedMemory: Number(info.used_memory ?? 0),
    policy: info.maxmemory_policy ?? 'unknown',
    persistence: aof && rdb ? 'aof+rdb' : aof ? 'aof' : rdb ? 'rdb' : 'none',
  };
}

const worst = (statuses: HealthStatus[]): HealthStatus =>
  statuses.includes('unhealthy') ? 'unhealthy' : statuses.includes('degraded') ? 'degraded' : 'healthy';

/** PING latency, eviction policy and persistence of every (master) node. */
export async function redisHealth(ctx: RedisContext): Promise<HealthReport> {
  ctx.ensureOpen();
  const { client } = ctx;
  const mode = ctx.config.redis.mode;
  const started = performance.now();
  const checks: Record<string, HealthCheckResult> = {};
  const nodes: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  // Sent together with the PING (one round trip under latency); their failure only degrades the report.
  const details = Promise.all([Promise.all(nodes.map(nodeFacts)), client.zcard(ctx.keys.sessionIndex)]);
  details.catch(() => undefined);
  // Every node (standalone: the one; Sentinel: master + replicas; Cluster: all), each bounded to ~1 s.
  const nodeList = listRedisNodes(client, ctx.config.redis);
  try {
    await client.ping();
  } catch (error) {
    ctx.noteFailure(error);
    const latency = performance.now() - started;
    const message = sanitizeRedisError(error, ctx.secrets).message;
    checks.ping = { status: 'unhealthy', latency_ms: latency, message };
    const redisInfo: RedisInfo = {
      connected: false,
      mode,
      version: 'unknown',
      used_memory_bytes: 0,
      maxmemory_policy: 'unknown',
      persistence: 'unknown',
      latency_ms: latency,
      nodes: await nodeList,
    };
    return {
      status: 'unhealthy',
      backendType: 'redis',
      latencyMs: latency,
      checks,
      activeSessions: 0,
      redisInfo,
    };
  }
  const latency = performance.now() - started;
  checks.ping = {
    status: latency > HIGH_LATENCY_MS ? 'degraded' : 'healthy',
    latency_ms: latency,
    ...(latency > HIGH_LATENCY_MS ? { message: `PING took ${latency.toFixed(1)} ms` } : {}),
  };
  let facts: NodeFacts[];
  let activeSessions = 0;
  try {
    // Approximate (advisory index size): exact counting walks every session.
    [facts, activeSessions] = await details;
  } catch (error) {
    checks.info = { status: 'degraded', message: sanitizeRedisError(error, ctx.secrets).message };
    facts = [];
  }
  const evicting = facts.find((f) => policyCanEvict(f.policy));
  const policy = evicting?.policy ?? facts[0]?.policy ?? 'unknown';
  checks.maxmemory_policy = evicting
    ? {
        status: 'degraded',
        message: `maxmemory-policy ${evicting.policy} can evict live session keys (all carry TTLs); use noeviction`,
      }
    : { status: facts.length > 0 ? 'healthy' : 'degraded', message: `maxmemory-policy ${policy}` };
  const persistence =
    facts.find((f) => f.persistence === 'none')?.persistence ?? facts[0]?.persistence ?? 'unknown';
  checks.persistence = {
    status: 'healthy',
    message: persistence === 'none' ? 'no persistence: sessions do not survive a Redis restart' : persistence,
  };
  const status = worst(Object.values(checks).map((check) => check.status));
  return {
    status,
    backendType: 'redis',
    latencyMs: latency,
    checks,
    activeSessions,
    redisInfo: {
      connected: true,
      mode,
      version: facts[0]?.version ?? 'unknown',
      used_memory_bytes: facts.reduce((sum, f) => sum + f.usedMemory, 0),
      maxmemory_policy: policy,
      persistence,
      latency_ms: latency,
      nodes: await nodeList,
    },
  };
}
