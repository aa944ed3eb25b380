import type { Table } from 'apache-arrow';
import type { FrameDiff, ReadOptions, VersionRef } from '../contract/frame-reads.js';
import { type EngineContext, readLiveFrame } from './engine-context.js';
import { diffTables } from './frame-diff.js';
import { findVersionFrame, versionNotFound } from './history.js';
import { assertReadOptions, sliceTable } from './read-options.js';
import type { SessionRecord } from './store.js';
import { assertVersionRef } from './validate.js';

/** Reads of frames: whole, partial (§2 ReadOptions) and diffs between two frames of a session. */

/** The frame id a version reference names in a record (VERSION_NOT_FOUND when it holds none). */
function frameOf(record: SessionRecord, ref: VersionRef): string {
  if (ref === 'current') return record.current.frameId;
  const frame = findVersionFrame(record, ref);
  if (frame === undefined) throw versionNotFound(ref);
  return frame.frameId;
}

export async function readFrame(
  ctx: EngineContext,
  id: string,
  ref: VersionRef,
  opts: ReadOptions | undefined,
): Promise<Table> {
  assertReadOptions(opts);
  const whole = await readLiveFrame(ctx, id, (record) => frameOf(record, ref));
  return opts === undefined ? whole : sliceTable(whole, opts);
}

/** Columns by name: added, removed, changed (type or any value), unchanged; row counts of both frames. */
export async function diffVersions(
  ctx: EngineContext,
  id: string,
  from: VersionRef,
  to: VersionRef,
): Promise<FrameDiff> {
  assertVersionRef(from, 'from');
  assertVersionRef(to, 'to');
  const before = await readLiveFrame(ctx, id, (record) => frameOf(record, from));
  const after = await readLiveFrame(ctx, id, (record) => frameOf(record, to), false);
  return diffTables(before, after);
}
