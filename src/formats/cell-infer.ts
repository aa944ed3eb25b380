import {
  Bool,
  type Data,
  DateDay,
  Float64,
  Int64,
  makeData,
  Timestamp,
  TimeUnit,
  type Utf8,
} from 'apache-arrow';
import type { TextSlices } from './cell-slices.js';
import * as slices from './cell-slices.js';
import type { IsoTimestamp } from './cell-text.js';
import * as cellText from './cell-text.js';

// Bound once: transpiled (CommonJS, tsx) imports read through a getter on every access, which
// costs more than the work itself in loops that run once per cell.
const { END_MASK, utf8Data, validityOf } = slices;
const {
  BEYOND_INT64,
  booleanCell,
  floatValue,
  INT64,
  isoDateAt,
  isoTimestampCell,
  NOT_NUMBER,
  numberCell,
  smallIntValue,
} = cellText;

/**
 * Type inference for one column of text cells (docs/formats.md): the narrowest kind every non-empty
 * cell fits, in the order int64, float64, bool, date, timestamp; one misfit makes it utf8 with the
 * text kept as typed. Empty cells are null.
 */

/** What the first pass over a column found. */
interface Fits {
  ints: boolean;
  floats: boolean;
  bools: boolean;
  dates: boolean;
  stamps: boolean;
  /** Any cell had a time part (otherwise a date/time column is a date column). */
  anyTime: boolean;
  /** 0 = no timestamp yet, 1 = naive, 2 = with Z or an offset. */
  zone: number;
  maxFraction: number;
  minSeconds: number;
  maxSeconds: number;
  nonEmpty: number;
}

const scratch: IsoTimestamp = { seconds: 0, fraction: 0, fractionDigits: 0, zoned: false };

function measure(column: TextSlices, numbers: boolean): Fits {
  const { bytes, starts, ends, length } = column;
  const fit: Fits = {
    ints: numbers,
    floats: numbers,
    bools: numbers,
    dates: true,
    stamps: true,
    anyTime: false,
    zone: 0,
    maxFraction: 0,
    minSeconds: 0,
    maxSeconds: 0,
    nonEmpty: 0,
  };
  for (let i = 0; i < length; i++) {
    const s = starts[i]!;
    const raw = ends[i]!;
    const e = raw & END_MASK;
    if (s === e) continue;
    fit.nonEmpty++;
    if (raw > END_MASK)
      return { ...fit, ints: false, floats: false, bools: false, dates: false, stamps: false };
    if (fit.ints || fit.floats) {
      const kind = numberCell(bytes, s, e);
      if (kind !== INT64) fit.ints = false;
      // Beyond int64: float64 would silently round it, so the column stays text.
      if (kind === NOT_NUMBER || kind === BEYOND_INT64) fit.floats = false;
    }
    if (fit.bools && booleanCell(bytes, s, e) < 0) fit.bools = false;
    if (fit.dates || fit.stamps) measureTemporal(bytes, s, e, fit);
    if (!fit.ints && !fit.floats && !fit.bools && !fit.dates && !fit.stamps) break;
  }
  return fit;
}

function measureTemporal(bytes: Uint8Array, s: number, e: number, fit: Fits): void {
  let seconds: number;
  let zone = 1;
  if (e - s === 10) {
    const days = isoDateAt(bytes, s);
    if (Number.isNaN(days)) {
      fit.dates = false;
      fit.stamps = false;
      return;
    }
    seconds = days * 86400;
  } else if (isoTimestampCell(bytes, s, e, scratch)) {
    fit.dates = false;
    fit.anyTime = true;
    seconds = scratch.seconds;
    zone = scratch.zoned ? 2 : 1;
    if (scratch.fractionDigits > fit.maxFraction) fit.maxFraction = scratch.fractionDigits;
  } else {
    fit.dates = false;
    fit.stamps = false;
    return;
  }
  // Naive and zoned values in one column have no common meaning: a bare date is naive.
  if (fit.zone !== 0 && fit.zone !== zone) fit.stamps = false;
  fit.zone = zone;
  if (fit.nonEmpty === 1 || seconds < fit.minSeconds) fit.minSeconds = seconds;
  if (fit.nonEmpty === 1 || seconds > fit.maxSeconds) fit.maxSeconds = seconds;
}

// int64 nanoseconds reach 1677-09-21 … 2262-04-11; beyond that a nanosecond column stays text.
const NS_LIMIT_SECONDS = 9_223_372_035;
const TWO_32 = 4294967296;

/** Writes a safe integer into slot `i` of a BigInt64Array's Int32 view (little-endian). */
function setSmallInt64(view: Int32Array, i: number, value: number): void {
  const hi = Math.floor(value / TWO_32);
  view[2 * i] = (value - hi * TWO_32) | 0;
  view[2 * i + 1] = hi;
}

const NO_NULLS = { bitmap: undefined, nullCount: 0 };

/** The validity of a typed column; `nonEmpty` (counted while measuring) spares the pass when no cell is null. */
const validity = (column: TextSlices, nonEmpty: number) =>
  nonEmpty === column.length
    ? NO_NULLS
    : validityOf(column.length, (i) => column.starts[i] === (column.ends[i]! & END_MASK));

/** The column as Arrow data. `numbers` false: only dates and timestamps are inferred (JSON strings). */
export function inferTextData(column: TextSlices, numbers = true): Data {
  const fit = measure(column, numbers);
  if (fit.nonEmpty === 0) return utf8Data(column);
  if (fit.ints) return int64Data(column, fit.nonEmpty);
  if (fit.floats) return float64Data(column, fit.nonEmpty);
  if (fit.bools) return boolData(column, fit.nonEmpty);
  if (fit.dates) return dateData(column, fit.nonEmpty);
  if (fit.stamps && fit.anyTime) {
    const nanos = fit.maxFraction > 6;
    const inRange = fit.minSeconds > -NS_LIMIT_SECONDS && fit.maxSeconds < NS_LIMIT_SECONDS;
    if (!nanos || inRange) return timestampData(column, fit.nonEmpty, nanos, fit.zone === 2);
  }
  return utf8Data(column) as Data<Utf8>;
}

function int64Data(column: TextSlices, nonEmpty: number): Data {
  const { bytes, starts, ends, length } = column;
  const values = new BigInt64Array(length);
  const view = new Int32Array(values.buffer);
  for (let i = 0; i < length; i++) {
    const s = starts[i]!;
    const e = ends[i]!;
    if (s === e) continue;
    if (e - s <= 15) setSmallInt64(view, i, smallIntValue(bytes, s, e));
    else values[i] = BigInt(Buffer.from(bytes.buffer, bytes.byteOffset + s, e - s).toString('latin1'));
  }
  const { bitmap, nullCount } = validity(column, nonEmpty);
  return makeData({ type: new Int64(), length, nullCount, nullBitmap: bitmap, data: values });
}

function float64Data(column: TextSlices, nonEmpty: number): Data {
  const { bytes, starts, ends, length } = column;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (s: number, e: number) => buffer.toString('latin1', s, e);
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const s = starts[i]!;
    const e = ends[i]!;
    if (s !== e) values[i] = floatValue(bytes, s, e, text);
  }
  const { bitmap, nullCount } = validity(column, nonEmpty);
  return makeData({ type: new Float64(), length, nullCount, nullBitmap: bitmap, data: values });
}

function boolData(column: TextSlices, nonEmpty: number): Data {
  const { bytes, starts, ends, length } = column;
  const values = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) {
    if (booleanCell(bytes, starts[i]!, ends[i]!) === 1) values[i >> 3]! |= 1 << (i & 7);
  }
  const { bitmap, nullCount } = validity(column, nonEmpty);
  return makeData({ type: new Bool(), length, nullCount, nullBitmap: bitmap, data: values });
}

function dateData(column: TextSlices, nonEmpty: number): Data {
  const { bytes, starts, ends, length } = column;
  const values = new Int32Array(length);
  for (let i = 0; i < length; i++) if (starts[i] !== ends[i]) values[i] = isoDateAt(bytes, starts[i]!);
  const { bitmap, nullCount } = validity(column, nonEmpty);
  return makeData({ type: new DateDay(), length, nullCount, nullBitmap: bitmap, data: values });
}

const MICRO_SCALE = [1e6, 1e5, 1e4, 1e3, 100, 10, 1];
const NANO_SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1];
// Below this many seconds from the epoch (years ~1685–2255) µs values are exact as doubles.
const SAFE_MICRO_SECONDS = 9e9;

/** Microseconds when every cell has at most 6 fraction digits, else nanoseconds; always exact. */
function timestampData(column: TextSlices, nonEmpty: number, nanos: boolean, zoned: boolean): Data {
  const { bytes, starts, ends, length } = column;
  const values = new BigInt64Array(length);
  const view = new Int32Array(values.buffer);
  for (let i = 0; i < length; i++) {
    const s = starts[i]!;
    const e = ends[i]!;
    if (s === e) continue;
    if (e - s === 10) {
      scratch.seconds = isoDateAt(bytes, s) * 86400;
      scratch.fraction = 0;
      scratch.fractionDigits = 0;
    } else {
      isoTimestampCell(bytes, s, e, scratch);
    }
    const { seconds, fraction, fractionDigits } = scratch;
    if (nanos) {
      values[i] = BigInt(seconds) * 1_000_000_000n + BigInt(fraction * NANO_SCALE[fractionDigits]!);
    } else if (Math.abs(seconds) < SAFE_MICRO_SECONDS) {
      setSmallInt64(view, i, seconds * 1e6 + fraction * MICRO_SCALE[fractionDigits]!);
    } else {
      values[i] = BigInt(seconds) * 1_000_000n + BigInt(fraction * MICRO_SCALE[fractionDigits]!);
    }
  }
  const { bitmap, nullCount } = validity(column, nonEmpty);
  const type = new Timestamp(nanos ? TimeUnit.NANOSECOND : TimeUnit.MICROSECOND, zoned ? 'UTC' : null);
  return makeData({ type, length, nullCount, nullBitmap: bitmap, data: values });
}
