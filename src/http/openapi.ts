import { VERSION } from '../version.js';
import { type Json, ok, ref } from './openapi-parts.js';
import { schemas } from './openapi-schemas.js';
import { servicePaths } from './openapi-service-paths.js';
import { sessionPaths } from './openapi-session-paths.js';

/**
 * The OpenAPI 3.1 description served at /openapi.json. Written by hand (not generated from the
 * routes) so a test can compare it with what the app really registers.
 */

const ERROR_RESPONSES: Record<number, string> = {
  401: 'UNAUTHORIZED: API_TOKEN is set and the request has no or the wrong Authorization: Bearer token',
  400: 'INVALID_INPUT: malformed id, query or body',
  404: 'SESSION_NOT_FOUND, UPLOAD_NOT_FOUND, VERSION_NOT_FOUND or ROUTE_NOT_FOUND',
  406: 'NOT_ACCEPTABLE: no offered format matches Accept',
  409: 'NOTHING_TO_UNDO, NOTHING_TO_REDO or STALE_WRITE',
  413: 'PAYLOAD_TOO_LARGE: body over MAX_DATAFRAME_SIZE_MB',
  415: 'UNSUPPORTED_MEDIA_TYPE: Content-Type not accepted here',
  423: 'LOCK_TIMEOUT: another writer holds the session',
  500: 'CORRUPT_DATA, CONFIG_INVALID or INTERNAL_ERROR',
  503: 'BACKEND_UNAVAILABLE: storage did not answer',
};

/** The whole document (built once per app). */
export function buildOpenApiDocument(): Json {
  const responses = Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, description]) => [
      `E${status}`,
      ok(description, ref('Error')),
    ]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'framestore',
      version: VERSION,
      description:
        'Session storage for data-cleaning apps: Arrow tables with versions, undo/redo, audit log and intentional-missing marks. JSON keys are snake_case; every error is { "error": { "code", "message" } }.',
    },
    paths: { ...servicePaths, ...sessionPaths },
    // Bearer auth applies only when the server has API_TOKEN set (then every route but the probes and /metrics).
    security: [{ bearer: [] }, {}],
    components: {
      schemas,
      responses,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The API_TOKEN' } },
    },
  };
}
