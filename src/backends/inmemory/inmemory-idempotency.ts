import fs from 'node:fs';
import path from 'node:path';
import { type ExpiringValues, IdempotencyKeys } from '../../contract/idempotency.js';
import { commitFileSync, readSmallSync, removeFileQuietSync } from './inmemory-files.js';

interface Entry {
  expiresAt: number;
  value: string;
}

/**
 * Idempotency keys on disk: STORAGE_DIR/idempotency/<hash>.json holding `{ expiresAt, value }`. Creating is
 * an exclusive create (`wx`, atomic across processes); a swap replaces the file by rename; an expired or torn
 * entry counts as absent and is replaced by the next create (or removed by the sweep).
 */
export class DiskExpiringValues implements ExpiringValues {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'idempotency');
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  private live(key: string): Entry | undefined {
    const bytes = readSmallSync(this.file(key));
    if (bytes === undefined) return undefined;
    try {
      const entry = JSON.parse(bytes.toString('utf8')) as Partial<Entry> & { fingerprint?: string };
      if (typeof entry.expiresAt !== 'number' || entry.expiresAt <= Date.now()) return undefined;
      // Entries written before `value` kept the claim's fields at the top level.
      const value = typeof entry.value === 'string' ? entry.value : JSON.stringify(entry);
      return { expiresAt: entry.expiresAt, value };
    } catch {
      return undefined; // a torn write of a pending claim
    }
  }

  async create(key: string, value: string, ttlMs: number): Promise<boolean> {
    fs.mkdirSync(this.dir, { recursive: true });
    const entry = JSON.stringify({ expiresAt: Date.now() + ttlMs, value });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        fs.writeFileSync(this.file(key), entry, { flag: 'wx' });
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (this.live(key) !== undefined) return false;
      removeFileQuietSync(this.file(key)); // expired or torn: taken over
    }
    return false;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async swap(key: string, expected: string, next: string | undefined, ttlMs: number): Promise<void> {
    if (this.live(key)?.value !== expected) return;
    if (next === undefined) removeFileQuietSync(this.file(key));
    else commitFileSync(this.file(key), JSON.stringify({ expiresAt: Date.now() + ttlMs, value: next }));
  }

  /** Removes expired keys (part of the store's expiry sweep). */
  sweep(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (this.live(name.replace(/\.json$/, '')) === undefined)
        removeFileQuietSync(path.join(this.dir, name));
    }
  }
}

/** The idempotency keys of the embedded store, and the sweep that drops expired ones. */
export function diskIdempotency(root: string): { keys: IdempotencyKeys; sweep: () => void } {
  const values = new DiskExpiringValues(root);
  return { keys: new IdempotencyKeys(values), sweep: () => values.sweep() };
}
