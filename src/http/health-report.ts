import type {
  HealthCheckResult,
  HealthReport,
  HealthStatus,
  RedisInfo,
} from '../contract/storage-backend.js';
import type { DataManager } from '../manager/data-manager.js';

/** The §6 body of GET /health/storage. */
export interface StorageHealthJson {
  status: HealthStatus;
  backend_type: 'redis' | 'inmemory';
  redis_enabled: boolean;
  fallback_active: boolean;
  sessions: { active: number };
  checks: Record<string, HealthCheckResult>;
  redis_info?: RedisInfo;
}

type HealthSource = Pick<
  DataManager,
  'healthCheck' | 'getBackendType' | 'isRedisEnabled' | 'isFallbackActive'
>;

function fromReport(source: HealthSource, report: HealthReport): StorageHealthJson {
  return {
    status: report.status,
    backend_type: report.backendType,
    redis_enabled: source.isRedisEnabled(),
    fallback_active: source.isFallbackActive(),
    sessions: { active: report.activeSessions },
    checks: report.checks,
    ...(report.redisInfo !== undefined ? { redis_info: report.redisInfo } : {}),
  };
}

/**
 * Asks the manager for its health; a check that throws or outlives `timeoutMs` is itself the
 * answer: `unhealthy`, with the reason under `checks.backend`.
 */
export async function storageHealth(source: HealthSource, timeoutMs: number): Promise<StorageHealthJson> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return fromReport(source, await Promise.race([source.healthCheck(), timeout]));
  } catch (error) {
    return {
      status: 'unhealthy',
      backend_type: source.getBackendType(),
      redis_enabled: source.isRedisEnabled(),
      fallback_active: source.isFallbackActive(),
      sessions: { active: 0 },
      checks: {
        backend: {
          status: 'unhealthy',
          message: error instanceof Error ? error.message : 'health check failed',
        },
      },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** 200 while the service can serve (healthy or degraded), 503 when it cannot. */
export const healthHttpStatus = (status: HealthStatus): number => (status === 'unhealthy' ? 503 : 200);

/**
 * One backend probe shared by every health request: concurrent requests join the probe in flight, and its
 * answer is reused for `maxAgeMs`. A load balancer or dashboard polling hard then costs the backend at most
 * one probe per `maxAgeMs` instead of one per request (0 = probe on every request, still single-flight).
 */
export function createHealthProbe(
  source: HealthSource,
  opts: { timeoutMs: number; maxAgeMs: number },
): () => Promise<StorageHealthJson> {
  let inFlight: Promise<StorageHealthJson> | undefined;
  let last: { at: number; value: StorageHealthJson } | undefined;
  return () => {
    if (last !== undefined && performance.now() - last.at < opts.maxAgeMs) return Promise.resolve(last.value);
    if (inFlight === undefined) {
      inFlight = storageHealth(source, opts.timeoutMs).then((value) => {
        last = { at: performance.now(), value };
        inFlight = undefined;
        return value;
      });
    }
    return inFlight;
  };
}
