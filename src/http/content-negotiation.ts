import type { Table } from 'apache-arrow';
import type { Request, Response } from 'express';
import { tableToArrowIpc } from '../codec/arrow-ipc.js';
import { tableToCsvChunks } from '../formats/csv-write.js';
import { tableToJsonChunks } from '../formats/json-write.js';
import { MEDIA } from './content-types.js';
import { HttpError } from './http-errors.js';
import { streamText } from './stream-text.js';

export type TableFormat = 'arrow' | 'json' | 'csv';

// Offered in this order, so "Accept: */*" or no Accept header gets Arrow, the lossless format.
const OFFERED: readonly [string, TableFormat][] = [
  [MEDIA.arrowStream, 'arrow'],
  [MEDIA.json, 'json'],
  [MEDIA.csv, 'csv'],
];

/** Picks the output format: `?format=` wins, else the Accept header; nothing acceptable → 406. */
export function chooseTableFormat(req: Request, override?: TableFormat): TableFormat {
  if (override !== undefined) return override;
  const accepted = req.accepts(OFFERED.map(([type]) => type));
  const match = OFFERED.find(([type]) => type === accepted);
  if (match === undefined) {
    throw new HttpError(
      'NOT_ACCEPTABLE',
      `cannot produce ${req.get('accept')}; offered: ${OFFERED.map(([t]) => t).join(', ')}`,
    );
  }
  return match[1];
}

/**
 * Writes a table in the chosen format: Arrow IPC stream (one buffer, the size of the frame), or JSON rows /
 * CSV streamed piece by piece with backpressure (chunked encoding; the text is never whole in memory).
 */
export async function sendTable(res: Response, table: Table, format: TableFormat): Promise<void> {
  res.vary('Accept');
  if (format === 'arrow') {
    res.type(MEDIA.arrowStream).send(tableToArrowIpc(table));
    return;
  }
  res.type(format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8');
  // HEAD gets the headers only: formatting a whole table for a body nobody receives is wasted work.
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  await streamText(res, format === 'json' ? tableToJsonChunks(table) : tableToCsvChunks(table));
}
