import type { Table } from 'apache-arrow';
import type { Request, Response } from 'express';
import { tableToArrowIpc } from '../codec/arrow-ipc.js';
import { MEDIA } from './content-types.js';
import { tableToCsv } from './csv-write.js';
import { HttpError } from './http-errors.js';
import { tableToJsonRows } from './json-rows.js';

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

/** Writes a table in the chosen format (Arrow IPC stream, JSON array of row objects, or CSV). */
export function sendTable(res: Response, table: Table, format: TableFormat): void {
  res.vary('Accept');
  if (format === 'arrow') {
    res.type(MEDIA.arrowStream).send(tableToArrowIpc(table));
  } else if (format === 'json') {
    res.type('application/json; charset=utf-8').send(tableToJsonRows(table));
  } else {
    res.type('text/csv; charset=utf-8').send(tableToCsv(table));
  }
}
