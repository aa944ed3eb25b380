import { invalidInput, StorageError } from '../contract/errors.js';

/** Deepest nesting a JSON table may have, the outer array counting as 1 (row objects are 2). */
export const MAX_JSON_DEPTH = 400;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * One iterative pass over the raw JSON text before it is parsed: refuses nesting deeper than
 * MAX_JSON_DEPTH (INVALID_INPUT) and a row object with more than `maxColumns` keys
 * (PAYLOAD_TOO_LARGE), so neither JSON.parse nor inference ever sees such a body. Malformed JSON is
 * left for JSON.parse to report.
 */
export function checkJsonShape(text: string, maxColumns: number): void {
  let depth = 0;
  let rowKeys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    switch (c) {
      case QUOTE:
        inString = true;
        break;
      case 0x5b: // [
      case 0x7b: // {
        if (++depth > MAX_JSON_DEPTH) {
          throw invalidInput(`JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
        }
        if (depth === 2) rowKeys = 0;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        depth--;
        break;
      case COLON:
        if (depth === 2 && ++rowKeys > maxColumns) {
          throw new StorageError(
            'PAYLOAD_TOO_LARGE',
            `a JSON row has more than ${maxColumns} keys (MAX_COLUMNS); nothing was parsed`,
          );
        }
        break;
    }
  }
}
