import { randomId } from './ids.js';

/**
 * Idempotency-Key (§6): the first response to a mutating request, kept under its key so that a repeated
 * request (a client retrying after a lost response) gets that response again and changes nothing. Each
 * shipped backend offers one of these next to its sessions, so every worker and server sharing the store
 * shares the keys.
 */

/** A response as it was sent. */
export interface StoredResponse {
  status: number;
  contentType?: string;
  /** base64 */
  body: string;
}

export type IdempotencyClaim =
  /** The key is new: it is now ours (held for `pendingMs`) until completed or released. */
  | { state: 'claimed'; token: string }
  /** Another request with this key is still running. */
  | { state: 'pending'; fingerprint: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse };

export interface IdempotencyStore {
  /** `key` is already hashed (URL-safe); `fingerprint` names the request (method, path, body). */
  claim(key: string, fingerprint: string, pendingMs: number): Promise<IdempotencyClaim>;
  /** Keeps the response for `ttlMs`, if the claim is still ours. */
  complete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void>;
  /** Gives the key back (the request failed in a way worth retrying), if the claim is still ours. */
  release(key: string, token: string): Promise<void>;
}

/** What a key already taken says: still running, or done with its response. */
export const existingClaim = (entry: { fingerprint: string; response?: StoredResponse }): IdempotencyClaim =>
  entry.response === undefined
    ? { state: 'pending', fingerprint: entry.fingerprint }
    : { state: 'done', fingerprint: entry.fingerprint, response: entry.response };

/**
 * What a store keeps idempotency keys in: small string values with their own expiry. `create` is exclusive
 * across processes; `swap` replaces (or, given undefined, deletes) a value only while it is still `expected`.
 */
export interface ExpiringValues {
  /** true when `key` was absent (or expired) and now holds `value` for `ttlMs`. */
  create(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** The live value, or undefined. */
  get(key: string): Promise<string | undefined>;
  swap(key: string, expected: string, next: string | undefined, ttlMs: number): Promise<void>;
}

/**
 * The claim protocol, once for every store: a claim is an exclusive create of a pending value; a key already
 * taken answers pending or done; completing or releasing swaps the pending value only while it is ours.
 */
export class IdempotencyKeys implements IdempotencyStore {
  constructor(private readonly values: ExpiringValues) {}

  async claim(key: string, fingerprint: string, pendingMs: number): Promise<IdempotencyClaim> {
    // The token is the pending value itself, so complete and release can swap exactly that value.
    const token = JSON.stringify({ token: randomId(12), fingerprint });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (await this.values.create(key, token, pendingMs)) return { state: 'claimed', token };
      const raw = await this.values.get(key);
      if (raw === undefined) continue; // expired in between: claim again
      return existingClaim(JSON.parse(raw) as { fingerprint: string; response?: StoredResponse });
    }
    return { state: 'pending', fingerprint };
  }

  complete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void> {
    return this.values.swap(key, token, JSON.stringify({ fingerprint, response }), ttlMs);
  }

  release(key: string, token: string): Promise<void> {
    return this.values.swap(key, token, undefined, 0);
  }
}

/** A backend that keeps idempotency keys. */
export interface WithIdempotency {
  readonly idempotency: IdempotencyStore;
}

export const hasIdempotency = (value: unknown): value is WithIdempotency =>
  typeof (value as Partial<WithIdempotency> | null)?.idempotency?.claim === 'function';
