/** Stable error codes of the storage contract (§3). Never rename one: clients switch on them. */
export const STORAGE_ERROR_CODES = [
  'SESSION_NOT_FOUND',
  'UPLOAD_NOT_FOUND',
  'VERSION_NOT_FOUND',
  'NOTHING_TO_UNDO',
  'NOTHING_TO_REDO',
  'LOCK_TIMEOUT',
  'STALE_WRITE',
  'PAYLOAD_TOO_LARGE',
  'INVALID_INPUT',
  'CORRUPT_DATA',
  'BACKEND_UNAVAILABLE',
  'CONFIG_INVALID',
] as const;

export type StorageErrorCode = (typeof STORAGE_ERROR_CODES)[number];

/** HTTP status for each code (§3). */
export const HTTP_STATUS_BY_CODE: Record<StorageErrorCode, number> = {
  SESSION_NOT_FOUND: 404,
  UPLOAD_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  NOTHING_TO_UNDO: 409,
  NOTHING_TO_REDO: 409,
  LOCK_TIMEOUT: 423,
  STALE_WRITE: 409,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_INPUT: 400,
  CORRUPT_DATA: 500,
  BACKEND_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
};

export interface StorageErrorOptions {
  cause?: unknown;
  /** Structured, secret-free context (e.g. the bad config variables). */
  details?: Record<string, unknown>;
}

/** The only error type framestore throws on a user path. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StorageError';
    this.code = code;
    this.details = options.details;
  }

  get httpStatus(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  toJSON(): { code: StorageErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}

export const sessionNotFound = (id: string): StorageError =>
  new StorageError('SESSION_NOT_FOUND', `session ${id} not found or expired`);

export const uploadNotFound = (id: string): StorageError =>
  new StorageError('UPLOAD_NOT_FOUND', `upload ${id} not found or expired`);

export const invalidInput = (message: string, cause?: unknown): StorageError =>
  new StorageError('INVALID_INPUT', message, { cause });

export const corruptData = (message: string, cause?: unknown): StorageError =>
  new StorageError('CORRUPT_DATA', message, { cause });
