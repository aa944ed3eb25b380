import { corruptData, invalidInput } from '../../contract/errors.js';
import type { CellRef, Mark, MarkedCell } from '../../contract/storage-backend.js';
import { readSmallSync } from './inmemory-files.js';

/** Intentional-missing marks as pure list operations; the list lives in an immutable marks-<blob>.json file. */

const cellKey = (cell: CellRef): string => `${cell.row}\u0000${cell.column}`;

const byCell = (a: MarkedCell, b: MarkedCell): number =>
  a.row - b.row || (a.column < b.column ? -1 : a.column > b.column ? 1 : 0);

export function readMarks(file: string | null, sessionId: string): MarkedCell[] {
  if (file === null) return [];
  const bytes = readSmallSync(file);
  if (bytes === undefined) throw corruptData(`session ${sessionId}: marks file is missing`);
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (!Array.isArray(parsed)) throw new TypeError('not an array');
    return parsed as MarkedCell[];
  } catch (error) {
    throw corruptData(`session ${sessionId}: marks file is malformed`, error);
  }
}

/** Every mark must name a column of the current frame; checked for the whole batch before anything changes. */
export function assertColumnsExist(marks: Mark[], columns: ReadonlySet<string>): void {
  for (const mark of marks) {
    if (!columns.has(mark.column)) throw invalidInput(`column ${JSON.stringify(mark.column)} does not exist`);
  }
}

/** Adds marks; marking a cell again replaces its reason and time. Sorted by row, then column. */
export function upsertMarks(existing: MarkedCell[], marks: Mark[], markedAt: string): MarkedCell[] {
  const byKey = new Map(existing.map((mark) => [cellKey(mark), mark]));
  for (const mark of marks) {
    byKey.set(cellKey(mark), {
      row: mark.row,
      column: mark.column,
      ...(mark.reason !== undefined ? { reason: mark.reason } : {}),
      markedAt,
    });
  }
  return [...byKey.values()].sort(byCell);
}

/** Removes the given cells (all when omitted); unknown cells are ignored. */
export function removeMarks(
  existing: MarkedCell[],
  cells?: CellRef[],
): { kept: MarkedCell[]; removed: number } {
  if (cells === undefined) return { kept: [], removed: existing.length };
  const doomed = new Set(cells.map(cellKey));
  const kept = existing.filter((mark) => !doomed.has(cellKey(mark)));
  return { kept, removed: existing.length - kept.length };
}
