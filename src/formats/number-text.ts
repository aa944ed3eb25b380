import { util } from 'apache-arrow';

/**
 * Exact, shortest text for Arrow's numbers. NaN/±Infinity are spelled `NaN`, `Infinity`, `-Infinity`
 * and negative zero `-0.0` (JSON.stringify would write `0`; `-0` would parse as the integer 0 in Python).
 */

function special(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(value, -0)) return '-0.0';
  return undefined;
}

/** JS's own shortest round-trip form (`0.1`, `1e+21`). */
export function float64Text(value: number): string {
  return special(value) ?? String(value);
}

/** The fewest significant digits that read back as the same value after `narrow` (float32/float16). */
function shortest(value: number, narrow: (x: number) => number, maxDigits: number): string {
  for (let digits = 1; digits < maxDigits; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (narrow(candidate) === value) return String(candidate);
  }
  return String(value);
}

/** A float32 as its shortest decimal (`0.1`, not the widened `0.10000000149011612`). */
export function float32Text(value: number): string {
  return special(value) ?? shortest(value, Math.fround, 9);
}

const roundToHalf = (x: number): number => util.uint16ToFloat64(util.float64ToUint16(x));

/** A float16 (stored as its 16 bits) as its shortest decimal. */
export function float16Text(bits: number): string {
  const value = util.uint16ToFloat64(bits);
  return special(value) ?? shortest(value, roundToHalf, 5);
}

/**
 * A decimal from its little-endian 32-bit words (two's complement) with the point put back by `scale`
 * (a negative scale multiplies by a power of ten).
 */
export function decimalText(words: Uint32Array, start: number, count: number, scale: number): string {
  let unscaled = 0n;
  for (let w = count - 1; w >= 0; w--) unscaled = (unscaled << 32n) | BigInt(words[start + w]!);
  const raw = BigInt.asIntN(count * 32, unscaled).toString();
  if (scale < 0) return raw === '0' ? raw : raw + '0'.repeat(-scale);
  if (scale === 0) return raw;
  const negative = raw.startsWith('-');
  const digits = (negative ? raw.slice(1) : raw).padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether a 64-bit value is a JSON number that every parser reads back exactly. */
export const isSafeBig = (value: bigint): boolean => value <= SAFE && value >= -SAFE;

/** Any value Arrow's getter returns (rare types only) as JSON text, bigints exact. */
export function genericJson(value: unknown, bigAsString: boolean): string {
  const plain =
    typeof (value as { toJSON?: unknown } | null)?.toJSON === 'function'
      ? (value as { toJSON(): unknown }).toJSON()
      : value;
  return (
    JSON.stringify(plain, (_key, v: unknown) => {
      if (typeof v === 'bigint') return bigAsString || !isSafeBig(v) ? String(v) : Number(v);
      if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>);
      if (typeof v === 'number' && !Number.isFinite(v)) return float64Text(v);
      return v;
    }) ?? 'null'
  );
}
