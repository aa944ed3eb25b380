import type { Router } from 'express';
import { rawBody } from '../body-parsers.js';
import { chooseTableFormat, sendTable } from '../content-negotiation.js';
import { partialDataQuery, readOptionsOf } from '../frame-query.js';
import { readCurrentFrame } from '../frame-reads.js';
import { sessionJson } from '../json-shapes.js';
import type { RouteContext } from '../route-context.js';
import { tableFromRequest } from '../table-input.js';
import { parseInput, putDataQuery, sessionParams } from '../validation.js';

/** The current frame of a session: download (all or part) in a negotiated format, replace with a recorded change. */
export function sessionDataRoutes(router: Router, context: RouteContext): void {
  const { manager, maxBodyBytes } = context;
  router.get('/sessions/:id/data', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const query = parseInput(partialDataQuery, req.query, 'query');
    const chosen = chooseTableFormat(req, query.format);
    const { table, totalRows } = await readCurrentFrame(manager, id, readOptionsOf(query));
    res.setHeader('X-Total-Rows', String(totalRows));
    await sendTable(res, table, chosen);
  });

  router.put('/sessions/:id/data', rawBody(maxBodyBytes), async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const query = parseInput(putDataQuery, req.query, 'query');
    const table = await tableFromRequest(req, context, {
      ...(query.delimiter ? { delimiter: query.delimiter } : {}),
    });
    const info = await manager.updateDataFrame(id, table, {
      operation: query.operation,
      ...(query.details !== undefined ? { details: query.details } : {}),
      ...(query.user !== undefined ? { user: query.user } : {}),
      ...(query.expected_version !== undefined ? { expectedVersion: query.expected_version } : {}),
    });
    res.json(sessionJson(info));
  });
}
