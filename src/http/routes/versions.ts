import type { Router } from 'express';
import { jsonBody } from '../body-parsers.js';
import { chooseTableFormat, sendTable } from '../content-negotiation.js';
import { diffQuery, partialDataQuery, readOptionsOf } from '../frame-query.js';
import { diffFrames, readVersionFrame, resolveDiffFrom } from '../frame-reads.js';
import { diffJson, sessionJson, versionJson } from '../json-shapes.js';
import type { RouteContext } from '../route-context.js';
import { createVersionBody, parseInput, sessionParams, versionParams } from '../validation.js';

/** History of a session: list, snapshot, read (part of) an old frame, diff two frames, undo, redo, restore. */
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
    const query = parseInput(partialDataQuery, req.query, 'query');
    const chosen = chooseTableFormat(req, query.format);
    const { table, totalRows } = await readVersionFrame(manager, id, v, readOptionsOf(query));
    res.setHeader('X-Total-Rows', String(totalRows));
    await sendTable(res, table, chosen);
  });

  router.get('/sessions/:id/diff', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const query = parseInput(diffQuery, req.query, 'query');
    const from = query.from ?? (await resolveDiffFrom(manager, id));
    const to = query.to ?? 'current';
    res.json(diffJson(from, to, await diffFrames(manager, id, from, to)));
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
