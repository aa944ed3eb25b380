import type { Router } from 'express';
import { z } from 'zod';
import { sessionNotFound } from '../../contract/errors.js';
import { rawBody } from '../body-parsers.js';
import { sessionJson } from '../json-shapes.js';
import type { RouteContext } from '../route-context.js';
import { tableFromRequest } from '../table-input.js';
import { createSessionQuery, listSessionsQuery, parseInput, sessionParams } from '../validation.js';

/** `?sheet=` of an .xlsx body (the first sheet with data when absent). */
const sheetQuery = z.object({ sheet: z.string().min(1).max(255).optional() });

/** Creating, listing, reading and deleting sessions. */
export function sessionRoutes(router: Router, context: RouteContext): void {
  const { manager, maxBodyBytes } = context;
  router.post('/sessions', rawBody(maxBodyBytes), async (req, res) => {
    const query = parseInput(createSessionQuery, req.query, 'query');
    const { sheet } = parseInput(sheetQuery, req.query, 'query');
    const table = await tableFromRequest(req, context, {
      ...(query.delimiter ? { delimiter: query.delimiter } : {}),
      ...(sheet !== undefined ? { sheet } : {}),
    });
    const info = await manager.createSession(table, {
      ...(query.filename !== undefined ? { filename: query.filename } : {}),
      ...(query.user !== undefined ? { user: query.user } : {}),
      ...(query.ttl_seconds !== undefined ? { ttlSeconds: query.ttl_seconds } : {}),
    });
    res.status(201).location(`${req.baseUrl}/sessions/${info.sessionId}`).json(sessionJson(info));
  });

  router.get('/sessions', async (req, res) => {
    const query = parseInput(listSessionsQuery, req.query, 'query');
    const page = await manager.listSessions({
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
    });
    res.json({
      sessions: page.sessions.map(sessionJson),
      ...(page.cursor !== undefined ? { next_cursor: page.cursor } : {}),
    });
  });

  router.get('/sessions/:id', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    res.json(sessionJson(await manager.getSession(id)));
  });

  router.delete('/sessions/:id', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    if (!(await manager.deleteSession(id))) throw sessionNotFound(id);
    res.status(204).end();
  });
}
