import express, { type Request, type RequestHandler } from 'express';
import { baseMediaType, MEDIA } from './content-types.js';
import { HttpError } from './http-errors.js';

/** Whether the request carries a body at all (RFC 9112: a length or a transfer coding). */
export function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

/** An error shaped as body-parser's, so error-mapping.ts treats both alike. */
function bodyError(status: number, type: string, message: string, limit?: number): Error {
  return Object.assign(new Error(message), { status, type, ...(limit !== undefined ? { limit } : {}) });
}

/**
 * Reads a body of a declared length straight into one buffer of that size: no list of chunks and no
 * concatenation (which held the body twice at once), and the buffer is its own ArrayBuffer, so the parse
 * pool can hand it to a worker instead of copying it (issue 11: upload peak RSS).
 */
function readDeclaredLength(req: Request, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.allocUnsafeSlow(length);
    let received = 0;
    const finish = (error?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error === undefined) resolve(body);
      else {
        req.unpipe();
        req.resume(); // discard the rest rather than leave the socket stalled
        reject(error);
      }
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > length)
        return finish(
          bodyError(400, 'request.size.invalid', 'request body is longer than its Content-Length'),
        );
      chunk.copy(body, received);
      received += chunk.length;
    };
    const onEnd = () =>
      finish(
        received === length
          ? undefined
          : bodyError(400, 'request.size.invalid', 'request body is shorter than its Content-Length'),
      );
    const onError = (error: Error) => finish(bodyError(400, 'request.aborted', error.message));
    const onAborted = () => finish(bodyError(400, 'request.aborted', 'request aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * Buffers any body up to `limit` bytes as req.body (Buffer); larger ones fail with 413 PAYLOAD_TOO_LARGE.
 * A plain body with a Content-Length is read into one buffer of that size; chunked or content-encoded
 * bodies go through express.raw (which inflates gzip/deflate/br).
 */
export function rawBody(limit: number): RequestHandler {
  const fallback = express.raw({ limit, type: () => true });
  return (req, res, next) => {
    const encoding = (req.get('content-encoding') ?? 'identity').toLowerCase();
    const declared = req.get('content-length');
    const length = declared === undefined ? Number.NaN : Number(declared);
    if (
      encoding !== 'identity' ||
      req.get('transfer-encoding') !== undefined ||
      !Number.isSafeInteger(length) ||
      length <= 0
    )
      return fallback(req, res, next);
    if (length > limit) {
      // As body-parser does: read the body off and answer once it is in, so the client sees the 413.
      const refuse = () => next(bodyError(413, 'entity.too.large', 'request entity too large', limit));
      req.once('end', refuse);
      req.once('aborted', () => req.off('end', refuse));
      req.resume();
      return;
    }
    readDeclaredLength(req, length).then(
      (body) => {
        req.body = body;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

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
