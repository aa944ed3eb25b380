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

/** A backend that keeps idempotency keys. */
export interface WithIdempotency {
  readonly idempotency: IdempotencyStore;
}

export const hasIdempotency = (value: unknown): value is WithIdempotency =>
  typeof (value as Partial<WithIdempotency> | null)?.idempotency?.claim === 'function';
