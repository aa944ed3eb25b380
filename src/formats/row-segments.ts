import { type Data, type Table, Type } from 'apache-arrow';
import { type CellReader, cellReader } from './cell-format.js';
import { isSafeBig } from './number-text.js';

/** About how many characters each piece of streamed JSON/CSV text holds (the last may be shorter). */
export const DEFAULT_CHUNK_CHARS = 64 * 1024;

/** Rows `[start, end)` where every column sits in one chunk: `readers[c]` reads row `r` at `r - bases[c]`. */
export interface RowSegment {
  start: number;
  end: number;
  readers: CellReader[];
  bases: number[];
}

/** Whether any 64-bit integer in this chunk (or nested inside it) is beyond ±(2^53 − 1). */
function holdsUnsafeBig(data: Data): boolean {
  const values = data.values as unknown;
  if (data.typeId === Type.Int && (values instanceof BigInt64Array || values instanceof BigUint64Array)) {
    for (let i = 0; i < data.length; i++) {
      if (!isSafeBig(values[i]!) && data.getValid(i)) return true;
    }
    return false;
  }
  if (data.dictionary?.data.some(holdsUnsafeBig)) return true;
  return data.children.some(holdsUnsafeBig);
}

/**
 * Walks a table in segments aligned to every column's chunk boundaries (columns of a frame loaded from
 * column chunks need not share them), so each row is read without searching for its chunk.
 * A column's 64-bit integers are JSON strings when one of them would lose digits as a number, so a
 * column never mixes numbers and strings.
 */
export function* rowSegments(table: Table): Generator<RowSegment> {
  const columns = table.schema.fields.map((_, c) => table.getChildAt(c)!.data);
  const bigAsString = columns.map((chunks) => chunks.some(holdsUnsafeBig));
  const bounds = new Set<number>([0, table.numRows]);
  for (const chunks of columns) {
    let at = 0;
    for (const chunk of chunks) {
      bounds.add(at);
      at += chunk.length;
    }
  }
  const cuts = [...bounds].filter((b) => b <= table.numRows).sort((a, b) => a - b);
  // Per column: the chunk in use, where it starts, and its reader (a chunk may span several segments).
  const chunkIndex = columns.map(() => -1);
  const bases = columns.map(() => 0);
  const readers: CellReader[] = new Array(columns.length);
  for (let s = 0; s + 1 < cuts.length; s++) {
    const start = cuts[s]!;
    const end = cuts[s + 1]!;
    if (end <= start) continue;
    for (let c = 0; c < columns.length; c++) {
      const chunks = columns[c]!;
      let next = chunkIndex[c]!;
      let base = bases[c]!;
      if (next < 0) {
        next = 0;
        base = 0;
      }
      while (next < chunks.length - 1 && base + chunks[next]!.length <= start) base += chunks[next++]!.length;
      if (next !== chunkIndex[c]) {
        chunkIndex[c] = next;
        bases[c] = base;
        readers[c] = cellReader(chunks[next]!, { bigAsString: bigAsString[c]! });
      }
    }
    yield { start, end, readers: [...readers], bases: [...bases] };
  }
}
