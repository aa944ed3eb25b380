import { silentLogger } from '../../src/logging/logger.js';
import { SHARD_PROBE_MAX_MS, ShardGates } from '../../src/manager/shard-gates.js';

describe('shard gates', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('a shut shard is probed at least every SHARD_PROBE_MAX_MS, however long it stays down', async () => {
    jest.useFakeTimers();
    const probes: number[] = [];
    let answers = false;
    const reopened: string[] = [];
    const gates = new ShardGates({
      cooldownMs: 30_000,
      logger: silentLogger,
      ping: async () => {
        probes.push(Date.now());
        if (!answers) throw new Error('down');
      },
      onReopen: (shard) => reopened.push(shard),
    });
    expect(gates.recordFailure('a:1', 'x')).toBe(false);
    expect(gates.recordFailure('a:1', 'x')).toBe(true);
    expect(gates.isShut('a:1')).toBe(true);
    const shutAt = Date.now();
    // Down for 20 s: probes keep coming at most SHARD_PROBE_MAX_MS (+ jitter) apart, not 3.2, 6.4, 12.8 s.
    await jest.advanceTimersByTimeAsync(20_000);
    const gaps = probes.map((at, i) => at - (i === 0 ? shutAt : probes[i - 1]!));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(SHARD_PROBE_MAX_MS * 1.2);
    expect(probes.length).toBeGreaterThanOrEqual(18);
    // Back: the next probe opens the gate within one capped pause.
    answers = true;
    const backAt = Date.now();
    await jest.advanceTimersByTimeAsync(SHARD_PROBE_MAX_MS * 1.2);
    expect(gates.isShut('a:1')).toBe(false);
    expect(reopened).toEqual(['a:1']);
    expect(probes.at(-1)! - backAt).toBeLessThanOrEqual(SHARD_PROBE_MAX_MS * 1.2);
    gates.dispose();
  });

  it('a shard that answers again is not probed any more, and one failure does not shut it', async () => {
    jest.useFakeTimers();
    let pings = 0;
    const gates = new ShardGates({
      cooldownMs: 30_000,
      logger: silentLogger,
      ping: async () => {
        pings += 1;
      },
    });
    expect(gates.recordFailure('b:2', 'x')).toBe(false);
    gates.recordSuccess('b:2');
    expect(gates.recordFailure('b:2', 'x')).toBe(false);
    expect(gates.isShut('b:2')).toBe(false);
    expect(gates.recordFailure('b:2', 'x')).toBe(true);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(gates.isShut('b:2')).toBe(false);
    expect(pings).toBe(1);
    gates.dispose();
  });
});
