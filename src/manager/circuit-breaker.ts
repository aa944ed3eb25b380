/** closed: calls go to Redis · open: they do not (fail fast or local) · half-open: one probe is under way. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The first probe after the circuit opens; each failed probe doubles the pause up to the cap. */
export const FIRST_PROBE_MS = 200;

export interface CircuitBreakerOptions {
  /** Consecutive BACKEND_UNAVAILABLE failures that open the circuit (CIRCUIT_BREAKER_THRESHOLD). */
  threshold: number;
  /** The longest pause between two probes while open (CIRCUIT_BREAKER_COOLDOWN_MS). */
  cooldownMs: number;
  /** Pause before the first probe (default FIRST_PROBE_MS; never above cooldownMs). */
  firstProbeMs?: number;
  /** Source of jitter in [0, 1) (tests pin it). */
  random?: () => number;
  /** Runs when a probe is due; must end in probeSucceeded() or probeFailed(). */
  onHalfOpen: () => void;
  onStateChange?: (state: BreakerState, reason: string) => void;
}

/**
 * A small state machine rather than cockatiel's CircuitBreakerPolicy: there, half-open lets the next *user*
 * call through as the probe, whereas we probe with a PING on a timer (no user request ever waits on a dead
 * Redis) and recovery also includes the write-back, which the manager drives.
 *
 * Probes follow a short exponential backoff (200 ms, 400 ms, … capped at the cooldown, jittered so a fleet
 * of instances does not probe in lockstep), and `probeNow()` skips the wait when the client reports it
 * reconnected: a 3-second failover then costs about 3 seconds, not a whole cooldown.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  /** Failed probes since the circuit opened: sets the next pause. */
  private attempts = 0;
  /** A reconnect was reported while a probe was under way: probe again right after it fails. */
  private probeAgain = false;
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
    this.attempts = 0;
    this.probeAgain = false;
    this.transition('open', reason);
    this.scheduleProbe();
  }

  /**
   * The client says it reconnected (ioredis 'ready', also after a Sentinel switch-master): probe at once
   * instead of waiting out the backoff. No-op while closed.
   */
  probeNow(): void {
    if (this.disposed) return;
    if (this.current === 'half-open') this.probeAgain = true;
    if (this.current !== 'open') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.startProbe('redis reconnected');
  }

  /** The probe reached Redis: close the circuit. */
  probeSucceeded(): void {
    if (this.current !== 'half-open') return;
    this.failures = 0;
    this.attempts = 0;
    this.probeAgain = false;
    this.lastReason = undefined;
    this.openedAt = undefined;
    this.transition('closed', 'probe succeeded');
  }

  /** The probe failed: stay open and probe again after the next (longer) pause. */
  probeFailed(reason: string): void {
    if (this.current !== 'half-open') return;
    this.lastReason = reason;
    this.attempts += 1;
    this.transition('open', reason);
    if (this.probeAgain) {
      // The reconnect raced the probe (e.g. PING sent just before 'ready'): try once more, soon.
      this.probeAgain = false;
      this.scheduleProbe(this.firstDelay());
    } else this.scheduleProbe();
  }

  /** The pause before the next probe: FIRST_PROBE_MS × 2^attempts, capped, with ±25 % jitter. */
  nextDelayMs(): number {
    const base = Math.min(this.opts.cooldownMs, this.firstDelay() * 2 ** Math.min(this.attempts, 30));
    const jitter = 0.75 + 0.5 * (this.opts.random ?? Math.random)();
    return Math.max(1, Math.min(this.opts.cooldownMs, Math.round(base * jitter)));
  }

  /** Stops the probe timer for good (manager closing). */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private firstDelay(): number {
    return Math.max(1, Math.min(this.opts.cooldownMs, this.opts.firstProbeMs ?? FIRST_PROBE_MS));
  }

  private scheduleProbe(delayMs = this.nextDelayMs()): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.disposed || this.current !== 'open') return;
      this.startProbe('backoff elapsed');
    }, delayMs);
    // A breaker waiting to probe must not keep a finished process alive.
    this.timer.unref();
  }

  private startProbe(reason: string): void {
    this.transition('half-open', reason);
    this.opts.onHalfOpen();
  }

  private transition(state: BreakerState, reason: string): void {
    if (this.current === state) return;
    this.current = state;
    this.opts.onStateChange?.(state, reason);
  }
}
