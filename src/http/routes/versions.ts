import type { Router } from 'express';
import { jsonBody } from '../body-parsers.js';
import { chooseTableFormat, sendTable } from '../content-negotiation.js';
import { sessionJson, versionJson } from '../json-shapes.js';
import type { RouteContext } from '../route-context.js';
import { createVersionBody, dataQuery, parseInput, sessionParams, versionParams } from '../validation.js';

/** History of a session: list, snapshot, read an old frame, undo, redo, restore. */
export function versionRoutes(router: Router, { manager, maxBodyBytes }: RouteContext): void {
  router.get('/sessions/:id/versions', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    res.json({ versions: (await manager.listVersions(id)).map(versionJson) });
  });

  router.post('/sessions/:id/versions', ...jsonBody(maxBodyBytes), async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const { label } = parseInput(createVersionBody, req.body ?? {}, 'body');
    const version = await manager.createVersion(id, label);
    res.status(201).json(versionJson(version));
  });

  router.get('/sessions/:id/versions/:v/data', async (req, res) => {
    const { id, v } = parseInput(versionParams, req.params, 'path');
    const { format } = parseInput(dataQuery, req.query, 'query');
    const chosen = chooseTableFormat(req, format);
    await sendTable(res, await manager.getVersion(id, v), chosen);
  });

  router.post('/sessions/:id/undo', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    res.json(sessionJson(await manager.undoLastChange(id)));
  });

  router.post('/sessions/:id/redo', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    res.json(sessionJson(await manager.redo(id)));
  });

  router.post('/sessions/:id/versions/:v/restore', async (req, res) => {
    const { id, v } = parseInput(versionParams, req.params, 'path');
    res.json(sessionJson(await manager.restoreVersion(id, v)));
  });
}
