import type { Table } from 'apache-arrow';
import { DEFAULT_CHUNK_CHARS, rowSegments } from './row-segments.js';

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * RFC 4180 field: quoted when it holds a comma, quote or line break (quotes doubled). An empty string is
 * written `""` so it stays distinguishable from null, which is an empty field (as PostgreSQL's CSV does).
 */
export function csvField(text: string): string {
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Table → CSV (header row, `\n` line ends), yielded in pieces of about `chunkChars` characters.
 * Cells have the same text as in JSON output; nested values are their JSON text.
 */
export function* tableToCsvChunks(table: Table, chunkChars = DEFAULT_CHUNK_CHARS): Generator<string> {
  const width = table.schema.fields.length;
  let out = `${table.schema.fields.map((field) => csvField(field.name)).join(',')}\n`;
  for (const { start, end, readers, bases } of rowSegments(table)) {
    for (let row = start; row < end; row++) {
      let line = '';
      for (let c = 0; c < width; c++) {
        const reader = readers[c]!;
        const i = row - bases[c]!;
        if (c > 0) line += ',';
        if (reader.valid(i)) line += csvField(reader.text(i));
      }
      out += `${line}\n`;
      if (out.length >= chunkChars) {
        yield out;
        out = '';
      }
    }
  }
  if (out !== '') yield out;
}

/** Table → the whole CSV text at once (tests and small tables; the HTTP route streams the chunks). */
export function tableToCsv(table: Table): string {
  let text = '';
  for (const piece of tableToCsvChunks(table)) text += piece;
  return text;
}
