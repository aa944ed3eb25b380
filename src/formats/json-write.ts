import type { Table } from 'apache-arrow';
import { jsonText } from './cell-format.js';
import { DEFAULT_CHUNK_CHARS, rowSegments } from './row-segments.js';

/**
 * Table → JSON array of row objects, yielded in pieces of about `chunkChars` characters so a caller can
 * stream it without ever holding the whole text. Keys are written by hand, in column order, even for
 * integer-like names (which JSON.stringify of an object would move to the front). Value rules:
 * docs/http.md "Exact output".
 */
export function* tableToJsonChunks(table: Table, chunkChars = DEFAULT_CHUNK_CHARS): Generator<string> {
  const keys = table.schema.fields.map((field) => `${JSON.stringify(field.name)}:`);
  let out = '[';
  let separator = '';
  for (const { start, end, readers, bases } of rowSegments(table)) {
    for (let row = start; row < end; row++) {
      let line = `${separator}{`;
      separator = ',';
      for (let c = 0; c < keys.length; c++) {
        const reader = readers[c]!;
        const i = row - bases[c]!;
        line += `${c > 0 ? ',' : ''}${keys[c]}${reader.valid(i) ? jsonText(reader, i) : 'null'}`;
      }
      out += `${line}}`;
      if (out.length >= chunkChars) {
        yield out;
        out = '';
      }
    }
  }
  yield `${out}]`;
}

/** Table → the whole JSON text at once (tests and small tables; the HTTP route streams the chunks). */
export function tableToJsonRows(table: Table): string {
  let text = '';
  for (const piece of tableToJsonChunks(table)) text += piece;
  return text;
}
