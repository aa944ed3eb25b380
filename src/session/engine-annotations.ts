import type {
  AuditEntry,
  AuditInput,
  AuditQuery,
  CellRef,
  Mark,
  MarkedCell,
  SessionInfo,
} from '../contract/storage-backend.js';
import {
  appendAudit,
  assertColumnsExist,
  auditPage,
  cloneJson,
  mergeMetadata,
  removeMarks,
  upsertMarks,
} from './annotations.js';
import { type EngineContext, infoOf, open, readLiveFrame } from './engine-context.js';
import {
  assertAuditInput,
  assertAuditQuery,
  assertCells,
  assertMarks,
  assertMetadataPatch,
  assertTtl,
} from './validate.js';

/** A session's side data (metadata, audit, marks) and its TTL. None of these changes `version`. */

export async function getMetadata(ctx: EngineContext, id: string): Promise<Record<string, unknown>> {
  return cloneJson((await open(ctx, id)).record.metadata);
}

export async function updateMetadata(
  ctx: EngineContext,
  id: string,
  patch: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  assertMetadataPatch(patch);
  const { result } = await ctx.store.update(id, ({ record }) => {
    const metadata = mergeMetadata(record.metadata, patch);
    return { change: { record: { ...record, metadata } }, result: cloneJson(metadata) };
  });
  return result;
}

export async function addAuditEntry(ctx: EngineContext, id: string, input: AuditInput): Promise<AuditEntry> {
  assertAuditInput(input);
  const { result } = await ctx.store.update(id, ({ record }) => {
    const { audit, entries } = appendAudit(record.audit, [input], new Date().toISOString());
    return { change: { record: { ...record, audit }, audit: entries }, result: entries[0] as AuditEntry };
  });
  return result;
}

export async function getAuditLog(ctx: EngineContext, id: string, query: AuditQuery): Promise<AuditEntry[]> {
  assertAuditQuery(query);
  const { record } = await open(ctx, id);
  return auditPage(await ctx.store.readAudit(id, record), query.offset, query.limit);
}

export async function getInitialRows(ctx: EngineContext, id: string): Promise<number> {
  return (await open(ctx, id)).record.audit.initialRows;
}

/** All-or-nothing: every mark is checked against the current frame (rows and columns) before anything changes. */
export async function markBatch(ctx: EngineContext, id: string, marks: Mark[]): Promise<void> {
  assertMarks(marks);
  await ctx.store.update(id, async ({ record }) => {
    assertMarks(marks, record.current.rows);
    // A chunked frame's manifest names its columns: nothing to decode.
    const names =
      record.current.manifest?.columns.map((column) => column.name) ??
      (await readLiveFrame(ctx, id, () => record.current, false)).schema.fields.map((field) => field.name);
    assertColumnsExist(marks, new Set(names));
    if (marks.length === 0) return { result: undefined };
    const next = upsertMarks(await ctx.store.readMarks(id, record), marks, new Date().toISOString());
    return {
      change: { record: { ...record, marks: { count: next.length } }, marks: next },
      result: undefined,
    };
  });
}

export async function getMarks(ctx: EngineContext, id: string): Promise<MarkedCell[]> {
  const { record } = await open(ctx, id);
  return ctx.store.readMarks(id, record);
}

export async function clearMarks(ctx: EngineContext, id: string, cells?: CellRef[]): Promise<number> {
  if (cells !== undefined) assertCells(cells);
  const { result } = await ctx.store.update(id, async ({ record }) => {
    const { kept, removed } = removeMarks(await ctx.store.readMarks(id, record), cells);
    if (removed === 0) return { result: 0 };
    return { change: { record: { ...record, marks: { count: kept.length } }, marks: kept }, result: removed };
  });
  return result;
}

/** Changes the session's sliding TTL (when given) and slides its expiry. */
export async function touchSession(
  ctx: EngineContext,
  id: string,
  ttlSeconds?: number,
): Promise<SessionInfo> {
  assertTtl(ttlSeconds);
  if (ttlSeconds === undefined) return infoOf(await open(ctx, id));
  const { loaded } = await ctx.store.update(id, ({ record }) => ({
    ...(record.ttlSeconds === ttlSeconds ? {} : { change: { record: { ...record, ttlSeconds } } }),
    result: undefined,
  }));
  return infoOf(loaded);
}
