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
});
