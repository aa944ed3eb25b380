import type { Table } from 'apache-arrow';
import { StorageError } from '../../contract/errors.js';
import { newId } from '../../contract/ids.js';
import type {
  AuditEntry,
  ListSessionsOptions,
  LockOptions,
  MarkedCell,
} from '../../contract/storage-backend.js';
import { pacer } from '../../session/chunks/pace.js';
import type {
  ChangeStep,
  LoadedSession,
  SessionChange,
  SessionRecord,
  SessionStore,
} from '../../session/store.js';
import { SameTurnBatches } from './redis-coalesce.js';
import { type CommitOutcome, type CommitRequest, commitSession } from './redis-commit.js';
import { CommitBatches } from './redis-commit-batch.js';
import type { RedisContext } from './redis-context.js';
import { decodeStored, readFields } from './redis-frames.js';
import { addToIndex, pageIndex, removeFromIndex, sweepIndex } from './redis-index.js';
import { frameFields, newIdInSlot, slotOf } from './redis-keys.js';
import type { RedisLocks } from './redis-lock.js';
import { knownManifests, type RedisLoaded, recordFromReply } from './redis-record.js';
import { parseAuditEntry, parseMarks, replyText } from './redis-state.js';

/** The load script's answer when the caller already holds the stored revision: { 'same', expiry }. */
const isSameReply = (reply: unknown): boolean =>
  Array.isArray(reply) && reply.length === 2 && replyText(reply[0]) === 'same';

const MAX_REMEMBERED = 10_000;

/**
 * The session store on Redis: one load script, one generic commit script (compare the revision, write the
 * state, metadata, marks and audit, place new frames, delete dropped ones, pin one TTL on every key, record
 * the operation id), frames read with plain GETs (they are immutable), the index, the lock.
 */
export class RedisSessionStore implements SessionStore {
  readonly backendType = 'redis' as const;
  /** What the store needs to commit on top of a record it handed out. */
  readonly loadedOf = new WeakMap<SessionRecord, RedisLoaded>();
  /** Marks and tables of changes computed in a commit batch but not committed yet (later steps read them). */
  readonly pendingMarks = new WeakMap<SessionRecord, MarkedCell[]>();
  readonly pendingTables = new Map<string, Table>();
  private readonly loads: SameTurnBatches<null, unknown>;
  private readonly parsed = new WeakMap<object, RedisLoaded>();
  /**
   * The state this process held when it sent a load (by reply): what a 'same' reply refers to, and whose
   * manifests the reply left out.
   */
  private readonly heldAtLoad = new WeakMap<object, RedisLoaded>();
  /**
   * Per session, the newest state seen here. A commit computed on it needs no load first; if another process
   * committed meanwhile the revision check refuses it (CONFLICT) and the change is computed again on a fresh
   * load, so a stale base can cost a retry but never a wrong write.
   */
  private readonly lastCommitted = new Map<string, RedisLoaded>();
  private readonly batches: CommitBatches;

  constructor(
    readonly ctx: RedisContext,
    private readonly locks: RedisLocks,
  ) {
    this.loads = new SameTurnBatches(async (key) => {
      const split = key.indexOf(' ');
      const id = key.slice(split + 1);
      const held = this.lastCommitted.get(id);
      const known = knownManifests(held?.record);
      const reply = await ctx.script(
        'fsLoad',
        [ctx.keys.state(id)],
        [key.slice(0, split), [...known.keys()].join(','), held?.rev ?? ''],
        { id },
      );
      if (reply !== null && typeof reply === 'object' && held !== undefined) this.heldAtLoad.set(reply, held);
      return [reply];
    });
    this.batches = new CommitBatches(this);
  }

  newSessionId(nearUploadId?: string): string {
    // Promote writes the new session and deletes the upload in one script: on Cluster, one slot.
    if (nearUploadId !== undefined && this.ctx.config.redis.mode === 'cluster') {
      return newIdInSlot(slotOf(nearUploadId));
    }
    return newId();
  }

  /** The live session as the load script reads it (reads of one session in one turn share one call). */
  async loadRaw(id: string, slide: boolean): Promise<RedisLoaded | undefined> {
    const reply = await this.loads.add(`${slide ? 'slide' : 'peek'} ${id}`, null);
    if (reply === null || reply === undefined) {
      this.lastCommitted.delete(id);
      return undefined;
    }
    // Callers of one shared load share one parsed record (the engine never mutates records it is given).
    let loaded = this.parsed.get(reply as object);
    if (loaded === undefined) {
      const held = this.heldAtLoad.get(reply as object);
      if (isSameReply(reply)) {
        // Only a load that named the revision it held gets this answer.
        if (held === undefined)
          throw new StorageError('CORRUPT_DATA', `session ${id}: unexpected load reply`);
        loaded = { ...held, expiresAtMs: Number(replyText((reply as unknown[])[1])) };
      } else loaded = recordFromReply(id, reply, knownManifests(held?.record));
      if (loaded === undefined) return undefined;
      this.parsed.set(reply as object, loaded);
      this.loadedOf.set(loaded.record, loaded);
      this.remember(id, loaded);
    }
    return loaded;
  }

  /** The newest state this process saw of a session (a load or its own commit): the base of the next commit. */
  lastSeen(id: string): RedisLoaded | undefined {
    return this.lastCommitted.get(id);
  }

  remember(id: string, loaded: RedisLoaded): void {
    // A late reply may replace a newer base: that costs one CONFLICT and a reload, never a wrong write.
    this.lastCommitted.delete(id);
    this.lastCommitted.set(id, loaded);
    // Bounded: the oldest sessions are forgotten first (a forgotten base only costs one load).
    if (this.lastCommitted.size > MAX_REMEMBERED) {
      const oldest = this.lastCommitted.keys().next().value;
      if (oldest !== undefined) this.lastCommitted.delete(oldest);
    }
  }

  forget(id: string): void {
    this.lastCommitted.delete(id);
  }

  async load(id: string, slide: boolean): Promise<LoadedSession | undefined> {
    const loaded = await this.loadRaw(id, slide);
    return loaded === undefined ? undefined : { record: loaded.record, expiresAtMs: loaded.expiresAtMs };
  }

  update<R>(
    id: string,
    fn: (loaded: LoadedSession) => Promise<ChangeStep<R>> | ChangeStep<R>,
  ): Promise<{ loaded: LoadedSession; result: R }> {
    return this.batches.add(id, this.ctx.guard(id), fn);
  }

  async create(change: SessionChange, opts: { overwrite: boolean }): Promise<LoadedSession> {
    const id = change.record.sessionId;
    // The index entry goes first: if the create fails, listing drops the dangling id lazily.
    await addToIndex(this.ctx, this.ctx.keys.sessionIndex, id);
    const mode = opts.overwrite ? 'overwrite' : 'create';
    const out = await this.commit({
      mode,
      base: undefined,
      change: { ...change, keepUpdatedAt: true },
      guard: this.ctx.guard(id),
    });
    if (opts.overwrite) this.ctx.cache.dropSession(id);
    this.rememberTables(id, change);
    return { record: change.record, expiresAtMs: out.expiresAtMs };
  }

  /** One commit script call; the committed state becomes the base of this process's next commit. */
  async commit(request: CommitRequest): Promise<CommitOutcome> {
    const { outcome, next } = await commitSession(this.ctx, request);
    this.loadedOf.set(next.record, next);
    this.remember(next.record.sessionId, next);
    return outcome;
  }

  /** Tables a commit stored, when decoding the frame would give back the same table (Arrow IPC does). */
  rememberTables(id: string, change: SessionChange): void {
    if (this.ctx.codec.options.serialization !== 'arrow') return;
    for (const frame of change.frames ?? []) {
      if (frame.source.kind === 'bytes' && frame.source.table !== undefined) {
        this.ctx.cache.set(id, frame.frameId, frame.source.table);
      }
    }
  }

  /** true when the session existed (and is now gone with every key). */
  async remove(id: string): Promise<boolean> {
    const deleted = await this.ctx.script('fsDelete', [this.ctx.keys.state(id)], [this.ctx.guard(id)], {
      id,
    });
    this.ctx.cache.dropSession(id);
    // Inside withLock the holder's own delete is not someone else's write: it may create the session again.
    this.ctx.deleted(id);
    await removeFromIndex(this.ctx, this.ctx.keys.sessionIndex, id);
    return deleted === 1;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.ctx.command('exists', () => this.ctx.client.exists(this.ctx.keys.state(id)))) === 1;
  }

  async readFrame(id: string, frameId: string): Promise<Table | undefined> {
    const pending = this.pendingTables.get(`${id}/${frameId}`);
    if (pending !== undefined) return pending;
    const cached = this.ctx.cache.get(id, frameId);
    if (cached !== undefined) return cached;
    const bytes = await this.readFrameBytes(id, frameId);
    if (bytes === undefined) return undefined;
    this.ctx.cache.countMiss();
    const table = decodeStored(this.ctx, bytes, `session ${id}`);
    this.ctx.cache.set(id, frameId, table);
    return table;
  }

  /**
   * The chunks of one read: cached ones from the cache, the others in one HMGET of the frames hash (one round
   * trip, one reply); a blob stored in parts (or gone) is read on its own.
   */
  async readFrames(id: string, frameIds: readonly string[]): Promise<(Table | undefined)[]> {
    const out: (Table | undefined)[] = frameIds.map(
      (frameId) => this.pendingTables.get(`${id}/${frameId}`) ?? this.ctx.cache.get(id, frameId),
    );
    const missing = frameIds.filter((_, index) => out[index] === undefined);
    if (missing.length === 0) return out;
    const replies = await readFields(this.ctx, id, missing);
    const fetched = new Map<string, Table | undefined>();
    // Decoded in slices that yield: a 10k-chunk read would otherwise hold the event loop.
    const pause = pacer();
    for (const [index, frameId] of missing.entries()) {
      const bytes = replies[index] ?? (await this.readFrameBytes(id, frameId));
      if (bytes === undefined || bytes === null) continue;
      this.ctx.cache.countMiss();
      const table = decodeStored(this.ctx, bytes, `session ${id}`);
      this.ctx.cache.set(id, frameId, table);
      fetched.set(frameId, table);
      await pause();
    }
    return out.map((table, index) => table ?? fetched.get(frameIds[index] as string));
  }

  /** Blobs are immutable fields of the frames hash; one stored in parts is named with its count in `fk`. */
  async readFrameBytes(id: string, frameId: string): Promise<Buffer | undefined> {
    const { ctx } = this;
    const [whole] = await readFields(ctx, id, [frameId]);
    if (whole !== null && whole !== undefined) return whole;
    const fk = await ctx.command('state read', () => ctx.client.hget(ctx.keys.state(id), 'fk'));
    const match = new RegExp(`(?:^|,)${frameId}:(\\d+)(?:,|$)`).exec(fk ?? '');
    const n = Number(match?.[1] ?? 0);
    if (n <= 1) return undefined;
    const parts = await readFields(ctx, id, frameFields(frameId, n));
    return parts.some((part) => part === null) ? undefined : Buffer.concat(parts as Buffer[]);
  }

  async readAudit(id: string): Promise<AuditEntry[]> {
    const raw = await this.ctx.command('audit read', () =>
      this.ctx.client.lrange(this.ctx.keys.audit(id), 0, -1),
    );
    return raw.map(parseAuditEntry);
  }

  async readMarks(id: string, record: SessionRecord): Promise<MarkedCell[]> {
    const pending = this.pendingMarks.get(record);
    if (pending !== undefined) return pending;
    const flat = await this.ctx.command('marks read', () => this.ctx.client.hgetall(this.ctx.keys.marks(id)));
    return parseMarks(Object.entries(flat).flat());
  }

  async list(opts: ListSessionsOptions): Promise<{ sessions: LoadedSession[]; cursor?: string }> {
    this.ctx.ensureOpen();
    const page = await pageIndex(this.ctx, this.ctx.keys.sessionIndex, opts, (ids) =>
      Promise.all(ids.map((id) => this.load(id, false))),
    );
    return page.cursor === undefined
      ? { sessions: page.items }
      : { sessions: page.items, cursor: page.cursor };
  }

  async count(): Promise<number> {
    this.ctx.ensureOpen();
    return (await sweepIndex(this.ctx, this.ctx.keys.sessionIndex, (id) => this.ctx.keys.state(id))).live;
  }

  withLock<T>(id: string, fn: () => Promise<T>, opts: LockOptions): Promise<T> {
    return this.locks.withLock(id, fn, opts);
  }
}
