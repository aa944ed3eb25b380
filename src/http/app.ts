import express, { type Express, type RequestHandler, Router } from 'express';
import { ParsePool } from '../formats/parse-pool.js';
import type { Logger } from '../logging/logger.js';
import type { DataManager } from '../manager/data-manager.js';
import { createMetrics, type FramestoreMetrics } from '../metrics/metrics-registry.js';
import { bearerAuth } from './bearer-auth.js';
import { errorHandler, notFoundHandler } from './error-mapping.js';
import { createHealthProbe } from './health-report.js';
import { idempotency } from './idempotency.js';
import { createRedactor } from './redact.js';
import { requestObserver } from './request-observer.js';
import type { RouteContext } from './route-context.js';
import { auditRoutes } from './routes/audit.js';
import { healthRoutes } from './routes/health.js';
import { metadataRoutes } from './routes/metadata.js';
import { metricsRoutes } from './routes/metrics.js';
import { missingRoutes } from './routes/missing.js';
import { rootRoutes } from './routes/root.js';
import { sessionDataRoutes } from './routes/session-data.js';
import { sessionRoutes } from './routes/sessions.js';
import { uploadRoutes } from './routes/uploads.js';
import { versionRoutes } from './routes/versions.js';
import { uiStatic } from './ui-static.js';
import { checkPathParams } from './validation.js';

export interface AppOptions {
  /** Request log destination (default: the manager's logger). */
  logger?: Logger;
  /** Body cap in bytes (default: MAX_DATAFRAME_SIZE_MB from the manager's config). */
  maxBodyBytes?: number;
  /** How long health probes wait for the backend (default: REDIS_COMMAND_TIMEOUT_MS, at least 1 s). */
  readyTimeoutMs?: number;
  /** How long one storage health probe may answer /health/storage and /health/ready (default 0: a fresh probe per request, shared by concurrent requests). */
  healthMaxAgeMs?: number;
  /** Parses request bodies (default: a pool created here, closed by `dispose()`/`close()`). */
  parsePool?: ParsePool;
}

/** What createApp leaves in `app.locals.framestore` for the server and tests. */
export interface AppLocals {
  metrics: FramestoreMetrics;
  /** Unsubscribes the metrics and stops the parse workers (the manager itself is the caller's to close). */
  dispose(): void;
  /** dispose(), resolved once the parse workers have stopped. */
  close(): Promise<void>;
}

/**
 * The express app for a DataManager (§6), without listening: the caller (the `serve` command, a
 * test, or a host app mounting it) owns the HTTP server and the manager's lifecycle.
 */
/**
 * Every mutating route gets the Idempotency-Key handling right before its handler (after its body parser, so
 * the body is part of what makes two requests the same).
 */
function withIdempotency(router: ReturnType<typeof Router>, guard: RequestHandler): void {
  for (const method of ['post', 'put', 'patch', 'delete'] as const) {
    const register = router[method].bind(router) as (path: string, ...handlers: RequestHandler[]) => unknown;
    (router as unknown as Record<string, unknown>)[method] = (
      path: string,
      ...handlers: RequestHandler[]
    ) => {
      const last = handlers.at(-1);
      return register(path, ...handlers.slice(0, -1), guard, ...(last ? [last] : []));
    };
  }
}

export function createApp(manager: DataManager, opts: AppOptions = {}): Express {
  const logger = opts.logger ?? manager.logger;
  const redact = createRedactor(manager.config);
  const readyTimeoutMs = opts.readyTimeoutMs ?? Math.max(1000, manager.config.redis.commandTimeoutMs);
  const health = createHealthProbe(manager, {
    timeoutMs: readyTimeoutMs,
    maxAgeMs: opts.healthMaxAgeMs ?? 0,
  });
  // Per-node Redis gauges come from the same single-flight probe as GET /health/storage.
  const metrics = createMetrics(manager, { redisNodes: async () => (await health()).redis_info?.nodes });
  const maxBodyBytes = opts.maxBodyBytes ?? manager.config.maxFrameBytes;
  const parsePool =
    opts.parsePool ??
    new ParsePool({
      maxBytes: maxBodyBytes,
      onError: (error) =>
        logger.warn({ err: String(error) }, 'a body-parsing worker failed outside a request'),
    });
  const context: RouteContext = {
    manager,
    maxBodyBytes,
    maxColumns: manager.config.maxColumns,
    parsePool,
    redact,
    metrics,
    readyTimeoutMs,
    health,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // frames can be large; hashing every response for an ETag is wasted work
  app.use(requestObserver(logger, metrics));
  if (manager.config.apiToken !== undefined) app.use(bearerAuth(manager.config.apiToken));

  // Every route is registered with its full path on one router, so the route table (and the
  // OpenAPI test that reads it) is exactly what this list registers.
  const router = Router();
  checkPathParams(router);
  withIdempotency(router, idempotency(manager));
  for (const register of [
    rootRoutes,
    healthRoutes,
    metricsRoutes,
    sessionRoutes,
    sessionDataRoutes,
    versionRoutes,
    metadataRoutes,
    auditRoutes,
    missingRoutes,
    uploadRoutes,
  ]) {
    register(router, context);
  }
  // Not on `router`: the page's files are not API routes (and are not in the OpenAPI document).
  app.use('/ui', uiStatic());
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(logger, redact));

  // A pool handed in belongs to the caller; only the one made here is stopped with the app.
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      metrics.dispose();
      if (opts.parsePool === undefined) await parsePool.close();
    })();
    return closing;
  };
  const locals: AppLocals = {
    metrics,
    dispose: () => {
      close().catch((error: unknown) =>
        logger.warn({ err: String(error) }, 'stopping the parse workers failed'),
      );
    },
    close,
  };
  app.locals.framestore = locals;
  return app;
}
