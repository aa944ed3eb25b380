import fs from 'node:fs';
import path from 'node:path';
import { invalidInput } from '../../contract/errors.js';
import { assertValidId } from '../../contract/ids.js';

/** Frame and blob ids name files, so they are held to a strict alphabet (same as SessionSnapshot frame ids). */
const FILE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function assertFileId(value: unknown, what = 'frame id'): asserts value is string {
  if (typeof value !== 'string' || !FILE_ID.test(value)) throw invalidInput(`malformed ${what}`);
}

/**
 * Where everything lives under STORAGE_DIR:
 * sessions/<id>/{state.json, touch, frames/<frameId>.fsf, audit-<blob>.jsonl, marks-<blob>.json},
 * uploads/<id>/{manifest.json, sheets/<frameId>.fsf}, locks/<s|u>-<id>.lock, trash/.
 * Every path built from an id validates the id first and is checked to stay under the root.
 */
export class InMemoryLayout {
  readonly root: string;
  readonly sessionsDir: string;
  readonly uploadsDir: string;
  readonly locksDir: string;
  readonly trashDir: string;

  constructor(storageDir: string) {
    this.root = path.resolve(storageDir);
    this.sessionsDir = path.join(this.root, 'sessions');
    this.uploadsDir = path.join(this.root, 'uploads');
    this.locksDir = path.join(this.root, 'locks');
    this.trashDir = path.join(this.root, 'trash');
  }

  /** Creates the top-level folders (idempotent). */
  ensureDirs(): void {
    for (const dir of [this.sessionsDir, this.uploadsDir, this.locksDir, this.trashDir]) {
      fs.mkdirSync(dir, { recursive: true });
    }
  }

  /** The folder of one session. */
  sessionDir(id: string): string {
    assertValidId(id, 'session');
    return this.inside(path.join(this.sessionsDir, id));
  }

  statePath(id: string): string {
    return path.join(this.sessionDir(id), 'state.json');
  }

  /** Its mtime is the last access: reads slide the TTL with a utimes, not a rewrite. */
  touchPath(id: string): string {
    return path.join(this.sessionDir(id), 'touch');
  }

  framesDir(id: string): string {
    return path.join(this.sessionDir(id), 'frames');
  }

  framePath(id: string, frameId: string): string {
    assertFileId(frameId);
    return path.join(this.framesDir(id), `${frameId}.fsf`);
  }

  /** An immutable side file of a session (audit log, marks, a frame manifest), named by the state. */
  blobPath(id: string, name: string): string {
    if (!/^(audit|marks|manifest)-[A-Za-z0-9_-]{1,64}\.(jsonl|json)$/.test(name))
      throw invalidInput('malformed blob name');
    return path.join(this.sessionDir(id), name);
  }

  uploadDir(id: string): string {
    assertValidId(id, 'upload');
    return this.inside(path.join(this.uploadsDir, id));
  }

  manifestPath(uploadId: string): string {
    return path.join(this.uploadDir(uploadId), 'manifest.json');
  }

  sheetsDir(uploadId: string): string {
    return path.join(this.uploadDir(uploadId), 'sheets');
  }

  sheetPath(uploadId: string, frameId: string): string {
    assertFileId(frameId);
    return path.join(this.sheetsDir(uploadId), `${frameId}.fsf`);
  }

  /** The path proper-lockfile locks (it creates `<this>.lock`). */
  lockTarget(kind: 'session' | 'upload', id: string): string {
    assertValidId(id, kind);
    return this.inside(path.join(this.locksDir, `${kind === 'session' ? 's' : 'u'}-${id}`));
  }

  /** Defence in depth: ids are already validated, but a path must never leave the root. */
  private inside(candidate: string): string {
    const resolved = path.resolve(candidate);
    if (!resolved.startsWith(this.root + path.sep)) throw invalidInput('path escapes STORAGE_DIR');
    return resolved;
  }
}
