import type { Router } from 'express';
import { rawBody } from '../body-parsers.js';
import { chooseTableFormat, sendTable } from '../content-negotiation.js';
import { sessionJson } from '../json-shapes.js';
import type { RouteContext } from '../route-context.js';
import { tableFromRequest } from '../table-input.js';
import { dataQuery, parseInput, putDataQuery, sessionParams } from '../validation.js';

/** The current frame of a session: download in a negotiated format, replace with a recorded change. */
export function sessionDataRoutes(router: Router, { manager, maxBodyBytes }: RouteContext): void {
  router.get('/sessions/:id/data', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const { format } = parseInput(dataQuery, req.query, 'query');
    const chosen = chooseTableFormat(req, format);
    await sendTable(res, await manager.getDataFrame(id), chosen);
  });

  router.put('/sessions/:id/data', rawBody(maxBodyBytes), async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const query = parseInput(putDataQuery, req.query, 'query');
    const table = tableFromRequest(req, { ...(query.delimiter ? { delimiter: query.delimiter } : {}) });
    const info = await manager.updateDataFrame(id, table, {
      operation: query.operation,
      ...(query.details !== undefined ? { details: query.details } : {}),
      ...(query.user !== undefined ? { user: query.user } : {}),
      ...(query.expected_version !== undefined ? { expectedVersion: query.expected_version } : {}),
    });
    res.json(sessionJson(info));
  });
}
