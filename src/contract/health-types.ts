import type { BackendType } from './storage-backend.js';

/** What healthCheck() and getStats() report (§6 `/health/storage`). */

export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface HealthCheckResult {
  status: HealthStatus;
  latency_ms?: number;
  message?: string;
}

/** One Redis server behind the backend, as `/health/storage` lists it (§6 `redis_info.nodes`). */
export interface RedisNodeInfo {
  /** `host:port` as the topology announces it (never credentials). */
  address: string;
  role: 'master' | 'replica';
  /** `down`: no INFO answer within the per-node timeout (about 1 s). */
  status: 'ok' | 'down';
  used_memory_bytes?: number;
  /** Seconds since the replica's last acknowledgement to its master (`lag=` of the master's INFO) × 1000. */
  replication_lag_ms?: number;
}

export interface RedisInfo {
  connected: boolean;
  mode: 'standalone' | 'sentinel' | 'cluster';
  version: string;
  used_memory_bytes: number;
  maxmemory_policy: string;
  persistence: string;
  latency_ms: number;
  /** Every node: the one of a standalone Redis, master and replicas under Sentinel, all Cluster nodes. */
  nodes?: RedisNodeInfo[];
}

export interface HealthReport {
  status: HealthStatus;
  backendType: BackendType;
  latencyMs: number;
  checks: Record<string, HealthCheckResult>;
  activeSessions: number;
  redisInfo?: RedisInfo;
}

export interface StorageStats {
  backendType: BackendType;
  sessions: number;
  tempUploads: number;
  bytesStored: number;
  cache?: { hits: number; misses: number; entries: number; bytes: number; maxBytes: number };
  [extra: string]: unknown;
}
