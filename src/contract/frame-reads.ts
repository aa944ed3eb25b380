/** Types of partial reads and frame diffs (§2); re-exported by storage-backend.ts. */

/** Which part of a frame to read: only `columns` (in the order asked), rows `[offset, offset + limit)`. */
export interface ReadOptions {
  columns?: string[];
  offset?: number;
  limit?: number;
}

/** A version number, or the session's current frame. */
export type VersionRef = number | 'current';

/** What changed between two frames; column names in schema order. */
export interface FrameDiff {
  rowsBefore: number;
  rowsAfter: number;
  /** In `after` order. */
  columnsAdded: string[];
  /** In `before` order. */
  columnsRemoved: string[];
  /** Type or any value differs (a row-count change changes every common column); in `after` order. */
  columnsChanged: string[];
  /** In `after` order. */
  columnsUnchanged: string[];
}
