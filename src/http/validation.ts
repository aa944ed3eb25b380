import type { Router } from 'express';
import { z } from 'zod';
import { invalidInput } from '../contract/errors.js';
import { isValidId } from '../contract/ids.js';
import { delimiterFromText } from '../formats/csv-delimiter.js';

/** Validates `input` or throws INVALID_INPUT naming every problem (`where` says which part of the request). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? `${where}.${issue.path.join('.')}` : where;
    return `${path}: ${issue.message}`;
  });
  throw invalidInput(`invalid request: ${problems.join('; ')}`);
}

const ID_MESSAGE = 'malformed id: expected 22 URL-safe base64 characters';
const id = z.string().refine(isValidId, ID_MESSAGE);
/** Query values arrive as strings; `?a=1&a=2` (an array) is rejected by the string schemas. */
const intString = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const text = (max: number) => z.string().min(1).max(max);
const jsonObjectString = z.string().transform((value, ctx) => {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // not JSON: reported as the issue below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON object' });
  return z.NEVER;
});

export const sessionParams = z.object({ id });
export const versionParams = z.object({ id, v: intString(0) });
export const uploadParams = z.object({ id });
export const sheetParams = z.object({ id, name: text(255) });

export { CSV_DELIMITERS } from '../formats/csv-delimiter.js';

/** `?delimiter=` takes the character (URL-encoded) or its name: comma, semicolon, tab, pipe. */
const delimiter = z.string().transform((value, ctx) => {
  const resolved = delimiterFromText(value);
  if (resolved !== undefined) return resolved;
  ctx.addIssue({ code: 'custom', message: 'expected one of , ; tab | or comma, semicolon, tab, pipe' });
  return z.NEVER;
});

export const createSessionQuery = z.object({
  filename: text(255).optional(),
  user: text(200).optional(),
  ttl_seconds: intString(1).optional(),
  delimiter: delimiter.optional(),
});

export const putDataQuery = z.object({
  operation: text(100),
  user: text(200).optional(),
  expected_version: intString(0).optional(),
  details: jsonObjectString.optional(),
  delimiter: delimiter.optional(),
});

export const listSessionsQuery = z.object({
  cursor: text(1000).optional(),
  limit: intString(1, 1000).optional(),
});

export const auditQuery = z.object({
  offset: intString(0).optional(),
  limit: intString(1, 10_000).optional(),
});

export const OUTPUT_FORMATS = ['arrow', 'json', 'csv'] as const;
export const dataQuery = z.object({ format: z.enum(OUTPUT_FORMATS).optional() });

export const uploadQuery = z.object({ filename: text(255).optional(), ttl_seconds: intString(1).optional() });

const details = z.record(z.string(), z.unknown());

export const auditBody = z.strictObject({
  operation: text(100),
  details: details.optional(),
  user: text(200).optional(),
  rows_before: z.number().int().min(0).optional(),
  rows_after: z.number().int().min(0).optional(),
});

const cell = z.strictObject({ row: z.number().int().min(0), column: text(1000) });
const mark = z.strictObject({
  row: z.number().int().min(0),
  column: text(1000),
  reason: z.string().max(1000).optional(),
});

/** `{ marks: [...] }` or one mark. */
export const marksBody = z.union([z.strictObject({ marks: z.array(mark).min(1).max(1_000_000) }), mark]);

/** `{ cells: [...] }`, one cell, or nothing (clear every mark). */
export const clearMarksBody = z.union([z.strictObject({ cells: z.array(cell).min(1).max(1_000_000) }), cell]);
export const clearMarksQuery = z.object({ row: intString(0).optional(), column: text(1000).optional() });

export const metadataPatchBody = z.record(z.string(), z.unknown());

export const createVersionBody = z.strictObject({ label: text(200).optional() });

export const promoteBody = z.strictObject({
  filename: text(255).optional(),
  metadata: details.optional(),
  ttl_seconds: z.number().int().min(1).optional(),
  user: text(200).optional(),
  keep_upload: z.boolean().optional(),
});

/**
 * Path parameters are checked before any route middleware runs (body parsing included), so a
 * malformed id is always 400 INVALID_INPUT, whatever else is wrong with the request.
 */
export function checkPathParams(router: Router): void {
  router.param('id', (_req, _res, next, value: unknown) => {
    next(isValidId(value) ? undefined : invalidInput(`invalid request: path.id: ${ID_MESSAGE}`));
  });
  router.param('v', (_req, _res, next, value: unknown) => {
    next(
      typeof value === 'string' && /^\d+$/.test(value)
        ? undefined
        : invalidInput('invalid request: path.v: expected a whole number'),
    );
  });
}
