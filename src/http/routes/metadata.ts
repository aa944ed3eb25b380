import type { Router } from 'express';
import { jsonBody } from '../body-parsers.js';
import type { RouteContext } from '../route-context.js';
import { metadataPatchBody, parseInput, sessionParams } from '../validation.js';

/** Free-form session metadata; keys are the caller's and are returned exactly as stored. */
export function metadataRoutes(router: Router, { manager, maxBodyBytes }: RouteContext): void {
  router.get('/sessions/:id/metadata', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    res.json(await manager.getMetadata(id));
  });

  // Shallow merge; a null value deletes its key.
  router.patch('/sessions/:id/metadata', ...jsonBody(maxBodyBytes), async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const patch = parseInput(metadataPatchBody, req.body, 'body');
    res.json(await manager.updateMetadata(id, patch));
  });
}
