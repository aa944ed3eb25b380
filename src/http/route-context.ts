import type { ParsePool } from '../formats/parse-pool.js';
import type { DataManager } from '../manager/data-manager.js';
import type { FramestoreMetrics } from '../metrics/metrics-registry.js';
import type { StorageHealthJson } from './health-report.js';
import type { Redactor } from './redact.js';

/** What every route module gets from createApp. */
export interface RouteContext {
  manager: DataManager;
  /** Request body cap in bytes (MAX_DATAFRAME_SIZE_MB unless overridden). */
  maxBodyBytes: number;
  /** MAX_COLUMNS: columns any input may have. */
  maxColumns: number;
  /** Worker threads that parse request bodies (Arrow, CSV, JSON rows, xlsx). */
  parsePool: ParsePool;
  redact: Redactor;
  metrics: FramestoreMetrics;
  /** How long /health/ready waits for the backend before answering 503. */
  readyTimeoutMs: number;
  /** The shared, briefly cached storage health probe (see createHealthProbe). */
  health: () => Promise<StorageHealthJson>;
}
