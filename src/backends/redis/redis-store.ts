import { randomBytes } from 'node:crypto';
import type { Table } from 'apache-arrow';
import { StorageError, uploadNotFound } from '../../contract/errors.js';
import { newId } from '../../contract/ids.js';
import type {
  AuditEntry,
  ListSessionsOptions,
  LockOptions,
  MarkedCell,
} from '../../contract/storage-backend.js';
import type {
  ChangeStep,
  LoadedSession,
  SessionChange,
  SessionRecord,
  SessionStore,
} from '../../session/store.js';
import { SameTurnBatches } from './redis-coalesce.js';
import { CommitBatches } from './redis-commit-batch.js';
import type { RedisContext } from './redis-context.js';
import { decodeStored, discardChunks, readChunks, splitFrame, writeChunks } from './redis-frames.js';
import { addToIndex, pageIndex, removeFromIndex, sweepIndex } from './redis-index.js';
import { newIdInSlot, slotOf } from './redis-keys.js';
import type { RedisLocks } from './redis-lock.js';
import { INLINE_FRAME_BYTES } from './redis-lua-prelude.js';
import { metadataFlat, type RedisLoaded, recordFromReply, stateFields } from './redis-record.js';
import { parseAuditEntry, parseMarks, replyText } from './redis-state.js';

const MAX_REMEMBERED = 10_000;

/** The outcome of one commit script: the new revision, the expiry it pinned, the `updated` it wrote. */
export interface CommitOutcome {
  rev: string;
  expiresAtMs: number;
  updatedAt: string;
}

/** A commit on top of `base` (undefined: a new or replaced session). */
export interface CommitRequest {
  mode: 'update' | 'create' | 'overwrite';
  base: RedisLoaded | undefined;
  change: SessionChange;
  guard: string;
}

const marksFlat = (marks: MarkedCell[]): string[] =>
  marks.flatMap((mark) => [
    `${mark.row}:${mark.column}`,
    JSON.stringify({
      ...(mark.reason !== undefined ? { reason: mark.reason } : {}),
      markedAt: mark.markedAt,
    }),
  ]);

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
      return [await ctx.script('fsLoad', [ctx.keys.state(id)], [key.slice(0, split)], { id })];
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
      loaded = recordFromReply(id, reply);
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

  /**
   * One commit script call. Frames too large to travel inside the call are written first (invisible, with a
   * provisional TTL) and removed again when the commit is refused.
   */
  async commit(request: CommitRequest): Promise<CommitOutcome> {
    const { ctx } = this;
    const { change, base } = request;
    const id = change.record.sessionId;
    const chunks = new Map(base?.chunks ?? []);
    const frameArgs: (string | Buffer)[] = [];
    const pending: string[] = [];
    let uploadKey: string | undefined;
    let consume = false;
    try {
      for (const frame of change.frames ?? []) {
        const { source } = frame;
        if (source.kind === 'sheet') {
          const n = source.sheet.chunks ?? 1;
          chunks.set(frame.frameId, n);
          uploadKey = ctx.keys.upload(source.uploadId);
          consume ||= source.consume;
          frameArgs.push(frame.frameId, String(n), '', source.sheet.frameId);
          continue;
        }
        const bytes = Buffer.isBuffer(source.bytes)
          ? source.bytes
          : Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
        const parts = splitFrame(bytes, ctx.chunkBytes);
        chunks.set(frame.frameId, parts.length);
        if (parts.length === 1 && bytes.length <= INLINE_FRAME_BYTES) {
          frameArgs.push(frame.frameId, '1', bytes, '');
        } else {
          const keys = ctx.keys.frameKeys(id, frame.frameId, parts.length);
          pending.push(...keys);
          await writeChunks(ctx, keys, parts, change.record.ttlSeconds);
          frameArgs.push(frame.frameId, String(parts.length), '', '');
        }
      }
      const record = change.record;
      // Random, not a counter: a session deleted and imported again can never reuse a revision.
      const rev = randomBytes(9).toString('base64url');
      const fields = stateFields(record, chunks);
      const meta = JSON.stringify(metadataFlat(record.metadata));
      const audit = (change.audit ?? []).map((entry) => JSON.stringify(entry));
      const args = [
        request.guard,
        request.mode,
        base?.rev ?? '',
        new Date().toISOString(),
        change.keepUpdatedAt ? '1' : '',
        change.touchAtMs === undefined ? '' : String(change.touchAtMs),
        JSON.stringify({ ...changedFields(fields, base), rev }),
        base !== undefined && base.metadataJson === meta ? '' : meta,
        change.marks === undefined ? '' : JSON.stringify(marksFlat(change.marks)),
        String(audit.length),
        ...audit,
        String(frameArgs.length / 4),
        ...frameArgs,
        consume ? '1' : '',
      ];
      const state = ctx.keys.state(id);
      const reply = (await ctx.script('fsCommit', [state, uploadKey ?? state], args, {
        id,
        onFailure: (failure) => {
          if (failure.code === 'CONFLICT')
            return new StorageError('STALE_WRITE', 'conflict', { details: { conflict: true } });
          if (failure.code === 'UPLOAD_NOT_FOUND' && uploadKey !== undefined) {
            const source = change.frames?.find((frame) => frame.source.kind === 'sheet')?.source;
            return uploadNotFound(source?.kind === 'sheet' ? source.uploadId : id);
          }
          return undefined;
        },
      })) as unknown[];
      const outcome = {
        rev: replyText(reply[0]),
        expiresAtMs: Number(replyText(reply[1])),
        updatedAt: replyText(reply[2]),
      };
      ctx.committed(id, record.version);
      const committed = { ...record, updatedAt: outcome.updatedAt };
      const named = new Map([...chunks].filter(([frameId]) => stillNamed(committed, frameId)));
      const next: RedisLoaded = {
        record: committed,
        expiresAtMs: outcome.expiresAtMs,
        rev: outcome.rev,
        chunks: named,
        metadataJson: meta,
      };
      this.loadedOf.set(committed, next);
      this.remember(id, next);
      if (base !== undefined) {
        for (const frameId of base.chunks.keys())
          if (!chunks.has(frameId) || !stillNamed(record, frameId)) ctx.cache.dropFrames(id, frameId);
      }
      return outcome;
    } catch (error) {
      // A refused commit leaves nothing; one whose outcome is unknown may have made the chunks live.
      const unknown = (error as StorageError).details?.outcome === 'unknown';
      if (!unknown) await discardChunks(ctx, pending);
      throw error;
    }
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

  /** Frames are immutable: plain GETs. A frame stored in chunks is named with its count in the state's `fk`. */
  async readFrameBytes(id: string, frameId: string): Promise<Buffer | undefined> {
    const { ctx } = this;
    const [whole] = (await readChunks(ctx, ctx.keys.frameKeys(id, frameId, 1))) ?? [];
    if (whole !== undefined) return whole;
    const fk = await ctx.command('state read', () => ctx.client.hget(ctx.keys.state(id), 'fk'));
    const match = new RegExp(`(?:^|,)${frameId}:(\\d+)(?:,|$)`).exec(fk ?? '');
    const n = Number(match?.[1] ?? 0);
    if (n <= 1) return undefined;
    const parts = await readChunks(ctx, ctx.keys.frameKeys(id, frameId, n));
    return parts === undefined ? undefined : Buffer.concat(parts);
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

/** An update sends only the state fields that differ from its base (all of them for a new session). */
function changedFields(
  fields: Record<string, string>,
  base: RedisLoaded | undefined,
): Record<string, string> {
  if (base === undefined) return fields;
  base.fields ??= stateFields(base.record, base.chunks);
  const known = base.fields;
  return Object.fromEntries(Object.entries(fields).filter(([name, value]) => known[name] !== value));
}

function stillNamed(record: SessionRecord, frameId: string): boolean {
  return (
    record.current.frameId === frameId ||
    record.history.some((entry) => entry.frameId === frameId) ||
    record.redo.some((entry) => entry.frameId === frameId)
  );
}
