import type { Table } from 'apache-arrow';
import type { FrameDiff, ReadOptions, VersionRef } from '../contract/frame-reads.js';
import { type EngineContext, open, readLiveFrame } from './engine-context.js';
import { diffTables } from './frame-diff.js';
import { findVersionFrame, versionNotFound } from './history.js';
import { assertReadOptions } from './read-options.js';
import type { FrameRef, SessionRecord } from './store.js';
import { assertVersionRef } from './validate.js';

/** Reads of frames: whole, partial (§2 ReadOptions) and diffs between two frames of a session. */

/** The frame a version reference names in a record (VERSION_NOT_FOUND when it holds none). */
function frameOf(record: SessionRecord, ref: VersionRef): FrameRef {
  if (ref === 'current') return record.current;
  const frame = findVersionFrame(record, ref);
  if (frame === undefined) throw versionNotFound(ref);
  return frame;
}

/** Only the chunks the read needs are fetched and decoded (a whole-format frame is read whole, then cut). */
export async function readFrame(
  ctx: EngineContext,
  id: string,
  ref: VersionRef,
  opts: ReadOptions | undefined,
): Promise<Table> {
  assertReadOptions(opts);
  return readLiveFrame(ctx, id, (record) => frameOf(record, ref), true, opts);
}

/** Column name → its chunk ids joined (first column of a name, as diffTables compares). */
function chunkLists(frame: FrameRef): Map<string, string> | undefined {
  if (frame.manifest === undefined) return undefined;
  const lists = new Map<string, string>();
  for (const column of frame.manifest.columns)
    if (!lists.has(column.name)) lists.set(column.name, column.chunks.join(','));
  return lists;
}

/**
 * Columns by name: added, removed, changed (type or any value), unchanged; row counts of both frames. Two
 * chunked frames are compared by manifest first: a column naming the same chunks in both is unchanged without
 * decoding a value; only the other columns are read, and only those.
 */
export async function diffVersions(
  ctx: EngineContext,
  id: string,
  from: VersionRef,
  to: VersionRef,
): Promise<FrameDiff> {
  assertVersionRef(from, 'from');
  assertVersionRef(to, 'to');
  const { record } = await open(ctx, id);
  const before = chunkLists(frameOf(record, from));
  const after = chunkLists(frameOf(record, to));
  if (before === undefined || after === undefined) {
    const a = await readLiveFrame(ctx, id, (r) => frameOf(r, from), false);
    const b = await readLiveFrame(ctx, id, (r) => frameOf(r, to), false);
    return diffTables(a, b);
  }
  const unchanged = [...after].filter(([name, chunks]) => before.get(name) === chunks).map(([name]) => name);
  const same = new Set(unchanged);
  const suspects = [...after.keys()].filter((name) => before.has(name) && !same.has(name));
  const diff: FrameDiff = {
    rowsBefore: frameOf(record, from).rows,
    rowsAfter: frameOf(record, to).rows,
    columnsAdded: [...after.keys()].filter((name) => !before.has(name)),
    columnsRemoved: [...before.keys()].filter((name) => !after.has(name)),
    columnsChanged: [],
    columnsUnchanged: [],
  };
  let changed = new Set<string>();
  if (suspects.length > 0) {
    const opts = { columns: suspects };
    const a = await readLiveFrame(ctx, id, (r) => frameOf(r, from), false, opts);
    const b = await readLiveFrame(ctx, id, (r) => frameOf(r, to), false, opts);
    changed = new Set(diffTables(a, b).columnsChanged);
  }
  for (const name of after.keys()) {
    if (!before.has(name)) continue;
    (changed.has(name) ? diff.columnsChanged : diff.columnsUnchanged).push(name);
  }
  return diff;
}
