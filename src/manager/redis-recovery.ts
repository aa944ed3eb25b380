import type { Logger } from '../logging/logger.js';
import type { RedisPrimary } from './backend-router.js';

/**
 * What happens when the breaker's cooldown elapses: probe Redis (connect if it never was, else a PING via
 * healthCheck); on success close the circuit and write the journal back; on failure stay open. A drain
 * that leaves entries (lock contention, a damaged local frame) is retried after another cooldown.
 */
export class RedisRecovery {
  private retryTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly primary: RedisPrimary,
    private readonly logger: Logger,
    private readonly retryAfterMs: number,
  ) {}

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
        if (result.remaining > 0 && !result.interrupted) this.retryLater();
      })
      .catch((error: unknown) => {
        this.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'write-back pass failed',
        );
        this.retryLater();
      });
  }

  private retryLater(): void {
    if (this.disposed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.drainInBackground();
    }, this.retryAfterMs);
    this.retryTimer.unref();
  }

  /** Stops timers; waits for a probe under way. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.probing;
  }
}
