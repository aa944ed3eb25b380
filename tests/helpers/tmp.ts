import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A new empty directory under the OS temp dir. */
export async function makeTempDir(prefix = 'framestore-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Removes a directory made by makeTempDir (missing is fine). */
export async function removeTempDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}
