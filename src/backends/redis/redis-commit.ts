import { StorageError, uploadNotFound } from '../../contract/errors.js';
import { randomId } from '../../contract/ids.js';
import type { MarkedCell } from '../../contract/storage-backend.js';
import { isChunkId } from '../../session/chunks/manifest.js';
import { framesToWrite, referencedFrames, type SessionChange } from '../../session/store.js';
import type { RedisContext } from './redis-context.js';
import { discardChunks, splitFrame, writeChunks } from './redis-frames.js';
import { INLINE_FRAME_BYTES } from './redis-lua-prelude.js';
import { metadataFlat, type RedisLoaded, sameFrames, stateFields } from './redis-record.js';
import { replyText } from './redis-state.js';

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

/** An update sends only the state fields that differ from its base (all of them for a new session). */
function changedFields(
  fields: Record<string, string>,
  base: RedisLoaded | undefined,
): Record<string, string> {
  if (base === undefined) return fields;
  base.fields ??= stateFields(base.record, base.chunks);
  const known = base.fields;
  const changed = Object.fromEntries(Object.entries(fields).filter(([name, value]) => known[name] !== value));
  // A field the new state no longer has (the manifest of a dropped frame) is sent empty: the script deletes it.
  for (const name of Object.keys(known)) if (!(name in fields)) changed[name] = '';
  return changed;
}

/**
 * One commit script call. Frames too large to travel inside the call are written first into stage keys
 * (invisible, with a provisional TTL; the script moves them into the frames hash) and removed again when the
 * commit is refused. Returns the outcome and the committed state.
 */
export async function commitSession(
  ctx: RedisContext,
  request: CommitRequest,
): Promise<{ outcome: CommitOutcome; next: RedisLoaded }> {
  const { change, base } = request;
  const id = change.record.sessionId;
  const toWrite = framesToWrite(base?.record, change);
  // A version move, metadata, marks or audit change names the frames its base named: the blob fields and
  // part counts are the base's, and nothing here costs anything per column chunk.
  const sameBlobs =
    base !== undefined && toWrite.length === 0 && sameFrames(base.record, change.record) ? base : undefined;
  const chunks = sameBlobs !== undefined ? sameBlobs.chunks : new Map(base?.chunks ?? []);
  const frameArgs: (string | Buffer)[] = [];
  const pending: string[] = [];
  let uploadKey: string | undefined;
  let consume = false;
  try {
    // Only blobs the committed record names and its base does not (a batch may add and drop one; a chunk may
    // already be stored): anything else would be a key no state lists, never pinned nor deleted.
    for (const frame of toWrite) {
      const { source } = frame;
      if (source.kind === 'sheet') {
        const n = source.sheet.chunks ?? 1;
        (chunks as Map<string, number>).set(frame.frameId, n);
        uploadKey = ctx.keys.upload(source.uploadId);
        consume ||= source.consume;
        frameArgs.push(frame.frameId, String(n), '', source.sheet.frameId);
        continue;
      }
      const bytes = Buffer.isBuffer(source.bytes)
        ? source.bytes
        : Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
      const parts = splitFrame(bytes, ctx.chunkBytes);
      (chunks as Map<string, number>).set(frame.frameId, parts.length);
      if (parts.length === 1 && bytes.length <= INLINE_FRAME_BYTES) {
        frameArgs.push(frame.frameId, '1', bytes, '');
      } else {
        const keys = ctx.keys.stageKeys(id, frame.frameId, parts.length);
        // A content-addressed chunk's stage key may be another commit's too: never discard those (it expires).
        if (!isChunkId(frame.frameId)) pending.push(...keys);
        await writeChunks(ctx, keys, parts, change.record.ttlSeconds);
        frameArgs.push(frame.frameId, String(parts.length), '', '');
      }
    }
    const record = change.record;
    // Random, not a counter: a session deleted and imported again can never reuse a revision.
    const rev = randomId(9);
    if (sameBlobs !== undefined) sameBlobs.fields ??= stateFields(sameBlobs.record, sameBlobs.chunks);
    const fields = stateFields(record, chunks, sameBlobs?.fields);
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
    let named = chunks;
    if (sameBlobs === undefined) {
      const live = referencedFrames(committed);
      named = new Map([...chunks].filter(([frameId]) => live.has(frameId)));
      if (base !== undefined) {
        for (const frameId of base.chunks.keys()) if (!live.has(frameId)) ctx.cache.dropFrames(id, frameId);
      }
    }
    const next: RedisLoaded = {
      record: committed,
      expiresAtMs: outcome.expiresAtMs,
      rev: outcome.rev,
      chunks: named,
      metadataJson: meta,
      fields: { ...fields, updated: outcome.updatedAt },
    };
    return { outcome, next };
  } catch (error) {
    // A refused commit leaves nothing; one whose outcome is unknown may have made the chunks live.
    const unknown = (error as StorageError).details?.outcome === 'unknown';
    if (!unknown) await discardChunks(ctx, pending);
    throw error;
  }
}
