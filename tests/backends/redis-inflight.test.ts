import { InFlightLimit } from '../../src/backends/redis/redis-inflight.js';

describe('InFlightLimit (REDIS_MAX_CONNECTIONS)', () => {
  it('never runs more than max calls at once and serves the queue in order', async () => {
    const limit = new InFlightLimit(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const releases: (() => void)[] = [];
    const calls = Array.from({ length: 10 }, (_, i) =>
      limit.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        order.push(i);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        return i;
      }),
    );
    while (order.length < 10) {
      await new Promise((resolve) => setImmediate(resolve));
      expect(limit.inFlight).toBeLessThanOrEqual(3);
      releases.shift()?.();
    }
    for (const release of releases) release();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(limit.inFlight).toBe(0);
    expect(limit.queued).toBe(0);
  });

  it('frees the slot when a call fails', async () => {
    const limit = new InFlightLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'ok')).toBe('ok');
    expect(limit.inFlight).toBe(0);
  });
});
