import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HTTP_STATUS_BY_CODE, StorageError } from '../contract/errors.js';
import type { Logger } from '../logging/logger.js';
import { type ApiErrorCode, type ErrorBody, HttpError } from './http-errors.js';
import type { Redactor } from './redact.js';

export interface MappedError {
  status: number;
  body: ErrorBody;
}

/** Errors raised by express and its body parsers carry `type` and `status`. */
interface ExpressBodyError {
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  limit?: unknown;
}

const MB = 1024 * 1024;

/** Turns any thrown value into a status and the §3 error body; unknown errors become a bland 500. */
export function mapError(error: unknown, redact: Redactor): MappedError {
  if (error instanceof StorageError) {
    const mapped = body(HTTP_STATUS_BY_CODE[error.code], error.code, redact(error.message));
    if (error.details?.outcome === 'unknown') mapped.body.error.outcome = 'unknown';
    return mapped;
  }
  if (error instanceof HttpError) return body(error.status, error.code, error.message);
  const bodyError = (typeof error === 'object' && error !== null ? error : {}) as ExpressBodyError;
  const status = Number(bodyError.status ?? bodyError.statusCode);
  if (bodyError.type === 'entity.too.large' || status === 413) {
    const limit = typeof bodyError.limit === 'number' ? ` (limit ${formatMb(bodyError.limit)})` : '';
    return body(413, 'PAYLOAD_TOO_LARGE', `request body too large${limit}; see MAX_DATAFRAME_SIZE_MB`);
  }
  if (bodyError.type === 'entity.parse.failed')
    return body(400, 'INVALID_INPUT', 'request body is not valid JSON');
  if (
    bodyError.type === 'encoding.unsupported' ||
    bodyError.type === 'charset.unsupported' ||
    status === 415
  ) {
    return body(415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported content encoding or charset');
  }
  if (status >= 400 && status < 500) {
    // express itself: an undecodable %-escape in a path parameter, an aborted upload...
    const message = error instanceof Error ? error.message : 'bad request';
    return body(400, 'INVALID_INPUT', redact(message));
  }
  return body(500, 'INTERNAL_ERROR', 'internal error');
}

function body(status: number, code: ApiErrorCode, message: string): MappedError {
  return { status, body: { error: { code, message } } };
}

function formatMb(bytes: number): string {
  return `${Number((bytes / MB).toFixed(2))} MB`;
}

/** The last middleware: every failure leaves as JSON; server-side failures are logged (never bodies). */
export function errorHandler(logger: Logger, redact: Redactor): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const mapped = mapError(error, redact);
    if (mapped.status >= 500) {
      const cause = error instanceof Error ? redact(error.stack ?? error.message) : String(error);
      logger.error(
        { code: mapped.body.error.code, method: req.method, path: req.path, err: cause },
        'request failed',
      );
    }
    res.status(mapped.status).json(mapped.body);
  };
}

/** Unknown paths answer 404 JSON like every other failure. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError('ROUTE_NOT_FOUND', `no route for ${req.method} ${req.path}`));
};
