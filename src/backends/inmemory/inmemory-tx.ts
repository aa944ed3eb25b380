import { randomBytes } from 'node:crypto';
import type { AuditEntry, AuditInput, MarkedCell } from '../../contract/storage-backend.js';
import { type AuditMeta, appendAudit } from './inmemory-audit.js';
import { linkImmutable, writeImmutable, writeImmutableSync } from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';

/** A fresh id for a frame or side file (never reused, so cached tables keyed by it can never be stale). */
export const newFileId = (): string => randomBytes(12).toString('base64url');

/** Collects the files a mutation writes before its commit, so a failed mutation can remove them. */
export class SessionTx {
  readonly written: string[] = [];
  wroteFrames = false;
  /** The revision of the state being committed, once the commit has started. */
  pendingRev: string | undefined;

  constructor(
    private readonly layout: InMemoryLayout,
    readonly id: string,
    readonly now: string,
  ) {}

  /** Writes encoded frame bytes as a new immutable frame file; returns its id. */
  async writeFrame(bytes: Uint8Array): Promise<string> {
    const frameId = newFileId();
    const file = this.layout.framePath(this.id, frameId);
    this.written.push(file);
    await writeImmutable(file, bytes);
    this.wroteFrames = true;
    return frameId;
  }

  /** Hard-links an existing immutable frame file in (promote, import): no bytes move through Node. */
  async linkFrame(source: string): Promise<string> {
    const frameId = newFileId();
    const file = this.layout.framePath(this.id, frameId);
    this.written.push(file);
    await linkImmutable(source, file);
    this.wroteFrames = true;
    return frameId;
  }

  appendAudit(meta: AuditMeta, inputs: AuditInput[]): { meta: AuditMeta; entries: AuditEntry[] } {
    return appendAudit(this.layout.blobPath(this.id, meta.file), meta, inputs, this.now);
  }

  /** A new immutable marks file (null when there are none). */
  writeMarks(marks: MarkedCell[]): string | null {
    if (marks.length === 0) return null;
    const name = `marks-${newFileId()}.json`;
    const file = this.layout.blobPath(this.id, name);
    this.written.push(file);
    writeImmutableSync(file, JSON.stringify(marks));
    return name;
  }
}
