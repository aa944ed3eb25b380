import { MEDIA } from './content-types.js';

/** Building blocks of the OpenAPI document (openapi.ts). */

export type Json = Record<string, unknown>;
export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: Json): Json => ({ content: { [MEDIA.json]: { schema } } });
export const ok = (description: string, schema?: Json): Json =>
  schema ? { description, ...json(schema) } : { description };
export const binary = { type: 'string', format: 'binary' };

export const tableBody = {
  required: true,
  description:
    'A table: CSV with a header row (types inferred), an Arrow IPC stream, a JSON array of row objects, or an .xlsx workbook (one sheet).',
  content: {
    [MEDIA.csv]: { schema: { type: 'string' } },
    [MEDIA.arrowStream]: { schema: binary },
    [MEDIA.json]: { schema: { type: 'array', items: { type: 'object' } } },
    [MEDIA.xlsx]: { schema: binary },
  },
};

export const tableResponse = {
  description: 'The table, negotiated by Accept (Arrow IPC stream for */*) or ?format=.',
  headers: {
    'X-Total-Rows': {
      description: 'Rows of the whole frame (before ?columns=&offset=&limit= were applied)',
      schema: { type: 'integer', minimum: 0 },
    },
  },
  content: {
    [MEDIA.arrowStream]: { schema: binary },
    [MEDIA.json]: { schema: { type: 'array', items: { type: 'object' } } },
    [MEDIA.csv]: { schema: { type: 'string' } },
  },
};

export const errors = (...statuses: number[]): Json =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));

export const pathParam = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
export const query = (name: string, schema: Json, description: string, required = false): Json => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});

export const id = pathParam('id', '22-character URL-safe id', {
  type: 'string',
  pattern: '^[A-Za-z0-9_-]{22}$',
});
export const v = pathParam('v', 'A version number from GET /sessions/{id}/versions', {
  type: 'integer',
  minimum: 0,
});
export const sheet = pathParam('name', 'Sheet name (URL-encoded)');
export const format = query('format', { enum: ['arrow', 'json', 'csv'] }, 'Overrides the Accept header');
export const delimiter = query(
  'delimiter',
  { enum: [',', ';', '\t', '|', 'comma', 'semicolon', 'tab', 'pipe'] },
  'CSV field separator, the character or its name (default: sniffed from the first records)',
);
/** Partial reads (§6): only some columns, rows [offset, offset + limit). */
export const readParams = [
  query(
    'columns',
    { type: 'string' },
    'Comma-separated column names, in the order wanted (repeat the parameter for a name with a comma); an unknown column is 400',
  ),
  query(
    'offset',
    { type: 'integer', minimum: 0 },
    'First row (past the end: an empty table with the schema)',
  ),
  query('limit', { type: 'integer', minimum: 0 }, 'At most this many rows'),
];
export const versionRef = { oneOf: [{ type: 'integer', minimum: 0 }, { const: 'current' }] };
export const E = [400, 404, 500, 503];

export const op = (summary: string, parts: Json): Json => ({ summary, ...parts });
