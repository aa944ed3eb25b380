import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  existingClaim,
  type IdempotencyClaim,
  type IdempotencyStore,
  type StoredResponse,
} from '../../contract/idempotency.js';
import { commitFileSync, readSmallSync, removeFileQuietSync } from './inmemory-files.js';

interface Entry {
  token?: string;
  fingerprint: string;
  expiresAt: number;
  response?: StoredResponse;
}

/**
 * Idempotency keys on disk: STORAGE_DIR/idempotency/<hash>.json. A claim is an exclusive create (`wx`, atomic
 * across processes); completing replaces the file by rename; an expired entry is replaced on the next claim.
 */
export class DiskIdempotency implements IdempotencyStore {
  private readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'idempotency');
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  private read(key: string): Entry | undefined {
    const bytes = readSmallSync(this.file(key));
    if (bytes === undefined) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8')) as Entry;
    } catch {
      return undefined; // a torn write of a pending claim: treated as absent
    }
  }

  async claim(key: string, fingerprint: string, pendingMs: number): Promise<IdempotencyClaim> {
    const token = randomBytes(12).toString('base64url');
    const pending: Entry = { token, fingerprint, expiresAt: Date.now() + pendingMs };
    fs.mkdirSync(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        fs.writeFileSync(this.file(key), JSON.stringify(pending), { flag: 'wx' });
        return { state: 'claimed', token };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const entry = this.read(key);
      if (entry === undefined || entry.expiresAt <= Date.now()) {
        removeFileQuietSync(this.file(key));
        continue;
      }
      return existingClaim(entry);
    }
    return { state: 'pending', fingerprint };
  }

  async complete(
    key: string,
    token: string,
    fingerprint: string,
    response: StoredResponse,
    ttlMs: number,
  ): Promise<void> {
    if (this.read(key)?.token !== token) return;
    commitFileSync(this.file(key), JSON.stringify({ fingerprint, expiresAt: Date.now() + ttlMs, response }));
  }

  async release(key: string, token: string): Promise<void> {
    if (this.read(key)?.token === token) removeFileQuietSync(this.file(key));
  }

  /** Removes expired keys (part of the store's expiry sweep). */
  sweep(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    const now = Date.now();
    for (const name of names) {
      const entry = this.read(name.replace(/\.json$/, ''));
      if (entry === undefined || entry.expiresAt <= now) removeFileQuietSync(path.join(this.dir, name));
    }
  }
}
