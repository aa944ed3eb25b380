import { randomBytes } from 'node:crypto';
import { invalidInput } from './errors.js';

/** 128 random bits, base64url: 22 characters from [A-Za-z0-9_-]. */
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A new server-side id for a session or an upload (128-bit random, URL-safe). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/**
 * Rejects anything that is not an id we could have generated, before any I/O:
 * this is what keeps `../`, separators and key-injection out of paths and Redis keys.
 */
export function assertValidId(
  value: unknown,
  what: 'session' | 'upload' = 'session',
): asserts value is string {
  if (!isValidId(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
    throw invalidInput(`malformed ${what} id ${shown}: expected 22 URL-safe base64 characters`);
  }
}
