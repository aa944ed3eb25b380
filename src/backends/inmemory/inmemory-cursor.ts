import { invalidInput } from '../../contract/errors.js';

/** Opaque listing cursor: the last id of the previous page, base64url-wrapped. */
export const encodeCursor = (lastId: string): string => Buffer.from(`c1:${lastId}`).toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('c1:')) throw invalidInput('malformed cursor');
  return decoded.slice(3);
}
