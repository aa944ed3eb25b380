import type { Request, Router } from 'express';
import { uploadNotFound } from '../../contract/errors.js';
import { jsonBody, rawBody } from '../body-parsers.js';
import { chooseTableFormat, sendTable } from '../content-negotiation.js';
import { baseMediaType, MEDIA } from '../content-types.js';
import { HttpError } from '../http-errors.js';
import { sessionJson, uploadJson } from '../json-shapes.js';
import { readMultipartFile } from '../multipart-read.js';
import type { RouteContext } from '../route-context.js';
import { requestBytes } from '../table-input.js';
import { dataQuery, parseInput, promoteBody, sheetParams, uploadParams, uploadQuery } from '../validation.js';

/** The workbook bytes and its file name, from a raw xlsx body or the file part of a multipart form. */
async function workbookFromRequest(req: Request): Promise<{ bytes: Buffer; filename?: string }> {
  const type = baseMediaType(req.get('content-type'));
  if (type === MEDIA.xlsx) return { bytes: requestBytes(req) };
  if (type === MEDIA.multipart) {
    const file = await readMultipartFile(requestBytes(req), req.get('content-type') ?? '');
    return { bytes: file.data, ...(file.filename !== undefined ? { filename: file.filename } : {}) };
  }
  throw new HttpError(
    'UNSUPPORTED_MEDIA_TYPE',
    `POST /uploads takes ${MEDIA.xlsx} or ${MEDIA.multipart} with a "file" part`,
  );
}

/** Multi-sheet workbooks parked until the user picks a sheet, then promoted into a session. */
export function uploadRoutes(
  router: Router,
  { manager, maxBodyBytes, maxColumns, parsePool }: RouteContext,
): void {
  router.post('/uploads', rawBody(maxBodyBytes), async (req, res) => {
    const query = parseInput(uploadQuery, req.query, 'query');
    const workbook = await workbookFromRequest(req);
    const filename = query.filename ?? workbook.filename;
    req.body = undefined;
    const sheets = await parsePool.parseWorkbook(
      workbook.bytes,
      { maxBytes: maxBodyBytes, maxColumns },
      true,
    );
    const upload = await manager.storeTempSheets(sheets, {
      ...(filename !== undefined ? { filename } : {}),
      ...(query.ttl_seconds !== undefined ? { ttlSeconds: query.ttl_seconds } : {}),
    });
    res.status(201).location(`${req.baseUrl}/uploads/${upload.uploadId}`).json(uploadJson(upload));
  });

  router.get('/uploads/:id', async (req, res) => {
    const { id } = parseInput(uploadParams, req.params, 'path');
    res.json(uploadJson(await manager.listTempSheets(id)));
  });

  router.get('/uploads/:id/sheets/:name/data', async (req, res) => {
    const { id, name } = parseInput(sheetParams, req.params, 'path');
    const { format } = parseInput(dataQuery, req.query, 'query');
    const chosen = chooseTableFormat(req, format);
    await sendTable(res, await manager.getTempSheet(id, name), chosen);
  });

  router.post('/uploads/:id/sheets/:name/promote', ...jsonBody(maxBodyBytes), async (req, res) => {
    const { id, name } = parseInput(sheetParams, req.params, 'path');
    const body = parseInput(promoteBody, req.body ?? {}, 'body');
    const info = await manager.promoteTempSheet(id, name, {
      ...(body.filename !== undefined ? { filename: body.filename } : {}),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      ...(body.ttl_seconds !== undefined ? { ttlSeconds: body.ttl_seconds } : {}),
      ...(body.user !== undefined ? { user: body.user } : {}),
      ...(body.keep_upload !== undefined ? { keepUpload: body.keep_upload } : {}),
    });
    res.status(201).location(`${req.baseUrl}/sessions/${info.sessionId}`).json(sessionJson(info));
  });

  router.delete('/uploads/:id', async (req, res) => {
    const { id } = parseInput(uploadParams, req.params, 'path');
    if (!(await manager.deleteTemp(id))) throw uploadNotFound(id);
    res.status(204).end();
  });
}
