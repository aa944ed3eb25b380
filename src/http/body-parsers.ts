import express, { type Request, type RequestHandler } from 'express';
import { baseMediaType, MEDIA } from './content-types.js';
import { HttpError } from './http-errors.js';

/** Whether the request carries a body at all (RFC 9112: a length or a transfer coding). */
export function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/** Buffers any body up to `limit` bytes as req.body (Buffer); larger ones fail with 413 PAYLOAD_TOO_LARGE. */
export const rawBody = (limit: number): RequestHandler => express.raw({ limit, type: () => true });

/**
 * Parses a JSON body up to `limit` bytes. A body of another type is refused with 415 instead of
 * silently reading as "no body" (which for DELETE /missing would mean "clear everything").
 */
export function jsonBody(limit: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const type = baseMediaType(req.get('content-type'));
    if (hasBody(req) && type !== MEDIA.json && !type.endsWith('+json')) {
      next(new HttpError('UNSUPPORTED_MEDIA_TYPE', `expected a ${MEDIA.json} body`));
      return;
    }
    next();
  };
  return [requireJson, express.json({ limit, strict: true, type: [MEDIA.json, 'application/*+json'] })];
}
