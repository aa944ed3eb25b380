import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../contract/errors.js';
import { assertValidId } from '../contract/ids.js';

export type JournalKind = 'session' | 'upload';

/** A session or temp upload changed in the local store while Redis was out, waiting to be written back. */
export interface JournalEntry {
  kind: JournalKind;
  id: string;
  /** When it was first recorded. */
  since: string;
}

const fileName = (kind: JournalKind, id: string) => `${kind === 'session' ? 's' : 'u'}-${id}.json`;
const mapKey = (kind: JournalKind, id: string) => `${kind}:${id}`;

/**
 * The durable write-back journal: one small file per pending id under STORAGE_DIR/writeback/, written
 * temp -> fsync -> rename -> fsync(dir) before the local change is acknowledged, removed once the id is
 * safely in Redis. A file per id (not one appended log) means several processes sharing STORAGE_DIR
 * never contend on one file, and nothing needs compacting; a crashed process's entries are picked up by
 * whichever process writes back next (the transfer is idempotent).
 */
export class WriteBackJournal {
  private readonly entries = new Map<string, JournalEntry>();
  private readonly adding = new Map<string, Promise<void>>();

  private constructor(readonly dir: string) {}

  /** Opens (creating) the journal folder and loads what earlier runs left pending. */
  static async open(storageDir: string): Promise<WriteBackJournal> {
    const journal = new WriteBackJournal(path.join(path.resolve(storageDir), 'writeback'));
    try {
      await fs.mkdir(journal.dir, { recursive: true });
    } catch (error) {
      throw new StorageError(
        'BACKEND_UNAVAILABLE',
        `cannot create the write-back journal in ${journal.dir}`,
        {
          cause: error,
        },
      );
    }
    await journal.reload();
    return journal;
  }

  get size(): number {
    return this.entries.size;
  }

  has(kind: JournalKind, id: string): boolean {
    return this.entries.has(mapKey(kind, id));
  }

  /** Pending entries, oldest first. */
  list(): JournalEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
  }

  /** Re-reads the folder (entries other processes sharing STORAGE_DIR recorded). */
  async reload(): Promise<void> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const seen = new Set<string>();
    for (const name of names) {
      const match = /^([su])-([A-Za-z0-9_-]{22})\.json$/.exec(name);
      if (!match) continue;
      const kind: JournalKind = match[1] === 's' ? 'session' : 'upload';
      const id = match[2]!;
      seen.add(mapKey(kind, id));
      if (this.entries.has(mapKey(kind, id))) continue;
      const since = await fs
        .readFile(path.join(this.dir, name), 'utf8')
        .then((text) => (JSON.parse(text) as Partial<JournalEntry>).since)
        .catch(() => undefined);
      this.entries.set(mapKey(kind, id), { kind, id, since: since ?? new Date(0).toISOString() });
    }
    // Entries another process wrote back are gone from the folder: forget them too.
    for (const key of [...this.entries.keys()])
      if (!seen.has(key) && !this.adding.has(key)) this.entries.delete(key);
  }

  /** Records an id durably (resolves once on disk). Recording an id twice is a no-op. */
  add(kind: JournalKind, id: string): Promise<void> {
    assertValidId(id, kind);
    const key = mapKey(kind, id);
    if (this.entries.has(key)) return this.adding.get(key) ?? Promise.resolve();
    const entry: JournalEntry = { kind, id, since: new Date().toISOString() };
    this.entries.set(key, entry);
    const write = this.writeEntry(entry)
      .catch((error: unknown) => {
        this.entries.delete(key);
        throw new StorageError(
          'BACKEND_UNAVAILABLE',
          `cannot record ${kind} ${id} in the write-back journal`,
          {
            cause: error,
          },
        );
      })
      .finally(() => this.adding.delete(key));
    this.adding.set(key, write);
    return write;
  }

  /** Forgets an id once it is safely written back. */
  async remove(kind: JournalKind, id: string): Promise<void> {
    const key = mapKey(kind, id);
    await this.adding.get(key)?.catch(() => undefined);
    this.entries.delete(key);
    await fs.rm(path.join(this.dir, fileName(kind, id)), { force: true });
  }

  private async writeEntry(entry: JournalEntry): Promise<void> {
    const target = path.join(this.dir, fileName(entry.kind, entry.id));
    const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(JSON.stringify(entry));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
    const dir = await fs.open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
