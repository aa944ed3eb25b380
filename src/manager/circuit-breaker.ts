/** closed: calls go to Redis · open: they do not (fail fast or local) · half-open: one probe is under way. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive BACKEND_UNAVAILABLE failures that open the circuit (CIRCUIT_BREAKER_THRESHOLD). */
  threshold: number;
  /** Time open before a probe is tried (CIRCUIT_BREAKER_COOLDOWN_MS). */
  cooldownMs: number;
  /** Runs when the cooldown has elapsed; must end in probeSucceeded() or probeFailed(). */
  onHalfOpen: () => void;
  onStateChange?: (state: BreakerState, reason: string) => void;
}

/**
 * A small state machine rather than cockatiel's CircuitBreakerPolicy: there, half-open lets the next *user*
 * call through as the probe, whereas we probe with a PING on a timer (no user request ever waits on a dead
 * Redis) and recovery also includes the write-back, which the manager drives.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  /** Why the circuit last opened (secret-free: backend errors are stripped of credentials). */
  lastReason: string | undefined;
  openedAt: Date | undefined;

  constructor(private readonly opts: CircuitBreakerOptions) {}

  get state(): BreakerState {
    return this.current;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Redis answered (even with a not-found): the consecutive failure count starts over. */
  recordSuccess(): void {
    if (this.current === 'closed') this.failures = 0;
  }

  /** Redis did not answer. Returns true when this failure opened the circuit. */
  recordFailure(reason: string): boolean {
    if (this.current !== 'closed') return false;
    this.failures += 1;
    if (this.failures < this.opts.threshold) return false;
    this.trip(`circuit breaker opened after ${this.failures} consecutive failures: ${reason}`);
    return true;
  }

  /** Opens the circuit now (e.g. Redis unreachable at startup) and schedules the first probe. */
  trip(reason: string): void {
    this.lastReason = reason;
    this.openedAt = new Date();
    this.transition('open', reason);
    this.scheduleProbe();
  }

  /** The probe reached Redis: close the circuit. */
  probeSucceeded(): void {
    if (this.current !== 'half-open') return;
    this.failures = 0;
    this.lastReason = undefined;
    this.openedAt = undefined;
    this.transition('closed', 'probe succeeded');
  }

  /** The probe failed: stay open for another cooldown. */
  probeFailed(reason: string): void {
    if (this.current !== 'half-open') return;
    this.lastReason = reason;
    this.transition('open', reason);
    this.scheduleProbe();
  }

  /** Stops the probe timer for good (manager closing). */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleProbe(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.disposed || this.current !== 'open') return;
      this.transition('half-open', 'cooldown elapsed');
      this.opts.onHalfOpen();
    }, this.opts.cooldownMs);
    // A breaker waiting to probe must not keep a finished process alive.
    this.timer.unref();
  }

  private transition(state: BreakerState, reason: string): void {
    if (this.current === state) return;
    this.current = state;
    this.opts.onStateChange?.(state, reason);
  }
}
