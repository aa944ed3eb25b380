import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RedisNodeInfo, StorageStats } from '../contract/storage-backend.js';
import type { DataManager, OperationEvent } from '../manager/data-manager.js';

/** The parts of a DataManager the metrics read (a DataManager satisfies it). */
export type MetricsSource = Pick<
  DataManager,
  'getBackendType' | 'isRedisEnabled' | 'isFallbackActive' | 'getStats' | 'addObserver'
>;

/** One app's metrics: its own registry (not prom-client's global one), so many apps can coexist in tests. */
export interface FramestoreMetrics {
  readonly registry: Registry;
  /** Request durations by method, route template and status. */
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Stops listening to the manager. */
  dispose(): void;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STATS_MAX_AGE_MS = 1000;

export interface MetricsOptions {
  /** The Redis nodes of the latest health probe (`redis_info.nodes`), read at scrape time; undefined: none. */
  redisNodes?: () => Promise<RedisNodeInfo[] | undefined>;
}

/** Builds the registry and subscribes to the manager's per-operation events. */
export function createMetrics(source: MetricsSource, opts: MetricsOptions = {}): FramestoreMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const operations = new Counter({
    name: 'framestore_storage_operations_total',
    help: 'Storage operations by backend, operation and outcome (ok | error).',
    labelNames: ['backend', 'operation', 'outcome'] as const,
    registers,
  });
  const durations = new Histogram({
    name: 'framestore_storage_operation_duration_seconds',
    help: 'Storage operation latency by backend and operation.',
    labelNames: ['backend', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'framestore_storage_errors_total',
    help: 'Failed storage operations by backend and StorageError code.',
    labelNames: ['backend', 'code'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'framestore_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });

  const unsubscribe = source.addObserver({
    onOperation(event: OperationEvent) {
      const outcome = event.error === undefined ? 'ok' : 'error';
      operations.inc({ backend: event.backend, operation: event.operation, outcome });
      durations.observe({ backend: event.backend, operation: event.operation }, event.durationMs / 1000);
      if (event.error !== undefined) errors.inc({ backend: event.backend, code: event.error.code });
    },
  });

  registerStateMetrics(source, registers);
  if (opts.redisNodes !== undefined) registerNodeMetrics(opts.redisNodes, registers);
  return { registry, httpDuration, dispose: unsubscribe };
}

/** Gauges and counters read from the manager at scrape time (one getStats() per scrape at most). */
function registerStateMetrics(source: MetricsSource, registers: Registry[]): void {
  let cached: { at: number; stats: Promise<StorageStats | undefined> } | undefined;
  const stats = (): Promise<StorageStats | undefined> => {
    if (cached === undefined || Date.now() - cached.at > STATS_MAX_AGE_MS) {
      // A failing backend must not fail the scrape: those series are simply absent this time.
      cached = { at: Date.now(), stats: source.getStats().catch(() => undefined) };
    }
    return cached.stats;
  };

  new Gauge({
    name: 'framestore_fallback_active',
    help: '1 while the embedded store stands in for an unreachable Redis.',
    registers,
    collect() {
      this.set(source.isFallbackActive() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'framestore_backend_info',
    help: 'Always 1; labels say which backend serves and whether Redis was asked for.',
    labelNames: ['backend_type', 'redis_enabled'] as const,
    registers,
    collect() {
      this.reset();
      this.set({ backend_type: source.getBackendType(), redis_enabled: String(source.isRedisEnabled()) }, 1);
    },
  });
  const fromStats = (name: string, help: string, read: (s: StorageStats) => number | undefined) =>
    new Gauge({
      name,
      help,
      registers,
      async collect() {
        const current = await stats();
        const value = current === undefined ? undefined : read(current);
        if (value === undefined) this.reset();
        else this.set(value);
      },
    });
  fromStats('framestore_bytes_stored', 'Encoded bytes held by the active backend.', (s) => s.bytesStored);
  fromStats('framestore_sessions', 'Live sessions in the active backend.', (s) => s.sessions);
  fromStats('framestore_temp_uploads', 'Live temporary uploads in the active backend.', (s) => s.tempUploads);
  fromStats(
    'framestore_cache_entries',
    'Decoded tables held by the in-process LRU.',
    (s) => s.cache?.entries,
  );
  fromStats('framestore_cache_bytes', 'Bytes held by the in-process LRU.', (s) => s.cache?.bytes);

  const fromCacheCounter = (name: string, help: string, read: (s: StorageStats) => number | undefined) =>
    new Counter({
      name,
      help,
      registers,
      async collect() {
        const current = await stats();
        const value = current === undefined ? undefined : read(current);
        // The backend keeps the running total; mirror it (reset + inc keeps the counter type honest).
        this.reset();
        if (value !== undefined) this.inc(value);
      },
    });
  fromCacheCounter('framestore_cache_hits_total', 'LRU lookups served from memory.', (s) => s.cache?.hits);
  fromCacheCounter(
    'framestore_cache_misses_total',
    'LRU lookups that had to read storage.',
    (s) => s.cache?.misses,
  );
}

/** Per-node gauges (labels: address and role, never credentials); one node listing per scrape. */
function registerNodeMetrics(read: () => Promise<RedisNodeInfo[] | undefined>, registers: Registry[]): void {
  let cached: { at: number; nodes: Promise<RedisNodeInfo[]> } | undefined;
  const nodes = (): Promise<RedisNodeInfo[]> => {
    if (cached === undefined || Date.now() - cached.at > STATS_MAX_AGE_MS) {
      cached = {
        at: Date.now(),
        nodes: read().then(
          (list) => list ?? [],
          () => [],
        ),
      };
    }
    return cached.nodes;
  };
  const perNode = (name: string, help: string, value: (node: RedisNodeInfo) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['address', 'role'] as const,
      registers,
      async collect() {
        const list = await nodes();
        // Reset first: a node that left the topology (or a role that changed) must not linger.
        this.reset();
        for (const node of list) {
          const v = value(node);
          if (v !== undefined) this.set({ address: node.address, role: node.role }, v);
        }
      },
    });
  perNode('framestore_redis_node_up', '1 when the Redis node answered INFO within ~1 s, else 0.', (n) =>
    n.status === 'ok' ? 1 : 0,
  );
  perNode(
    'framestore_redis_node_used_memory_bytes',
    'used_memory of the Redis node (INFO memory).',
    (n) => n.used_memory_bytes,
  );
  perNode(
    'framestore_redis_node_replication_lag_ms',
    'Replica lag: seconds since its last ack to the master (master INFO `lag=`) x 1000.',
    (n) => n.replication_lag_ms,
  );
}
