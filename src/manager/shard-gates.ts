import type { Logger } from '../logging/logger.js';
import { FIRST_PROBE_MS } from './circuit-breaker.js';

/**
 * Per-shard gates on Redis Cluster: a shard whose calls keep failing is shut for the sessions in its slots
 * while the circuit stays closed for every other shard. Its sessions are then served as during an outage
 * (locally and journaled when fallback is on, else BACKEND_UNAVAILABLE at once) instead of each call waiting
 * out a command timeout, and its failures stop counting against the whole circuit. A shut shard is probed
 * with a PING to its master on a short backoff (200 ms, doubling, at most SHARD_PROBE_MAX_MS); the
 * first answer opens the gate again. A gate shuts after fewer failures than the circuit, so one dead shard
 * shuts its gate before it could open the circuit; a whole-cluster outage still opens the circuit through
 * the calls no shard is known for (creates, listings).
 */

/** Consecutive failures of one shard that shut its gate (the circuit needs CIRCUIT_BREAKER_THRESHOLD). */
export const SHARD_FAILURES_TO_SHUT = 2;

/**
 * The longest pause between two probes of a shut shard. A PING is cheap, and a doubling backoff left to grow
 * turned a failover that took 6 s under load into 12.6 s of refused writes (probes at 6.2 s, then 12.6 s).
 */
export const SHARD_PROBE_MAX_MS = 1000;

export interface ShardGateOptions {
  cooldownMs: number;
  logger: Logger;
  /** PING the master now serving `shard` (rejects when it does not answer). */
  ping: (shard: string) => Promise<void>;
  /** A shut shard answered again (e.g. write back what was journaled meanwhile). */
  onReopen?: (shard: string) => void;
}

interface Gate {
  failures: number;
  shut: boolean;
  attempts: number;
  timer?: NodeJS.Timeout;
}

export class ShardGates {
  private readonly gates = new Map<string, Gate>();
  private disposed = false;

  constructor(private readonly opts: ShardGateOptions) {}

  isShut(shard: string): boolean {
    return this.gates.get(shard)?.shut === true;
  }

  /** Shards shut now (for health). */
  shutShards(): string[] {
    return [...this.gates].filter(([, gate]) => gate.shut).map(([shard]) => shard);
  }

  recordSuccess(shard: string): void {
    const gate = this.gates.get(shard);
    if (gate !== undefined && !gate.shut) gate.failures = 0;
  }

  /** Returns true when this failure shut the shard's gate. */
  recordFailure(shard: string, reason: string): boolean {
    const gate = this.gates.get(shard) ?? { failures: 0, shut: false, attempts: 0 };
    this.gates.set(shard, gate);
    if (gate.shut) return false;
    gate.failures += 1;
    if (gate.failures < SHARD_FAILURES_TO_SHUT) return false;
    gate.shut = true;
    gate.attempts = 0;
    this.opts.logger.warn(
      { shard, reason },
      'redis shard unavailable: its sessions are served as in an outage',
    );
    this.schedule(shard, gate);
    return true;
  }

  dispose(): void {
    this.disposed = true;
    for (const gate of this.gates.values()) clearTimeout(gate.timer);
  }

  private schedule(shard: string, gate: Gate): void {
    if (this.disposed) return;
    const cap = Math.min(this.opts.cooldownMs, SHARD_PROBE_MAX_MS);
    const base = Math.min(cap, FIRST_PROBE_MS * 2 ** Math.min(gate.attempts, 20));
    gate.timer = setTimeout(() => void this.probe(shard, gate), base * (0.8 + Math.random() * 0.4));
    gate.timer.unref();
  }

  private async probe(shard: string, gate: Gate): Promise<void> {
    try {
      await this.opts.ping(shard);
    } catch {
      gate.attempts += 1;
      this.schedule(shard, gate);
      return;
    }
    if (this.disposed) return;
    this.gates.delete(shard);
    this.opts.logger.info({ shard }, 'redis shard answers again');
    this.opts.onReopen?.(shard);
  }
}
