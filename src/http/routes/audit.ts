import type { Router } from 'express';
import { jsonBody } from '../body-parsers.js';
import { auditJson } from '../json-shapes.js';
import type { RouteContext } from '../route-context.js';
import { auditBody, auditQuery, parseInput, sessionParams } from '../validation.js';

/** The append-only audit log of a session. */
export function auditRoutes(router: Router, { manager, maxBodyBytes }: RouteContext): void {
  router.get('/sessions/:id/audit', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const query = parseInput(auditQuery, req.query, 'query');
    const [entries, initialRows] = await Promise.all([
      manager.getAuditLog(id, {
        ...(query.offset !== undefined ? { offset: query.offset } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      }),
      manager.getInitialRows(id),
    ]);
    res.json({ initial_rows: initialRows, entries: entries.map(auditJson) });
  });

  router.post('/sessions/:id/audit', ...jsonBody(maxBodyBytes), async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const body = parseInput(auditBody, req.body, 'body');
    const entry = await manager.addAuditEntry(id, {
      operation: body.operation,
      ...(body.details !== undefined ? { details: body.details } : {}),
      ...(body.user !== undefined ? { user: body.user } : {}),
      ...(body.rows_before !== undefined ? { rowsBefore: body.rows_before } : {}),
      ...(body.rows_after !== undefined ? { rowsAfter: body.rows_after } : {}),
    });
    res.status(201).json(auditJson(entry));
  });
}
