import { checkDisk } from '../backends/inmemory/inmemory-disk.js';
import type {
  BackendType,
  HealthCheckResult,
  HealthReport,
  HealthStatus,
} from '../contract/storage-backend.js';
import type { BreakerState } from './circuit-breaker.js';
import type { ManagerRouting } from './manager-types.js';
import type { JournalEntry } from './write-back-journal.js';

/** What the manager adds to a backend's health report. */
export interface ManagerHealthState {
  /** Present when Redis is the configured backend. */
  redis?: {
    breaker: BreakerState;
    servingLocally: boolean;
    pending: JournalEntry[];
    lastWriteBackError?: string;
    /** Cluster shards whose gate is shut (their sessions served as in an outage). */
    shutShards?: string[];
  };
  /** Why the local store stands in for Redis, when it does. */
  fallbackReason?: string;
  /** The disk the fallback would write to, while Redis serves (the local store's own report has `disk`). */
  localDisk?: HealthCheckResult;
}

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
const worst = (...statuses: HealthStatus[]): HealthStatus =>
  statuses.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), 'healthy');

/** A report for a backend that could not even answer its health check. */
export function unreachableReport(backendType: BackendType, message: string): HealthReport {
  return {
    status: 'unhealthy',
    backendType,
    latencyMs: 0,
    checks: { [backendType]: { status: 'unhealthy', message } },
    activeSessions: 0,
  };
}

/**
 * Adds the breaker state, write-back backlog and fallback reason to the serving backend's report:
 * `degraded` while the local store stands in for Redis or changes wait to be written back, `unhealthy`
 * while the circuit is open with no fallback, and back to the backend's own status once all is written back.
 */
export function decorateHealth(report: HealthReport, state: ManagerHealthState): HealthReport {
  const checks = { ...report.checks };
  const statuses: HealthStatus[] = [report.status];
  const redis = state.redis;
  if (redis) {
    const breakerStatus: HealthStatus =
      redis.breaker === 'closed' ? 'healthy' : redis.servingLocally ? 'degraded' : 'unhealthy';
    checks.circuit_breaker = { status: breakerStatus, message: redis.breaker };
    const sessions = redis.pending.filter((entry) => entry.kind === 'session').length;
    const uploads = redis.pending.length - sessions;
    const backlog = `${sessions} sessions pending${uploads > 0 ? `, ${uploads} uploads pending` : ''}`;
    checks.write_back = {
      status: redis.pending.length > 0 ? 'degraded' : 'healthy',
      message:
        redis.lastWriteBackError && redis.pending.length > 0
          ? `${backlog}; last error: ${redis.lastWriteBackError}`
          : backlog,
    };
    statuses.push(breakerStatus, checks.write_back.status);
    if (redis.shutShards !== undefined) {
      const shut = redis.shutShards;
      checks.cluster_shards = {
        status: shut.length > 0 ? 'degraded' : 'healthy',
        message: shut.length > 0 ? `unavailable, probing: ${shut.join(', ')}` : 'every shard serving',
      };
      statuses.push(checks.cluster_shards.status);
    }
  }
  if (state.localDisk !== undefined && report.backendType === 'redis') {
    // Redis serves fine; a full local disk only means the fallback would fail: degraded at worst.
    const status = state.localDisk.status === 'healthy' ? 'healthy' : 'degraded';
    checks.local_disk = { ...state.localDisk, status };
    statuses.push(status);
  }
  if (state.fallbackReason !== undefined) {
    checks.fallback = { status: 'degraded', message: state.fallbackReason };
    statuses.push('degraded');
  }
  return { ...report, status: worst(...statuses), checks };
}

/** The manager-side facts for decorateHealth, read from the routing parts. */
export function healthStateOf(
  routing: ManagerRouting,
  fallbackReason: string | undefined,
  fallbackDir?: string,
): ManagerHealthState {
  const primary = routing.redisPrimary;
  const lastError = primary?.writeBack?.lastError;
  return {
    ...(fallbackReason !== undefined ? { fallbackReason } : {}),
    ...(primary?.journal && fallbackDir !== undefined ? { localDisk: checkDisk(fallbackDir) } : {}),
    ...(primary
      ? {
          redis: {
            breaker: primary.breaker.state,
            servingLocally: routing.router.servingLocally(),
            pending: primary.journal?.list() ?? [],
            ...(lastError ? { lastWriteBackError: lastError } : {}),
            ...(primary.shards ? { shutShards: primary.shards.shutShards() } : {}),
          },
        }
      : {}),
  };
}
