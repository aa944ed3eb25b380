import { type Data, makeData, Utf8 } from 'apache-arrow';

/**
 * One column of text cells as byte ranges into a shared UTF-8 buffer: the reader never makes a
 * string per cell. `ends` carries ESCAPED_QUOTES in its top bit when the cell holds doubled quotes
 * (`""`) that still have to be collapsed.
 */
export interface TextSlices {
  bytes: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  length: number;
}

export const ESCAPED_QUOTES = 0x80000000;
export const END_MASK = 0x7fffffff;
const QUOTE = 0x22;

/** Growable slices over `bytes`, starting with room for `capacity` cells. */
function newSlices(bytes: Uint8Array, capacity: number): TextSlices {
  const room = Math.max(4, capacity);
  return { bytes, starts: new Uint32Array(room), ends: new Uint32Array(room), length: 0 };
}

/** Appends one cell; `end` may carry ESCAPED_QUOTES. */
export function pushSlice(column: TextSlices, start: number, end: number): void {
  if (column.length === column.starts.length) {
    const starts = new Uint32Array(column.length * 2);
    const ends = new Uint32Array(column.length * 2);
    starts.set(column.starts);
    ends.set(column.ends);
    column.starts = starts;
    column.ends = ends;
  }
  column.starts[column.length] = start;
  column.ends[column.length] = end;
  column.length++;
}

/** Slices over the UTF-8 form of `values` (null stays an empty, null cell). */
export function slicesOfStrings(values: readonly (string | null)[]): TextSlices {
  let total = 0;
  for (const value of values) if (value !== null) total += Buffer.byteLength(value);
  const bytes = Buffer.allocUnsafe(total);
  const column = newSlices(bytes, values.length);
  let at = 0;
  for (const value of values) {
    const written = value === null ? 0 : bytes.write(value, at);
    pushSlice(column, at, at + written);
    at += written;
  }
  return column;
}

/**
 * Growable slices for `width` columns over `bytes`, `capacity` cells each. The first buffers of all
 * columns are views of one allocation: a wide table with few rows would otherwise make two
 * ArrayBuffers per column, and their allocation and collection dominate its parse.
 */
export function newColumnSlices(bytes: Uint8Array, width: number, capacity: number): TextSlices[] {
  const room = Math.max(4, capacity);
  const slab = new Uint32Array(width * room * 2);
  return Array.from({ length: width }, (_, c) => ({
    bytes,
    starts: slab.subarray(2 * c * room, (2 * c + 1) * room),
    ends: slab.subarray((2 * c + 1) * room, (2 * c + 2) * room),
    length: 0,
  }));
}

/** A validity bitmap: bit set = a value; `isNull(i)` decides. Undefined when nothing is null. */
export function validityOf(
  length: number,
  isNull: (index: number) => boolean,
): { bitmap: Uint8Array | undefined; nullCount: number } {
  let first = 0;
  while (first < length && !isNull(first)) first++;
  if (first === length) return { bitmap: undefined, nullCount: 0 };
  const bitmap = new Uint8Array((length + 7) >> 3);
  // Everything before the first null is valid.
  bitmap.fill(0xff, 0, first >> 3);
  for (let i = first & ~7; i < first; i++) bitmap[i >> 3]! |= 1 << (i & 7);
  let nullCount = 0;
  for (let i = first; i < length; i++) {
    if (isNull(i)) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap, nullCount };
}

/** An Arrow Utf8 column straight from the slices (bytes copied once, `""` collapsed); empty → null. */
export function utf8Data(column: TextSlices, emptyIsNull = true): Data<Utf8> {
  const { bytes, starts, ends, length } = column;
  let total = 0;
  for (let i = 0; i < length; i++) total += (ends[i]! & END_MASK) - starts[i]!;
  const data = new Uint8Array(total);
  const offsets = new Int32Array(length + 1);
  let at = 0;
  for (let i = 0; i < length; i++) {
    const raw = ends[i]!;
    const end = raw & END_MASK;
    let s = starts[i]!;
    if (raw > END_MASK) {
      // Collapse each `""` into one quote.
      while (s < end) {
        const c = bytes[s++]!;
        data[at++] = c;
        if (c === QUOTE) s++;
      }
    } else if (end - s > 32) {
      data.set(bytes.subarray(s, end), at);
      at += end - s;
    } else {
      while (s < end) data[at++] = bytes[s++]!;
    }
    offsets[i + 1] = at;
  }
  const { bitmap, nullCount } = validityOf(length, (i) => emptyIsNull && starts[i] === (ends[i]! & END_MASK));
  return makeData({
    type: new Utf8(),
    length,
    nullCount,
    nullBitmap: bitmap,
    valueOffsets: offsets,
    data: at === total ? data : data.subarray(0, at),
  });
}
