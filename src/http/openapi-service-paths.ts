import { MEDIA } from './content-types.js';
import {
  binary,
  E,
  errors,
  format,
  id,
  type Json,
  json,
  ok,
  op,
  query,
  ref,
  sheet,
  tableResponse,
} from './openapi-parts.js';

/** OpenAPI paths of the service endpoints and multi-sheet uploads. */
export const servicePaths: Record<string, Record<string, Json>> = {
  '/': {
    get: op('Service name, version, backend and active sessions', {
      responses: { 200: ok('Service', ref('Service')), ...errors(503) },
    }),
  },
  '/openapi.json': {
    get: op('This document', { responses: { 200: ok('OpenAPI 3.1 document', { type: 'object' }) } }),
  },
  '/metrics': {
    get: op('Prometheus metrics', {
      responses: {
        200: {
          description: 'Text exposition format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
    }),
  },
  '/health/live': {
    get: op('Liveness: the process answers (no storage call)', {
      responses: { 200: ok('Alive', { type: 'object' }) },
    }),
  },
  '/health/ready': {
    get: op('Readiness: the chosen backend answers in time', {
      responses: { 200: ok('Ready', { type: 'object' }), 503: ok('Not ready', { type: 'object' }) },
    }),
  },
  '/health/storage': {
    get: op('Storage health report', {
      responses: {
        200: ok('healthy or degraded', ref('StorageHealth')),
        503: ok('unhealthy', ref('StorageHealth')),
      },
    }),
  },
  '/uploads': {
    post: op('Park a multi-sheet .xlsx workbook until a sheet is picked', {
      parameters: [
        query('filename', { type: 'string' }, 'Original file name'),
        query('ttl_seconds', { type: 'integer', minimum: 1 }, 'TTL (default TEMP_TTL_SECONDS)'),
      ],
      requestBody: {
        required: true,
        content: {
          [MEDIA.xlsx]: { schema: binary },
          [MEDIA.multipart]: { schema: { type: 'object', properties: { file: binary }, required: ['file'] } },
        },
      },
      responses: { 201: ok('Stored', ref('Upload')), ...errors(400, 413, 415, 500, 503) },
    }),
  },
  '/uploads/{id}': {
    get: op('Upload info and its sheets', {
      parameters: [id],
      responses: { 200: ok('Upload', ref('Upload')), ...errors(...E) },
    }),
    delete: op('Delete an upload', { parameters: [id], responses: { 204: ok('Deleted'), ...errors(...E) } }),
  },
  '/uploads/{id}/sheets/{name}/data': {
    get: op('Download one sheet', {
      parameters: [id, sheet, format],
      responses: { 200: tableResponse, ...errors(...E, 406) },
    }),
  },
  '/uploads/{id}/sheets/{name}/promote': {
    post: op('Turn one sheet into a session', {
      parameters: [id, sheet],
      requestBody: {
        required: false,
        ...json({
          type: 'object',
          properties: {
            filename: { type: 'string' },
            metadata: { type: 'object' },
            ttl_seconds: { type: 'integer', minimum: 1 },
            user: { type: 'string' },
            keep_upload: {
              type: 'boolean',
              description: 'Keep the upload after promoting (default: delete it)',
            },
          },
        }),
      },
      responses: { 201: ok('Created', ref('Session')), ...errors(...E, 413, 415) },
    }),
  },
};
