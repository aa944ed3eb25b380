import { corruptData } from '../../contract/errors.js';
import type { AuditEntry, MarkedCell } from '../../contract/storage-backend.js';
import { readPrefixSync, readSmallSync } from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';
import type { SessionState } from './inmemory-state.js';

/** Reading a session's side files: the committed prefix of its audit log and its immutable marks file. */

export function readAuditFile(layout: InMemoryLayout, id: string, state: SessionState): AuditEntry[] {
  const { audit } = state;
  if (audit.count === 0) return [];
  const prefix = readPrefixSync(layout.blobPath(id, audit.file), audit.bytes);
  if (prefix === undefined || prefix.length !== audit.bytes) {
    throw corruptData(`session ${id}: audit log is shorter than committed`);
  }
  const lines = prefix.toString('utf8').split('\n');
  lines.pop();
  if (lines.length !== audit.count) throw corruptData(`session ${id}: audit log entry count mismatch`);
  try {
    return lines.map((line) => JSON.parse(line) as AuditEntry);
  } catch (error) {
    throw corruptData(`session ${id}: audit log is not valid JSON lines`, error);
  }
}

export function readMarksFile(layout: InMemoryLayout, id: string, state: SessionState): MarkedCell[] {
  const { marks } = state;
  if (marks.file === null) return [];
  const bytes = readSmallSync(layout.blobPath(id, marks.file));
  if (bytes === undefined) throw corruptData(`session ${id}: marks file is missing`);
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (!Array.isArray(parsed)) throw new TypeError('not an array');
    return parsed as MarkedCell[];
  } catch (error) {
    throw corruptData(`session ${id}: marks file is malformed`, error);
  }
}
