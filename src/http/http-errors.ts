import { HTTP_STATUS_BY_CODE, type StorageErrorCode } from '../contract/errors.js';

/**
 * Codes for conditions that only exist over HTTP (no storage call was made). Storage failures
 * keep their §3 StorageError code; these complete the set a client can switch on.
 */
export type HttpOnlyCode =
  | 'UNAUTHORIZED'
  | 'IDEMPOTENCY_IN_PROGRESS'
  | 'ROUTE_NOT_FOUND'
  | 'NOT_ACCEPTABLE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INTERNAL_ERROR';

export type ApiErrorCode = StorageErrorCode | HttpOnlyCode;

const HTTP_ONLY_STATUS: Record<HttpOnlyCode, number> = {
  UNAUTHORIZED: 401,
  IDEMPOTENCY_IN_PROGRESS: 409,
  ROUTE_NOT_FOUND: 404,
  NOT_ACCEPTABLE: 406,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL_ERROR: 500,
};

/** Every code the API can answer with, and its status (documented in docs/http.md and OpenAPI). */
export const API_STATUS_BY_CODE: Record<ApiErrorCode, number> = {
  ...HTTP_STATUS_BY_CODE,
  ...HTTP_ONLY_STATUS,
};

/** A failure decided by the HTTP layer itself (unknown route, unusable Accept or Content-Type). */
export class HttpError extends Error {
  readonly code: HttpOnlyCode;

  constructor(code: HttpOnlyCode, message: string) {
    super(message);
    this.name = 'HttpError';
    this.code = code;
  }

  get status(): number {
    return HTTP_ONLY_STATUS[this.code];
  }
}

/** The JSON error body of every failed request. */
export interface ErrorBody {
  /**
   * `outcome: 'unknown'` when the failure came after a write may have reached the store (a timeout or a
   * dropped connection): retry with the same Idempotency-Key, or read the session, before assuming it failed.
   */
  error: { code: ApiErrorCode; message: string; outcome?: 'unknown' };
}
