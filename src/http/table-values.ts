import {
  type DataType,
  DateUnit,
  type Decimal,
  type Dictionary,
  type Table,
  type Timestamp,
  TimeUnit,
  DataType as Types,
} from 'apache-arrow';

/** A cell as plain JSON data. */
export type JsonCell = string | number | boolean | null | JsonCell[] | { [key: string]: JsonCell };

export type CellFormatter = (value: unknown) => JsonCell;

const pad = (digits: string, width: number): string => digits.padStart(width, '0');

/** 64-bit integers become numbers when exact, else decimal strings (JSON numbers are doubles). */
const bigintCell = (value: bigint): JsonCell =>
  value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : String(value);

/** Decimals as exact strings: the unscaled integer with the point put back by the type's scale. */
function decimalCell(value: unknown, scale: number): JsonCell {
  const raw = String(value);
  if (scale <= 0) return raw;
  const negative = raw.startsWith('-');
  const digits = pad(negative ? raw.slice(1) : raw, scale + 1);
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Anything nested (lists, structs, maps): its JSON form with bigints made safe. */
function nestedCell(value: unknown): JsonCell {
  const plain =
    typeof (value as { toJSON?: unknown })?.toJSON === 'function'
      ? (value as { toJSON(): unknown }).toJSON()
      : value;
  return JSON.parse(
    JSON.stringify(plain, (_key, v: unknown) => {
      if (typeof v === 'bigint') return bigintCell(v);
      if (ArrayBuffer.isView(v))
        return Array.from(v as unknown as ArrayLike<number | bigint>, (x) =>
          typeof x === 'bigint' ? bigintCell(x) : x,
        );
      return v;
    }),
  ) as JsonCell;
}

const PER_SECOND = {
  [TimeUnit.SECOND]: 1n,
  [TimeUnit.MILLISECOND]: 1000n,
  [TimeUnit.MICROSECOND]: 1_000_000n,
  [TimeUnit.NANOSECOND]: 1_000_000_000n,
};
const FRACTION_DIGITS = {
  [TimeUnit.SECOND]: 3,
  [TimeUnit.MILLISECOND]: 3,
  [TimeUnit.MICROSECOND]: 6,
  [TimeUnit.NANOSECOND]: 9,
};
// Date's range is ±8.64e15 ms; an int64 of seconds can lie beyond it.
const MAX_DATE_SECONDS = 8.64e12;

/**
 * A raw timestamp (the stored int64 in its own unit) as ISO-8601 UTC with every digit of its unit:
 * floor division keeps pre-1970 values right (-500 µs is 1969-12-31T23:59:59.999500Z).
 */
export function timestampIso(value: bigint, unit: TimeUnit): string {
  const per = PER_SECOND[unit];
  let seconds = value / per;
  let fraction = value % per;
  if (fraction < 0n) {
    fraction += per;
    seconds -= 1n;
  }
  const whole = Number(seconds);
  if (Math.abs(whole) > MAX_DATE_SECONDS) return String(value);
  const head = new Date(whole * 1000).toISOString().slice(0, -5);
  const digits = FRACTION_DIGITS[unit];
  const scaled = (fraction * 10n ** BigInt(digits)) / per;
  return `${head}.${pad(String(scaled), digits)}Z`;
}

/** How one column's values become JSON: timestamps ISO-8601 (UTC), dates YYYY-MM-DD, NaN/±Infinity null. */
export function cellFormatter(type: DataType): CellFormatter {
  if (Types.isDictionary(type)) return cellFormatter((type as Dictionary).dictionary);
  if (Types.isInt(type)) return (v) => (typeof v === 'bigint' ? bigintCell(v) : (v as number));
  if (Types.isFloat(type)) return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  if (Types.isBool(type)) return (v) => Boolean(v);
  if (Types.isUtf8(type) || Types.isLargeUtf8(type) || Types.isUtf8View(type)) return (v) => String(v);
  if (Types.isTimestamp(type)) {
    // Raw int64 values (table-cells.ts reads those) are exact; a number is what Vector.get gives: ms.
    const unit = (type as Timestamp).unit;
    return (v) => (typeof v === 'bigint' ? timestampIso(v, unit) : new Date(Number(v)).toISOString());
  }
  if (Types.isDate(type)) {
    const dayOnly = (type as { unit: DateUnit }).unit === DateUnit.DAY;
    return (v) => {
      const iso = new Date(v instanceof Date ? v.getTime() : Number(v)).toISOString();
      return dayOnly ? iso.slice(0, 10) : iso;
    };
  }
  if (Types.isDecimal(type)) return (v) => decimalCell(v, (type as Decimal).scale);
  if (Types.isBinary(type) || Types.isLargeBinary(type) || Types.isFixedSizeBinary(type)) {
    return (v) => Buffer.from(v as Uint8Array).toString('base64');
  }
  if (Types.isNull(type)) return () => null;
  return nestedCell;
}

/** One formatter per column, in column order. */
export function tableFormatters(table: Table): { names: string[]; formatters: CellFormatter[] } {
  const fields = table.schema.fields;
  return { names: fields.map((f) => f.name), formatters: fields.map((f) => cellFormatter(f.type)) };
}
