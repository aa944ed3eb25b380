import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { invalidInput } from '../contract/errors.js';
import { hasIdempotency, type StoredResponse } from '../contract/idempotency.js';
import type { DataManager } from '../manager/data-manager.js';
import { HttpError } from './http-errors.js';

/** How long a completed response is kept, and how long a running request holds its key. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const PENDING_MS = 60_000;
/** Responses larger than this are not kept (mutating routes answer with small JSON documents). */
const MAX_KEPT_BYTES = 1024 * 1024;
const KEY = /^[\x21-\x7e]{1,255}$/;

const sha = (...parts: (string | Buffer)[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('base64url');
};

/** What makes two requests "the same": method, path with query, and the body as received. */
function fingerprintOf(req: Request): string {
  const body: unknown = req.body;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body === undefined ? '' : JSON.stringify(body));
  return sha(req.method, req.originalUrl, bytes);
}

function replay(res: Response, response: StoredResponse): void {
  res.status(response.status).set('Idempotent-Replayed', 'true');
  if (response.contentType !== undefined) res.type(response.contentType);
  res.end(Buffer.from(response.body, 'base64'));
}

/**
 * Collects what the route sends (bounded). When the route ends its response, `settle` keeps (or releases)
 * the key first and the response goes out after: a client that has the answer finds the key completed.
 */
function capture(res: Response, settle: (response: StoredResponse | undefined) => Promise<void>): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    size += buffer.length;
    if (size <= MAX_KEPT_BYTES) chunks.push(buffer);
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.write = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    return write(...args);
  }) as Response['write'];
  res.end = ((...args: unknown[]) => {
    keep(args[0], args[1]);
    const contentType = res.get('Content-Type');
    const response =
      size > MAX_KEPT_BYTES
        ? undefined
        : {
            status: res.statusCode,
            ...(contentType !== undefined ? { contentType } : {}),
            body: Buffer.concat(chunks).toString('base64'),
          };
    void settle(response).finally(() => end(...args));
    return res;
  }) as Response['end'];
}

/**
 * `Idempotency-Key` on mutating routes (§6), placed after the body parser: a repeated request with the same key
 * and the same method, path and body gets the first response (header `Idempotent-Replayed: true`) and changes
 * nothing; the same key with a different request is 400; while the first is still running, 409. Responses
 * with status ≥ 500 are not kept (the client may retry). Keys live in the active backend's store, shared by
 * every worker and server; a backend without one serves the request without the guarantee.
 */
export function idempotency(manager: DataManager): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('Idempotency-Key');
    if (header === undefined) return next();
    if (!KEY.test(header))
      return next(invalidInput('Idempotency-Key must be 1 to 255 visible ASCII characters'));
    const backend = manager.getActiveBackend();
    if (!hasIdempotency(backend)) return next();
    const store = backend.idempotency;
    const key = sha(header);
    const fingerprint = fingerprintOf(req);
    store.claim(key, fingerprint, PENDING_MS).then(
      (claim) => {
        if (claim.state !== 'claimed') {
          if (claim.fingerprint !== fingerprint) {
            return next(invalidInput('this Idempotency-Key was already used for a different request'));
          }
          if (claim.state === 'done') return replay(res, claim.response);
          return next(
            new HttpError(
              'IDEMPOTENCY_IN_PROGRESS',
              'a request with this Idempotency-Key is still being processed; retry later',
            ),
          );
        }
        capture(res, (response) =>
          (response === undefined || response.status >= 500
            ? store.release(key, claim.token)
            : store.complete(key, claim.token, fingerprint, response, IDEMPOTENCY_TTL_MS)
          ).catch((error: unknown) => manager.logger.warn({ err: error }, 'idempotency key not kept')),
        );
        res.once('close', () => {
          // The client went away before the route answered: give the key back for its retry.
          if (!res.writableEnded) store.release(key, claim.token).catch(() => undefined);
        });
        next();
      },
      (error: unknown) => next(error),
    );
  };
}
