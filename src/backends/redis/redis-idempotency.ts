import { randomBytes } from 'node:crypto';
import {
  existingClaim,
  type IdempotencyClaim,
  type IdempotencyStore,
  type StoredResponse,
} from '../../contract/idempotency.js';
import type { RedisContext } from './redis-context.js';

/** Sets the value only while the key still holds our pending claim (compare-and-set). */
const SWAP_IF_OURS = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, cur = pcall(cjson.decode, v)
if not ok or cur.token ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

/** Idempotency keys on Redis: one string per key (`<prefix>idem:<hash>`), SET NX to claim, its own TTL. */
export class RedisIdempotency implements IdempotencyStore {
  constructor(private readonly ctx: RedisContext) {}

  private key(key: string): string {
    return `${this.ctx.keys.prefix}idem:${key}`;
  }

  async claim(key: string, fingerprint: string, pendingMs: number): Promise<IdempotencyClaim> {
    const token = randomBytes(12).toString('base64url');
    const pending = JSON.stringify({ token, fingerprint });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const set = await this.ctx.command('idempotency claim', () =>
        this.ctx.client.set(this.key(key), pending, 'PX', pendingMs, 'NX'),
      );
      if (set === 'OK') return { state: 'claimed', token };
      const raw = await this.ctx.command('idempotency read', () => this.ctx.client.get(this.key(key)));
      if (raw === null) continue; // expired in between: claim again
      return existingClaim(JSON.parse(raw) as { fingerprint: string; response?: StoredResponse });
    }
    return { state: 'pending', fingerprint };
  }

  async complete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void> {
    await this.swap(key, token, JSON.stringify({ fingerprint, response }), ttlMs);
  }

  async release(key: string, token: string): Promise<void> {
    await this.swap(key, token, '', 0);
  }

  private swap(key: string, token: string, value: string, ttlMs: number): Promise<unknown> {
    return this.ctx.command('idempotency write', () =>
      this.ctx.client.eval(SWAP_IF_OURS, 1, this.key(key), token, value, String(ttlMs)),
    );
  }
}
