import type { Table } from 'apache-arrow';
import type { Request } from 'express';
import { invalidInput } from '../contract/errors.js';
import { arrowToTable } from './arrow-read.js';
import { baseMediaType, MEDIA } from './content-types.js';
import { csvToTable } from './csv-read.js';
import { HttpError } from './http-errors.js';
import { jsonRowsToTable } from './json-rows.js';

/** Media types accepted as a table body (POST /sessions, PUT /sessions/:id/data). */
export const TABLE_INPUT_TYPES = [MEDIA.csv, MEDIA.arrowStream, MEDIA.arrowFile, MEDIA.json] as const;

/** The raw request body (set by the raw body parser), refusing an empty one. */
export function requestBytes(req: Request): Buffer {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw invalidInput('request body is empty: expected a table');
  return body;
}

/** Reads the body as a Table according to its Content-Type (CSV, Arrow IPC, or JSON rows). */
export function tableFromRequest(req: Request, options: { delimiter?: string } = {}): Table {
  const type = baseMediaType(req.get('content-type'));
  if (type === MEDIA.csv || type === 'application/csv') return csvToTable(requestBytes(req), options);
  if (type === MEDIA.arrowStream || type === MEDIA.arrowFile) return arrowToTable(requestBytes(req));
  if (type === MEDIA.json) return jsonRowsToTable(requestBytes(req));
  throw new HttpError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Content-Type ${type === '' ? '(none)' : JSON.stringify(type)} is not a table; send ${TABLE_INPUT_TYPES.join(', ')}`,
  );
}
