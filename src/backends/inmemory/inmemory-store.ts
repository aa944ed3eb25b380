import fs from 'node:fs';
import type { Table } from 'apache-arrow';
import { LRUCache } from 'lru-cache';
import type { ByteLru } from '../../cache/byte-lru.js';
import type { FrameCodec } from '../../codec/frame-codec.js';
import { StorageError, sessionNotFound } from '../../contract/errors.js';
import { newId } from '../../contract/ids.js';
import type {
  AuditEntry,
  ListSessionsOptions,
  LockOptions,
  MarkedCell,
} from '../../contract/storage-backend.js';
import type { Logger } from '../../logging/logger.js';
import type {
  ChangeStep,
  LoadedSession,
  SessionChange,
  SessionRecord,
  SessionStore,
} from '../../session/store.js';
import { commitToDisk } from './inmemory-commit.js';
import { fsyncDir, mtimeMsSync, readSmallSync, removeTree, touchSync } from './inmemory-files.js';
import { DiskFrames } from './inmemory-frames.js';
import type { InMemoryLayout } from './inmemory-layout.js';
import { countLiveSessions, listLiveSessions } from './inmemory-listing.js';
import { ABSENT_REV, assertFenced, type FileLocks, type LockContext } from './inmemory-lock.js';
import { DiskManifests } from './inmemory-manifests.js';
import { dropFiles, expireSession, removeSession } from './inmemory-removal.js';
import { readAuditFile, readMarksFile } from './inmemory-side-files.js';
import { parseState, revOf, type SessionState, toRecord } from './inmemory-state.js';

export interface DiskStoreSettings {
  codec: FrameCodec;
  cache: ByteLru<Table>;
  logger: Logger;
}

const leaf = { leaf: true };

/**
 * The session store on disk: lock-free reads of state.json (+ a touch file's mtime for the sliding TTL), and
 * read-modify-write commits under the session's file lock that land by renaming one new state.json.
 */
export class DiskSessionStore implements SessionStore {
  readonly backendType = 'inmemory' as const;
  /** The state each handed-out record came from (where its audit log and marks live). */
  private readonly states = new WeakMap<SessionRecord, SessionState>();
  /** The last parsed state.json per session, with its bytes (bounded: only a shortcut). */
  private readonly parsedStates = new LRUCache<string, { bytes: Buffer; state: SessionState }>({ max: 256 });
  private readonly frames: DiskFrames;
  readonly manifests: DiskManifests;

  constructor(
    readonly layout: InMemoryLayout,
    readonly locks: FileLocks,
    readonly settings: DiskStoreSettings,
  ) {
    this.frames = new DiskFrames(layout, settings.codec, settings.cache);
    this.manifests = new DiskManifests(layout);
  }

  /** The committed state, or undefined when the session does not exist. */
  loadState(id: string): SessionState | undefined {
    const bytes = readSmallSync(this.layout.statePath(id));
    if (bytes === undefined) return undefined;
    // The same bytes parse to the same state: checking a state with several chunked frames (zod over
    // hundreds of chunk ids) cost more than the rest of a small operation. States are never mutated.
    const known = this.parsedStates.get(id);
    if (known?.bytes.equals(bytes)) return known.state;
    const state = parseState(bytes, id, (frameId) => this.manifests.read(id, frameId));
    this.parsedStates.set(id, { bytes, state });
    return state;
  }

  /** Sliding expiry: last access (touch mtime) + the session's TTL. */
  expiresAtMs(id: string, state: SessionState): number {
    const touched = mtimeMsSync(this.layout.touchPath(id)) ?? Date.parse(state.updatedAt);
    return touched + state.ttlSeconds * 1000;
  }

  /** A record handed out, remembered with the state it came from. */
  track(state: SessionState, expiresAtMs: number): LoadedSession {
    const record = toRecord(state);
    this.states.set(record, state);
    return { record, expiresAtMs };
  }

  async load(id: string, slide: boolean): Promise<LoadedSession | undefined> {
    const state = this.loadState(id);
    if (state === undefined) return undefined;
    const now = Date.now();
    if (this.expiresAtMs(id, state) <= now) {
      await this.expire(id);
      return undefined;
    }
    if (!slide) return this.track(state, this.expiresAtMs(id, state));
    try {
      // Creating a missing touch file is safe: a deleted session's folder is gone (renamed away) entirely.
      touchSync(this.layout.touchPath(id), now, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      return undefined; // deleted between the read and the touch
    }
    return this.track(state, now + state.ttlSeconds * 1000);
  }

  list(opts: ListSessionsOptions): Promise<{ sessions: LoadedSession[]; cursor?: string }> {
    return listLiveSessions(this, opts, this.settings.logger);
  }

  count(): Promise<number> {
    return countLiveSessions(this, this.settings.logger);
  }

  newSessionId(): string {
    return newId();
  }

  /** Does not slide the TTL (so polling it cannot keep a session alive); removes a session found expired. */
  async exists(id: string): Promise<boolean> {
    const state = this.loadState(id);
    if (state === undefined) return false;
    if (this.expiresAtMs(id, state) > Date.now()) return true;
    await this.expire(id);
    return false;
  }

  update<R>(
    id: string,
    fn: (loaded: LoadedSession) => Promise<ChangeStep<R>> | ChangeStep<R>,
  ): Promise<{ loaded: LoadedSession; result: R }> {
    return this.locks.run(
      this.layout.lockTarget('session', id),
      async (lock) => {
        const state = this.loadState(id);
        if (state === undefined) throw sessionNotFound(id);
        assertFenced(lock, state.rev);
        if (this.expiresAtMs(id, state) <= Date.now()) {
          await dropFiles(this, lock, id);
          throw sessionNotFound(id);
        }
        // A change refused by a session rule (NOTHING_TO_UNDO, a stale expectedVersion, ...) or one with
        // nothing to write still found the live session: the access slides its expiry, as a read does.
        const touch = () => {
          const now = Date.now();
          touchSync(this.layout.touchPath(id), now, true);
          return now;
        };
        let step: ChangeStep<R>;
        try {
          step = await fn(this.track(state, this.expiresAtMs(id, state)));
        } catch (error) {
          if (error instanceof StorageError) touch();
          throw error;
        }
        if (step.change === undefined) {
          return { loaded: this.track(state, touch() + state.ttlSeconds * 1000), result: step.result };
        }
        const loaded = await this.commit(lock, id, state, state.rev, false, step.change);
        return { loaded, result: step.result };
      },
      leaf,
    );
  }

  create(change: SessionChange, opts: { overwrite: boolean }): Promise<LoadedSession> {
    const id = change.record.sessionId;
    return this.locks.run(
      this.layout.lockTarget('session', id),
      async (lock) => {
        fs.mkdirSync(this.layout.framesDir(id), { recursive: true });
        const existingRev = this.currentRev(id);
        const previous = this.loadQuietly(id);
        const live = previous !== undefined && this.expiresAtMs(id, previous) > Date.now();
        if (live && !opts.overwrite) {
          throw new StorageError('STALE_WRITE', `session ${id} already exists; pass overwrite to replace it`);
        }
        assertFenced(lock, existingRev);
        const loaded = await this.commit(lock, id, previous, existingRev, true, change);
        if (previous === undefined) await fsyncDir(this.layout.sessionsDir);
        return loaded;
      },
      leaf,
    );
  }

  private async commit(
    lock: LockContext,
    id: string,
    previous: SessionState | undefined,
    expectedRev: string,
    fresh: boolean,
    change: SessionChange,
  ): Promise<LoadedSession> {
    const currentRev = () => this.currentRev(id);
    const onCommitted = (next: SessionState, dropped: string[], bytes: Buffer) => {
      this.parsedStates.set(id, { bytes, state: next });
      for (const frame of change.frames ?? [])
        if (frame.source.kind === 'bytes' && frame.source.table)
          this.frames.remember(id, frame.frameId, frame.source.table);
      for (const frameId of dropped) this.frames.forget(id, frameId);
    };
    const manifests = this.manifests;
    const disk = { lock, id, previous, expectedRev, fresh, change, currentRev, onCommitted, manifests };
    const next = await commitToDisk(this.layout, disk);
    return this.track(next, (change.touchAtMs ?? Date.parse(next.updatedAt)) + next.ttlSeconds * 1000);
  }

  /** true when a present session was deleted; an expired one is removed too but reports false. */
  remove(id: string): Promise<boolean> {
    return removeSession(this, id);
  }

  /** Removes a session found expired (best effort, rechecked under its lock). */
  expire(id: string): Promise<boolean> {
    return expireSession(this, id);
  }

  /** Deletes the session's folder in one rename; false when it did not exist. */
  async removeFiles(id: string): Promise<boolean> {
    this.frames.forgetSession(id);
    return removeTree(this.layout.sessionDir(id), this.layout.trashDir);
  }

  readFrame(id: string, frameId: string): Promise<Table | undefined> {
    return this.frames.read(id, frameId);
  }

  readFrames(id: string, frameIds: readonly string[]): Promise<(Table | undefined)[]> {
    return this.frames.readMany(id, frameIds);
  }

  readFrameBytes(id: string, frameId: string): Promise<Uint8Array | undefined> {
    return this.frames.bytes(id, frameId);
  }

  private stateOf(id: string, record: SessionRecord): SessionState {
    const state = this.states.get(record) ?? this.loadState(id);
    if (state === undefined) throw sessionNotFound(id);
    return state;
  }

  async readAudit(id: string, record: SessionRecord): Promise<AuditEntry[]> {
    return readAuditFile(this.layout, id, this.stateOf(id, record));
  }

  async readMarks(id: string, record: SessionRecord): Promise<MarkedCell[]> {
    return readMarksFile(this.layout, id, this.stateOf(id, record));
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

  /** The committed revision without validating the rest (ABSENT_REV when there is no state). */
  currentRev(id: string): string {
    const bytes = readSmallSync(this.layout.statePath(id));
    if (bytes === undefined) return ABSENT_REV;
    const known = this.parsedStates.get(id);
    return known?.bytes.equals(bytes) ? known.state.rev : revOf(bytes);
  }

  private loadQuietly(id: string): SessionState | undefined {
    try {
      return this.loadState(id);
    } catch {
      return undefined; // a corrupt session may be overwritten; its stray files are collected by the sweep
    }
  }
}
