import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logging/logger.js';
import type { FramestoreMetrics } from '../metrics/metrics-registry.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/** Probes and scrapes arrive every few seconds; at info level they would drown the useful lines. */
const QUIET_PATHS = /^\/(health\/|metrics$)/;

/**
 * Times every request for the metrics and writes one log line when it ends. Logs method, route
 * template, path (without the query string), status, duration and sizes — never bodies or headers,
 * which may carry data or credentials.
 */
export function requestObserver(logger: Logger, metrics: FramestoreMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // The template (/sessions/:id), not the path: one series per route, not one per session.
      const route = req.route?.path === undefined ? 'unmatched' : String(req.route.path);
      metrics.httpDuration.observe(
        { method: req.method, route, status_code: String(res.statusCode) },
        seconds,
      );
      const line = {
        req_id: requestId,
        method: req.method,
        route,
        path: req.path,
        status: res.statusCode,
        duration_ms: Math.round(seconds * 1e5) / 100,
        bytes_in: Number(req.get('content-length') ?? 0),
        bytes_out: Number(res.getHeader('content-length') ?? 0),
      };
      if (QUIET_PATHS.test(req.path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    next();
  };
}
