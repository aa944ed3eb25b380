import type { Table } from 'apache-arrow';
import { StorageError } from '../contract/errors.js';
import type { FrameDiff, ReadOptions, VersionRef } from '../contract/frame-reads.js';
import type { DataManager } from '../manager/data-manager.js';
import { sliceTable } from '../session/read-options.js';

/**
 * The storage calls behind the partial-read and diff routes. A partial read takes the whole frame (a
 * cache hit, and slicing shares its buffers) because the response also reports the frame's row count.
 */

/** A part of a frame, and the rows of the whole frame (the `X-Total-Rows` header). */
export interface FrameRead {
  table: Table;
  totalRows: number;
}

export async function readCurrentFrame(
  manager: DataManager,
  id: string,
  opts: ReadOptions,
): Promise<FrameRead> {
  const whole = await manager.getDataFrame(id);
  return { table: sliceTable(whole, opts), totalRows: whole.numRows };
}

export async function readVersionFrame(
  manager: DataManager,
  id: string,
  version: number,
  opts: ReadOptions,
): Promise<FrameRead> {
  const whole = await manager.getVersion(id, version);
  return { table: sliceTable(whole, opts), totalRows: whole.numRows };
}

/** `from` omitted: the newest history entry (what the current frame was made from, for an update). */
export async function resolveDiffFrom(manager: DataManager, id: string): Promise<number> {
  const versions = await manager.listVersions(id);
  if (versions.length === 0) {
    throw new StorageError('VERSION_NOT_FOUND', `session ${id} has no earlier version to diff against`);
  }
  return Math.max(...versions.map((v) => v.version));
}

export function diffFrames(
  manager: DataManager,
  id: string,
  from: VersionRef,
  to: VersionRef,
): Promise<FrameDiff> {
  return manager.diffVersions(id, from, to);
}
