/**
 * Caps the Redis calls one process has in flight (REDIS_MAX_CONNECTIONS). ioredis multiplexes every command
 * over one connection, so the pool-size knob of other clients becomes backpressure here: past the cap,
 * callers queue in-process (FIFO) instead of piling commands onto a slow or struggling Redis.
 */
export class InFlightLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next caller so `active` never drops below the real count.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}
