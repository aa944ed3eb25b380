import { isStorageError } from '../contract/errors.js';

/** Exit codes (sysexits.h): scripts and supervisors can tell "fix the config" from "storage is down". */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  /** EX_UNAVAILABLE: BACKEND_UNAVAILABLE, e.g. Redis down with STORAGE_FALLBACK_TO_MEMORY=false. */
  UNAVAILABLE: 69,
  /** EX_CONFIG: CONFIG_INVALID, e.g. a malformed variable or an unusable HOST/PORT. */
  CONFIG: 78,
} as const;

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  if (isStorageError(error, 'CONFIG_INVALID')) return EXIT.CONFIG;
  if (isStorageError(error, 'BACKEND_UNAVAILABLE')) return EXIT.UNAVAILABLE;
  return EXIT.FAILURE;
}

/** One line for stderr: `framestore: CODE: message` (no stack; StorageError messages carry no secrets). */
export function errorLine(error: unknown): string {
  if (isStorageError(error)) return `framestore: ${error.code}: ${error.message}`;
  return `framestore: ${error instanceof Error ? error.message : String(error)}`;
}
