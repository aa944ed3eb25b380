import type { Router } from 'express';
import type { CellRef, Mark } from '../../contract/storage-backend.js';
import { hasBody, jsonBody } from '../body-parsers.js';
import { markJson } from '../json-shapes.js';
import type { RouteContext } from '../route-context.js';
import { clearMarksBody, clearMarksQuery, marksBody, parseInput, sessionParams } from '../validation.js';

const toMark = (m: { row: number; column: string; reason?: string | undefined }): Mark => ({
  row: m.row,
  column: m.column,
  ...(m.reason !== undefined ? { reason: m.reason } : {}),
});

/** Cells the user decided to leave empty ("intentional missing" marks). */
export function missingRoutes(router: Router, { manager, maxBodyBytes }: RouteContext): void {
  router.get('/sessions/:id/missing', async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    res.json({ marks: (await manager.getIntentionalMissing(id)).map(markJson) });
  });

  router.post('/sessions/:id/missing', ...jsonBody(maxBodyBytes), async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const body = parseInput(marksBody, req.body, 'body');
    const marks = 'marks' in body ? body.marks.map(toMark) : [toMark(body)];
    if (marks.length === 1) await manager.markIntentionalMissing(id, marks[0]!);
    else await manager.markIntentionalMissingBatch(id, marks);
    res.status(201).json({ marked: marks.length });
  });

  // Cells from the body ({ cells } or one cell) or the query (?row=&column=); neither → clear all.
  router.delete('/sessions/:id/missing', ...jsonBody(maxBodyBytes), async (req, res) => {
    const { id } = parseInput(sessionParams, req.params, 'path');
    const query = parseInput(clearMarksQuery, req.query, 'query');
    let cells: CellRef[] | undefined;
    if (hasBody(req)) {
      const body = parseInput(clearMarksBody, req.body, 'body');
      cells = 'cells' in body ? body.cells : [body];
    } else if (query.row !== undefined || query.column !== undefined) {
      const cell = parseInput(clearMarksBody, { row: query.row, column: query.column }, 'query');
      cells = 'cells' in cell ? cell.cells : [cell];
    }
    const removed = await manager.clearIntentionalMissing(id, cells);
    res.json({ removed });
  });
}
