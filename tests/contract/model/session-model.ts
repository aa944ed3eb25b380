import type { StorageErrorCode } from '../../../src/contract/errors.js';

/**
 * A pure reference model of ONE session, written from docs/semantics.md only (never from a backend), so the
 * fast-check commands can check every backend against the same rules. No I/O: frames are fingerprints.
 */

/** A frame as the model sees it: enough to compare a real table cheaply and to validate mark cells. */
export interface ModelFrame {
  /** Schema + every value (see model-tables.ts); equal fingerprints = equal tables. */
  fingerprint: string;
  rows: number;
  columns: string[];
  /** Short human name for failure messages, e.g. `tag17(5x2)`. */
  name: string;
}

/** A history or redo entry. */
export interface ModelEntry {
  version: number;
  label?: string;
  operation: string;
  user?: string;
  frame: ModelFrame;
}

/** An audit entry without `at` (server time is not modelled). */
export interface ModelAudit {
  seq: number;
  operation: string;
  details?: Record<string, unknown>;
  user?: string;
  rowsBefore?: number;
  rowsAfter?: number;
}

export interface ModelMark {
  row: number;
  column: string;
  reason?: string;
}

/** The projection of SessionInfo that the model predicts. */
export interface ModelInfo {
  version: number;
  versionCount: number;
  canUndo: boolean;
  canRedo: boolean;
  rows: number;
  columns: number;
  lastUser?: string;
}

/** What a call should give: a value, or a StorageError code. */
export type Expected<T> = { ok: true; value: T } | { ok: false; code: StorageErrorCode };

const ok = <T>(value: T): Expected<T> => ({ ok: true, value });
const fail = <T>(code: StorageErrorCode): Expected<T> => ({ ok: false, code });

/** Drops `undefined` fields so an absent field and a missing one compare the same. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const markKey = (row: number, column: string): string => `${row}\u0000${column}`;

export interface ChangeSpec {
  operation: string;
  details?: Record<string, unknown>;
  user?: string;
}

export class SessionModel {
  version = 1;
  history: ModelEntry[] = [];
  /** Bottom first; the last entry is what redo restores. */
  redo: ModelEntry[] = [];
  /** A Map, so `__proto__` & co. are ordinary keys as the doc requires. */
  readonly metadata = new Map<string, unknown>();
  readonly audit: ModelAudit[] = [];
  readonly marks = new Map<string, ModelMark>();

  private constructor(
    public current: ModelFrame,
    readonly maxVersions: number,
  ) {}

  /** createSession: version 1, and audit entry 1 is the `upload` (details: `{ filename }` when given). */
  static create(frame: ModelFrame, opts: { filename?: string; user?: string }, maxVersions: number) {
    const model = new SessionModel(frame, maxVersions);
    const details = opts.filename === undefined ? undefined : { filename: opts.filename };
    model.appendAudit({ operation: 'upload', details, user: opts.user, rowsAfter: frame.rows });
    return model;
  }

  info(): ModelInfo {
    return {
      version: this.version,
      versionCount: this.history.length,
      canUndo: this.history.length > 0,
      canRedo: this.redo.length > 0,
      rows: this.current.rows,
      columns: this.current.columns.length,
      lastUser: this.audit.findLast((entry) => entry.user !== undefined && entry.user !== '')?.user,
    };
  }

  updateDataFrame(frame: ModelFrame, change: ChangeSpec): Expected<ModelInfo> {
    const before = this.current.rows;
    this.pushHistory(
      defined({ version: this.version, operation: change.operation, user: change.user, frame: this.current }),
    );
    this.redo = [];
    this.current = frame;
    this.version += 1;
    this.appendAudit({ ...change, rowsBefore: before, rowsAfter: frame.rows });
    return ok(this.info());
  }

  /** Returns the new entry (what createVersion answers). `''` means no label. */
  createVersion(label: string | undefined): Expected<ModelEntry> {
    const entry = defined({
      version: this.version,
      label: label === '' ? undefined : label,
      operation: 'snapshot',
      frame: this.current,
    });
    this.pushHistory(entry);
    this.version += 1;
    return ok(entry);
  }

  /** The newest history entry's frame becomes current; the entry itself (operation, label) moves to redo. */
  undo(): Expected<ModelInfo> {
    const entry = this.history.pop();
    if (entry === undefined) return fail('NOTHING_TO_UNDO');
    const before = this.current.rows;
    this.redo.push({ ...entry, version: this.version, frame: this.current });
    if (this.redo.length > this.maxVersions) this.redo.shift();
    this.current = entry.frame;
    this.version += 1;
    this.appendAudit({ operation: 'undo', rowsBefore: before, rowsAfter: this.current.rows });
    return ok(this.info());
  }

  /** The top of redo becomes current; its entry (operation, label) goes back into history. */
  redoChange(): Expected<ModelInfo> {
    const entry = this.redo.pop();
    if (entry === undefined) return fail('NOTHING_TO_REDO');
    const before = this.current.rows;
    this.pushHistory({ ...entry, version: this.version, frame: this.current });
    this.current = entry.frame;
    this.version += 1;
    this.appendAudit({ operation: 'redo', rowsBefore: before, rowsAfter: this.current.rows });
    return ok(this.info());
  }

  /** Current → no-op; another held version → current, old current recorded as `restore`, redo cleared. */
  restoreVersion(version: number): Expected<ModelInfo> {
    if (!Number.isInteger(version) || version < 1) return fail('INVALID_INPUT');
    if (version === this.version) return ok(this.info());
    const target = this.find(version);
    if (target === undefined) return fail('VERSION_NOT_FOUND');
    const before = this.current.rows;
    this.pushHistory({ version: this.version, operation: 'restore', frame: this.current });
    this.redo = [];
    this.current = target;
    this.version += 1;
    this.appendAudit({
      operation: 'restore',
      details: { version },
      rowsBefore: before,
      rowsAfter: target.rows,
    });
    return ok(this.info());
  }

  /** The frame of a held version (current, history or redo). */
  getVersion(version: number): Expected<ModelFrame> {
    if (!Number.isInteger(version) || version < 1) return fail('INVALID_INPUT');
    const frame = version === this.version ? this.current : this.find(version);
    return frame === undefined ? fail('VERSION_NOT_FOUND') : ok(frame);
  }

  /** Every version number the session still holds (current, history, redo). */
  heldVersions(): number[] {
    return [this.version, ...this.history.map((e) => e.version), ...this.redo.map((e) => e.version)];
  }

  /** Shallow merge: null deletes, undefined is ignored, every own key is an ordinary key. */
  updateMetadata(patch: Record<string, unknown>): Expected<Map<string, unknown>> {
    for (const key of Object.keys(patch)) {
      const value = patch[key];
      if (value === undefined) continue;
      if (value === null) this.metadata.delete(key);
      else this.metadata.set(key, value);
    }
    return ok(this.metadata);
  }

  addAuditEntry(entry: Omit<ModelAudit, 'seq'>): Expected<ModelAudit> {
    return ok(this.appendAudit(entry));
  }

  getAuditLog(query: { offset?: number; limit?: number } = {}): Expected<ModelAudit[]> {
    const offset = query.offset ?? 0;
    const end = query.limit === undefined ? undefined : offset + query.limit;
    return ok(this.audit.slice(offset, end));
  }

  /** A cell of the current frame, or INVALID_INPUT. */
  checkCell(row: number, column: string): StorageErrorCode | undefined {
    const valid = Number.isInteger(row) && row >= 0 && row < this.current.rows;
    return valid && this.current.columns.includes(column) ? undefined : 'INVALID_INPUT';
  }

  /** Marks every cell (all or nothing); a re-marked cell gets the new reason. */
  mark(marks: ModelMark[]): Expected<void> {
    for (const m of marks) {
      const code = this.checkCell(m.row, m.column);
      if (code !== undefined) return fail(code);
    }
    for (const m of marks) this.marks.set(markKey(m.row, m.column), defined({ ...m }));
    return ok(undefined);
  }

  /** Sorted by row, then column (the doc fixes no order, so comparisons sort both sides). */
  listMarks(): ModelMark[] {
    return [...this.marks.values()].sort(compareMarks);
  }

  clearMarks(cells?: { row: number; column: string }[]): Expected<number> {
    if (cells === undefined) {
      const count = this.marks.size;
      this.marks.clear();
      return ok(count);
    }
    for (const c of cells) {
      const code = this.checkCell(c.row, c.column);
      if (code !== undefined) return fail(code);
    }
    let removed = 0;
    for (const c of cells) if (this.marks.delete(markKey(c.row, c.column))) removed += 1;
    return ok(removed);
  }

  private find(version: number): ModelFrame | undefined {
    return (this.history.find((e) => e.version === version) ?? this.redo.find((e) => e.version === version))
      ?.frame;
  }

  /** History holds at most maxVersions entries; the oldest is dropped first. */
  private pushHistory(entry: ModelEntry): void {
    this.history.push(defined(entry));
    if (this.history.length > this.maxVersions) this.history.shift();
  }

  private appendAudit(entry: Omit<ModelAudit, 'seq'>): ModelAudit {
    const full = defined({ seq: this.audit.length + 1, ...entry });
    this.audit.push(full);
    return full;
  }
}

export function compareMarks(a: ModelMark, b: ModelMark): number {
  if (a.row !== b.row) return a.row - b.row;
  return a.column < b.column ? -1 : a.column > b.column ? 1 : 0;
}
