import type { Table } from 'apache-arrow';
import { StorageError } from '../contract/errors.js';
import type {
  ActorOptions,
  ChangeInput,
  CreateSessionOptions,
  SessionInfo,
  VersionInfo,
} from '../contract/storage-backend.js';
import { appendAudit, mergeMetadata } from './annotations.js';
import { type PreparedFrame, prepareFrame } from './chunks/chunk-writer.js';
import { type EngineContext, infoOf, newFrameId, open } from './engine-context.js';
import { applyCreateVersion, applyRedo, applyRestore, applyUndo, applyUpdate } from './history.js';
import type { FrameRef, FrameSource, SessionRecord } from './store.js';
import { assertActorOptions, assertVersionNumber, normalizeLabel } from './validate.js';

/** Sessions and their frames: create, update, versions, undo/redo/restore (docs/semantics.md). */

/** The first frame of a new session: a prepared (chunked) table, or a temp upload's sheet linked as is. */
export type InitialFrame =
  | { kind: 'table'; frame: PreparedFrame }
  | { kind: 'sheet'; source: FrameSource & { kind: 'sheet' }; rows: number; columns: number; bytes: number };

/** A new session from one frame; its first audit entry is `upload` (with `details` when given). */
export async function createFromFrame(
  ctx: EngineContext,
  frame: InitialFrame,
  opts: CreateSessionOptions,
  uploadDetails: Record<string, unknown> = {},
): Promise<SessionInfo> {
  const now = new Date().toISOString();
  const prepared = frame.kind === 'table' ? frame.frame.commitOn(undefined) : undefined;
  const current: FrameRef =
    frame.kind === 'table'
      ? (prepared?.ref as FrameRef)
      : { frameId: newFrameId(), rows: frame.rows, columns: frame.columns, bytes: frame.bytes };
  const empty: SessionRecord['audit'] = { count: 0, lastSeq: 0, initialRows: 0 };
  const details = { ...(opts.filename ? { filename: opts.filename } : {}), ...uploadDetails };
  const { audit, entries } = appendAudit(
    empty,
    [
      {
        operation: 'upload',
        rowsAfter: current.rows,
        ...(Object.keys(details).length > 0 ? { details } : {}),
        ...(opts.user !== undefined ? { user: opts.user } : {}),
      },
    ],
    now,
  );
  const record: SessionRecord = {
    sessionId: ctx.store.newSessionId(frame.kind === 'sheet' ? frame.source.uploadId : undefined),
    ...(opts.filename ? { filename: opts.filename } : {}),
    createdAt: now,
    updatedAt: now,
    ttlSeconds: opts.ttlSeconds ?? ctx.sessionTtlSeconds,
    version: 1,
    current,
    history: [],
    redo: [],
    metadata: mergeMetadata({}, opts.metadata ?? {}),
    audit,
    marks: { count: 0 },
  };
  const frames =
    frame.kind === 'table' ? (prepared?.frames ?? []) : [{ frameId: current.frameId, source: frame.source }];
  const change = { record, frames, audit: entries, marks: [] };
  return infoOf(await ctx.store.create(change, { overwrite: false }));
}

export async function createSession(
  ctx: EngineContext,
  table: Table,
  opts: CreateSessionOptions,
): Promise<SessionInfo> {
  return createFromFrame(ctx, { kind: 'table', frame: await prepareFrame(ctx.chunks, table) }, opts);
}

/** The new frame becomes current, the old one a version, redo is cleared, one audit entry is appended. */
export async function updateFrame(
  ctx: EngineContext,
  id: string,
  table: Table,
  change: ChangeInput,
): Promise<SessionInfo> {
  const prepared = await prepareFrame(ctx.chunks, table);
  const { loaded } = await ctx.store.update(id, ({ record }) => {
    if (change.expectedVersion !== undefined && change.expectedVersion !== record.version) {
      throw new StorageError(
        'STALE_WRITE',
        `session ${id} is at version ${record.version}, the change expected ${change.expectedVersion}`,
      );
    }
    const now = new Date().toISOString();
    const { ref: frame, frames } = prepared.commitOn(record);
    const next = applyUpdate(record, frame, change.operation, ctx.maxVersions, now, change.user);
    const { audit, entries } = appendAudit(
      record.audit,
      [
        {
          operation: change.operation,
          ...(change.details !== undefined ? { details: change.details } : {}),
          ...(change.user !== undefined ? { user: change.user } : {}),
          rowsBefore: record.current.rows,
          rowsAfter: table.numRows,
        },
      ],
      now,
    );
    next.audit = audit;
    return {
      change: {
        record: next,
        frames,
        audit: entries,
      },
      result: undefined,
    };
  });
  return infoOf(loaded);
}

export async function createVersion(ctx: EngineContext, id: string, label: unknown): Promise<VersionInfo> {
  const name = normalizeLabel(label);
  const { result } = await ctx.store.update(id, ({ record }) => {
    const { state, info } = applyCreateVersion(record, name, ctx.maxVersions, new Date().toISOString());
    return { change: { record: state }, result: info };
  });
  return result;
}

/** Undo, redo or restore: a transition plus its audit entry (nothing at all when nothing changed). */
async function moveCurrent(
  ctx: EngineContext,
  id: string,
  operation: 'undo' | 'redo' | 'restore',
  transition: (record: SessionRecord, now: string) => SessionRecord,
  opts: ActorOptions,
  details?: Record<string, unknown>,
): Promise<SessionInfo> {
  assertActorOptions(opts);
  const { loaded } = await ctx.store.update(id, ({ record }) => {
    const now = new Date().toISOString();
    const next = transition(record, now);
    if (next === record) return { result: undefined };
    const { audit, entries } = appendAudit(
      record.audit,
      [
        {
          operation,
          ...(details !== undefined ? { details } : {}),
          ...(opts.user !== undefined ? { user: opts.user } : {}),
          rowsBefore: record.current.rows,
          rowsAfter: next.current.rows,
        },
      ],
      now,
    );
    next.audit = audit;
    return { change: { record: next, audit: entries }, result: undefined };
  });
  return infoOf(loaded);
}

export const undo = (ctx: EngineContext, id: string, opts: ActorOptions): Promise<SessionInfo> =>
  moveCurrent(ctx, id, 'undo', (record, now) => applyUndo(record, ctx.maxVersions, now), opts);

export const redo = (ctx: EngineContext, id: string, opts: ActorOptions): Promise<SessionInfo> =>
  moveCurrent(ctx, id, 'redo', (record, now) => applyRedo(record, ctx.maxVersions, now), opts);

export function restore(
  ctx: EngineContext,
  id: string,
  version: number,
  opts: ActorOptions,
): Promise<SessionInfo> {
  assertVersionNumber(version);
  const transition = (record: SessionRecord, now: string) =>
    applyRestore(record, version, ctx.maxVersions, now, opts.user);
  return moveCurrent(ctx, id, 'restore', transition, opts, { version });
}

export async function listVersions(ctx: EngineContext, id: string): Promise<VersionInfo[]> {
  return (await open(ctx, id)).record.history.map((entry) => ({ ...entry.info }));
}
