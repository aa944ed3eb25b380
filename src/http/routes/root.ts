import type { Router } from 'express';
import { VERSION } from '../../version.js';
import { buildOpenApiDocument } from '../openapi.js';
import type { RouteContext } from '../route-context.js';

/** `GET /` (what is this service) and `GET /openapi.json` (the API description). */
export function rootRoutes(router: Router, { manager }: RouteContext): void {
  router.get('/', async (_req, res) => {
    const active = await manager.countSessions();
    res.json({
      service: 'framestore',
      version: VERSION,
      backend_type: manager.getBackendType(),
      active_sessions: active,
    });
  });

  const openapi = buildOpenApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
}
