import { isStorageError, StorageError, sessionNotFound } from '../../contract/errors.js';
import type { AuditEntry, MarkedCell } from '../../contract/storage-backend.js';
import { DEFAULT_LOCK_RETRY_DELAY_MS } from '../../session/limits.js';
import { lockBackoffMs } from '../../session/lock-backoff.js';
import type {
  ChangeStep,
  LoadedSession,
  NewFrame,
  SessionChange,
  SessionRecord,
} from '../../session/store.js';
import type { RedisSessionStore } from './redis-store.js';

type ChangeFn = (loaded: LoadedSession) => Promise<ChangeStep<unknown>> | ChangeStep<unknown>;

interface Job {
  fn: ChangeFn;
  resolve: (value: { loaded: LoadedSession; result: unknown }) => void;
  reject: (error: unknown) => void;
}

/** Attempts of one batch when other processes keep committing in between. */
const MAX_ATTEMPTS = 12;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const isConflict = (error: unknown): boolean =>
  error instanceof StorageError && (error.details as { conflict?: boolean } | undefined)?.conflict === true;

/**
 * Commit-if-revision with same-turn batching. The changes asked of one session (under one fencing guard) in
 * one event-loop turn are computed one after another on the same loaded state — each sees the state the
 * previous one left, exactly as if they ran in sequence — and go to Redis as one commit. When the revision
 * moved meanwhile (another process committed), the whole batch is computed again on the new state; change
 * functions have no side effects, so that is safe. A change function that throws fails only its own call.
 */
export class CommitBatches {
  private readonly open = new Map<string, { id: string; guard: string; jobs: Job[] }>();

  constructor(private readonly store: RedisSessionStore) {}

  add<R>(id: string, guard: string, fn: (loaded: LoadedSession) => Promise<ChangeStep<R>> | ChangeStep<R>) {
    return new Promise<{ loaded: LoadedSession; result: R }>((resolve, reject) => {
      const key = `${id}\n${guard}`;
      let batch = this.open.get(key);
      if (batch === undefined) {
        batch = { id, guard, jobs: [] };
        this.open.set(key, batch);
        setImmediate(() => {
          this.open.delete(key);
          void this.run(batch!.id, batch!.guard, batch!.jobs);
        });
      }
      batch.jobs.push({ fn: fn as ChangeFn, resolve: resolve as Job['resolve'], reject });
    });
  }

  private async run(id: string, guard: string, jobs: Job[]): Promise<void> {
    try {
      // First on the newest state this process knows (no load), then on fresh loads.
      let fresh = false;
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const outcome = await this.attempt(id, guard, jobs, fresh);
        if (outcome === 'done') return;
        // A stale base is reloaded at once; a conflict on a fresh one means others are writing: back off.
        if (fresh) await sleep(lockBackoffMs(attempt, DEFAULT_LOCK_RETRY_DELAY_MS));
        fresh = true;
      }
      throw new StorageError(
        'BACKEND_UNAVAILABLE',
        `session ${id} kept changing; the change was not applied`,
      );
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }

  /**
   * Compute + commit on a base state: 'retry' on a revision conflict (nothing was written), and when a base
   * that was not freshly loaded gave an error or no change (those answers must come from the real state).
   */
  private async attempt(id: string, guard: string, jobs: Job[], fresh: boolean): Promise<'done' | 'retry'> {
    const { store } = this;
    const known = fresh ? undefined : store.lastSeen(id);
    const base = known ?? (await store.loadRaw(id, true));
    if (base === undefined) {
      for (const job of jobs) job.reject(sessionNotFound(id));
      return 'done';
    }
    const trusted = known === undefined;
    const outcomes: { job: Job; record?: SessionRecord; result?: unknown; error?: unknown }[] = [];
    let record = base.record;
    const frames: NewFrame[] = [];
    const audit: AuditEntry[] = [];
    let marks: MarkedCell[] | undefined;
    let changed = false;
    try {
      for (const job of jobs) {
        try {
          const step = await job.fn({ record, expiresAtMs: base.expiresAtMs });
          if (step.change !== undefined) {
            changed = true;
            record = step.change.record;
            this.stage(id, step.change);
            frames.push(...(step.change.frames ?? []));
            audit.push(...(step.change.audit ?? []));
            if (step.change.marks !== undefined) marks = step.change.marks;
          }
          outcomes.push({ job, record, result: step.result });
        } catch (error) {
          outcomes.push({ job, error });
        }
      }
      if (!trusted && (!changed || outcomes.some((o) => o.error !== undefined))) return 'retry';
      if (!changed) {
        for (const o of outcomes) {
          if ('error' in o && o.error !== undefined) o.job.reject(o.error);
          else
            o.job.resolve({ loaded: { record: o.record!, expiresAtMs: base.expiresAtMs }, result: o.result });
        }
        return 'done';
      }
      const change: SessionChange = { record, frames, audit, ...(marks !== undefined ? { marks } : {}) };
      let out: Awaited<ReturnType<RedisSessionStore['commit']>>;
      try {
        out = await store.commit({ mode: 'update', base, change, guard });
      } catch (error) {
        if (isConflict(error)) return 'retry';
        if (!trusted && isStorageError(error, 'SESSION_NOT_FOUND')) return 'retry';
        throw error;
      }
      store.rememberTables(id, change);
      for (const o of outcomes) {
        if (o.error !== undefined) o.job.reject(o.error);
        else {
          const stamped = { ...o.record!, updatedAt: out.updatedAt };
          o.job.resolve({ loaded: { record: stamped, expiresAtMs: out.expiresAtMs }, result: o.result });
        }
      }
      return 'done';
    } finally {
      for (const frame of frames) store.pendingTables.delete(`${id}/${frame.frameId}`);
    }
  }

  /** Later steps of the batch read what earlier ones changed (their marks, their new frames). */
  private stage(id: string, change: SessionChange): void {
    if (change.marks !== undefined) this.store.pendingMarks.set(change.record, change.marks);
    for (const frame of change.frames ?? []) {
      if (frame.source.kind === 'bytes' && frame.source.table !== undefined) {
        this.store.pendingTables.set(`${id}/${frame.frameId}`, frame.source.table);
      }
    }
  }
}
