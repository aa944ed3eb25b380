/** Every input limit a user can observe, once for every backend (docs/semantics.md lists them). */

export const MAX_OPERATION_LENGTH = 200;
export const MAX_LABEL_LENGTH = 200;
export const MAX_USER_LENGTH = 200;
export const MAX_FILENAME_LENGTH = 1024;
export const MAX_REASON_LENGTH = 1024;
export const MAX_COLUMN_NAME_LENGTH = 1024;
export const MAX_SHEET_NAME_LENGTH = 128;
/** Ten years: long enough for any session, short enough for every store's expiry arithmetic. */
export const MAX_TTL_SECONDS = 10 * 365 * 24 * 3600;
export const MAX_JSON_DEPTH = 64;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
export const MAX_MARKS_PER_BATCH = 100_000;

export const LOCK_TTL_MIN_MS = 100;
export const LOCK_TTL_MAX_MS = 600_000;
export const LOCK_RETRY_COUNT_MAX = 1000;
export const LOCK_RETRY_DELAY_MIN_MS = 1;
export const LOCK_RETRY_DELAY_MAX_MS = 60_000;
export const DEFAULT_LOCK_RETRY_DELAY_MS = 50;
/** Ceiling of one backoff wait, whatever the attempt number. */
export const MAX_LOCK_BACKOFF_MS = 1000;
