import type { Table } from 'apache-arrow';
import type { Request } from 'express';
import { invalidInput } from '../contract/errors.js';
import type { BodyKind, ParseBodyOptions } from '../formats/parse-body.js';
import type { ParsePool } from '../formats/parse-pool.js';
import { baseMediaType, MEDIA } from './content-types.js';
import { HttpError } from './http-errors.js';

/** Media types accepted as a table body (POST /sessions, PUT /sessions/:id/data). */
export const TABLE_INPUT_TYPES = [
  MEDIA.csv,
  MEDIA.arrowStream,
  MEDIA.arrowFile,
  MEDIA.json,
  MEDIA.xlsx,
] as const;

const KIND_BY_TYPE: Record<string, BodyKind> = {
  [MEDIA.csv]: 'csv',
  'application/csv': 'csv',
  [MEDIA.arrowStream]: 'arrow',
  [MEDIA.arrowFile]: 'arrow',
  [MEDIA.json]: 'json',
  [MEDIA.xlsx]: 'xlsx',
};

/** The raw request body (set by the raw body parser), refusing an empty one. */
export function requestBytes(req: Request): Buffer {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw invalidInput('request body is empty: expected a table');
  return body;
}

/** What tableFromRequest needs from the app: the parse pool and the input limits. */
export interface TableInput {
  parsePool: ParsePool;
  maxColumns: number;
  maxBodyBytes: number;
}

/**
 * Reads the body as a Table according to its Content-Type (CSV, Arrow IPC, JSON rows, or one sheet
 * of an .xlsx workbook), parsed in the worker pool so no body can stall or exhaust the service.
 */
export function tableFromRequest(
  req: Request,
  input: TableInput,
  options: { delimiter?: string; sheet?: string } = {},
): Promise<Table> {
  const type = baseMediaType(req.get('content-type'));
  const kind = KIND_BY_TYPE[type];
  if (kind === undefined)
    throw new HttpError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${type === '' ? '(none)' : JSON.stringify(type)} is not a table; send ${TABLE_INPUT_TYPES.join(', ')}`,
    );
  const parseOptions: ParseBodyOptions = {
    maxColumns: input.maxColumns,
    maxBytes: input.maxBodyBytes,
    ...(options.delimiter !== undefined ? { delimiter: options.delimiter } : {}),
    ...(options.sheet !== undefined ? { sheet: options.sheet } : {}),
  };
  const bytes = requestBytes(req);
  // Only the parse needs the body: it is moved to the parse worker (not copied), and req.body let go.
  req.body = undefined;
  return input.parsePool.parseTable(kind, bytes, parseOptions, undefined, true);
}
