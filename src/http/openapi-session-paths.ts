import {
  delimiter,
  E,
  errors,
  format,
  id,
  type Json,
  json,
  ok,
  op,
  query,
  readParams,
  ref,
  tableBody,
  tableResponse,
  v,
  versionRef,
} from './openapi-parts.js';

/** OpenAPI paths of sessions, their data, history and annotations. */
export const sessionPaths: Record<string, Record<string, Json>> = {
  '/sessions': {
    post: op('Create a session from a table', {
      parameters: [
        query('filename', { type: 'string' }, 'Original file name'),
        query('user', { type: 'string' }, 'Recorded on the upload audit entry'),
        query(
          'ttl_seconds',
          { type: 'integer', minimum: 1 },
          'Sliding TTL (default REDIS_SESSION_TTL_SECONDS)',
        ),
        delimiter,
        query('sheet', { type: 'string' }, '.xlsx body: the sheet to read (default the first with data)'),
      ],
      requestBody: tableBody,
      responses: { 201: ok('Created', ref('Session')), ...errors(400, 413, 415, 500, 503) },
    }),
    get: op('List live sessions', {
      parameters: [
        query('cursor', { type: 'string' }, 'next_cursor of the previous page'),
        query('limit', { type: 'integer', minimum: 1, maximum: 1000 }, 'Page size'),
      ],
      responses: { 200: ok('A page of sessions', ref('SessionList')), ...errors(400, 500, 503) },
    }),
  },
  '/sessions/{id}': {
    get: op('Session info', {
      parameters: [id],
      responses: { 200: ok('Session', ref('Session')), ...errors(...E) },
    }),
    delete: op('Delete a session', { parameters: [id], responses: { 204: ok('Deleted'), ...errors(...E) } }),
  },
  '/sessions/{id}/data': {
    get: op('Download the current frame, or part of it', {
      parameters: [id, format, ...readParams],
      responses: { 200: tableResponse, ...errors(...E, 406) },
    }),
    put: op('Replace the current frame (the previous one becomes a version; redo is cleared)', {
      parameters: [
        id,
        query('operation', { type: 'string', minLength: 1, maxLength: 100 }, 'Audit operation name', true),
        query('user', { type: 'string' }, 'Who made the change'),
        query(
          'expected_version',
          { type: 'integer', minimum: 0 },
          'Refuse with 409 STALE_WRITE unless the session is at this version',
        ),
        query('details', { type: 'string' }, 'Audit details as a JSON object'),
        delimiter,
      ],
      requestBody: tableBody,
      responses: { 200: ok('Updated', ref('Session')), ...errors(...E, 409, 413, 415, 423) },
    }),
  },
  '/sessions/{id}/versions': {
    get: op('Version history (oldest first)', {
      parameters: [id],
      responses: {
        200: ok('Versions', {
          type: 'object',
          properties: { versions: { type: 'array', items: ref('Version') } },
        }),
        ...errors(...E),
      },
    }),
    post: op('Snapshot the current frame into the history', {
      parameters: [id],
      requestBody: {
        required: false,
        ...json({ type: 'object', properties: { label: { type: 'string' } } }),
      },
      responses: { 201: ok('Created', ref('Version')), ...errors(...E, 409, 415, 423) },
    }),
  },
  '/sessions/{id}/versions/{v}/data': {
    get: op('Download an old frame, or part of it', {
      parameters: [id, v, format, ...readParams],
      responses: { 200: tableResponse, ...errors(...E, 406) },
    }),
  },
  '/sessions/{id}/diff': {
    get: op('Which columns differ between two frames, and their row counts', {
      parameters: [
        id,
        query('from', versionRef, 'A version number or current (default: the newest history entry)'),
        query('to', versionRef, 'A version number or current (default: current)'),
      ],
      responses: { 200: ok('The diff', ref('FrameDiff')), ...errors(...E) },
    }),
  },
  '/sessions/{id}/versions/{v}/restore': {
    post: op('Make an old frame current again', {
      parameters: [id, v],
      responses: { 200: ok('Restored', ref('Session')), ...errors(...E, 409, 423) },
    }),
  },
  '/sessions/{id}/undo': {
    post: op('Undo the last change', {
      parameters: [id],
      responses: { 200: ok('Undone', ref('Session')), ...errors(...E, 409, 423) },
    }),
  },
  '/sessions/{id}/redo': {
    post: op('Redo the last undone change', {
      parameters: [id],
      responses: { 200: ok('Redone', ref('Session')), ...errors(...E, 409, 423) },
    }),
  },
  '/sessions/{id}/metadata': {
    get: op('Session metadata', {
      parameters: [id],
      responses: { 200: ok('Metadata', { type: 'object' }), ...errors(...E) },
    }),
    patch: op('Shallow-merge metadata (null deletes a key)', {
      parameters: [id],
      requestBody: { required: true, ...json({ type: 'object' }) },
      responses: { 200: ok('Merged metadata', { type: 'object' }), ...errors(...E, 413, 415) },
    }),
  },
  '/sessions/{id}/audit': {
    get: op('Audit log (oldest first) and the row count at upload', {
      parameters: [
        id,
        query('offset', { type: 'integer', minimum: 0 }, 'Skip entries'),
        query('limit', { type: 'integer', minimum: 1 }, 'At most this many'),
      ],
      responses: {
        200: ok('Audit log', {
          type: 'object',
          properties: {
            initial_rows: { type: 'integer' },
            entries: { type: 'array', items: ref('AuditEntry') },
          },
        }),
        ...errors(...E),
      },
    }),
    post: op('Append an audit entry', {
      parameters: [id],
      requestBody: { required: true, ...json(ref('AuditInput')) },
      responses: { 201: ok('Appended', ref('AuditEntry')), ...errors(...E, 413, 415) },
    }),
  },
  '/sessions/{id}/missing': {
    get: op('Intentional-missing marks', {
      parameters: [id],
      responses: {
        200: ok('Marks', {
          type: 'object',
          properties: { marks: { type: 'array', items: ref('MarkedCell') } },
        }),
        ...errors(...E),
      },
    }),
    post: op('Mark cells as intentionally empty', {
      parameters: [id],
      requestBody: {
        required: true,
        ...json({
          oneOf: [
            {
              type: 'object',
              properties: { marks: { type: 'array', items: ref('Mark') } },
              required: ['marks'],
            },
            ref('Mark'),
          ],
        }),
      },
      responses: {
        201: ok('Marked', { type: 'object', properties: { marked: { type: 'integer' } } }),
        ...errors(...E, 413, 415),
      },
    }),
    delete: op('Clear marks: the cells given (body or ?row=&column=), or all', {
      parameters: [
        id,
        query('row', { type: 'integer', minimum: 0 }, 'With column: clear this one cell'),
        query('column', { type: 'string' }, 'With row: clear this one cell'),
      ],
      requestBody: {
        required: false,
        ...json({
          oneOf: [
            {
              type: 'object',
              properties: { cells: { type: 'array', items: ref('Cell') } },
              required: ['cells'],
            },
            ref('Cell'),
          ],
        }),
      },
      responses: {
        200: ok('Removed', { type: 'object', properties: { removed: { type: 'integer' } } }),
        ...errors(...E, 415),
      },
    }),
  },
};
