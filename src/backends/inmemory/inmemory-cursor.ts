import { invalidInput } from '../../contract/errors.js';
import { isValidId } from '../../contract/ids.js';

/** Opaque listing cursor: the last id of the previous page, base64url-wrapped. */
export const encodeCursor = (lastId: string): string => Buffer.from(`c1:${lastId}`).toString('base64url');

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const lastId = decoded.slice(3);
  // Only what encodeCursor made: a made-up position (or another store's cursor) is refused, not guessed at.
  if (!decoded.startsWith('c1:') || !isValidId(lastId)) throw invalidInput('malformed cursor');
  return lastId;
}
