import { z } from 'zod';
import type { ReadOptions } from '../contract/frame-reads.js';
import { MAX_READ_COLUMNS } from '../session/read-options.js';
import { OUTPUT_FORMATS } from './validation.js';

/**
 * Query strings of partial reads and diffs (§6). `?columns=a,b` splits on commas; a name that itself
 * holds a comma is sent as a repeated parameter instead (`?columns=a&columns=x%2Cy`), each value whole.
 */

const count = z
  .string()
  .regex(/^\d+$/, 'expected a whole number')
  .transform(Number)
  .pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER));

const columns = z
  .union([z.string().transform((value) => value.split(',')), z.array(z.string()).max(MAX_READ_COLUMNS)])
  .pipe(z.array(z.string().min(1, 'empty column name')).min(1).max(MAX_READ_COLUMNS))
  .refine((names) => new Set(names).size === names.length, 'a column is named twice');

export const partialDataQuery = z.object({
  format: z.enum(OUTPUT_FORMATS).optional(),
  columns: columns.optional(),
  offset: count.optional(),
  limit: count.optional(),
});

/** The ReadOptions of a parsed partial-data query (undefined keys left out). */
export function readOptionsOf(query: z.output<typeof partialDataQuery>): ReadOptions {
  return {
    ...(query.columns !== undefined ? { columns: query.columns } : {}),
    ...(query.offset !== undefined ? { offset: query.offset } : {}),
    ...(query.limit !== undefined ? { limit: query.limit } : {}),
  };
}

const versionRef = z.union([z.literal('current'), count]);

/** `?from=&to=`: a version number or `current`; `to` defaults to `current`, `from` to the newest history entry. */
export const diffQuery = z.object({ from: versionRef.optional(), to: versionRef.optional() });
