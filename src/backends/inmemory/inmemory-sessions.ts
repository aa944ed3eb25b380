import fs from 'node:fs';
import type { Table } from 'apache-arrow';
import type { ByteLru } from '../../cache/byte-lru.js';
import { type FrameCodec, tableMemoryBytes } from '../../codec/frame-codec.js';
import { corruptData, StorageError, sessionNotFound } from '../../contract/errors.js';
import type { LockOptions } from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import {
  commitFileSync,
  fsyncDir,
  fsyncDirSync,
  mtimeMsSync,
  readFileIfExists,
  readSmallSync,
  removeFileQuietSync,
  removeTree,
  touchSync,
} from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';
import { ABSENT_REV, assertFenced, type FileLocks, type LockContext } from './inmemory-lock.js';
import {
  parseState,
  referencedBlobs,
  referencedFrames,
  type SessionState,
  serializeState,
} from './inmemory-state.js';
import { newFileId, SessionTx } from './inmemory-tx.js';

export interface CommitOptions {
  tx: SessionTx;
  /** Last access to record (the sliding TTL counts from it). */
  touchAtMs: number;
  /** The revision the committed state must still have (ABSENT_REV for a new session). */
  expectedRev: string;
  /** Keep `next.updatedAt` instead of stamping the commit time (imports keep the source's). */
  keepUpdatedAt?: boolean;
}

export interface StoreSettings {
  codec: FrameCodec;
  cache: ByteLru<Table>;
  logger: Logger;
}

/**
 * The session half of the embedded store: lock-free reads of state.json (+ an mtime for the sliding TTL),
 * and locked read-modify-write mutations that commit by renaming one new state.json into place.
 */
export class SessionStore {
  constructor(
    readonly layout: InMemoryLayout,
    readonly locks: FileLocks,
    private readonly settings: StoreSettings,
  ) {}

  /** The committed state, or undefined when the session does not exist. */
  load(id: string): SessionState | undefined {
    const bytes = readSmallSync(this.layout.statePath(id));
    return bytes === undefined ? undefined : parseState(bytes, id);
  }

  /** Sliding expiry: last access (touch mtime) + the session's TTL. */
  expiresAtMs(id: string, state: SessionState): number {
    const touched = mtimeMsSync(this.layout.touchPath(id)) ?? Date.parse(state.updatedAt);
    return touched + state.ttlSeconds * 1000;
  }

  /** Reads a live session; `slide` moves its expiry forward (every read does, except exists/list/export). */
  async open(id: string, slide: boolean): Promise<{ state: SessionState; expiresAtMs: number }> {
    const state = this.load(id);
    if (state === undefined) throw sessionNotFound(id);
    const now = Date.now();
    const expiresAtMs = this.expiresAtMs(id, state);
    if (expiresAtMs <= now) {
      await this.expire(id);
      throw sessionNotFound(id);
    }
    if (!slide) return { state, expiresAtMs };
    try {
      // Creating a missing touch file is safe: a deleted session's folder is gone (renamed away) entirely.
      touchSync(this.layout.touchPath(id), now, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw sessionNotFound(id); // deleted between the read and the touch
    }
    return { state, expiresAtMs: now + state.ttlSeconds * 1000 };
  }

  /** Removes a session found expired (rechecked under the lock: a concurrent access may have slid it). */
  async expire(id: string): Promise<boolean> {
    try {
      return await this.locks.run(
        this.layout.lockTarget('session', id),
        async () => {
          const state = this.load(id);
          if (state !== undefined && this.expiresAtMs(id, state) > Date.now()) return false;
          return this.removeFiles(id);
        },
        { leaf: true, retryCount: 0 },
      );
    } catch (error) {
      // Best effort without waiting: a busy session is left for the next access or sweep.
      if ((error as { code?: string }).code !== 'LOCK_TIMEOUT') {
        this.settings.logger.warn({ err: error, sessionId: id }, 'could not remove an expired session');
      }
      return false;
    }
  }

  /** Deletes the session's folder in one rename; false when it did not exist. */
  async removeFiles(id: string): Promise<boolean> {
    this.settings.cache.deletePrefix(`${id}/`);
    return removeTree(this.layout.sessionDir(id), this.layout.trashDir);
  }

  /** A frame as a Table: from the LRU, else read + decode (undefined when its file is gone). */
  async readFrame(id: string, frameId: string): Promise<Table | undefined> {
    const key = `${id}/${frameId}`;
    const cached = this.settings.cache.get(key);
    if (cached !== undefined) return cached;
    const bytes = await readFileIfExists(this.layout.framePath(id, frameId));
    if (bytes === undefined) return undefined;
    const table = this.settings.codec.decode(bytes);
    this.settings.cache.set(key, table, tableMemoryBytes(table));
    return table;
  }

  /** Caches a table we just stored, when decoding it would give back the same table (Arrow IPC does). */
  remember(id: string, frameId: string, table: Table): void {
    if (this.settings.codec.options.serialization === 'arrow') {
      this.settings.cache.set(`${id}/${frameId}`, table, tableMemoryBytes(table));
    }
  }

  /**
   * Reads a frame of the state the caller saw. A writer may have deleted that frame meanwhile (it fell off the
   * history), so on a missing file the state is re-read and `pick` applied again; a frame missing from an
   * unchanged state is corruption.
   */
  async readLive(id: string, pick: (state: SessionState) => string, slide = true): Promise<Table> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const { state } = await this.open(id, slide && attempt === 0);
      const table = await this.readFrame(id, pick(state));
      if (table !== undefined) return table;
      if (this.load(id)?.rev === state.rev) throw corruptData(`session ${id}: frame file is missing`);
    }
    throw new StorageError('BACKEND_UNAVAILABLE', `session ${id} kept changing while being read`);
  }

  /**
   * The read-modify-write of a session under its lock. `fn` returns the next state and a result; the commit
   * is one rename of state.json. Inside withLock, writes are fenced on the revision seen at acquisition.
   */
  async mutate<R>(
    id: string,
    fn: (state: SessionState, tx: SessionTx) => Promise<{ state: SessionState; result: R }>,
  ): Promise<{ state: SessionState; result: R; expiresAtMs: number }> {
    return this.locks.run(
      this.layout.lockTarget('session', id),
      async (ctx) => {
        const state = this.load(id);
        if (state === undefined) throw sessionNotFound(id);
        assertFenced(ctx, state.rev);
        if (this.expiresAtMs(id, state) <= Date.now()) {
          await this.removeFiles(id);
          throw sessionNotFound(id);
        }
        const tx = new SessionTx(this.layout, id, new Date().toISOString());
        try {
          const out = await fn(state, tx);
          const nowMs = Date.parse(tx.now);
          // An unchanged state (a no-op such as clearing nothing) needs no commit, only the sliding touch.
          if (out.state === state) touchSync(this.layout.touchPath(id), nowMs, true);
          else this.commit(ctx, id, state, out.state, { tx, touchAtMs: nowMs, expectedRev: state.rev });
          return { state: out.state, result: out.result, expiresAtMs: nowMs + out.state.ttlSeconds * 1000 };
        } catch (error) {
          this.abort(id, tx);
          throw error;
        }
      },
      { leaf: true },
    );
  }

  /** After a failed mutation: removes the files it wrote, unless its state.json did land (then they are live). */
  private abort(id: string, tx: SessionTx): void {
    if (tx.pendingRev !== undefined && this.currentRev(id) === tx.pendingRev) return;
    for (const file of tx.written) removeFileQuietSync(file);
  }

  /**
   * The public withLock: `fn` runs holding the session's lock; store writes inside it are fenced on the
   * revision seen now, so a holder that lost its lock (stalled past the lease) cannot commit.
   */
  withLock<T>(id: string, fn: () => Promise<T>, opts: LockOptions): Promise<T> {
    return this.locks.run(
      this.layout.lockTarget('session', id),
      async (ctx) => {
        ctx.rev ??= this.currentRev(id);
        return fn();
      },
      { ...opts, leaf: false },
    );
  }

  /** Runs `fn` holding the session's lock with a fresh transaction, for writes that create a session. */
  async withNewSession<R>(id: string, fn: (ctx: LockContext, tx: SessionTx) => Promise<R>): Promise<R> {
    return this.locks.run(
      this.layout.lockTarget('session', id),
      async (ctx) => {
        const tx = new SessionTx(this.layout, id, new Date().toISOString());
        fs.mkdirSync(this.layout.framesDir(id), { recursive: true });
        try {
          return await fn(ctx, tx);
        } catch (error) {
          this.abort(id, tx);
          throw error;
        }
      },
      { leaf: true },
    );
  }

  /**
   * The single commit point: new frames are made durable first, then state.json is replaced atomically, then
   * the files only the previous state referenced are deleted. `touchAtMs` sets the last access (sliding TTL).
   */
  commit(
    ctx: LockContext,
    id: string,
    previous: SessionState | undefined,
    next: SessionState,
    opts: CommitOptions,
  ): void {
    // Someone committing under our lock means it was taken over (we stalled past its staleness): refuse.
    if (this.currentRev(id) !== opts.expectedRev) ctx.compromised = true;
    assertFenced(ctx, ctx.rev); // only the lost-lock flag can fail here
    next.rev = newFileId();
    opts.tx.pendingRev = next.rev;
    if (!opts.keepUpdatedAt) next.updatedAt = opts.tx.now;
    if (opts.tx.wroteFrames) fsyncDirSync(this.layout.framesDir(id));
    commitFileSync(this.layout.statePath(id), serializeState(next));
    ctx.rev = next.rev;
    touchSync(this.layout.touchPath(id), opts.touchAtMs, true);
    if (previous !== undefined) this.collect(id, previous, next);
  }

  /** Deletes what fell out of the state (frames off the history, replaced audit/marks files). */
  private collect(id: string, previous: SessionState, next: SessionState): void {
    const frames = referencedFrames(next);
    for (const frameId of referencedFrames(previous)) {
      if (frames.has(frameId)) continue;
      removeFileQuietSync(this.layout.framePath(id, frameId));
      this.settings.cache.delete(`${id}/${frameId}`);
    }
    const blobs = referencedBlobs(next);
    for (const name of referencedBlobs(previous)) {
      if (!blobs.has(name)) removeFileQuietSync(this.layout.blobPath(id, name));
    }
  }

  /** The committed revision without validating the rest (ABSENT_REV when there is no state). */
  currentRev(id: string): string {
    const bytes = readSmallSync(this.layout.statePath(id));
    return bytes === undefined ? ABSENT_REV : safeRev(bytes);
  }

  /** Makes a new session folder's entry durable in sessions/. */
  async syncSessionsDir(): Promise<void> {
    await fsyncDir(this.layout.sessionsDir);
  }
}

function safeRev(bytes: Buffer): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { rev?: unknown };
    return typeof parsed.rev === 'string' ? parsed.rev : 'unreadable';
  } catch {
    return 'unreadable';
  }
}
