import { invalidInput, type StorageError } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';
import type {
  AuditEntry,
  AuditInput,
  AuditQuery,
  CellRef,
  Mark,
  MarkedCell,
} from '../../contract/storage-backend.js';
import { assertAuditQuery, assertCells, assertMarks } from '../../session/validate.js';
import { SameTurnBatches } from './redis-coalesce.js';
import type { RedisContext } from './redis-context.js';
import { auditTail, metadataPairs, toJson } from './redis-input.js';
import type { ScriptFailure } from './redis-scripts.js';
import { readFrame } from './redis-sessions.js';
import { parseAuditEntry, parseMarks, parseMetadata, replyText } from './redis-state.js';

/** Metadata, audit log and intentional-missing marks. None of them changes the session version. */

/** Per backend: concurrent metadata reads of one session share a call; audit appends share a script. */
const batches = new WeakMap<
  RedisContext,
  { meta: SameTurnBatches<string, unknown>; audit: SameTurnBatches<string, unknown> }
>();

function batchesOf(ctx: RedisContext) {
  let found = batches.get(ctx);
  if (found === undefined) {
    const idOf = (key: string) => key.slice(0, key.indexOf('|'));
    found = {
      meta: new SameTurnBatches<string, unknown>(async (key) => {
        const id = idOf(key);
        return [await ctx.script('fsMeta', [ctx.keys.state(id)], ['get', ''], { id })];
      }),
      audit: new SameTurnBatches<string, unknown>(async (key, tails) => {
        const id = idOf(key);
        const guard = key.slice(key.indexOf('|') + 1);
        return (await ctx.script('fsAudit', [ctx.keys.state(id)], ['add', guard, ...tails], {
          id,
        })) as unknown[];
      }),
    };
    batches.set(ctx, found);
  }
  return found;
}

export async function getMetadata(ctx: RedisContext, id: string): Promise<Record<string, unknown>> {
  assertValidId(id);
  ctx.ensureOpen();
  const flat = (await batchesOf(ctx).meta.add(`${id}|`, '')) as unknown[];
  return parseMetadata(flat);
}

/** Shallow merge; a null value deletes the key. Returns the merged metadata. */
export async function updateMetadata(
  ctx: RedisContext,
  id: string,
  patch: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  assertValidId(id);
  const fields = metadataPairs(patch, true);
  const guard = ctx.guard(id);
  const flat = (await ctx.script('fsMeta', [ctx.keys.state(id)], ['set', guard, ...fields], {
    id,
  })) as unknown[];
  return parseMetadata(flat);
}

export async function addAuditEntry(ctx: RedisContext, id: string, entry: AuditInput): Promise<AuditEntry> {
  assertValidId(id);
  const tail = auditTail({ ...entry, at: new Date().toISOString() });
  const guard = ctx.guard(id);
  ctx.ensureOpen();
  return parseAuditEntry(await batchesOf(ctx).audit.add(`${id}|${guard}`, tail));
}

/** Oldest first; `limit` omitted = to the end. */
export async function getAuditLog(
  ctx: RedisContext,
  id: string,
  query: AuditQuery = {},
): Promise<AuditEntry[]> {
  assertValidId(id);
  assertAuditQuery(query);
  const offset = query.offset ?? 0;
  const stop = query.limit === undefined ? -1 : offset + query.limit - 1;
  const raw = (await ctx.script('fsAudit', [ctx.keys.state(id)], ['get', offset, stop], { id })) as unknown[];
  return raw.map(parseAuditEntry);
}

export async function getInitialRows(ctx: RedisContext, id: string): Promise<number> {
  assertValidId(id);
  return Number(replyText(await ctx.script('fsAudit', [ctx.keys.state(id)], ['initial'], { id })));
}

/** Records the column names of the current frame when unknown (sessions imported without them). */
async function fillSchema(ctx: RedisContext, id: string, frameId: string): Promise<void> {
  const { entry, table } = await readFrame(ctx, id);
  if (entry.f !== frameId) return;
  const columns = JSON.stringify(table.schema.fields.map((field) => field.name));
  await ctx.script('fsSchema', [ctx.keys.state(id)], [frameId, columns], { id });
}

/** All-or-nothing; every column must exist in the current frame; re-marking a cell replaces it. */
export async function markBatch(ctx: RedisContext, id: string, marks: Mark[]): Promise<void> {
  assertValidId(id);
  assertMarks(marks);
  const markedAt = new Date().toISOString();
  const triples: string[] = [];
  marks.forEach((mark) => {
    const value = toJson({ ...(mark.reason !== undefined ? { reason: mark.reason } : {}), markedAt }, 'mark');
    triples.push(String(mark.row), mark.column, value);
  });
  if (triples.length === 0) {
    await ctx.script('fsMarks', [ctx.keys.state(id)], ['get'], { id });
    return;
  }
  let missingSchema: string | undefined;
  const onFailure = (failure: ScriptFailure): StorageError | undefined => {
    if (failure.code === 'NEED_SCHEMA') missingSchema = failure.detail;
    if (failure.code !== 'INVALID_INPUT') return undefined;
    if (failure.detail.startsWith('row:')) {
      const index = Number(failure.detail.slice(4));
      return invalidInput(
        `marks[${index}].row ${marks[index]?.row} is outside the current frame of session ${id}`,
      );
    }
    const bad = marks[Number(failure.detail)];
    return invalidInput(`column ${JSON.stringify(bad?.column)} does not exist in session ${id}`);
  };
  for (let attempt = 0; ; attempt += 1) {
    const guard = ctx.guard(id);
    try {
      await ctx.script('fsMarks', [ctx.keys.state(id)], ['set', guard, ...triples], { id, onFailure });
      return;
    } catch (error) {
      if (missingSchema === undefined || attempt > 1) throw error;
      await fillSchema(ctx, id, missingSchema);
      missingSchema = undefined;
    }
  }
}

export async function getMarks(ctx: RedisContext, id: string): Promise<MarkedCell[]> {
  assertValidId(id);
  const flat = (await ctx.script('fsMarks', [ctx.keys.state(id)], ['get'], { id })) as unknown[];
  return parseMarks(flat);
}

/** Clears the given cells, or all marks; returns how many were removed. */
export async function clearMarks(ctx: RedisContext, id: string, cells?: CellRef[]): Promise<number> {
  assertValidId(id);
  const args: string[] = [];
  if (cells !== undefined) {
    assertCells(cells);
    cells.forEach((cell) => {
      args.push(String(cell.row), cell.column);
    });
    if (args.length === 0) {
      await ctx.script('fsMarks', [ctx.keys.state(id)], ['get'], { id });
      return 0;
    }
  }
  const guard = ctx.guard(id);
  return Number(await ctx.script('fsMarks', [ctx.keys.state(id)], ['clear', guard, ...args], { id }));
}
