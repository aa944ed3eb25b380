/**
 * Byte-level recognisers for text cells (CSV fields, JSON strings encoded as UTF-8). They read the
 * bytes in place, so inferring a column allocates no string per cell. Every rule is ASCII-only: a
 * cell holding any other byte is text.
 */

const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;

/** `true`/`false` in any case → 1/0; anything else → -1. */
export function booleanCell(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 4) {
    return (b[s]! | 0x20) === 0x74 &&
      (b[s + 1]! | 0x20) === 0x72 &&
      (b[s + 2]! | 0x20) === 0x75 &&
      (b[s + 3]! | 0x20) === 0x65
      ? 1
      : -1;
  }
  if (n === 5) {
    return (b[s]! | 0x20) === 0x66 &&
      (b[s + 1]! | 0x20) === 0x61 &&
      (b[s + 2]! | 0x20) === 0x6c &&
      (b[s + 3]! | 0x20) === 0x73 &&
      (b[s + 4]! | 0x20) === 0x65
      ? 0
      : -1;
  }
  return -1;
}

/** What numberCell found: not a number, an int64, an integer beyond int64 (kept as text, never rounded), a decimal. */
export const NOT_NUMBER = 0;
export const INT64 = 1;
export const BEYOND_INT64 = 2;
export const DECIMAL = 3;

const INT64_MAX_DIGITS = '9223372036854775807';
const INT64_MIN_DIGITS = '9223372036854775808';

/**
 * One pass over a cell: an integer is `[+-]?(0|[1-9][0-9]*)` (no leading zeros, since "007" and
 * "01234" are identifiers such as zip codes, not numbers); a decimal adds `.[0-9]*` (or is `.[0-9]+`)
 * and/or an exponent `[eE][+-]?[0-9]+`, the syntax JSON and pandas read as floats.
 */
export function numberCell(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const sign = b[i];
  if (sign === PLUS || sign === MINUS) i++;
  const first = i;
  if (b[i] === ZERO) i++;
  else while (i < e && isDigit(b[i])) i++;
  const intDigits = i - first;
  let digits = intDigits;
  let decimal = false;
  if (i < e && b[i] === DOT) {
    decimal = true;
    const start = ++i;
    while (i < e && isDigit(b[i])) i++;
    digits += i - start;
  }
  if (digits === 0) return NOT_NUMBER;
  if (i < e && (b[i]! | 0x20) === 0x65) {
    decimal = true;
    i++;
    if (b[i] === PLUS || b[i] === MINUS) i++;
    const start = i;
    while (i < e && isDigit(b[i])) i++;
    if (i === start) return NOT_NUMBER;
  }
  if (i !== e) return NOT_NUMBER;
  if (decimal) return DECIMAL;
  if (intDigits < 19) return INT64;
  if (intDigits > 19) return BEYOND_INT64;
  const limit = sign === MINUS ? INT64_MIN_DIGITS : INT64_MAX_DIGITS;
  for (let k = 0; k < 19; k++) {
    const d = b[first + k]! - limit.charCodeAt(k);
    if (d !== 0) return d < 0 ? INT64 : BEYOND_INT64;
  }
  return INT64;
}

const readDigits = (b: Uint8Array, at: number, count: number): number => {
  let value = 0;
  for (let k = 0; k < count; k++) {
    const c = b[at + k];
    if (!isDigit(c)) return -1;
    value = value * 10 + (c! - ZERO);
  }
  return value;
};

/** Days from 1970-01-01 to a proleptic Gregorian date (exact integer arithmetic, any year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** `YYYY-MM-DD` at `s` (a real calendar day) → days since the epoch, else NaN. */
export function isoDateAt(b: Uint8Array, s: number): number {
  if (b[s + 4] !== MINUS || b[s + 7] !== MINUS) return Number.NaN;
  const year = readDigits(b, s, 4);
  const month = readDigits(b, s + 5, 2);
  const day = readDigits(b, s + 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return Number.NaN;
  const last = month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!;
  return day > last ? Number.NaN : daysFromCivil(year, month, day);
}

/** A parsed ISO-8601 timestamp; `fraction` holds `fractionDigits` digits (up to 9). */
export interface IsoTimestamp {
  /** Seconds since the epoch in UTC (the offset already applied). */
  seconds: number;
  fraction: number;
  fractionDigits: number;
  /** `Z` or a numeric offset was given. */
  zoned: boolean;
}

/**
 * `YYYY-MM-DD[T ]hh:mm[:ss[.f{1,9}]][Z|±hh[:mm]|±hhmm]` into `out`; false when the cell is anything
 * else (a bare date included: see isoDateAt).
 */
export function isoTimestampCell(b: Uint8Array, s: number, e: number, out: IsoTimestamp): boolean {
  if (e - s < 16) return false;
  const days = isoDateAt(b, s);
  if (Number.isNaN(days)) return false;
  const sep = b[s + 10]!;
  if (sep !== 0x54 && sep !== 0x74 && sep !== 0x20) return false;
  const hour = readDigits(b, s + 11, 2);
  const minute = readDigits(b, s + 14, 2);
  if (b[s + 13] !== COLON || hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  let i = s + 16;
  let second = 0;
  out.fraction = 0;
  out.fractionDigits = 0;
  if (i < e && b[i] === COLON) {
    second = readDigits(b, i + 1, 2);
    if (i + 3 > e || second < 0 || second > 59) return false;
    i += 3;
    if (i < e && b[i] === DOT) {
      const start = ++i;
      let fraction = 0;
      for (; i < e && isDigit(b[i]); i++) fraction = fraction * 10 + (b[i]! - ZERO);
      const digits = i - start;
      if (digits < 1 || digits > 9) return false;
      out.fraction = fraction;
      out.fractionDigits = digits;
    }
  }
  let offset = 0;
  out.zoned = false;
  if (i < e) {
    const c = b[i]!;
    if ((c | 0x20) === 0x7a) {
      i++;
    } else if (c === PLUS || c === MINUS) {
      const oh = readDigits(b, i + 1, 2);
      if (oh < 0 || oh > 23 || i + 3 > e) return false;
      i += 3;
      let om = 0;
      if (i < e) {
        if (b[i] === COLON) i++;
        om = readDigits(b, i, 2);
        if (om < 0 || om > 59 || i + 2 > e) return false;
        i += 2;
      }
      offset = (oh * 3600 + om * 60) * (c === MINUS ? -1 : 1);
    } else {
      return false;
    }
    out.zoned = true;
  }
  if (i !== e) return false;
  out.seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset;
  return true;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The value of a cell numberCell called a number. Up to 15 digits and no exponent: an exact integer divided
 * by an exact power of ten, which IEEE division rounds correctly (the classic fast path); anything
 * else goes through Number() on the text.
 */
export function floatValue(
  b: Uint8Array,
  s: number,
  e: number,
  text: (s: number, e: number) => string,
): number {
  let i = s;
  const negative = b[i] === MINUS;
  if (negative || b[i] === PLUS) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = -1;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c === DOT) {
      scale = 0;
      continue;
    }
    if (!isDigit(c)) return Number(text(s, e));
    mantissa = mantissa * 10 + (c - ZERO);
    digits++;
    if (scale >= 0) scale++;
  }
  if (digits > 15) return Number(text(s, e));
  const value = scale > 0 ? mantissa / POW10[scale]! : mantissa;
  return negative ? -value : value;
}

/** A safe integer cell's value (numberCell said INT64 and it has at most 15 digits). */
export function smallIntValue(b: Uint8Array, s: number, e: number): number {
  let i = s;
  const negative = b[i] === MINUS;
  if (negative || b[i] === PLUS) i++;
  let value = 0;
  for (; i < e; i++) value = value * 10 + (b[i]! - ZERO);
  return negative ? -value : value;
}
