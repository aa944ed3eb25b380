import { type BreakerState, CircuitBreaker } from '../../src/manager/circuit-breaker.js';
import { waitFor } from '../helpers/wait-for.js';

describe('CircuitBreaker', () => {
  const make = (threshold: number, cooldownMs: number) => {
    const changes: BreakerState[] = [];
    let probes = 0;
    const breaker = new CircuitBreaker({
      threshold,
      cooldownMs,
      onHalfOpen: () => {
        probes += 1;
      },
      onStateChange: (state) => changes.push(state),
    });
    return { breaker, changes, probes: () => probes };
  };

  test('opens after THRESHOLD consecutive failures; a success in between starts the count over', () => {
    const { breaker, changes } = make(3, 60_000);
    breaker.recordFailure('x');
    breaker.recordFailure('x');
    breaker.recordSuccess();
    expect(breaker.recordFailure('x')).toBe(false);
    expect(breaker.recordFailure('x')).toBe(false);
    expect(breaker.state).toBe('closed');
    expect(breaker.recordFailure('connection refused')).toBe(true);
    expect(breaker.state).toBe('open');
    expect(breaker.lastReason).toContain('connection refused');
    // Further failures while open change nothing (calls do not even reach Redis then).
    expect(breaker.recordFailure('x')).toBe(false);
    expect(changes).toEqual(['open']);
    breaker.dispose();
  });

  test('after the cooldown it goes half-open and probes; a failed probe reopens, a good one closes', async () => {
    const { breaker, changes, probes } = make(1, 30);
    breaker.recordFailure('down');
    await waitFor(() => breaker.state === 'half-open', { message: 'half-open after the cooldown' });
    expect(probes()).toBe(1);
    breaker.probeFailed('still down');
    expect(breaker.state).toBe('open');
    await waitFor(() => probes() === 2, { message: 'a second probe' });
    breaker.probeSucceeded();
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(0);
    expect(changes).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    breaker.dispose();
  });

  test('trip() opens at once (Redis unreachable at startup); dispose() stops probing', () => {
    jest.useFakeTimers();
    try {
      const { breaker, probes } = make(5, 20);
      breaker.trip('unreachable at startup');
      expect(breaker.state).toBe('open');
      breaker.dispose();
      jest.advanceTimersByTime(1000);
      expect(probes()).toBe(0);
      expect(breaker.state).toBe('open');
    } finally {
      jest.useRealTimers();
    }
  });

  test('probes back off from 200 ms, doubling per failed probe, capped at the cooldown, jittered ±25 %', () => {
    const delays = (random: number) => {
      const breaker = new CircuitBreaker({
        threshold: 1,
        cooldownMs: 3000,
        random: () => random,
        onHalfOpen: () => {},
      });
      jest.useFakeTimers();
      try {
        breaker.trip('down');
        const seen: number[] = [];
        for (let i = 0; i < 6; i++) {
          seen.push(breaker.nextDelayMs());
          jest.advanceTimersByTime(3000);
          expect(breaker.state).toBe('half-open');
          breaker.probeFailed('still down');
        }
        return seen;
      } finally {
        breaker.dispose();
        jest.useRealTimers();
      }
    };
    expect(delays(0.5)).toEqual([200, 400, 800, 1600, 3000, 3000]);
    expect(delays(0)).toEqual([150, 300, 600, 1200, 2250, 2250]);
    expect(delays(0.999)).toEqual([250, 500, 1000, 1999, 3000, 3000]);
  });

  test('probeNow() (the client reconnected) probes at once while open; a reconnect during a probe re-probes soon', () => {
    jest.useFakeTimers();
    try {
      const { breaker, probes } = make(1, 60_000);
      breaker.probeNow();
      expect(probes()).toBe(0); // closed: nothing to do
      breaker.trip('down');
      for (let i = 0; i < 8; i++) {
        jest.advanceTimersByTime(60_000);
        breaker.probeFailed('still down');
      }
      const before = probes();
      expect(breaker.nextDelayMs()).toBeGreaterThan(30_000);
      breaker.probeNow();
      expect(probes()).toBe(before + 1);
      expect(breaker.state).toBe('half-open');
      // 'ready' arrives while that probe is still under way and the probe then fails (it raced the reconnect).
      breaker.probeNow();
      expect(probes()).toBe(before + 1);
      breaker.probeFailed('raced the reconnect');
      jest.advanceTimersByTime(250);
      expect(probes()).toBe(before + 2);
      breaker.probeSucceeded();
      expect(breaker.state).toBe('closed');
      // After closing, the backoff starts over.
      breaker.trip('down again');
      expect(breaker.nextDelayMs()).toBeLessThanOrEqual(250);
      breaker.dispose();
    } finally {
      jest.useRealTimers();
    }
  });
});
