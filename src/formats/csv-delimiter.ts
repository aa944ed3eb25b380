import { invalidInput } from '../contract/errors.js';

/** The field separators a CSV may use, and the names `?delimiter=` also accepts. */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];
export const CSV_DELIMITER_NAMES: Readonly<Record<string, CsvDelimiter>> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  pipe: '|',
};

/** `,` `;` tab `|` or one of their names (any case) → the character; undefined for anything else. */
export function delimiterFromText(value: string): CsvDelimiter | undefined {
  if ((CSV_DELIMITERS as readonly string[]).includes(value)) return value as CsvDelimiter;
  const named = CSV_DELIMITER_NAMES[value.toLowerCase()];
  return Object.hasOwn(CSV_DELIMITER_NAMES, value.toLowerCase()) ? named : undefined;
}

/** Like delimiterFromText, but an unknown value is INVALID_INPUT naming the choices. */
export function resolveDelimiter(value: string): CsvDelimiter {
  const delimiter = delimiterFromText(value);
  if (delimiter === undefined) {
    throw invalidInput(
      `unknown CSV delimiter ${JSON.stringify(value)}: use , ; tab | or comma, semicolon, tab, pipe`,
    );
  }
  return delimiter;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const SAMPLE_RECORDS = 20;
const SAMPLE_BYTES = 1 << 20;

/**
 * Field counts of the first complete records (blank lines skipped), reading at most SAMPLE_BYTES
 * and counting at most `cap` fields per record. Quotes are honoured, so a quoted separator or line
 * break does not count; none at all when the quoting never closes under this separator.
 */
function sampleCounts(b: Uint8Array, from: number, delimiter: number, cap: number): number[] {
  const counts: number[] = [];
  const stop = Math.min(b.length, from + SAMPLE_BYTES);
  let pos = from;
  while (pos < stop && counts.length < SAMPLE_RECORDS) {
    if (b[pos] === LF || b[pos] === CR) {
      pos++;
      continue;
    }
    let fields = 1;
    let atFieldStart = true;
    let quoted = false;
    let complete = false;
    for (; pos < stop; pos++) {
      const c = b[pos]!;
      if (quoted) {
        if (c === QUOTE) quoted = false;
        continue;
      }
      if (c === QUOTE && atFieldStart) {
        quoted = true;
        continue;
      }
      atFieldStart = false;
      if (c === delimiter) {
        if (fields <= cap) fields++;
        atFieldStart = true;
      } else if (c === LF || c === CR) {
        complete = true;
        break;
      }
    }
    // A quote left open at the end of the input means this candidate split the quoting wrongly.
    if (quoted && pos === b.length) return [];
    // A record cut by the sample's end only counts when it is the end of the input.
    if (complete || pos === b.length) counts.push(fields);
    else break;
  }
  return counts;
}

/**
 * Picks the separator from the first records: the candidate that splits every sampled record into
 * the same number of fields, more than one; among several, the one giving most fields, then the
 * earlier in `, ; tab |`. Nothing consistent → `,` (a one-column file reads the same either way).
 */
export function sniffDelimiter(bytes: Uint8Array, from: number, maxColumns: number): CsvDelimiter {
  let best: CsvDelimiter = ',';
  let bestFields = 1;
  for (const candidate of CSV_DELIMITERS) {
    const counts = sampleCounts(bytes, from, candidate.charCodeAt(0), maxColumns);
    const first = counts[0];
    if (first === undefined || first <= bestFields) continue;
    if (counts.every((count) => count === first)) {
      best = candidate;
      bestFields = first;
    }
  }
  return best;
}
