import fs from 'node:fs/promises';
import { StorageError } from '../contract/errors.js';
import type { BackendType } from '../contract/storage-backend.js';

export type ItemKind = 'session' | 'upload';

interface Header {
  framestoreMigration: 1;
  from: BackendType;
  to: BackendType;
  startedAt: string;
}

const key = (kind: ItemKind, id: string) => `${kind}:${id}`;

/**
 * The resume file of a migration: JSON lines, a header naming the direction, then one line per item that
 * finished for good (moved, identical, missing, target newer). Failures are not recorded, so a rerun retries
 * them. A line cut short by a crash is ignored: that item is simply done again, which is safe because the
 * transfer is idempotent.
 */
export class MigrationState {
  private readonly done = new Set<string>();
  private tail: Promise<void> = Promise.resolve();

  private constructor(
    private readonly handle: fs.FileHandle | undefined,
    readonly file: string | undefined,
  ) {}

  /** Opens (or creates) the state file; without a file, progress is kept in memory only. */
  static async open(
    file: string | undefined,
    direction: { from: BackendType; to: BackendType },
  ): Promise<MigrationState> {
    if (file === undefined) return new MigrationState(undefined, undefined);
    let existing = '';
    try {
      existing = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(file, error);
    }
    const lines = existing.split('\n').filter((line) => line.trim() !== '');
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(file, 'a');
    } catch (error) {
      throw unreadable(file, error);
    }
    const state = new MigrationState(handle, file);
    if (lines.length === 0) {
      const header: Header = { framestoreMigration: 1, ...direction, startedAt: new Date().toISOString() };
      await handle.appendFile(`${JSON.stringify(header)}\n`);
      return state;
    }
    const header = parseLine(lines[0]!) as Partial<Header> | undefined;
    if (header?.framestoreMigration !== 1 || header.from !== direction.from || header.to !== direction.to) {
      await handle.close();
      throw new StorageError(
        'INVALID_INPUT',
        `state file ${file} belongs to another migration (${header?.from ?? '?'} -> ${header?.to ?? '?'}); use a new --state-file`,
      );
    }
    for (const line of lines.slice(1)) {
      const entry = parseLine(line) as { kind?: ItemKind; id?: string } | undefined;
      if (entry?.kind && entry.id) state.done.add(key(entry.kind, entry.id));
    }
    return state;
  }

  /** How many items earlier runs finished. */
  get finishedBefore(): number {
    return this.done.size;
  }

  has(kind: ItemKind, id: string): boolean {
    return this.done.has(key(kind, id));
  }

  /** Records a finished item (appends are serialized, so concurrent workers never interleave lines). */
  record(kind: ItemKind, id: string, outcome: string): Promise<void> {
    this.done.add(key(kind, id));
    const handle = this.handle;
    if (handle === undefined) return Promise.resolve();
    this.tail = this.tail.then(() => handle.appendFile(`${JSON.stringify({ kind, id, outcome })}\n`));
    return this.tail;
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.handle) {
      await this.handle.sync();
      await this.handle.close();
    }
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

const unreadable = (file: string, error: unknown) =>
  new StorageError('INVALID_INPUT', `cannot use state file ${file}: ${(error as Error).message}`, {
    cause: error,
  });
