import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { ErrorBody } from './http-errors.js';

/**
 * API_TOKEN (§5): every request needs `Authorization: Bearer <token>`, except the probes and the
 * scrape (`/health/live`, `/health/ready`, `/metrics`) and the explorer's own static files (GET/HEAD
 * under `/ui`), so the page can load and then ask its user for the token. Its API calls need it too.
 */

const OPEN_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);
const isRead = (method: string): boolean => method === 'GET' || method === 'HEAD';

// Fixed-length digests, so timingSafeEqual compares equal lengths and the time says nothing about the token.
const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** True when the request needs no token. */
export function isOpenPath(method: string, path: string): boolean {
  return isRead(method) && (OPEN_PATHS.has(path) || path === '/ui' || path.startsWith('/ui/'));
}

/** The middleware for a configured token; no token configured → no middleware at all. */
export function bearerAuth(token: string): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    if (isOpenPath(req.method, req.path)) {
      next();
      return;
    }
    const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(req.get('authorization') ?? '');
    if (match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected)) {
      next();
      return;
    }
    // The message never repeats what was sent: a near-miss token is still a secret.
    const body: ErrorBody = {
      error: {
        code: 'UNAUTHORIZED',
        message:
          match === null
            ? 'this service needs Authorization: Bearer <API_TOKEN>'
            : 'the bearer token is not the configured API_TOKEN',
      },
    };
    res.setHeader('WWW-Authenticate', 'Bearer realm="framestore"');
    res.status(401).json(body);
  };
}
