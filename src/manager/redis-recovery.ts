import type { Logger } from '../logging/logger.js';
import type { RedisPrimary } from './backend-router.js';

/** First retry delay after a write-back pass left entries; doubles per fruitless pass up to the cooldown. */
const FIRST_RETRY_MS = 100;

/**
 * What happens when the breaker's cooldown elapses: probe Redis (connect if it never was, else a PING via
 * healthCheck); on success close the circuit and write the journal back; on failure stay open. A pass
 * that leaves entries (a Redis hiccup too brief to open the circuit, lock contention, a damaged local
 * frame) is retried with backoff until the journal is empty; while the circuit is open the retries
 * pause and the probe resumes them.
 */
export class RedisRecovery {
  private retryTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private probing: Promise<void> | undefined;
  /** Consecutive passes that wrote nothing; sets the backoff. */
  private fruitless = 0;

  constructor(
    private readonly primary: RedisPrimary,
    private readonly logger: Logger,
    private readonly retryAfterMs: number,
  ) {
    // An id written back on demand (a caller touched it) can fail outside any pass: retry it in the background.
    const writeBack = primary.writeBack;
    writeBack?.onEntryFailed(() => {
      if (!writeBack.isDraining) this.retryLater();
    });
  }

  /** Runs the half-open probe (the breaker calls this when its cooldown elapses). */
  probe(): Promise<void> {
    this.probing ??= this.runProbe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async runProbe(): Promise<void> {
    const { link, breaker } = this.primary;
    try {
      const redis = link.current ?? (await link.connect());
      const report = await redis.healthCheck();
      if (report.status === 'unhealthy') {
        const why = Object.values(report.checks).find((check) => check.status === 'unhealthy')?.message;
        throw new Error(`redis health check is unhealthy${why ? `: ${why}` : ''}`);
      }
      if (this.disposed) return;
      breaker.probeSucceeded();
      this.fruitless = 0;
      this.logger.info(
        { pending: this.primary.writeBack?.pending ?? 0 },
        'redis reachable again: circuit closed, writing back changes made during the outage',
      );
      this.drainInBackground();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      breaker.probeFailed(`probe failed: ${reason}`);
      this.logger.warn({ err: reason }, 'redis still unreachable: circuit stays open');
    }
  }

  /** Starts a write-back of everything pending (no-op while the circuit is not closed or nothing is pending). */
  drainInBackground(): void {
    const { writeBack, breaker } = this.primary;
    if (this.disposed || writeBack === undefined || breaker.state !== 'closed' || writeBack.pending === 0)
      return;
    writeBack
      .drain()
      .then((result) => {
        this.logger.info(result, 'write-back pass finished');
        this.fruitless = result.written > 0 || result.remaining === 0 ? 0 : this.fruitless + 1;
        // Interrupted too: one timed-out command need not open the circuit, and nothing else would resume.
        if (result.remaining > 0) this.retryLater();
      })
      .catch((error: unknown) => {
        this.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'write-back pass failed',
        );
        this.retryLater();
      });
  }

  /** Schedules the next pass (one at a time). Not while the circuit is open: the probe resumes then. */
  private retryLater(): void {
    if (this.disposed || this.retryTimer || this.primary.breaker.state !== 'closed') return;
    const delay = Math.min(this.retryAfterMs, FIRST_RETRY_MS * 2 ** Math.min(this.fruitless, 20));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.drainInBackground();
    }, delay);
    this.retryTimer.unref();
  }

  /** Stops timers; waits for a probe under way. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.probing;
  }
}
