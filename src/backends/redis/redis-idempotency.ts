import { type ExpiringValues, IdempotencyKeys } from '../../contract/idempotency.js';
import type { RedisContext } from './redis-context.js';

/** Sets (or deletes) the value only while the key still holds the expected one (compare-and-set). */
const SWAP_IF_EXPECTED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1
`;

/** Idempotency keys on Redis: one string per key (`<prefix>idem:<hash>`), SET NX to create, its own TTL. */
class RedisExpiringValues implements ExpiringValues {
  constructor(private readonly ctx: RedisContext) {}

  private key(key: string): string {
    return `${this.ctx.keys.prefix}idem:${key}`;
  }

  async create(key: string, value: string, ttlMs: number): Promise<boolean> {
    const set = await this.ctx.command('idempotency claim', () =>
      this.ctx.client.set(this.key(key), value, 'PX', ttlMs, 'NX'),
    );
    return set === 'OK';
  }

  async get(key: string): Promise<string | undefined> {
    const raw = await this.ctx.command('idempotency read', () => this.ctx.client.get(this.key(key)));
    return raw ?? undefined;
  }

  async swap(key: string, expected: string, next: string | undefined, ttlMs: number): Promise<void> {
    await this.ctx.command('idempotency write', () =>
      this.ctx.client.eval(SWAP_IF_EXPECTED, 1, this.key(key), expected, next ?? '', String(ttlMs)),
    );
  }
}

export const redisIdempotency = (ctx: RedisContext): IdempotencyKeys =>
  new IdempotencyKeys(new RedisExpiringValues(ctx));
