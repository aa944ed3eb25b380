import { IntervalUnit, TimeUnit } from 'apache-arrow';

/**
 * Exact ISO-8601 text for Arrow's temporal values, computed from the integer in its own unit.
 * JS `Date` is never used: it holds milliseconds only and its fraction is wrong before 1970.
 */

/** Digits after the second's point for each unit (s, ms, µs, ns). */
const FRACTION_DIGITS: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 0,
  [TimeUnit.MILLISECOND]: 3,
  [TimeUnit.MICROSECOND]: 6,
  [TimeUnit.NANOSECOND]: 9,
};
const PER_SECOND: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1n,
  [TimeUnit.MILLISECOND]: 1_000n,
  [TimeUnit.MICROSECOND]: 1_000_000n,
  [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

const PER_SECOND_NUMBER: Record<TimeUnit, number> = {
  [TimeUnit.SECOND]: 1,
  [TimeUnit.MILLISECOND]: 1_000,
  [TimeUnit.MICROSECOND]: 1_000_000,
  [TimeUnit.NANOSECOND]: 1_000_000_000,
};
/** Below this magnitude every step of the Number path is exact (products stay under 2^53). */
const NUMBER_PATH_LIMIT = 2 ** 53 - 2 * 86_400 * 1_000_000_000;

/** `.` and the sub-second count padded to the unit's digits; empty for seconds. */
function fractionText(rest: bigint | number, unit: TimeUnit): string {
  const digits = FRACTION_DIGITS[unit];
  return digits === 0 ? '' : `.${String(rest).padStart(digits, '0')}`;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Floor division and its non-negative remainder (BigInt `/` truncates towards zero). */
function floorDivMod(value: bigint, by: bigint): [bigint, bigint] {
  const rest = value % by;
  return rest < 0n ? [value / by - 1n, rest + by] : [value / by, rest];
}

/** Floor division on safe integers; the float quotient can round across an integer, so it is corrected. */
function floorDivModNumber(value: number, by: number): [number, number] {
  let quotient = Math.floor(value / by);
  let rest = value - quotient * by;
  if (rest < 0) {
    quotient -= 1;
    rest += by;
  } else if (rest >= by) {
    quotient += 1;
    rest -= by;
  }
  return [quotient, rest];
}

/**
 * Splits an integer count of `unit` into whole days, seconds of that day and the fraction text.
 * Values of everyday magnitude (all ms/µs timestamps of our era) take a Number path, several times
 * faster than BigInt; the rest (nanoseconds, extremes) take the BigInt path. Both are exact.
 */
function splitDays(value: bigint, unit: TimeUnit): { days: number; seconds: number; fraction: string } {
  const approx = Number(value);
  if (Math.abs(approx) < NUMBER_PATH_LIMIT) {
    const [seconds, rest] = floorDivModNumber(approx, PER_SECOND_NUMBER[unit]);
    const [days, secondsOfDay] = floorDivModNumber(seconds, 86_400);
    return { days, seconds: secondsOfDay, fraction: fractionText(rest, unit) };
  }
  const [seconds, rest] = floorDivMod(value, PER_SECOND[unit]);
  const [days, secondsOfDay] = floorDivMod(seconds, 86_400n);
  return { days: Number(days), seconds: Number(secondsOfDay), fraction: fractionText(rest, unit) };
}

/** ISO-8601 year: four digits within 0000–9999, else the expanded form with a sign and six digits or more. */
function yearText(year: number): string {
  if (year >= 0 && year <= 9999) return String(year).padStart(4, '0');
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
}

/** Days since 1970-01-01 (any sign) → `YYYY-MM-DD` in the proleptic Gregorian calendar (H. Hinnant's algorithm). */
export function daysToDate(days: number): string {
  // Neighbouring rows usually share their day.
  if (days === lastDays) return lastDate;
  lastDate = civilDate(days);
  lastDays = days;
  return lastDate;
}

let lastDays = Number.NaN;
let lastDate = '';

function civilDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${yearText(year)}-${two(month)}-${two(day)}`;
}

/** Milliseconds since the epoch (Date64) → the calendar day it falls in. */
export function millisToDate(ms: bigint): string {
  return daysToDate(Number(floorDivMod(ms, 86_400_000n)[0]));
}

/** `HH:MM:SS` for seconds within a day (hours keep counting past 23 for out-of-range input, never wrap). */
function clockText(secondsOfDay: number): string {
  const hours = Math.floor(secondsOfDay / 3600);
  const minutes = Math.floor((secondsOfDay % 3600) / 60);
  return `${two(hours)}:${two(minutes)}:${two(secondsOfDay % 60)}`;
}

/**
 * An epoch count of `unit` → `YYYY-MM-DDTHH:MM:SS[.fff…]`, the fraction fixed to the unit's digits.
 * `utc` (the column has a timezone: the values are instants) appends `Z`; without, the text is naive.
 */
export function epochToTimestamp(value: bigint, unit: TimeUnit, utc: boolean): string {
  const { days, seconds, fraction } = splitDays(value, unit);
  return `${daysToDate(days)}T${clockText(seconds)}${fraction}${utc ? 'Z' : ''}`;
}

/** A time of day in `unit` since midnight → `HH:MM:SS[.fff…]` (a negative value, invalid in Arrow, gets a sign). */
export function timeOfDay(value: bigint, unit: TimeUnit): string {
  const negative = value < 0n;
  const [seconds, rest] = floorDivMod(negative ? -value : value, PER_SECOND[unit]);
  return `${negative ? '-' : ''}${clockText(Number(seconds))}${fractionText(rest, unit)}`;
}

/**
 * A duration in `unit` → ISO-8601 `PT<seconds>[.fff…]S`, e.g. 1500 ms → `PT1.500S`, −500 µs → `-PT0.000500S`.
 * Seconds only (no days/hours: their length is not fixed in ISO-8601); the fraction's digits carry the unit.
 */
export function durationText(value: bigint, unit: TimeUnit): string {
  const text = signedSeconds(value, unit);
  return text.startsWith('-') ? `-PT${text.slice(1)}S` : `PT${text}S`;
}

/** A signed count of `unit` as seconds text (`-0.500`), for interval components. */
function signedSeconds(value: bigint, unit: TimeUnit): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const per = PER_SECOND[unit];
  return `${negative ? '-' : ''}${magnitude / per}${fractionText(magnitude % per, unit)}`;
}

/**
 * Arrow intervals (Int32 words per value) → ISO-8601 with a sign per component, as Arrow keeps them:
 * year-month `P14M`, day-time `P-1DT0.500S`, month-day-nano `P1M2DT0.000000003S`.
 */
export function intervalText(words: Int32Array, i: number, unit: IntervalUnit): string {
  if (unit === IntervalUnit.YEAR_MONTH) return `P${words[i]}M`;
  if (unit === IntervalUnit.DAY_TIME) {
    return `P${words[2 * i]}DT${signedSeconds(BigInt(words[2 * i + 1]!), TimeUnit.MILLISECOND)}S`;
  }
  const nanos = BigInt.asIntN(64, (BigInt(words[4 * i + 3]! >>> 0) << 32n) | BigInt(words[4 * i + 2]! >>> 0));
  return `P${words[4 * i]}M${words[4 * i + 1]}DT${signedSeconds(nanos, TimeUnit.NANOSECOND)}S`;
}
