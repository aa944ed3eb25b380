import type { Router } from 'express';
import { VERSION } from '../../version.js';
import { buildOpenApiDocument } from '../openapi.js';
import type { RouteContext } from '../route-context.js';

/** How long `GET /` reuses a session count: on Redis an exact count sweeps the whole session index. */
export const SESSION_COUNT_MAX_AGE_MS = 1000;

/**
 * `count` shared by concurrent callers and its answer reused for `maxAgeMs`, so a client polling `GET /`
 * costs the backend at most one count per interval. A failed count is not kept: the next call retries.
 */
export function sharedCount(
  count: () => Promise<number>,
  maxAgeMs: number,
  now: () => number = () => performance.now(),
): () => Promise<number> {
  let inFlight: Promise<number> | undefined;
  let last: { at: number; value: number } | undefined;
  return () => {
    if (last !== undefined && now() - last.at < maxAgeMs) return Promise.resolve(last.value);
    inFlight ??= count().then(
      (value) => {
        last = { at: now(), value };
        inFlight = undefined;
        return value;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}

/** `GET /` (what is this service) and `GET /openapi.json` (the API description). */
export function rootRoutes(router: Router, { manager }: RouteContext): void {
  const activeSessions = sharedCount(() => manager.countSessions(), SESSION_COUNT_MAX_AGE_MS);
  router.get('/', async (_req, res) => {
    const active = await activeSessions();
    res.json({
      service: 'framestore',
      version: VERSION,
      backend_type: manager.getBackendType(),
      active_sessions: active,
    });
  });

  const openapi = buildOpenApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
}
