import { randomFillSync } from 'node:crypto';
import { invalidInput } from './errors.js';

/** 128 random bits, base64url: 22 characters from [A-Za-z0-9_-]. */
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/**
 * Cryptographically random bytes, taken from a pool filled 4 KiB at a time (as crypto.randomUUID does):
 * every write makes two ids (a revision, an operation id), and a randomBytes call each cost more than the
 * rest of building the commit.
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** `bytes` random bytes as base64url text. */
export function randomId(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const text = pool.toString('base64url', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return text;
}

/** A new server-side id for a session or an upload (128-bit random, URL-safe). */
export function newId(): string {
  return randomId(16);
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
